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

// TestCompileFixtures generates the adversarial specs in
// generator/testdata/compile (colliding names, hostile descriptions,
// recursive types, every body kind and auth placement) and imports the
// adversarial OpenAPI documents in its openapi/ folder, and wants packages
// that build and vet.
func TestCompileFixtures(t *testing.T) {
	dir := filepath.Join(testsupport.RepoRoot(), "generator", "testdata", "compile")
	specs, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	docs, _ := filepath.Glob(filepath.Join(dir, "openapi", "*.yaml"))
	if len(specs) == 0 || len(docs) == 0 {
		t.Fatal("no fixtures")
	}
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	var loaded []*spec.Spec
	for _, path := range specs {
		s, _, err := generator.LoadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		loaded = append(loaded, s)
	}
	for _, doc := range docs {
		name := "oa" + strings.TrimSuffix(filepath.Base(doc), ".yaml")
		s, _, err := openapi.Import(doc, openapi.Options{Name: name})
		if err != nil {
			t.Errorf("%s: import: %v", doc, err)
			continue
		}
		// Through YAML, as conngen import and generate run it.
		data, err := spec.Marshal(s)
		if err != nil {
			t.Fatalf("%s: marshal: %v", doc, err)
		}
		if s, _, err = spec.Load(doc, data); err != nil {
			t.Errorf("%s: imported spec does not validate: %v", doc, err)
			continue
		}
		loaded = append(loaded, s)
	}
	for _, s := range loaded {
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		if _, err := testsupport.Go(mod, step...); err != nil {
			t.Fatal(err)
		}
	}
}
