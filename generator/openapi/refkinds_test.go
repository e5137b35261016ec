package openapi

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/spec"
)

// wrongKindComponents are the components the wrong-kind cases refer to.
const wrongKindComponents = `components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}}
  requestBodies:
    Body:
      description: a thing
      content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
  responses:
    Ok:
      description: ok
      content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
`

// withComponents is wrongKindComponents with more entries: extra maps a
// section to its lines (indented by four spaces).
func withComponents(extra map[string]string) string {
	out := wrongKindComponents
	for _, sec := range []string{"schemas", "requestBodies", "responses"} {
		head := "  " + sec + ":\n"
		out = strings.Replace(out, head, head+extra[sec], 1)
		delete(extra, sec)
	}
	for _, sec := range slices.Sorted(maps.Keys(extra)) {
		out += "  " + sec + ":\n" + extra[sec]
	}
	return out
}

func paramNames(a *spec.Action) []string {
	var names []string
	for _, p := range a.Params {
		names = append(names, p.Name)
	}
	return names
}

var thingRef = &spec.Schema{Ref: "#/schemas/Thing"}

// TestWrongKindRefs: a $ref to a component of another kind than its place
// wants is followed when the component fits (a response read as a request
// body and the other way round), else that one piece is dropped (a schema
// becomes any JSON value) with a warning; the rest of the document
// imports.
func TestWrongKindRefs(t *testing.T) {
	const op = "#/paths/~1things/post"
	cases := []struct {
		name  string
		doc   string // the paths and more components, after head
		check func(t *testing.T, s *spec.Spec, warns []Warning)
	}{{
		name: "request body names a response",
		doc: `paths:
  /things:
    post:
      operationId: create
      requestBody: {$ref: "#/components/responses/Ok"}
      responses: {"201": {description: created}}
  /other:
    post:
      operationId: other
      requestBody: {$ref: "#/components/requestBodies/FromResponse"}
      responses: {"201": {description: created}}
` + withComponents(map[string]string{"requestBodies": `    FromResponse: {$ref: "#/components/responses/Ok"}
`}),
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			eq(t, "create body", action(t, s, "create").Body,
				&spec.Body{ContentType: "application/json", Description: "ok", Schema: thingRef})
			eq(t, "other body", action(t, s, "other").Body.Schema, thingRef)
			wantWarning(t, warns, op+"/requestBody", `$ref "#/components/responses/Ok" names a response, not a request body; read as a request body with its content`)
			wantWarning(t, warns, "#/components/requestBodies/FromResponse", "read as a request body")
		},
	}, {
		name: "response names a request body",
		doc: `paths:
  /things:
    post:
      operationId: create
      responses:
        "200": {$ref: "#/components/requestBodies/Body"}
` + wrongKindComponents,
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			eq(t, "response", action(t, s, "create").Response, &spec.Response{Schema: thingRef})
			wantWarning(t, warns, op+"/responses/200", `$ref "#/components/requestBodies/Body" names a request body, not a response; read as a response with its content`)
		},
	}, {
		name: "parameter names a schema",
		doc: `paths:
  /things:
    post:
      operationId: create
      parameters:
        - $ref: "#/components/schemas/Thing"
        - {name: q, in: query, schema: {type: string}}
        - $ref: "#/components/parameters/Bad"
        - $ref: "#/components/parameters/Good"
        - {name: page, in: cookie, schema: {type: string}}
      responses: {"201": {description: created}}
` + withComponents(map[string]string{"parameters": `    Bad: {$ref: "#/components/schemas/Thing"}
    Good: {name: good, in: query, schema: {type: integer}}
`}),
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			eq(t, "params", paramNames(action(t, s, "create")), []string{"q", "good"})
			wantWarning(t, warns, op+"/parameters/0", `$ref "#/components/schemas/Thing" names a schema, not a parameter; parameter dropped`)
			wantWarning(t, warns, op+"/parameters/2", `$ref "#/components/parameters/Bad" names a parameter that is dropped (see #/components/parameters/Bad); parameter dropped`)
			wantWarning(t, warns, "#/components/parameters/Bad", "names a schema, not a parameter; parameter dropped")
			// the indices of the other warnings stay those of the document
			wantWarning(t, warns, op+"/parameters/4", "cookie parameter page")
		},
	}, {
		name: "schema names a response",
		doc: `paths:
  /things:
    post:
      operationId: create
      parameters:
        - {name: q, in: query, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/responses/Ok"}}}}
  /more:
    get:
      operationId: more
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Holder"}}}}
` + withComponents(map[string]string{"schemas": `    Holder:
      type: object
      properties:
        r: {$ref: "#/components/responses/Ok"}
        p: {$ref: "#/paths/~1things/post/parameters/0"}
        s: {$ref: "#/paths/~1things/post/parameters/0/schema"}
        h: {$ref: "#/components/headers/H"}
`, "headers": `    H: {schema: {type: string}}
`}),
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			eq(t, "response", action(t, s, "create").Response, &spec.Response{Schema: &spec.Schema{}})
			holder := s.Schemas.Get("Holder")
			if holder == nil {
				t.Fatalf("no schema Holder")
			}
			for _, p := range []string{"r", "p", "h"} {
				eq(t, "property "+p, holder.Properties.Get(p), &spec.Schema{})
			}
			if got := holder.Properties.Get("s"); got == nil || got.RefName() == "" && got.Type != "string" {
				t.Errorf("property s (a parameter's schema) = %v, want a string schema", got)
			}
			wantWarning(t, warns, op+"/responses/200/content/application~1json/schema",
				`$ref "#/components/responses/Ok" names a response, not a schema; replaced by an empty schema (any JSON value)`)
			wantWarning(t, warns, "#/components/schemas/Holder/properties/r", "names a response, not a schema")
			wantWarning(t, warns, "#/components/schemas/Holder/properties/p", "names a parameter, not a schema")
			wantWarning(t, warns, "#/components/schemas/Holder/properties/h", "names a header, not a schema")
		},
	}, {
		name: "chains of mixed kinds",
		doc: `paths:
  /things:
    post:
      operationId: create
      parameters:
        - $ref: "#/components/responses/ToParam"
      requestBody: {$ref: "#/components/requestBodies/ToResponse"}
      responses:
        "200": {$ref: "#/components/parameters/ToBody"}
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/responses/ToSchema"}}}}
` + withComponents(map[string]string{"responses": `    ToParam: {$ref: "#/components/parameters/Hop"}
    ToSchema: {$ref: "#/components/headers/ToSchema2"}
`, "headers": `    ToSchema2: {$ref: "#/components/schemas/Thing"}
`, "parameters": `    Hop: {$ref: "#/components/parameters/P"}
    P: {name: p, in: query, schema: {type: string}}
    ToBody: {$ref: "#/components/requestBodies/Body"}
    Hop2: {$ref: "#/components/schemas/Thing"}
`, "requestBodies": `    ToResponse: {$ref: "#/components/parameters/Hop2"}
`}),
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			a := action(t, s, "create")
			eq(t, "params", paramNames(a), []string{"p"})
			wantWarning(t, warns, op+"/parameters/0", `$ref "#/components/responses/ToParam" names a response, not a parameter; followed to "#/components/parameters/Hop"`)
			eq(t, "response (from a request body, through a parameter)", a.Response, &spec.Response{Schema: thingRef})
			wantWarning(t, warns, op+"/responses/200", `leads to a request body ("#/components/requestBodies/Body"), not a response; read as a response`)
			wantWarning(t, warns, op+"/responses/201/content/application~1json/schema", `followed to "#/components/schemas/Thing"`)
			// Hop2 is a parameter that names a schema: the request body is dropped
			eq(t, "body", a.Body, (*spec.Body)(nil))
			wantWarning(t, warns, "#/components/requestBodies/ToResponse", "request body dropped")
			wantWarning(t, warns, op+"/requestBody", "request body dropped")
		},
	}, {
		name: "loops of mixed kinds",
		doc: `paths:
  /things:
    post:
      operationId: create
      parameters:
        - $ref: "#/components/parameters/L1"
        - {name: q, in: query, schema: {type: string}}
        - $ref: "#/components/responses/L2"
      requestBody: {$ref: "#/components/responses/A"}
      responses:
        "200": {$ref: "#/components/responses/A"}
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/SA"}}}}
        "202": {$ref: "#/components/responses/Self"}
` + withComponents(map[string]string{"responses": `    L2: {$ref: "#/components/parameters/L1"}
    A: {$ref: "#/components/requestBodies/B"}
    SB: {$ref: "#/components/schemas/SA"}
    Self: {$ref: "#/components/responses/Self"}
`, "parameters": `    L1: {$ref: "#/components/responses/L2"}
`, "requestBodies": `    B: {$ref: "#/components/responses/A"}
`, "schemas": `    SA: {$ref: "#/components/responses/SB"}
`}),
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			a := action(t, s, "create")
			eq(t, "params", paramNames(a), []string{"q"})
			eq(t, "body", a.Body, (*spec.Body)(nil))
			wantWarning(t, warns, op+"/parameters/2", `$ref "#/components/responses/L2" leads into a loop of $refs; parameter dropped`)
			wantWarning(t, warns, op+"/parameters/0", "parameter dropped")
			wantWarning(t, warns, op+"/requestBody", "loop of $refs; request body dropped")
			wantWarning(t, warns, op+"/responses/200", "response dropped")
			wantWarning(t, warns, "#/components/schemas/SA", "loop of $refs; replaced by an empty schema")
		},
	}, {
		name: "the reported document",
		doc: `paths:
  /things:
    post:
      operationId: createThing
      parameters:
        - $ref: "#/components/schemas/Thing"
        - {name: q, in: query, schema: {type: string}}
      requestBody: {$ref: "#/components/requestBodies/ThingBody"}
      responses:
        "200": {$ref: "#/components/requestBodies/Other"}
        "201": {$ref: "#/components/responses/Ok"}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}}
  requestBodies:
    ThingBody: {$ref: "#/components/responses/Ok"}
    Other:
      content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
  responses:
    Ok:
      description: ok
      content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
`,
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			a := action(t, s, "createThing")
			eq(t, "params", paramNames(a), []string{"q"})
			eq(t, "body", a.Body.Schema, thingRef)
			eq(t, "response", a.Response, &spec.Response{Schema: thingRef})
		},
	}, {
		name: "values of the wrong type",
		doc: `paths:
  /things:
    post:
      operationId: create
      parameters: [1, {$ref: 5}, {$ref: "#/components/schemas/Thing"}, {name: q, in: query}]
      requestBody: {$ref: "#/components/responses/Ok"}
      callbacks:
        cb: {"{$request.body#/url}": {post: {requestBody: {$ref: "#/components/responses/Ok"}, responses: {"200": {description: ok}}}}}
        bad: {$ref: "#/components/schemas/Thing"}
      responses:
        "200": 7
        "202": {$ref: "#/components/schemas/Thing/properties/name"}
  /b: 5
  /c: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string}}, allOf: [1, {$ref: "#/components/responses/Ok"}]}
  requestBodies: 5
  pathItems: [1]
  responses:
    Ok:
      description: ok
      content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
`,
		check: func(t *testing.T, s *spec.Spec, warns []Warning) {
			eq(t, "params", paramNames(action(t, s, "create")), []string{"q"})
			wantWarning(t, warns, op+"/requestBody", "names a response, not a request body; request body dropped")
			wantWarning(t, warns, op+"/responses/202", "names a schema, not a response; response dropped")
			wantWarning(t, warns, op+"/callbacks/bad", "callback dropped")
			wantWarning(t, warns, "#/paths/~1c", "path item dropped")
			wantWarning(t, warns, "#/components/schemas/Thing/allOf/1", "replaced by an empty schema")
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + tc.doc
			s, warns := imp(t, doc, Options{})
			tc.check(t, s, warns)
			if t.Failed() || testing.Verbose() {
				t.Logf("warnings:\n%s", warnList(warns))
			}
		})
	}
}

// TestWrongKindRefsMany: thousands of $refs to one component of the wrong
// kind add one component, not one copy per $ref.
func TestWrongKindRefsMany(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString(head + "paths:\n")
	for i := range n {
		fmt.Fprintf(&b, `  /things/%d:
    post:
      operationId: create%d
      requestBody: {$ref: "#/components/responses/Ok"}
      responses: {"200": {$ref: "#/components/requestBodies/Body"}}
`, i, i)
	}
	b.WriteString(wrongKindComponents)
	doc := b.String()

	w := &warnings{}
	d, err := load([]byte(doc), "", w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	comps := d.raw["components"].(map[string]any)
	for _, sec := range []string{"requestBodies", "responses"} {
		if got := len(comps[sec].(map[string]any)); got != 2 {
			t.Errorf("components/%s has %d entries, want 2 (the document's and the one added)", sec, got)
		}
	}

	s, warns := imp(t, doc, Options{})
	eq(t, "actions", len(s.Actions), n)
	for _, i := range []int{0, n / 2, n - 1} {
		a := action(t, s, fmt.Sprintf("create%d", i))
		eq(t, a.Name+" body", a.Body.Schema, thingRef)
		eq(t, a.Name+" response", a.Response.Schema, thingRef)
	}
	wantWarning(t, warns, "#/paths/~1things~10/post/requestBody", "read as a request body")
}

// TestWrongKindRefsSwagger2: Swagger 2.0 documents get the same rules, in
// their sections.
func TestWrongKindRefsSwagger2(t *testing.T) {
	doc := `{"swagger": "2.0", "info": {"title": "V", "version": "1"}, "host": "x.example.com",
 "paths": {"/a": {"post": {"operationId": "a", "consumes": ["application/json"],
   "parameters": [{"$ref": "#/definitions/S"}, {"name": "q", "in": "query", "type": "string"}, {"$ref": "#/parameters/Bad"},
     {"in": "body", "name": "b", "schema": {"$ref": "#/parameters/Q"}}],
   "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/S"}}, "201": {"$ref": "#/definitions/S"},
     "202": {"$ref": "#/parameters/Q"}}}}},
 "parameters": {"Q": {"name": "q2", "in": "query", "type": "string"}, "Bad": {"$ref": "#/definitions/S"}},
 "responses": {"R": {"description": "r", "schema": {"$ref": "#/definitions/S"}}},
 "definitions": {"S": {"type": "object", "properties": {"x": {"$ref": "#/responses/R"}, "y": {"type": "string"}}}}}`
	s, warns := imp(t, doc, Options{})
	a := action(t, s, "a")
	eq(t, "params", paramNames(a), []string{"q"})
	eq(t, "body", a.Body.Schema, &spec.Schema{})
	eq(t, "response", a.Response.Schema, &spec.Schema{Ref: "#/schemas/S"})
	eq(t, "S.x", s.Schemas.Get("S").Properties.Get("x"), &spec.Schema{})
	const op = "#/paths/~1a/post"
	wantWarning(t, warns, op+"/parameters/0", `$ref "#/definitions/S" names a schema, not a parameter; parameter dropped`)
	wantWarning(t, warns, op+"/parameters/2", "parameter dropped")
	wantWarning(t, warns, op+"/parameters/3/schema", `$ref "#/parameters/Q" names a parameter, not a schema; replaced by an empty schema`)
	wantWarning(t, warns, op+"/responses/201", "names a schema, not a response; response dropped")
	wantWarning(t, warns, op+"/responses/202", "names a parameter, not a response; response dropped")
	wantWarning(t, warns, "#/definitions/S/properties/x", "names a response, not a schema")
}

// TestWrongKindRefsInFiles: a file that a $ref names is repaired the same
// way, its warnings prefixed with its name.
func TestWrongKindRefsInFiles(t *testing.T) {
	dir := t.TempDir()
	main := head + `paths:
  /things:
    post:
      operationId: create
      requestBody: {$ref: "common.yaml#/components/requestBodies/B"}
      responses: {"201": {description: created}}
`
	common := withComponents(map[string]string{"requestBodies": `    B: {$ref: "#/components/responses/Ok"}
`})
	for name, body := range map[string]string{"openapi.yaml": main, "common.yaml": common} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, warns, err := Import(filepath.Join(dir, "openapi.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "body", action(t, s, "create").Body.Schema.RefName() != "", true)
	wantWarning(t, warns, "common.yaml#/components/requestBodies/B", "read as a request body")
}
