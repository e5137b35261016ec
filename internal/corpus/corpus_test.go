// Package corpus tests conngen on the real-world OpenAPI documents in
// ../shared/openapi: every one must import, generate, compile and vet.
// The documents are read in place and never copied into the repository.
package corpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
)

// Dir finds shared/openapi beside the repository (CI lays shared/ next to
// the clone), or returns "" when it is absent.
func Dir() string {
	if d := os.Getenv("CONNGEN_OPENAPI_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(file); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "openapi")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
	}
	return ""
}

// Documents lists the OpenAPI documents of the corpus.
func Documents(t testing.TB) []string {
	dir := Dir()
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
	writeModule(t, mod)
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
			t.Errorf("%s: imported spec does not validate:\n%v", base, firstLines(err.Error(), 20))
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
		cmd := exec.Command("go", step...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated module failed: %v\n%s", strings.Join(step, " "), err, firstLines(string(out), 60))
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// writeModule makes dir a module that can build generated packages with the
// same x/oauth2 this repository uses, from the module cache.
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
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644)
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
