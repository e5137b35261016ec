package model_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T, text string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("mem:///s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem:///s.json")
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, text)
	}
	return s
}

func TestRegistrySchemas(t *testing.T) {
	c := build(t, header+`actions:
  - name: putNode
    method: PUT
    path: /nodes/{id}
    params:
      - {name: id, in: path, schema: {type: string, pattern: "^[a-z]+$", minLength: 2, maxLength: 8}}
      - {name: limit, in: query, description: How many., schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
      - {name: when, in: query, schema: {type: string, format: date-time}}
      - {name: filter, in: query, schema: {type: object, properties: {a: {type: string}}}}
    body: {required: true, schema: {$ref: "#/schemas/Node"}}
    response: {schema: {$ref: "#/schemas/Node"}}
  - name: raw
    method: POST
    path: /raw
    body: {contentType: text/plain}
schemas:
  Node:
    type: object
    description: A tree node.
    required: [name]
    properties:
      name: {type: string}
      kind: {type: string, enum: [leaf, branch], nullable: true}
      parent: {$ref: "#/schemas/Node", nullable: true}
      children: {type: array, items: {$ref: "#/schemas/Node"}, maxItems: 3}
      value: {oneOf: [{type: string}, {type: integer}]}
      extra: {type: object, additionalProperties: {type: number}}
`)
	if len(c.Registry) != 2 {
		t.Fatalf("%d entries", len(c.Registry))
	}
	e := c.Registry[0]
	if e.ReadOnly || e.OutputObject != true || e.InvokeFunc != "invokePutNode" {
		t.Errorf("entry %+v", e)
	}
	in := compileSchema(t, e.InputSchema())
	compileSchema(t, e.OutputSchema())
	text := e.InputSchema()
	for _, want := range []string{`"required":["id","body"]`, `"additionalProperties":false`, `"$ref":"#/$defs/Node"`,
		`"default":10`, `"description":"How many."`, `"format":"date-time"`, `"type":["string","null"]`, `"enum":["leaf","branch",null]`,
		`"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]`, `"filter":{"properties":{"a":{"type":"string"}},"type":"object"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("input schema lacks %s:\n%s", want, text)
		}
	}
	good := `{"id":"abc","limit":5,"body":{"name":"n","kind":null,"parent":{"name":"p","parent":null},"children":[{"name":"c"}],"value":3,"extra":{"x":1.5}}}`
	for _, bad := range []string{
		`{"id":"abc"}`, `{"id":"A","body":{"name":"n"}}`, `{"id":"abc","limit":0,"body":{"name":"n"}}`,
		`{"id":"abc","body":{"name":"n","children":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]}}`,
		`{"id":"abc","body":{"name":"n","value":true}}`, `{"id":"abc","body":{"parent":{}}}`, `{"id":"abc","body":{"name":"n"},"nope":1}`,
	} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if in.Validate(v) == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	var v any
	json.Unmarshal([]byte(good), &v)
	if err := in.Validate(v); err != nil {
		t.Errorf("refused %s: %v", good, err)
	}
	raw := c.Registry[1]
	if !strings.Contains(raw.Input, `"body":{"contentMediaType":"text/plain","type":"string"}`) || raw.Output != `{"$schema":"https://json-schema.org/draft/2020-12/schema"` {
		t.Errorf("raw: %s / %s", raw.Input, raw.Output)
	}
	if !raw.Fields[0].Reader {
		t.Error("raw body is not a reader")
	}
}

// TestCheckLimitsOnlyWhereNeeded: the checker's depth and work bounds go
// into a connector whose Inputs recurse or have alternatives, and only
// there; a schema that recurses only in a response does not need them.
func TestCheckLimitsOnlyWhereNeeded(t *testing.T) {
	schemas := `schemas:
  Tree:
    type: object
    properties:
      name: {type: string}
      children: {type: array, items: {$ref: "#/schemas/Tree"}}
  Pet:
    type: object
    properties:
      name: {type: string}
      owner: {type: object, properties: {name: {type: string}}}
  Shape:
    oneOf: [{type: string}, {type: integer}]
`
	action := func(body, response string) string {
		return header + "actions:\n  - name: put\n    method: PUT\n    path: /x\n" +
			"    body: {schema: {$ref: \"#/schemas/" + body + "\"}}\n" +
			"    response: {schema: {$ref: \"#/schemas/" + response + "\"}}\n" + schemas
	}
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{action("Tree", "Pet"), true},
		{action("Shape", "Pet"), true},
		{action("Pet", "Tree"), false},
		{action("Pet", "Pet"), false},
	} {
		c := build(t, tc.doc)
		if got := slices.Contains(c.Runtime.Pieces, model.PieceCheckLimits); got != tc.want {
			t.Errorf("check-limits kept %v, want %v, for\n%s", got, tc.want, tc.doc)
		}
	}
}

// TestInputDefsThroughCycles: an action's $defs are every named schema its
// Input leads to, through a cycle of two and past it, and no other.
func TestInputDefsThroughCycles(t *testing.T) {
	c := build(t, header+`actions:
  - {name: a, method: PUT, path: /a, body: {schema: {$ref: "#/schemas/A"}}}
  - {name: c, method: PUT, path: /c, body: {schema: {$ref: "#/schemas/C"}}}
schemas:
  A: {type: object, properties: {b: {$ref: "#/schemas/B"}}}
  B: {type: object, properties: {a: {$ref: "#/schemas/A"}, c: {$ref: "#/schemas/C"}}}
  C: {type: object, properties: {name: {type: string}}}
  D: {type: object, properties: {a: {$ref: "#/schemas/A"}}}
`)
	names := func(i int) string {
		var out []string
		for _, d := range c.Registry[i].InputDefs {
			out = append(out, d.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(0); got != "A,B,C" {
		t.Errorf("a's $defs %s, want A,B,C", got)
	}
	if got := names(1); got != "C" {
		t.Errorf("c's $defs %s, want C", got)
	}
}
