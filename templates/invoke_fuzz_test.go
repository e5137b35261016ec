package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// fuzzInput is an Input schema as the generator writes one, with a Go
// target of each shape the model gives: a closed top level of params and
// a body; a struct with required and optional (pointer) fields, an enum,
// a nullable field, a recursive field, an allOf merged into one struct, a
// union told apart by JSON kind, one told apart by a tag, a map
// (additionalProperties with a schema), a free-form map and {}.
const fuzzInput = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
"properties":{"id":{"type":"integer","minimum":1},"limit":{"type":"integer","maximum":100},
"mode":{"type":"string","enum":["small","large"]},"tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":4},
"body":{"$ref":"#/$defs/Pet"}},"required":["id"],
"$defs":{"Pet":{"type":"object","required":["name"],"properties":{"name":{"type":"string","maxLength":8},
"type":{"type":"string","enum":["small","large"]},"size":{"type":["integer","null"]},"weight":{"type":"number"},
"parent":{"anyOf":[{"$ref":"#/$defs/Pet"},{"type":"null"}]},
"owner":{"allOf":[{"$ref":"#/$defs/Base"},{"type":"object","properties":{"email":{"type":"string","pattern":"^[a-z@.]+$"}}}]},
"image":{"oneOf":[{"type":"string","minLength":1},{"type":"integer"}]},
"toy":{"oneOf":[{"$ref":"#/$defs/Ball"},{"$ref":"#/$defs/Bone"}]},
"labels":{"type":"object","additionalProperties":{"type":"string","maxLength":4}},
"meta":{"type":"object"},"extra":{},
"children":{"type":"array","items":{"$ref":"#/$defs/Pet"},"maxItems":3}}},
"Base":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
"Ball":{"type":"object","required":["kind"],"properties":{"kind":{"type":"string","enum":["ball"]},"bounce":{"type":"boolean"}}},
"Bone":{"type":"object","required":["kind"],"properties":{"kind":{"type":"string","enum":["bone"]},"length":{"type":"integer","maximum":30}}}}}`

type fuzzMode string

type fuzzParams struct {
	ID    int
	Limit *int
	Mode  *fuzzMode
	Tags  []string
	Body  *fuzzPet
}

type fuzzPet struct {
	Name     string            `json:"name"`
	Type     *fuzzMode         `json:"type,omitempty"`
	Size     *int              `json:"size,omitempty"`
	Weight   *float64          `json:"weight,omitempty"`
	Parent   *fuzzPet          `json:"parent,omitempty"`
	Owner    *fuzzOwner        `json:"owner,omitempty"`
	Image    *fuzzImage        `json:"image,omitempty"`
	Toy      *fuzzToy          `json:"toy,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Meta     map[string]any    `json:"meta,omitempty"`
	Extra    json.RawMessage   `json:"extra,omitempty"`
	Children []fuzzPet         `json:"children,omitempty"`
}

type fuzzOwner struct {
	ID    string  `json:"id"`
	Email *string `json:"email,omitempty"`
}

// fuzzImage and fuzzToy are unions as generator/emit declares them.
type fuzzImage struct {
	String  *string
	Int     *int
	Unknown json.RawMessage
}

func (u fuzzImage) MarshalJSON() ([]byte, error) {
	switch {
	case u.String != nil:
		return json.Marshal(u.String)
	case u.Int != nil:
		return json.Marshal(u.Int)
	case u.Unknown != nil:
		return u.Unknown, nil
	}
	return []byte("null"), nil
}

func (u *fuzzImage) UnmarshalJSON(data []byte) error {
	*u = fuzzImage{}
	switch jsonKind(data) {
	case 'n':
		return nil
	case '"':
		return json.Unmarshal(data, &u.String)
	case '0':
		return json.Unmarshal(data, &u.Int)
	}
	u.Unknown = append(json.RawMessage(nil), data...)
	return nil
}

type fuzzToy struct {
	Ball *struct {
		Kind   string `json:"kind"`
		Bounce *bool  `json:"bounce,omitempty"`
	}
	Bone *struct {
		Kind   string `json:"kind"`
		Length *int   `json:"length,omitempty"`
	}
	Unknown json.RawMessage
}

func (u fuzzToy) MarshalJSON() ([]byte, error) {
	switch {
	case u.Ball != nil:
		return json.Marshal(u.Ball)
	case u.Bone != nil:
		return json.Marshal(u.Bone)
	case u.Unknown != nil:
		return u.Unknown, nil
	}
	return []byte("null"), nil
}

func (u *fuzzToy) UnmarshalJSON(data []byte) error {
	*u = fuzzToy{}
	if jsonKind(data) == 'n' {
		return nil
	}
	switch jsonTag(data, "kind") {
	case "ball":
		return json.Unmarshal(data, &u.Ball)
	case "bone":
		return json.Unmarshal(data, &u.Bone)
	}
	u.Unknown = append(json.RawMessage(nil), data...)
	return nil
}

// FuzzInvokeInput: whatever input the checker accepts, the typed targets
// carry exactly what it checked. Decoded and encoded again, each field
// gives the keys and values the checker saw (as JSON values, numbers
// compared numerically): no key it did not see, no value it did not check.
func FuzzInvokeInput(f *testing.F) {
	for _, s := range slices.Concat(fuzzSeeds.valid, fuzzSeeds.attacks, []string{
		`{"id":1,"Body":{"name":"rex"},"body":{"name":"rex"}}`,
		`{"id":1,"body":{"name":"a","type":"large","type":"small"}}`,
		`{"id":3,"body":{"name":"rex","image":7,"toy":{"kind":"ball","Kind":"bone"}}}`,
		`{"id":1,"body":` + nestedPets(maxInputDepth+2) + `}`,
	}) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		if accepted, err := carries(input, true); accepted && err != nil {
			t.Fatalf("%s\n%v", input, err)
		}
	})
}

// fuzzSeeds: valid input, which the checker must accept (so the fuzz
// comparison is not empty), and the attacks, which encoding/json alone
// decodes into something other than what it was given.
var fuzzSeeds = struct{ valid, attacks []string }{
	valid: []string{
		`{"id":2,"limit":5,"mode":"large","tags":["a","b"],"body":{"name":"rex","size":null,"weight":1.50,"owner":{"id":"1","email":"a@b.c"}}}`,
		`{"id":3,"body":{"name":"rex","image":"ubuntu","toy":{"kind":"ball","bounce":true},"labels":{"a":"b","A":"c"},"meta":{"Any":[1,{"K":null}]},"extra":{"x":[1e3,"y"]}}}`,
		`{"id":1,"body":{"name":"a","parent":{"name":"b","parent":{"name":"c","children":[{"name":"d"}]}}}}`,
		`{"id":9,"limit":-3,"tags":[],"body":{"name":"b","type":"small","size":4,"weight":-0.25e2,"parent":null,"image":-1,"toy":{"kind":"bone","length":30},"labels":{},"meta":{"a":{"b":{"c":[null,true]}}},"extra":null,"children":[{"name":"c","owner":{"id":""}},{"name":"d","labels":{"\u017f":"x"}}]}}`,
		`{"id":10,"mode":"small","body":{"name":"\u00e9t\u00e9","owner":{"id":"x"},"children":[]}}`,
	},
	attacks: []string{
		`{"id":1,"body":{"name":"rex","type":"small","Type":"destroy_everything"}}`,
		`{"id":1,"body":{"name":"rex","NAME":"far too long a name"}}`,
		`{"id":1,"body":{"name":"rex","\u017fize":5}}`,                            // ſ folds to s
		`{"id":1,"body":{"name":"rex","toy":{"kind":"ball","\u212aind":"bone"}}}`, // the Kelvin sign folds to k
		`{"id":1,"body":{"name":"rex","color":"red"}}`,
		`{"id":1,"body":{"name":"rex","owner":{"id":"1","ID":"2"}}}`,
		`{"id":1,"body":{"name":"rex","toy":{"kind":"bone","length":3,"bounce":true}}}`,
	},
}

// targetOf is the target of key in ts.
func targetOf(ts inputTargets, key string) (any, bool) {
	for _, t := range ts {
		if t.key == key {
			return t.target, true
		}
	}
	return nil, false
}

// carries decodes input into the targets, through decodeInput or (check
// false) with encoding/json alone, and reports whether it was accepted and
// how the targets, encoded again, differ from what was checked.
func carries(input []byte, check bool) (bool, error) {
	var p fuzzParams
	targets := inputTargets{{"id", &p.ID}, {"limit", &p.Limit}, {"mode", &p.Mode}, {"tags", &p.Tags}, {"body", &p.Body}}
	if check {
		if decodeInput("", schemaCheck(fuzzInput), input, targets) != nil {
			return false, nil
		}
	} else {
		var fields map[string]json.RawMessage
		if json.Unmarshal(input, &fields) != nil {
			return false, nil
		}
		for k, raw := range fields {
			if target, ok := targetOf(targets, k); ok && string(raw) != "null" && json.Unmarshal(raw, target) != nil {
				return false, nil
			}
		}
	}
	// What the checker saw: the input as one JSON value.
	var seen map[string]any
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.UseNumber()
	if err := dec.Decode(&seen); err != nil && len(bytes.TrimSpace(input)) > 0 && string(bytes.TrimSpace(input)) != "null" {
		return true, fmt.Errorf("accepted, but not JSON: %v", err)
	}
	for _, k := range sortedKeys(seen) {
		target, ok := targetOf(targets, k)
		if !ok {
			return true, fmt.Errorf("accepted a key with no target: %q", k)
		}
		data, err := json.Marshal(reflect.ValueOf(target).Elem().Interface())
		if err != nil {
			return true, fmt.Errorf("%s: %v", k, err)
		}
		var got any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			return true, fmt.Errorf("%s: %v", k, err)
		}
		if err := sameJSON(seen[k], got, k); err != nil {
			return true, fmt.Errorf("checked %v\n   sent %s\n%v", seen[k], data, err)
		}
	}
	return true, nil
}

// The invariant is not empty: valid input passes the checker and keeps it,
// and the attacks, which encoding/json alone lets through changed, are
// refused.
func TestInvokeInputInvariant(t *testing.T) {
	for _, in := range fuzzSeeds.valid {
		if accepted, err := carries([]byte(in), true); !accepted || err != nil {
			t.Errorf("%s: accepted %v, %v", in, accepted, err)
		}
	}
	for _, in := range fuzzSeeds.attacks {
		if accepted, err := carries([]byte(in), false); !accepted || err == nil {
			t.Errorf("%s: encoding/json alone keeps it (%v); the attack proves nothing", in, accepted)
		}
		if accepted, _ := carries([]byte(in), true); accepted {
			t.Errorf("%s: accepted", in)
		}
	}
}

func nestedPets(n int) string {
	s := `{"name":"z"}`
	for range n {
		s = `{"name":"p","parent":` + s + `}`
	}
	return s
}

// sameJSON reports how got, a target encoded again, differs from want, the
// value the checker checked.
func sameJSON(want, got any, path string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: checked an object, sent %v", path, got)
		}
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: sent key %q, which the checker never saw", path, k)
			}
		}
		for _, k := range sortedKeys(w) {
			gv, ok := g[k]
			if !ok {
				if droppedAsEmpty(w[k]) {
					continue
				}
				return fmt.Errorf("%s: checked key %q, not sent", path, k)
			}
			if err := sameJSON(w[k], gv, joinInputPath(path, k)); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: checked %v, sent %v", path, want, got)
		}
		for i := range w {
			if err := sameJSON(w[i], g[i], path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return fmt.Errorf("%s: checked %v, sent %v", path, want, got)
		}
		wr, ok1 := new(big.Rat).SetString(string(w))
		gr, ok2 := new(big.Rat).SetString(string(g))
		if ok1 && ok2 && wr.Cmp(gr) == 0 {
			return nil
		}
		// A float64 (a number field, or a number in a free-form
		// map[string]any) keeps 53 bits: a value written with more digits
		// is sent rounded to the nearest float64, as the typed method
		// would send it. Harmless: it is the same number to a float64.
		wf, err1 := strconv.ParseFloat(string(w), 64)
		gf, err2 := strconv.ParseFloat(string(g), 64)
		if err1 == nil && err2 == nil && wf == gf {
			return nil
		}
		return fmt.Errorf("%s: checked %v, sent %v", path, w, g)
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%s: checked %#v, sent %#v", path, want, got)
	}
	return nil
}

// droppedAsEmpty reports whether omitempty drops the checked value x, a
// null (a nil pointer) or an empty array or object (a nil or empty slice
// or map). Harmless: an absent optional field and an empty one say the
// same to the typed method, which is what Invoke calls.
func droppedAsEmpty(x any) bool {
	switch x := x.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// FuzzJSONReader: on any input encoding/json accepts, jsonReader reads the
// same value as json.Decoder with UseNumber (and never panics).
func FuzzJSONReader(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x",{"b":null}],"c":true}`, `"\u00e9\\"`, "[\"\xff\"]", ` -1.5e3 `, `{"":{"":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ref any
		if json.Unmarshal(data, &ref) != nil {
			return // jsonReader reads only what encoding/json has accepted
		}
		got := (&jsonReader{data: data}).value("")
		if want := decoderValue(t, string(data)); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: read %#v, encoding/json reads %#v", data, got, want)
		}
	})
}
