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
