package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/internal/testsupport"
)

// generateInto validates s by reading it back from YAML (as a user's spec
// would be), generates its package into mod/<name>/ and writes a driver
// program into mod/drivers/<name>/. It returns the driver's package path.
// generateInto generates the connector of s and its e2e driver into the
// module mod; the driver leaves out the optional parameters in leaveOut
// (see Driver).
func generateInto(t testing.TB, mod string, s *spec.Spec, label string, leaveOut map[string]bool) string {
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
	src, err := Driver(s2, "gen.test/"+out.Name, leaveOut)
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
	if _, err := testsupport.Go(dir, args...); err != nil {
		t.Fatal(err)
	}
}
