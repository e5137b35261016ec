package generator_test

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
)

// FuzzPipeline turns its input into a random graph of schemas — $refs
// through every keyword, allOf/oneOf/anyOf nested and wrapped, references
// to themselves and to each other — and runs the whole pipeline on it,
// once as an OpenAPI document through conngen import and once as a spec.
// Whatever the graph, nothing panics, resolving it stays within the work
// budget (a bound proportional to the input, counted inside the pipeline)
// and every generated file parses as Go.
func FuzzPipeline(f *testing.F) {
	f.Add([]byte{3, 0, 0, 1, 0, 2, 0, 5, 1})                               // a wrapper around itself
	f.Add([]byte{2, 1, 1, 4, 0, 1, 0, 4, 1})                               // two allOf that include each other
	f.Add([]byte{6, 4, 0, 4, 0, 4, 1, 4, 1, 4, 2, 4, 2, 4, 3, 7, 4, 7, 5}) // a diamond
	f.Add([]byte{4, 9, 0, 10, 1, 11, 2, 12, 3, 13, 0, 8, 1})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice over"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := newGraph(data)
		doc := g.openAPI()
		s, _, err := openapi.ImportData(doc, "", openapi.Options{Name: "fuzzed"})
		if err != nil {
			t.Fatalf("import: %v\n%s", err, doc)
		}
		runPipeline(t, "import", s, doc)
		y := g.spec()
		s, _, err = spec.Load("fuzz.yaml", y)
		if err != nil {
			return // a graph the spec format rejects, said with positions
		}
		runPipeline(t, "spec", s, y)
	})
}

// runPipeline marshals s, loads it back, generates it and checks the work
// and the output.
func runPipeline(t *testing.T, front string, s *spec.Spec, input []byte) {
	t.Helper()
	data, err := spec.Marshal(s)
	if err != nil {
		t.Fatalf("%s: marshal: %v", front, err)
	}
	s, _, err = spec.Load("fuzz.yaml", data)
	if err != nil {
		t.Fatalf("%s: the spec does not load back: %v\n%s", front, err, data)
	}
	out, err := generator.Generate(s)
	if err != nil {
		t.Fatalf("%s: generate: %v\n%s", front, err, input)
	}
	w := out.Work
	if w.Visits > w.VisitBudget() || w.Decls > w.DeclBudget() {
		t.Fatalf("%s: work %+v beyond the budget (visits %d, decls %d)\n%s", front, w, w.VisitBudget(), w.DeclBudget(), input)
	}
	fset := token.NewFileSet()
	for name, src := range out.Files {
		if _, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution); err != nil {
			t.Fatalf("%s: %s does not parse: %v\n%s", front, name, err, input)
		}
	}
}

// graph is a deterministic reading of fuzz bytes as schemas: each byte
// pair says what a node is and which schema a reference points at.
type graph struct {
	data    []byte
	n       int // schemas S0 … S(n-1)
	schemas []map[string]any
	budget  int // nodes left to build, so the input bounds the graph
}

func newGraph(data []byte) *graph {
	g := &graph{data: data, budget: 4 * len(data)}
	g.n = 1 + int(g.next())%8
	return g
}

func (g *graph) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

// node builds one schema in the dialect ref formats a reference for.
func (g *graph) node(ref func(int) string, openAPI bool, depth int) map[string]any {
	g.budget--
	op, arg := g.next(), int(g.next())
	r := map[string]any{"$ref": ref(arg % g.n)}
	if depth > 4 || g.budget <= 0 {
		return r
	}
	sub := func() map[string]any { return g.node(ref, openAPI, depth+1) }
	switch op % 16 {
	case 0:
		return r
	case 1: // a documented wrapper
		return map[string]any{"description": "wrapped", "allOf": []any{r}}
	case 2:
		return map[string]any{"oneOf": []any{r}}
	case 3:
		return map[string]any{"anyOf": []any{r, map[string]any{"nullable": true}}}
	case 4:
		return map[string]any{"allOf": []any{sub(), sub()}}
	case 5:
		return map[string]any{"type": "object", "properties": map[string]any{"a": sub(), "b": sub()}, "required": []any{"a"}}
	case 6:
		return map[string]any{"type": "array", "items": sub()}
	case 7:
		return map[string]any{"type": "object", "additionalProperties": sub()}
	case 8:
		return map[string]any{"oneOf": []any{sub(), sub()}}
	case 9:
		return map[string]any{"oneOf": []any{r, map[string]any{"$ref": ref((arg + 1) % g.n)}},
			"discriminator": map[string]any{"propertyName": "kind", "mapping": map[string]any{"x": ref(arg % g.n)}}}
	case 10:
		return map[string]any{"allOf": []any{r, map[string]any{"properties": map[string]any{fmt.Sprint("p", arg): sub()}}}}
	case 11:
		return map[string]any{"type": "string", "enum": []any{"a", "b"}}
	case 12:
		return map[string]any{"anyOf": []any{sub(), sub(), sub()}}
	case 13:
		if openAPI {
			return map[string]any{"type": []any{"object", "null"}, "allOf": []any{r}}
		}
		return map[string]any{"nullable": true, "allOf": []any{r}}
	case 14:
		if openAPI {
			return map[string]any{"type": "object", "not": r, "properties": map[string]any{"c": sub()}}
		}
		return map[string]any{"type": "object", "properties": map[string]any{"c": sub()}}
	}
	return map[string]any{"type": "integer"}
}

// build makes the n schemas once per dialect, from the same bytes.
func (g *graph) build(ref func(int) string, openAPI bool) map[string]any {
	data, budget := g.data, g.budget
	defer func() { g.data, g.budget = data, budget }()
	out := map[string]any{}
	for i := 0; i < g.n; i++ {
		out[fmt.Sprint("S", i)] = g.node(ref, openAPI, 0)
	}
	return out
}

func (g *graph) openAPI() []byte {
	schemas := g.build(func(i int) string { return fmt.Sprint("#/components/schemas/S", i) }, true)
	paths := map[string]any{}
	for i := 0; i < g.n; i++ {
		ref := map[string]any{"$ref": fmt.Sprint("#/components/schemas/S", i)}
		paths[fmt.Sprint("/s", i)] = map[string]any{"post": map[string]any{
			"operationId": fmt.Sprint("op", i),
			"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": ref}}},
			"responses": map[string]any{"200": map[string]any{"description": "ok",
				"content": map[string]any{"application/json": map[string]any{"schema": ref}}}},
		}}
	}
	doc, _ := json.Marshal(map[string]any{
		"openapi": "3.1.0", "info": map[string]any{"title": "fuzzed", "version": "1"},
		"servers": []any{map[string]any{"url": "https://example.com"}},
		"paths":   paths, "components": map[string]any{"schemas": schemas},
	})
	return doc
}

func (g *graph) spec() []byte {
	schemas := g.build(func(i int) string { return fmt.Sprint("#/schemas/S", i) }, false)
	var actions []any
	for i := 0; i < g.n; i++ {
		ref := map[string]any{"$ref": fmt.Sprint("#/schemas/S", i)}
		actions = append(actions, map[string]any{"name": fmt.Sprint("op", i), "method": "POST",
			"path": fmt.Sprint("/s", i), "body": map[string]any{"schema": ref}, "response": map[string]any{"schema": ref}})
	}
	// JSON is YAML: the spec loader reads it as it is.
	doc, _ := json.Marshal(map[string]any{"conngen": 1, "name": "fuzzed", "baseURL": "https://example.com",
		"auth": map[string]any{"type": "none"}, "actions": actions, "schemas": schemas})
	return []byte(strings.TrimSpace(string(doc)))
}
