package emit

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
)

// TestCheckPiecesCompile: Invoke's input check type-checks with any set of
// its pieces the model can keep (each alone, each left out, none, all; each
// with the pieces it needs), not only with the sets the goldens happen to
// use, since the model keeps each piece by the keywords a connector's Input
// schemas use: the schema interpreter's (check-*, schemacheck.go) and the
// compiled check's helpers (compiled-*, check.go), each family on its own.
func TestCheckPiecesCompile(t *testing.T) {
	base := []string{model.PieceActions, model.PieceParams, model.PieceFormatParam, model.PieceSetInt, model.PieceEscapePath}
	for _, family := range []struct {
		prefix, file string
		base         []string
	}{
		{"check-", "schemacheck.go", append(slices.Clone(base), model.PieceCheckSchema)},
		{"compiled-", "check.go", base},
	} {
		var check []string
		for _, p := range model.Pieces() {
			if strings.HasPrefix(p, family.prefix) && p != model.PieceCheckSchema || p == model.PieceInputReader {
				check = append(check, p)
			}
		}
		if len(check) < 8 {
			t.Fatalf("only %d %s pieces: %v", len(check), family.prefix, check)
		}
		cases := map[string][]string{"none": family.base, "all": model.WithNeeds(append(slices.Clone(family.base), check...)...)}
		for _, p := range check {
			cases["only "+p] = model.WithNeeds(append(slices.Clone(family.base), p)...)
			cases["without "+p] = model.WithNeeds(append(slices.Clone(family.base), slices.DeleteFunc(slices.Clone(check), func(q string) bool { return q == p })...)...)
		}
		typeCheckPieces(t, family.file, cases)
	}
}

func typeCheckPieces(t *testing.T, file string, cases map[string][]string) {
	t.Helper()
	srcs := templateSources(t)
	imp := importer.Default()
	for what, keep := range cases {
		fset := token.NewFileSet()
		var files []*ast.File
		for _, name := range []string{"runtime.go", "invoke.go", file} {
			src, err := keepPieces(name, srcs[name], keep)
			if err != nil {
				t.Fatal(err)
			}
			if src, err = fromTemplate("x", name, src); err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatalf("%s, %s: %v", what, name, err)
			}
			files = append(files, f)
		}
		// What registry.go declares for invoke.go's Actions and Invoke.
		f, err := parser.ParseFile(fset, "registry.go", registryStub, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		conf := types.Config{Importer: imp}
		if _, err := conf.Check("x", fset, files, nil); err != nil {
			t.Errorf("%s %s: %v", file, what, err)
		}
	}
}

const registryStub = `package x

import "errors"

var registry []registered

var ErrUnknownAction = errors.New("x: unknown action")

func actionSchema(int) string { return "{}" }
`
