package overlay

import (
	"encoding/json"
	"strings"
	"testing"
)

func doc(t *testing.T) any {
	t.Helper()
	var v any
	err := json.Unmarshal([]byte(`{
  "openapi": "3.0.3",
  "paths": {
    "/widgets": {"get": {"operationId": "listWidgets", "tags": ["w"], "parameters": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}},
    "/widgets/{id}": {"delete": {"operationId": "deleteWidget"}}
  },
  "components": {"schemas": {"Widget": {"type": "object", "properties": {"size": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}}}}}
}`), &v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestApply(t *testing.T) {
	o, err := Parse("fix.yaml", []byte(`overlay: 1.0.0
info: {title: fix, version: 1}
extends: https://example.com/openapi.yaml
actions:
  - target: $.paths['/widgets'].get
    update: {summary: List widgets, tags: [extra]}
  - target: $.paths.*[?@.operationId == 'deleteWidget']
    remove: true
  - target: $.paths['/widgets'].get.parameters[?@.name == 'a' || @.name == 'c']
    remove: true
  - target: $..properties.at.format
    remove: true
  - target: $.paths['/widgets'].get.operationId
    update: listAllWidgets
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.Apply(doc(t))
	if err != nil {
		t.Fatal(err)
	}
	s := js(got)
	for _, want := range []string{
		`"summary":"List widgets"`, `"tags":["w","extra"]`, `"/widgets/{id}":{}`,
		`"parameters":[{"name":"b"}]`, `"at":{"type":"string"}`, `"operationId":"listAllWidgets"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("result lacks %s:\n%s", want, s)
		}
	}
}

func TestTargetSelectingNothing(t *testing.T) {
	o, err := Parse("fix.yaml", []byte(`overlay: 1.0.0
info: {title: fix, version: 1}
actions:
  - target: $.paths['/widgets'].get
    update: {summary: x}
  - target: $.paths['/gone'].get
    update: {summary: y}
  - description: drop a field
    target: $.components.schemas.Widget.properties.nope
    remove: true
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Apply(doc(t))
	want := "fix.yaml:6:5: actions[1]: target $.paths['/gone'].get selects nothing in the document (the update does not apply: has the document changed?)\n" +
		"fix.yaml:8:5: actions[2]: target $.components.schemas.Widget.properties.nope selects nothing in the document (the remove does not apply: has the document changed?)"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseErrors(t *testing.T) {
	_, err := Parse("o.yaml", []byte(`overlay: 2.0.0
actions:
  - target: "$.paths[?"
    update: {}
  - update: {}
  - target: $.x
  - target: $.y
    remvoe: true
`))
	want := `o.yaml:1:10: overlay: version "2.0.0" not supported: want 1.0.0
o.yaml:3:13: actions[0].target: not an RFC 9535 JSONPath`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got\n%v\nwant prefix\n%s", err, want)
	}
	for _, w := range []string{"o.yaml:5:5: actions[1].target: required", "o.yaml:6:5: actions[2]: has neither update nor remove", "o.yaml:8:5: actions[3].remvoe: unknown field"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("errors lack %q:\n%v", w, err)
		}
	}
}
