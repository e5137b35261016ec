package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testInput = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
"properties":{"id":{"type":"integer","minimum":1},"tags":{"type":"array","items":{"type":"string","enum":["a","b"]},"maxItems":2},
"body":{"$ref":"#/$defs/Pet"}},"required":["id","body"],
"$defs":{"Pet":{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":2,"pattern":"^[a-z]+$"},
"parent":{"anyOf":[{"$ref":"#/$defs/Pet"},{"type":"null"}]},"kind":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}}}`

type testPet struct {
	Name   string   `json:"name"`
	Parent *testPet `json:"parent,omitempty"`
	Kind   any      `json:"kind,omitempty"`
}

func TestDecodeInputNamesEveryProblem(t *testing.T) {
	var id int
	var tags []string
	var body testPet
	targets := inputTargets{{"id", &id}, {"tags", &tags}, {"body", &body}}
	err := decodeInput("x: act: ", schemaCheck(testInput), json.RawMessage(`{"id":0,"tags":["a","c","b"],"body":{"name":"A","parent":{"name":"bb","parent":{}}},"zzz":1}`), targets)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"x: act: invalid input: ", "id: want at least 1", "tags[1]: want one of", "tags: want at most 2 items",
		"body.name: want at least 2 characters", "body.name: does not match", "body.parent: matches none", "zzz: unknown field"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if err := decodeInput("", schemaCheck(testInput), json.RawMessage(`{}`), targets); err == nil || !strings.Contains(err.Error(), "body: required; id: required") {
		t.Errorf("missing: %v", err)
	}
	err = decodeInput("", schemaCheck(testInput), json.RawMessage(`{"id":3,"tags":["b"],"body":{"name":"rex","parent":{"name":"ma"},"kind":"dog"}}`), targets)
	if err != nil || id != 3 || tags[0] != "b" || body.Parent.Name != "ma" {
		t.Fatalf("good input: %v %d %v %+v", err, id, tags, body)
	}
	if err := decodeInput("", schemaCheck(testInput), json.RawMessage(`{"id":3,"body":{"name":"ab","kind":true}}`), targets); err == nil {
		t.Error("oneOf mismatch accepted")
	}
	var r io.Reader
	if err := decodeInput("", schemaCheck(`{"type":"object","properties":{"body":{"type":"string"}}}`), json.RawMessage(`{"body":"raw"}`), inputTargets{{"body", &r}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := io.ReadAll(r); string(data) != "raw" {
		t.Errorf("reader body %q", data)
	}
}

func TestInvokeResult(t *testing.T) {
	ctx, raw := captureBody(context.Background())
	*raw = []byte(`{"a":1,"extra":2}`)
	out, err := invokeResult(*raw, 200, nil, new(struct{ A int }))
	if err != nil || string(out.Body) != `{"a":1,"extra":2}` {
		t.Errorf("JSON: %s %v", out.Body, err)
	}
	_ = ctx
	for body, want := range map[string]string{"plain text": `"plain text"`, "\xff\x00": `"/wA="`, "": ``} {
		stream := io.NopCloser(strings.NewReader(body))
		out, _ := invokeResult(nil, 200, nil, &stream)
		if string(out.Body) != want {
			t.Errorf("stream %q: %s, want %s", body, out.Body, want)
		}
		r := []byte(body)
		out, _ = invokeResult(r, 200, nil, new([]byte))
		if string(out.Body) != want {
			t.Errorf("bytes %q: %s, want %s", body, out.Body, want)
		}
	}
}

// A schema as the generator writes one: params and the body at the top
// (closed), the body a $ref to an object whose owner merges an allOf.
const testKeysInput = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
"properties":{"limit":{"type":"integer"},"body":{"$ref":"#/$defs/Job"}},"required":["body"],
"$defs":{"Job":{"type":"object","required":["type"],"properties":{"type":{"type":"string","enum":["small","large"]},
"name":{"type":"string","maxLength":4},"size":{"type":"integer","maximum":9},"kind":{"type":"string"},
"owner":{"allOf":[{"$ref":"#/$defs/Base"},{"type":"object","properties":{"email":{"type":"string"}}}]},
"labels":{"type":"object","additionalProperties":{"type":"string"}},"meta":{"type":"object"},"raw":{}}},
"Base":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}}`

type testJob struct {
	Type   string            `json:"type"`
	Name   *string           `json:"name,omitempty"`
	Size   *int              `json:"size,omitempty"`
	Kind   *string           `json:"kind,omitempty"`
	Owner  *testOwner        `json:"owner,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	Meta   map[string]any    `json:"meta,omitempty"`
	Raw    json.RawMessage   `json:"raw,omitempty"`
}

type testOwner struct {
	ID    string  `json:"id"`
	Email *string `json:"email,omitempty"`
}

// decodeJob runs decodeInput on the testKeysInput schema.
func decodeJob(input string) (*testJob, error) {
	var limit *int
	var job testJob
	err := decodeInput("x: act: ", schemaCheck(testKeysInput), json.RawMessage(input), inputTargets{{"limit", &limit}, {"body", &job}})
	return &job, err
}

func TestDecodeInputKeysMatchExactly(t *testing.T) {
	for _, c := range []struct{ input, want string }{
		{`{"body":{"type":"small","Type":"destroy_everything"}}`, `body.Type: matches field "type" only in case; keys match exactly`},
		{`{"body":{"type":"small","name":"ok","NAME":"far too long"}}`, `body.NAME: matches field "name" only in case`},
		{`{"body":{"type":"small","\u017fize":99}}`, `body.ſize: matches field "size" only in case`},         // ſ folds to s
		{`{"body":{"type":"small","\u212aind":"x"}}`, "body.\u212aind: matches field \"kind\" only in case"}, // the Kelvin sign folds to k
		{`{"Body":{"type":"small"},"body":{"type":"small"}}`, `Body: matches field "body" only in case`},
		{`{"body":{"type":"small","owner":{"id":"1","Email":"x"}}}`, `body.owner.Email: matches field "email" only in case`},
	} {
		// Without the checker, encoding/json would take the folded key.
		var direct struct{ Body testJob }
		if err := json.Unmarshal([]byte(c.input), &direct); err != nil {
			t.Fatal(err)
		}
		if direct.Body.Type == "small" && direct.Body.Name == nil && direct.Body.Size == nil && direct.Body.Kind == nil && direct.Body.Owner == nil && !strings.HasPrefix(c.input, `{"Body"`) {
			t.Fatalf("%s: encoding/json does not fold this key; the case proves nothing", c.input)
		}
		job, err := decodeJob(c.input)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.input, err, c.want)
		}
		if job.Type != "" && !strings.HasPrefix(c.input, `{"Body"`) {
			t.Errorf("%s: refused input still filled the target: %+v", c.input, job)
		}
	}
	if job, err := decodeJob(`{"body":{"type":"large","name":"ok","owner":{"id":"7","email":"a@b"}}}`); err != nil || job.Type != "large" || *job.Owner.Email != "a@b" {
		t.Errorf("exact keys: %v %+v", err, job)
	}
}

func TestDecodeInputRefusesUndeclaredKeys(t *testing.T) {
	for input, want := range map[string]string{
		`{"body":{"type":"small"},"zzz":1}`:                          "zzz: unknown field",
		`{"body":{"type":"small","color":"red"}}`:                    "body.color: unknown field",
		`{"body":{"type":"small","owner":{"id":"1","phone":"5"}}}`:   "body.owner.phone: unknown field",
		`{"body":{"type":"small","labels":{"a":"b","c":3}}}`:         "body.labels.c: want string, got integer",
		`{"body":{"type":"small","labels":{"a":"b"},"Labels":null}}`: `body.Labels: matches field "labels" only in case`,
	} {
		if _, err := decodeJob(input); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", input, err, want)
		}
	}
	// A property one allOf part declares is declared for the others too.
	if job, err := decodeJob(`{"body":{"type":"small","owner":{"id":"1","email":"e"}}}`); err != nil || job.Owner.ID != "1" || *job.Owner.Email != "e" {
		t.Errorf("allOf: %v %+v", err, job)
	}
}

func TestDecodeInputExtrasReachTheTarget(t *testing.T) {
	// additionalProperties with a schema: a map, every key kept as given.
	job, err := decodeJob(`{"body":{"type":"small","labels":{"team":"a","Team":"b","ſ":"c"}}}`)
	if err != nil || !reflect.DeepEqual(job.Labels, map[string]string{"team": "a", "Team": "b", "ſ": "c"}) {
		t.Errorf("labels: %v %v", err, job.Labels)
	}
	// Free-form: an object with no properties, and {} (json.RawMessage),
	// pass any key and are not walked, however deep.
	deep := strings.Repeat(`{"a":`, 3*maxInputDepth) + "1" + strings.Repeat("}", 3*maxInputDepth)
	input := `{"body":{"type":"small","meta":{"Any":{"KEY":[1]},"any":2},"raw":{"Type":` + deep + `,"x":1}}}`
	job, err = decodeJob(input)
	if err != nil {
		t.Fatal(err)
	}
	if job.Meta["Any"] == nil || job.Meta["any"] != float64(2) {
		t.Errorf("meta: %v", job.Meta)
	}
	if want := `{"Type":` + deep + `,"x":1}`; string(job.Raw) != want {
		t.Errorf("raw: %.80s, want it as given", job.Raw)
	}
	// Properties and additionalProperties: true, into json.RawMessage
	// (the one Go type of such a schema that keeps the key).
	var raw json.RawMessage
	schema := `{"type":"object","additionalProperties":false,"properties":{"body":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true}}}`
	if err := decodeInput("", schemaCheck(schema), json.RawMessage(`{"body":{"a":"x","b":[2]}}`), inputTargets{{"body", &raw}}); err != nil || string(raw) != `{"a":"x","b":[2]}` {
		t.Errorf("additionalProperties true: %v %s", err, raw)
	}
	if err := decodeInput("", schemaCheck(schema), json.RawMessage(`{"body":{"a":"x","A":"y"}}`), inputTargets{{"body", &raw}}); err == nil || !strings.Contains(err.Error(), `body.A: matches field "a" only in case`) {
		t.Errorf("additionalProperties true does not excuse a folded key: %v", err)
	}
}

func TestDecodeInputDepthLimit(t *testing.T) {
	// Pet.parent is a Pet: n nested objects under the input object.
	nest := func(n int) string {
		return `{"body":` + strings.Repeat(`{"name":"aa","parent":`, n-1) + `{"name":"aa"}` + strings.Repeat("}", n-1) + "}"
	}
	var body testPet
	if err := decodeInput("", schemaCheck(testInput), json.RawMessage(`{"id":1,`+nest(maxInputDepth - 1)[1:]), inputTargets{{"body", &body}}); err != nil {
		t.Fatalf("%d levels: %v", maxInputDepth, err)
	}
	for _, n := range []int{maxInputDepth, 5000, 20000} {
		body = testPet{}
		err := decodeInput("", schemaCheck(testInput), json.RawMessage(`{"id":1,`+nest(n)[1:]), inputTargets{{"body", &body}})
		if err == nil || n < 10000 && !strings.Contains(err.Error(), fmt.Sprintf("nested more than %d levels", maxInputDepth)) {
			t.Errorf("%d levels: %v", n+1, err)
		}
		if body.Name != "" {
			t.Errorf("%d levels: refused input filled the target", n+1)
		}
	}
	// Arrays count as levels too.
	arrays := `{"type":"object","properties":{"body":{"$ref":"#/$defs/T"}},"$defs":{"T":{"type":"array","items":{"$ref":"#/$defs/T"}}}}`
	var tree any
	in := `{"body":` + strings.Repeat("[", maxInputDepth) + strings.Repeat("]", maxInputDepth) + "}"
	if err := decodeInput("", schemaCheck(arrays), json.RawMessage(in), inputTargets{{"body", &tree}}); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("arrays: %v", err)
	}
}

func TestDecodeInputDuplicateKeys(t *testing.T) {
	// encoding/json keeps the last; a json.RawMessage sends both.
	for _, input := range []string{`{"body":{"type":"large","type":"small"}}`, `{"body":{"type":"small","raw":{"a":1,"a":2}}}`, `{"body":{"type":"small"},"body":{"type":"small"}}`} {
		if _, err := decodeJob(input); err == nil || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("%s: %v", input, err)
		}
	}
}

func TestDecodeInputBoundedWork(t *testing.T) {
	// Two alternatives that both recurse: checking them naively takes
	// 2^depth steps.
	schema := `{"type":"object","properties":{"body":{"$ref":"#/$defs/N"}},"$defs":{"N":{"anyOf":[
{"type":"object","properties":{"n":{"$ref":"#/$defs/N"},"a":{"type":"string"}}},
{"type":"object","properties":{"n":{"$ref":"#/$defs/N"},"b":{"type":"string"}}}]}}}`
	in := `{"body":` + strings.Repeat(`{"b":"x","n":`, 60) + `{"b":1}` + strings.Repeat("}", 60) + "}"
	var body json.RawMessage
	start := time.Now()
	err := decodeInput("", schemaCheck(schema), json.RawMessage(in), inputTargets{{"body", &body}})
	if err == nil || time.Since(start) > 20*time.Second {
		t.Errorf("%v after %v", err, time.Since(start))
	}
}

// decoderValue is what json.Decoder with UseNumber reads: the reading the
// checker had before jsonReader, kept here as the reference.
func decoderValue(t *testing.T, data string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("reference decode of %q: %v", data, err)
	}
	return v
}

// The checker reads input (and its schemas) with jsonReader: it must read
// every well-formed value as encoding/json does, escapes, non-ASCII and
// invalid UTF-8 included, and name each key given twice.
func TestJSONReaderReadsAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, ` { "a" : [ 1 , -2.5e+3 , 0.0 , 1E-7 ] , "b" : { } } `,
		`{"s":"plain","e":"tab\tquote\"back\\slash\/ \u00e9 \ud83d\ude00","u":"héllo"}`,
		"{\"bad\":\"\xff\xfe\",\"k\xffey\":1}",
		`{"t":true,"f":false,"n":null,"deep":[[[{"x":[{}]}]]]}`,
		"{\n\t\"big\": 123456789012345678901234567890,\r\n\"neg\": -0}",
		`{"":{"":""}}`,
	} {
		var problems []inputProblem
		got := (&jsonReader{data: []byte(in), problems: &problems}).value("")
		if want := decoderValue(t, in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: read %#v, encoding/json reads %#v", in, got, want)
		}
		if len(problems) != 0 {
			t.Errorf("%q: problems %v, want none", in, problems)
		}
	}
	var problems []inputProblem
	(&jsonReader{data: []byte(`{"a":1,"b":{"c":1,"c":2},"a":[{"d":1,"d":1}]}`), problems: &problems}).value("")
	want := []inputProblem{{"b.c", "appears twice; keys must be unique"}, {"a", "appears twice; keys must be unique"}, {"a[0].d", "appears twice; keys must be unique"}}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("duplicate keys: %v, want %v", problems, want)
	}
}
