package model_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
)

// build loads a spec from YAML (validated as users' are) and resolves it.
func build(t *testing.T, doc string) *model.Connector {
	t.Helper()
	s, _, err := spec.Load("test.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	c := model.Build(s)
	if w := c.Work; w.Visits > w.VisitBudget() || w.Decls > w.DeclBudget() {
		t.Errorf("work %+v beyond its budget (visits %d, decls %d)", w, w.VisitBudget(), w.DeclBudget())
	}
	return c
}

const header = "conngen: 1\nname: t\nbaseURL: https://example.com\nauth: {type: none}\n"

func typeNamed(c *model.Connector, name string) *model.Type {
	for _, t := range c.Types {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func field(t *testing.T, typ *model.Type, name string) *model.Field {
	t.Helper()
	for _, f := range typ.Fields {
		if f.GoName == name {
			return f
		}
	}
	t.Fatalf("%s has no field %s", typ.Name, name)
	return nil
}

func TestWrapperIsTheReferencedType(t *testing.T) {
	c := build(t, header+`schemas:
  Node:
    type: object
    properties:
      parent: {description: The parent., allOf: [{$ref: "#/schemas/Node"}]}
      first: {oneOf: [{$ref: "#/schemas/Node"}, {nullable: true}]}
      owner: {allOf: [{$ref: "#/schemas/Node"}, {description: Doc in a part.}]}
`)
	node := typeNamed(c, "Node")
	for _, name := range []string{"Parent", "First", "Owner"} {
		f := field(t, node, name)
		if f.Type.Kind != model.Pointer || f.Type.Elem.Name != "Node" {
			t.Errorf("Node.%s is %+v, want *Node", name, f.Type)
		}
	}
	if d := field(t, node, "Parent").Doc; d != "The parent." {
		t.Errorf("Node.Parent doc = %q, want the wrapper's description", d)
	}
	if len(c.Types) != 1 {
		t.Errorf("declared %d types, want Node alone", len(c.Types))
	}
}

func TestAllOfCycleIsMergedOnceWithAWarning(t *testing.T) {
	c := build(t, header+`schemas:
  A: {allOf: [{$ref: "#/schemas/B"}, {properties: {a: {type: string}}}]}
  B: {allOf: [{$ref: "#/schemas/A"}, {properties: {b: {type: string}}}]}
`)
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "allOf cycle A → B → A") {
		t.Errorf("warnings %q do not name the cycle", c.Warnings)
	}
	if a := typeNamed(c, "A"); a == nil || len(a.Fields) != 2 {
		t.Errorf("A = %+v, want a struct with b and a", a)
	}
}

// An allOf chain in which every level adds a field repeats all of its
// parents' fields: quadratic in the chain. Past the declaration budget the
// rest is json.RawMessage, with a warning, and the work stays within it.
func TestDeclarationBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "schemas:\n  L0: {type: object, properties: {f0: {type: string}}}\n")
	const levels = 1500
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "  L%d: {allOf: [{$ref: \"#/schemas/L%d\"}, {properties: {f%d: {type: string}}}]}\n", i, i-1, i)
	}
	c := build(t, b.String())
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "json.RawMessage") {
		t.Errorf("no warning that the budget ran out: %q", c.Warnings)
	}
	if l1 := typeNamed(c, "L1"); l1 == nil || l1.Kind != model.Struct || len(l1.Fields) != 2 {
		t.Errorf("L1 = %+v, want a struct of two fields: the budget stops late levels only", l1)
	}
	if top := typeNamed(c, fmt.Sprint("L", levels)); top == nil || top.Kind == model.Struct {
		t.Errorf("L%d = %+v, want json.RawMessage past the budget", levels, top)
	}
}

// A long chain of wrappers and a wide diamond are walked once per schema.
func TestVisitsAreLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "schemas:\n  W0: {type: object, properties: {id: {type: string}}}\n")
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&b, "  W%d: {description: wrapped, allOf: [{$ref: \"#/schemas/W%d\"}]}\n", i, i-1)
	}
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "  D%d: {allOf: [{$ref: \"#/schemas/%s\"}, {description: again, allOf: [{$ref: \"#/schemas/%s\"}]}, {properties: {g%d: {type: string}}}]}\n",
			i, prev(i), prev(i), i)
	}
	build(t, b.String()) // build checks the budget
}

func prev(i int) string {
	if i == 1 {
		return "W0"
	}
	return fmt.Sprint("D", i-1)
}

// TestSharedRequest: an action's Params get a request method only when
// something besides the action's method builds its Request: its
// iterator, its events method, a monitor.
func TestSharedRequest(t *testing.T) {
	c := build(t, header+`actions:
  - {name: plain, method: GET, path: /plain, params: [{name: q, in: query, schema: {type: string}}]}
  - name: paged
    method: GET
    path: /paged
    params: [{name: limit, in: query, schema: {type: integer}}, {name: offset, in: query, schema: {type: integer}}]
    response: {schema: {type: object, properties: {items: {type: array, items: {type: object, properties: {id: {type: string}}}}}}}
    paginate: {style: offset, items: items, limit: limit, offset: offset}
  - name: streamed
    method: POST
    path: /chat
    body: {schema: {type: object, properties: {q: {type: string}}}}
    events: {schema: {type: object, properties: {delta: {type: string}}}}
  - {name: watched, method: GET, path: /watched, params: [{name: q, in: query, schema: {type: string}}], response: {schema: {type: array, items: {type: object, properties: {id: {type: string}}}}}}
monitors:
  - {name: newWatched, action: watched, id: id}
`)
	want := map[string]bool{"plain": false, "paged": true, "streamed": true, "watched": true}
	for _, a := range c.Actions {
		if a.SharedRequest != want[a.Name] {
			t.Errorf("%s: SharedRequest %v, want %v", a.Name, a.SharedRequest, want[a.Name])
		}
	}
}
