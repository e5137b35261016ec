package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
)

// repoRoot is the repository's top directory.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// writeModule makes dir a module ("gen.test") that can build generated
// packages with the same x/oauth2 this repository uses, from the module
// cache (as internal/corpus does).
func writeModule(t testing.TB, dir string) {
	t.Helper()
	root := repoRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	oauth := ""
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == "golang.org/x/oauth2" {
			oauth = f[1]
		}
	}
	if oauth == "" {
		t.Fatal("go.mod does not require golang.org/x/oauth2")
	}
	mod := "module gen.test\n\ngo 1.24\n\nrequire golang.org/x/oauth2 " + oauth + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// generateInto validates s by reading it back from YAML (as a user's spec
// would be), generates its package into mod/<name>/ and writes a driver
// program into mod/drivers/<name>/. It returns the driver's package path.
func generateInto(t testing.TB, mod string, s *spec.Spec, label string) string {
	t.Helper()
	data, err := spec.Marshal(s)
	if err != nil {
		t.Fatalf("%s: marshal: %v", label, err)
	}
	s2, _, err := spec.Load(label+".yaml", data)
	if err != nil {
		t.Fatalf("%s: the spec does not validate:\n%v", label, err)
	}
	out, err := generator.Generate(s2)
	if err != nil {
		t.Fatalf("%s: generate: %v", label, err)
	}
	if err := generator.Write(mod, out); err != nil {
		t.Fatal(err)
	}
	src, err := Driver(s2, "gen.test/"+out.Name)
	if err != nil {
		t.Fatalf("%s: driver: %v", label, err)
	}
	dir := filepath.Join(mod, "drivers", out.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
	os.WriteFile(filepath.Join(dir, "runner.go"), RunnerSource(), 0o644)
	return "./drivers/" + out.Name
}

// goCmd runs go with args in dir and fails the test with its output.
func goCmd(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, firstLines(string(out), 60))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}
