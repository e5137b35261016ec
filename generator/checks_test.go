package generator_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
)

// checksSpec's Inputs use every keyword the compiled input check compiles:
// types (one, or with null), enum, bounds, lengths, pattern, items and
// their count, required, additionalProperties true and false, a $ref
// among named schemas, the schema {} and a free-form object.
const checksSpec = `conngen: 1
name: checks
baseURL: https://checks.example.com
auth: {type: none}
schemas:
  Status: {type: string, enum: ["on", "off", "a<b"]}
  Owner:
    type: object
    properties:
      id: {type: string}
      nicknames: {type: array, items: {type: string, maxLength: 3}}
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string, minLength: 2, maxLength: 5, pattern: "^[a-z]+$"}
      tag: {type: string, nullable: true, enum: [x, "y"]}
      age: {type: integer, minimum: 0, maximum: 30}
      weight: {type: number, minimum: 0.5, maximum: 0.25}
      tags: {type: array, items: {type: string}, minItems: 1, maxItems: 3}
      grid: {type: array, items: {type: array, items: {type: integer, maximum: 9}}}
      owner: {$ref: "#/schemas/Owner"}
      status: {$ref: "#/schemas/Status"}
      meta:
        type: object
        additionalProperties: false
        properties:
          a: {type: integer}
          B: {type: boolean}
      open: {type: object, additionalProperties: true, properties: {k: {type: string}}}
      free: {type: object}
      any: {}
actions:
  - name: createPet
    method: POST
    path: /pets
    params:
      - {name: dryRun, in: query, schema: {type: boolean}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
      - {name: status, in: query, schema: {$ref: "#/schemas/Status"}}
    body: {contentType: application/json, required: true, schema: {$ref: "#/schemas/Pet"}}
    response: {schema: {$ref: "#/schemas/Pet"}}
  - name: getPet
    method: GET
    path: /pets/{id}
    params:
      - {name: id, in: path, schema: {type: integer, minimum: 1}}
  - name: listPets
    method: GET
    path: /pets
    params:
      - {name: tags, in: query, schema: {type: array, items: {type: string, enum: [a, b]}, maxItems: 2}}
      - {name: q, in: query, required: true, schema: {type: string, minLength: 1}}
`

// checksMain invokes every action of both packages with the same inputs,
// made at random from each action's Input schema (mostly fitting, often
// not: a wrong type, a bound crossed, a key missing, misspelt, unknown or
// twice), and prints every input on which their errors differ.
const checksMain = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	compiled "checksmod/compiled"
	interpreted "checksmod/interpreted"
)

type gen struct {
	r    *rand.Rand
	defs map[string]any
}

func (g *gen) value(s any, depth int) any {
	m, _ := s.(map[string]any)
	if ref, ok := m["$ref"].(string); ok && depth < 6 {
		return g.value(g.defs[strings.TrimPrefix(ref, "#/$defs/")], depth+1)
	}
	if g.r.Intn(6) == 0 || depth > 6 {
		return g.random(depth)
	}
	if e, ok := m["enum"].([]any); ok && g.r.Intn(3) > 0 {
		return e[g.r.Intn(len(e))]
	}
	t, _ := m["type"].(string)
	if ts, ok := m["type"].([]any); ok {
		t, _ = ts[g.r.Intn(len(ts))].(string)
	}
	switch t {
	case "object":
		obj := map[string]any{}
		props, _ := m["properties"].(map[string]any)
		for k, p := range props {
			if g.r.Intn(3) > 0 {
				obj[k] = g.value(p, depth+1)
			}
		}
		switch g.r.Intn(8) {
		case 0:
			obj["zzz"] = g.random(depth + 1)
		case 1:
			for k := range props {
				obj[strings.ToUpper(k)] = g.random(depth + 1)
				break
			}
		}
		return obj
	case "array":
		n := g.r.Intn(5)
		arr := []any{}
		for range n {
			arr = append(arr, g.value(m["items"], depth+1))
		}
		return arr
	case "string":
		return []string{"", "a", "ab", "abc", "abcdef", "AB", "héllo", "x", "y", "on", "a<b"}[g.r.Intn(11)]
	case "integer":
		return []any{-1, 0, 1, 2, 9, 10, 30, 31, 50, 51, 1e3, 2.5}[g.r.Intn(12)]
	case "number":
		return []any{0, 0.25, 0.3, 0.5, 1, -2.5}[g.r.Intn(6)]
	case "boolean":
		return g.r.Intn(2) == 0
	}
	return g.random(depth)
}

func (g *gen) random(depth int) any {
	switch g.r.Intn(7) {
	case 0:
		return nil
	case 1:
		return true
	case 2:
		return g.r.Intn(100) - 50
	case 3:
		return "s"
	case 4:
		return 1.5
	case 5:
		if depth < 4 {
			return []any{g.random(depth + 1)}
		}
	case 6:
		if depth < 4 {
			return map[string]any{"name": g.random(depth + 1)}
		}
	}
	return "x"
}

func main() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	cc, err := compiled.New(compiled.Config{BaseURL: srv.URL})
	if err != nil {
		panic(err)
	}
	ic, err := interpreted.New(interpreted.Config{BaseURL: srv.URL})
	if err != nil {
		panic(err)
	}
	differ, refused := 0, 0
	for _, a := range compiled.Actions() {
		var schema map[string]any
		d := json.NewDecoder(strings.NewReader(string(a.Input)))
		d.UseNumber()
		if err := d.Decode(&schema); err != nil {
			panic(err)
		}
		defs, _ := schema["$defs"].(map[string]any)
		g := &gen{r: rand.New(rand.NewSource(1)), defs: defs}
		for i := 0; i < 3000; i++ {
			data, _ := json.Marshal(g.value(schema, 0))
			if i%50 == 0 { // a key twice
				data = append([]byte("{\"q\":\"a\","), data[1:]...)
				if string(data) == "{\"q\":\"a\",}" {
					data = []byte("{\"q\":\"a\"}")
				}
			}
			_, e1 := cc.Invoke(context.Background(), a.Name, data)
			_, e2 := ic.Invoke(context.Background(), a.Name, data)
			s1, s2 := fmt.Sprint(e1), fmt.Sprint(e2)
			if e1 != nil {
				refused++
			}
			if s1 != s2 {
				differ++
				if differ <= 10 {
					fmt.Printf("%s %s\n  compiled:    %s\n  interpreted: %s\n", a.Name, data, s1, s2)
				}
			}
		}
	}
	fmt.Printf("refused %d\n", refused)
	if differ > 0 {
		os.Exit(1)
	}
}
`

// TestCompiledCheckSaysWhatTheInterpreterSays: Invoke refuses the same
// inputs with the same words whether a connector carries the compiled input
// check (a small one) or the schema interpreter (a large one).
func TestCompiledCheckSaysWhatTheInterpreterSays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	s, _, err := spec.Load("checks.yaml", []byte(checksSpec))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	under := model.CompiledChecksUnder
	defer func() { model.CompiledChecksUnder = under }()
	for _, mode := range []struct {
		dir   string
		under int
		file  string // the check's runtime file
	}{{"compiled", 1 << 30, "check.go"}, {"interpreted", 0, "schemacheck.go"}} {
		model.CompiledChecksUnder = mode.under
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if out.Files[mode.file] == nil {
			t.Fatalf("%s: no %s among %d files", mode.dir, mode.file, len(out.Files))
		}
		for name, data := range out.Files {
			write(filepath.Join(mode.dir, name), data)
		}
	}
	write("go.mod", []byte("module checksmod\n\ngo 1.24\n"))
	write("run/main.go", []byte(checksMain))
	cmd := exec.Command("go", "run", "./run")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the two checks differ: %v\n%s", err, got)
	}
	// Most inputs must be refused for something, or the comparison says little.
	var refused int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(got)), "refused %d", &refused); err != nil || refused < 3000 {
		t.Fatalf("only %q refused of 9000 inputs", got)
	}
}
