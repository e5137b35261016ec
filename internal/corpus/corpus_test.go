// Package corpus tests conngen on the real-world OpenAPI documents in
// ../shared/openapi: every one must import, generate, compile and vet.
// The documents are read in place and never copied into the repository.
package corpus

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/internal/testsupport"
)

// Documents lists the OpenAPI documents of the corpus.
func Documents(t testing.TB) []string {
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found")
	}
	var docs []string
	for _, ext := range []string{"*.json", "*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, ext))
		docs = append(docs, m...)
	}
	if len(docs) == 0 {
		t.Skip("no documents in " + dir)
	}
	return docs
}

// TestImportGenerateCompile imports every document, validates the spec it
// gives by reading it back from YAML, generates, and builds and vets all
// the packages in one temporary module.
func TestImportGenerateCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ~25 generated packages")
	}
	docs := Documents(t)
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	for i, doc := range docs {
		base := filepath.Base(doc)
		name := "c" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base))))
		s, _, err := openapi.Import(doc, openapi.Options{Name: name})
		if err != nil {
			t.Errorf("%s: import: %v", base, err)
			continue
		}
		data, err := spec.Marshal(s)
		if err != nil {
			t.Fatalf("%s: marshal: %v", base, err)
		}
		// The spec must pass the same validation as a hand-written one.
		s2, _, err := spec.Load(base+".yaml", data)
		if err != nil {
			t.Errorf("%s: imported spec does not validate:\n%v", base, testsupport.FirstLines(err.Error(), 20))
			continue
		}
		out, err := generator.Generate(s2)
		if err != nil {
			t.Errorf("%s: generate: %v", base, err)
			continue
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
		_ = i
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		if _, err := testsupport.Go(mod, step...); err != nil {
			t.Fatalf("in the generated module: %v", err)
		}
	}
}
