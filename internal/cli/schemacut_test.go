package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// bigOutput is an Output schema like Stripe's: objects expanding into
// objects, a few levels deep, each with many properties.
func bigOutput(levels, width int) json.RawMessage {
	defs := map[string]any{}
	for l := range levels {
		props := map[string]any{}
		for i := range width {
			name := fmt.Sprintf("field_%d_with_a_long_descriptive_name", i)
			if l+1 < levels && i%4 == 0 {
				props[name] = map[string]any{"$ref": fmt.Sprintf("#/$defs/Level%d", l+1), "description": strings.Repeat("Expandable. ", 5)}
			} else {
				props[name] = map[string]any{"type": "string", "description": strings.Repeat("A field. ", 6)}
			}
		}
		defs[fmt.Sprintf("Level%d", l)] = map[string]any{"type": "object", "properties": props}
	}
	data, _ := json.Marshal(map[string]any{"$schema": schemaDialect, "$ref": "#/$defs/Level0", "$defs": defs})
	return data
}

func TestOutputSchemaCut(t *testing.T) {
	small := json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"id":{"type":"integer"}}}`)
	got, err := outputSchema(small)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"body":{"properties":{"id":{"type":"integer"}},"type":"object"},"status":{"type":"integer"}},"required":["status"],"type":"object"}`
	if string(got) != want {
		t.Errorf("small schema:\n%s\nwant\n%s", got, want)
	}

	big := bigOutput(20, 60)
	if len(big) < 8*maxOutputSchema {
		t.Fatalf("test schema only %d bytes", len(big))
	}
	cut, err := outputSchema(big)
	if err != nil {
		t.Fatal(err)
	}
	if len(cut) > maxOutputSchema {
		t.Errorf("cut schema %d bytes, over %d", len(cut), maxOutputSchema)
	}
	again, _ := outputSchema(big)
	if string(again) != string(cut) {
		t.Error("cutting is not deterministic")
	}
	var doc struct {
		Properties struct {
			Body   map[string]any `json:"body"`
			Status map[string]any `json:"status"`
		} `json:"properties"`
		Defs map[string]map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(cut, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Properties.Body["$ref"] != "#/$defs/Level0" || doc.Properties.Status["type"] != "integer" {
		t.Errorf("the outline did not survive: %s", cut[:min(len(cut), 300)])
	}
	// The shallow levels are kept, the deepest cut, and every $defs entry
	// kept is referenced.
	if doc.Defs["Level0"] == nil || doc.Defs["Level19"] != nil {
		t.Errorf("kept $defs %v", keys(doc.Defs))
	}
	text := string(cut)
	for name := range doc.Defs {
		if !strings.Contains(text, `"#/$defs/`+name+`"`) {
			t.Errorf("$defs %s kept but not referenced", name)
		}
	}
	if !strings.Contains(text, "Cut to keep the schema under 16 KiB: the Level") {
		t.Error("no description says what was cut")
	}
	// It is still a schema a validator compiles, accepting a real answer.
	body, err := compileBodySchema(cut)
	if err != nil {
		t.Fatal(err)
	}
	if err := body.Validate(map[string]any{"field_1_with_a_long_descriptive_name": "x"}); err != nil {
		t.Errorf("a fitting answer is refused: %v", err)
	}
	if err := body.Validate(map[string]any{"field_1_with_a_long_descriptive_name": 5}); err == nil {
		t.Error("a kept constraint no longer holds")
	}
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
