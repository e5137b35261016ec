package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
)

// TestCompileFixtures generates the adversarial specs in
// generator/testdata/compile (colliding names, hostile descriptions,
// recursive types, every body kind and auth placement) and wants a package
// that builds and vets.
func TestCompileFixtures(t *testing.T) {
	specs, _ := filepath.Glob(filepath.Join(repoRoot(t), "generator", "testdata", "compile", "*.yaml"))
	if len(specs) == 0 {
		t.Fatal("no fixtures")
	}
	mod := t.TempDir()
	writeModule(t, mod)
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
		cmd := exec.Command("go", step...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", step, err, firstLines(string(out), 60))
		}
	}
}
