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

// Removing many elements of one array is one pass over it, and removals
// at several depths of the same arrays each take out what was selected.
func TestRemoveManyAndNested(t *testing.T) {
	var items []any
	for i := range 20000 {
		items = append(items, map[string]any{"n": float64(i), "tags": []any{"x", "y", "z"}})
	}
	doc := any(map[string]any{"items": items})
	o, err := Parse("fix.yaml", []byte(`overlay: 1.0.0
info: {title: fix, version: 1}
actions:
  - target: $.items[?@.n >= 1]
    remove: true
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.Apply(doc)
	if err != nil {
		t.Fatal(err)
	}
	if s := js(got); s != `{"items":[{"n":0,"tags":["x","y","z"]}]}` {
		t.Errorf("after removing all but the first: %.200s", s)
	}

	var nested any
	json.Unmarshal([]byte(`{"a":[{"b":[1,2,3]},{"b":[4,5,6]},{"b":[7,8,9]},{"b":[10,11,12]}]}`), &nested)
	o, err = Parse("fix.yaml", []byte(`overlay: 1.0.0
info: {title: fix, version: 1}
actions:
  - target: $.a[0,2]
    remove: true
  - target: $.a[1].b[0]
    remove: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err = o.Apply(nested); err != nil {
		t.Fatal(err)
	}
	if s := js(got); s != `{"a":[{"b":[4,5,6]},{"b":[11,12]}]}` {
		t.Errorf("nested removals: %s", s)
	}
	nested = nil
	json.Unmarshal([]byte(`{"a":[{"b":[1,2,3]},{"b":[4,5,6]},{"b":[7,8,9]},{"b":[10,11,12]}]}`), &nested)
	o, _ = Parse("fix.yaml", []byte(`overlay: 1.0.0
info: {title: fix, version: 1}
actions:
  - target: $..b[1]
    remove: true
  - target: $.a[?@.b[0] == 1 || @.b[0] == 7]
    remove: true
`))
	if got, err = o.Apply(nested); err != nil {
		t.Fatal(err)
	}
	if s := js(got); s != `{"a":[{"b":[4,6]},{"b":[10,12]}]}` {
		t.Errorf("removals inside and of the same array elements: %s", s)
	}
}

// An update whose YAML aliases expand without end is refused when parsed.
func TestUpdateAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("overlay: 1.0.0\ninfo: {title: fix, version: 1}\nx-a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("x-" + n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = n
	}
	b.WriteString("actions:\n  - target: $.info\n    update: {x: *i}\n")
	if _, err := Parse("fix.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("alias bomb in an update: err = %v", err)
	}
}

// Updates on a wildcard target copy their value into every node, and each
// later action selects the copies too: past a bound the overlay is an
// error at the action, instead of a document that grows without end.
func TestWildcardUpdateGrowth(t *testing.T) {
	var b strings.Builder
	b.WriteString("overlay: 1.0.0\ninfo: {title: fix, version: 1}\nactions:\n")
	for range 12 {
		b.WriteString("  - target: $..*\n    update: {a: [1, 2], b: {c: 3}}\n")
	}
	o, err := Parse("grow.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	max := maxAddedValues
	maxAddedValues = 100_000
	defer func() { maxAddedValues = max }()
	_, err = o.Apply(doc(t))
	if err == nil || !strings.Contains(err.Error(), "wildcard target") || !strings.Contains(err.Error(), "grow.yaml:") {
		t.Fatalf("12 updates on $..*: err = %v; want the bound, at the action", err)
	}

	o, err = Parse("fix.yaml", []byte("overlay: 1.0.0\ninfo: {title: fix, version: 1}\nactions:\n  - target: $..*\n    update: {x-seen: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Apply(doc(t)); err != nil && !strings.Contains(err.Error(), "must be an object") {
		t.Fatalf("one small wildcard update: %v", err)
	}
}
