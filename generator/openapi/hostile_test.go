package openapi

import (
	"fmt"
	"strings"
	"testing"
)

// Schemas that point into themselves below the components map, or nest
// beyond any real document, or repeat an allOf part many times over: the
// import ends, and gives a spec the loader accepts.
func TestSelfReferencesBelowComponents(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: Deep, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /a:
    get:
      operationId: listA
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}
components:
  schemas:
    A:
      type: object
      properties:
        d: {type: array, items: {$ref: "#/components/schemas/A/properties/d"}}
        e: {type: object, properties: {f: {$ref: "#/components/schemas/A/properties/e"}}}
        g: {allOf: [{$ref: "#/components/schemas/A/properties/g"}]}
        items: {allOf: [{$ref: "#/components/schemas/A/properties/items"}]}
`
	s, _ := imp(t, doc, Options{})
	for _, name := range []string{"A_d", "A_e", "A_g"} {
		if s.Schemas.Get(name) == nil {
			t.Errorf("no schema %s for the reference into A: %v", name, s.Schemas)
		}
	}
}

func TestDeepNestingBecomesAnyValue(t *testing.T) {
	const depth = 150
	schema := strings.Repeat(`{"type": "object", "properties": {"x": `, depth) + `{"type": "string"}` + strings.Repeat("}}", depth)
	doc := `{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"},
	"servers": [{"url": "https://example.com"}],
	"paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok",
	"content": {"application/json": {"schema": {"$ref": "#/components/schemas/D"}}}}}}}},
	"components": {"schemas": {"D": ` + schema + `}}}`
	_, warns := imp(t, doc, Options{})
	ptr := "#/components/schemas/D" + strings.Repeat("/properties/x", maxSchemaDepth)
	wantWarning(t, warns, ptr, fmt.Sprintf("nested more than %d levels", maxSchemaDepth))
}

func TestRepeatedAllOfPartsInPagination(t *testing.T) {
	// Each level's allOf lists the level below 40 times, six levels deep:
	// pagination detection once merged 40^6 parts.
	var b strings.Builder
	b.WriteString(`openapi: 3.0.3
info: {title: Wide, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/L6"}}}
components:
  schemas:
    L0:
      type: object
      properties:
        items: {type: array, items: {type: string}}
        next_cursor: {type: string}
`)
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "    L%d:\n      allOf:\n", i)
		for range 40 {
			fmt.Fprintf(&b, "        - $ref: \"#/components/schemas/L%d\"\n", i-1)
		}
	}
	s, _ := imp(t, b.String(), Options{})
	pg := action(t, s, "listThings").Paginate
	if pg == nil || pg.Style != "cursor" || pg.NextCursor != "next_cursor" {
		t.Errorf("paginate = %+v, want cursor pagination on next_cursor", pg)
	}
}

func TestParameterThatIsNotAnObject(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: Nulls, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - null
        - 7
        - {name: q, in: query, schema: {type: string}}
      responses:
        "200": {description: ok}
`
	s, warns := imp(t, doc, Options{})
	wantWarning(t, warns, "#/paths/~1a/get/parameters/0", "not an object; dropped")
	wantWarning(t, warns, "#/paths/~1a/get/parameters/1", "not an object; dropped")
	param(t, action(t, s, "getA"), "q")
}

// A "billion laughs" document (nine levels of nine YAML aliases, 1 KB that
// expand to 387 million values) is refused at once, while anchors used
// the ordinary way still import.
func TestYAMLAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Bomb, version: \"1\"}\npaths: {}\n")
	b.WriteString(`x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(fmt.Sprintf("x-%s: &%s [%s]\n", n, n, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",")))
		prev = n
	}
	_, _, err := ImportData([]byte(b.String()), "", Options{})
	if err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("alias bomb: err = %v; want a refusal", err)
	}

	s, _ := imp(t, `openapi: 3.0.3
info: {title: Anchors, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /a:
    get:
      operationId: listA
      parameters: &page
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: listB
      parameters: *page
      responses: {"200": {description: ok}}
`, Options{})
	if len(s.Actions) != 2 || len(s.Actions[1].Params) != 1 || s.Actions[1].Params[0].Name != "limit" {
		t.Errorf("anchored parameters: %+v", s.Actions)
	}
}
