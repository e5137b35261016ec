package model_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/templates"
)

// TestReservedCoversGoldens reads every golden package and checks that each
// package-level identifier in it is either reserved or a name the model
// handed out for this spec (a type, an enum constant, a Params type, a
// registry or monitor variable): an identifier the emitter or the runtime
// declares that Reserved does not know would collide with a user's type.
func TestReservedCoversGoldens(t *testing.T) {
	specs, err := filepath.Glob("../../specs/*.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs: %v", err)
	}
	reserved := model.Reserved()
	for _, path := range specs {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := spec.Load(path, src)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		c := model.Build(s)
		handed := map[string]bool{}
		for _, ty := range c.Types {
			handed[ty.Name] = true
			for _, v := range ty.Values {
				handed[v.GoName] = true
			}
		}
		for _, a := range c.Actions {
			handed[a.ParamsType] = true
		}
		for _, e := range c.Registry {
			handed[e.InvokeFunc] = true
		}
		for _, m := range c.Monitors {
			handed[m.Var] = true
		}
		for _, f := range c.InputChecks {
			handed[f.Name] = true
			for _, o := range f.Tables {
				handed[o.Table] = true
			}
		}
		for _, name := range packageLevel(t, filepath.Join("../../generated", c.Name)) {
			if !handed[name] && !slices.Contains(reserved, name) {
				t.Errorf("generated/%s declares %s, which is neither reserved nor handed out by the model", c.Name, name)
			}
			if handed[name] && slices.Contains(reserved, name) {
				t.Errorf("generated/%s: the model handed out the reserved %s", c.Name, name)
			}
		}
	}
}

// packageLevel lists the package-level identifiers of dir's non-test files.
func packageLevel(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no Go files (%v)", dir, err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, templates.PackageNames(af)...)
	}
	return out
}
