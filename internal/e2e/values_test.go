//go:build unix

package e2e

import (
	"testing"

	"github.com/conngen/conngen/generator/spec"
)

// TestValueAllOfRequirements: a body built as {allOf: [base, {required:
// [name]}, {anyOf: [{required: [a]}, {required: [b]}]}]} (DigitalOcean's
// firewalls) requires name and at least one of a or b, all declared in
// base; the example value must carry them or Prism rejects the request.
func TestValueAllOfRequirements(t *testing.T) {
	str := &spec.Schema{Type: "string"}
	list := &spec.Schema{Type: "array", Items: str}
	v := &valuer{schemas: spec.Schemas{{Name: "Base", Schema: &spec.Schema{
		Type: "object",
		Properties: spec.Schemas{
			{Name: "name", Schema: str},
			{Name: "a", Schema: list},
			{Name: "b", Schema: list},
			{Name: "extra", Schema: list},
		},
	}}}}
	body := &spec.Schema{AllOf: []*spec.Schema{
		{Ref: spec.RefPrefix + "Base"},
		{Required: []string{"name"}},
		{AnyOf: []*spec.Schema{{Required: []string{"a"}}, {Required: []string{"b"}}}},
	}}
	got, ok := v.value(body, 0, false).(map[string]any)
	if !ok {
		t.Fatalf("value = %#v, want an object", v.value(body, 0, false))
	}
	for _, name := range []string{"name", "a"} {
		if _, ok := got[name]; !ok {
			t.Errorf("value %v lacks required %q", got, name)
		}
	}
	for _, name := range []string{"b", "extra"} {
		if _, ok := got[name]; ok {
			t.Errorf("value %v has %q, which nothing requires", got, name)
		}
	}
}

// TestBrokenResponse: a decode failure is put on Prism only when Prism
// flagged the response it made up at the field that did not decode.
func TestBrokenResponse(t *testing.T) {
	postAt := `[{"location":["response","body","post_at"],"severity":"Error","code":"type","message":"Response body property post_at must be integer"}]`
	nested := `[{"location":["response","body","scheduled_messages","0","id"],"severity":"Error","code":"type","message":"must be string"}]`
	byteFmt := `[{"location":["response","body","client_key_data"],"severity":"Error","code":"format","message":"must match format \"byte\""}]`
	required := `[{"location":["response","body","sink"],"severity":"Error","code":"required","message":"must have required property 'urn'"}]`
	request := `[{"location":["request","body","name"],"severity":"Error","code":"type","message":"must be string"}]`
	for _, tc := range []struct {
		name, err, violations string
		prism                 bool
	}{
		{"named field flagged", "decode: json: cannot unmarshal string into Go struct field R.post_at of type int", postAt, true},
		{"nested field flagged", "json: cannot unmarshal number into Go struct field I.scheduled_messages.id of type string", nested, true},
		{"other field flagged", "json: cannot unmarshal number into Go struct field R.other of type string", postAt, false},
		{"unnamed, format flagged", "illegal base64 data at input byte 0", byteFmt, true},
		{"unnamed, only required flagged", "illegal base64 data at input byte 0", required, false},
		{"no violations", "json: cannot unmarshal string into Go struct field R.post_at of type int", "", false},
		{"list cut short", "json: cannot unmarshal string into Go struct field R.post_at of type int", "Too many violations! " + postAt[:len(postAt)-30], true},
		{"request violation", "json: cannot unmarshal string into Go struct field R.name of type int", request, false},
	} {
		got := brokenResponse(Result{Error: tc.err, Violations: tc.violations}) != ""
		if got != tc.prism {
			t.Errorf("%s: put on Prism = %v, want %v", tc.name, got, tc.prism)
		}
	}
}

// TestValueOwnPropertiesBeforeAlternatives: an object with properties and
// required names of its own beside a oneOf keeps them; the first
// alternative only adds to them.
func TestValueOwnPropertiesBeforeAlternatives(t *testing.T) {
	str := &spec.Schema{Type: "string"}
	v := &valuer{}
	s := &spec.Schema{
		Type:       "object",
		Required:   []string{"model"},
		Properties: spec.Schemas{{Name: "model", Schema: str}, {Name: "prompt", Schema: str}, {Name: "messages", Schema: str}},
		OneOf:      []*spec.Schema{{Required: []string{"prompt"}}, {Required: []string{"messages"}}},
	}
	got, ok := v.value(s, 1, false).(map[string]any)
	if !ok {
		t.Fatalf("value = %#v, want an object", v.value(s, 1, false))
	}
	for _, name := range []string{"model", "prompt"} {
		if _, ok := got[name]; !ok {
			t.Errorf("value %v lacks %q", got, name)
		}
	}
	if _, ok := got["messages"]; ok {
		t.Errorf("value %v has messages, which only the second alternative requires", got)
	}
}

// TestValueAlternativeTag: the chosen oneOf alternative carries its tag,
// an optional single-value enum, or the discriminator's mapped value.
func TestValueAlternativeTag(t *testing.T) {
	v := &valuer{schemas: spec.Schemas{
		{Name: "Text", Schema: &spec.Schema{Type: "object", Properties: spec.Schemas{
			{Name: "type", Schema: &spec.Schema{Type: "string", Enum: []any{"text"}}},
			{Name: "text", Schema: &spec.Schema{Type: "string"}},
		}}},
		{Name: "Image", Schema: &spec.Schema{Type: "object", Properties: spec.Schemas{
			{Name: "kind", Schema: &spec.Schema{Type: "string"}},
		}}},
	}}
	got := v.value(&spec.Schema{OneOf: []*spec.Schema{{Ref: spec.RefPrefix + "Text"}, {Ref: spec.RefPrefix + "Image"}}}, 1, false)
	if m, _ := got.(map[string]any); m["type"] != "text" {
		t.Errorf("value %v lacks the tag type: text", got)
	}
	disc := &spec.Schema{
		OneOf:         []*spec.Schema{{Ref: spec.RefPrefix + "Image"}, {Ref: spec.RefPrefix + "Text"}},
		Discriminator: &spec.Discriminator{PropertyName: "kind", Mapping: map[string]string{"img": spec.RefPrefix + "Image"}},
	}
	got = v.value(disc, 1, false)
	if m, _ := got.(map[string]any); m["kind"] != "img" {
		t.Errorf("value %v lacks the discriminator kind: img", got)
	}
}

// TestValueMinProperties: an object gets at least minProperties members:
// optional properties first, then extra ones its additionalProperties
// allow.
func TestValueMinProperties(t *testing.T) {
	v := &valuer{}
	two := 2
	s := &spec.Schema{Type: "object", MinProperties: &two, Properties: spec.Schemas{{Name: "a", Schema: &spec.Schema{Type: "array", Items: &spec.Schema{Type: "string"}}}}}
	if got, _ := v.value(s, 1, false).(map[string]any); len(got) != 2 || got["a"] == nil {
		t.Errorf("value %v: want a and one extra member", got)
	}
	m := &spec.Schema{Type: "object", MinProperties: &two, AdditionalProperties: &spec.AdditionalProperties{Schema: &spec.Schema{Type: "integer"}}}
	got, _ := v.value(m, 1, false).(map[string]any)
	if len(got) != 2 {
		t.Fatalf("value %v: want two members", got)
	}
	for k, x := range got {
		if _, ok := x.(int64); !ok {
			t.Errorf("member %s = %#v, want an integer", k, x)
		}
	}
	closed := &spec.Schema{Type: "object", MinProperties: &two, AdditionalProperties: &spec.AdditionalProperties{}}
	if got, _ := v.value(closed, 1, false).(map[string]any); len(got) != 0 {
		t.Errorf("value %v: additionalProperties false allows no invented member", got)
	}
}
