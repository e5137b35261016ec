package templates

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
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
	targets := inputTargets{"id": &id, "tags": &tags, "body": &body}
	err := decodeInput("x: act: ", testInput, json.RawMessage(`{"id":0,"tags":["a","c","b"],"body":{"name":"A","parent":{"name":"bb","parent":{}}},"zzz":1}`), targets)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"x: act: invalid input: ", "id: want at least 1", "tags[1]: want one of", "tags: want at most 2 items",
		"body.name: want at least 2 characters", "body.name: does not match", "body.parent: matches none", "zzz: unknown field"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if err := decodeInput("", testInput, json.RawMessage(`{}`), targets); err == nil || !strings.Contains(err.Error(), "body: required; id: required") {
		t.Errorf("missing: %v", err)
	}
	err = decodeInput("", testInput, json.RawMessage(`{"id":3,"tags":["b"],"body":{"name":"rex","parent":{"name":"ma"},"kind":"dog"}}`), targets)
	if err != nil || id != 3 || tags[0] != "b" || body.Parent.Name != "ma" {
		t.Fatalf("good input: %v %d %v %+v", err, id, tags, body)
	}
	if err := decodeInput("", testInput, json.RawMessage(`{"id":3,"body":{"name":"ab","kind":true}}`), targets); err == nil {
		t.Error("oneOf mismatch accepted")
	}
	var r io.Reader
	if err := decodeInput("", `{"type":"object","properties":{"body":{"type":"string"}}}`, json.RawMessage(`{"body":"raw"}`), inputTargets{"body": &r}); err != nil {
		t.Fatal(err)
	}
	if data, _ := io.ReadAll(r); string(data) != "raw" {
		t.Errorf("reader body %q", data)
	}
}

func TestInvokeResult(t *testing.T) {
	ctx, raw := captureBody(context.Background())
	*raw = []byte(`{"a":1,"extra":2}`)
	out, err := resultOfInvoke(raw, &Response[struct{ A int }]{StatusCode: 200}, nil)
	if err != nil || string(out.Body) != `{"a":1,"extra":2}` {
		t.Errorf("JSON: %s %v", out.Body, err)
	}
	_ = ctx
	for body, want := range map[string]string{"plain text": `"plain text"`, "\xff\x00": `"/wA="`, "": ``} {
		out, _ := resultOfInvoke(new([]byte), &Response[io.ReadCloser]{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body))}, nil)
		if string(out.Body) != want {
			t.Errorf("stream %q: %s, want %s", body, out.Body, want)
		}
		r := []byte(body)
		out, _ = resultOfInvoke(&r, &Response[[]byte]{StatusCode: 200}, nil)
		if string(out.Body) != want {
			t.Errorf("bytes %q: %s, want %s", body, out.Body, want)
		}
	}
}
