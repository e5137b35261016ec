package corpus

import (
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/scratch"
)

// TestCompileFixtures generates the adversarial specs in
// generator/testdata/compile (colliding names, hostile descriptions,
// recursive types, every body kind and auth placement) and wants a package
// that builds and vets.
func TestCompileFixtures(t *testing.T) {
	specs, _ := filepath.Glob(filepath.Join(scratch.RepoRoot(), "generator", "testdata", "compile", "*.yaml"))
	if len(specs) == 0 {
		t.Fatal("no fixtures")
	}
	mod := t.TempDir()
	if err := scratch.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	for _, path := range specs {
		s, _, err := generator.LoadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		if _, err := scratch.Go(mod, step...); err != nil {
			t.Fatal(err)
		}
	}
}
