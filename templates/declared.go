package templates

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"sync"
)

// Declared are the names the runtime in Files declares, read from the
// sources themselves so that no hand-kept list can fall behind them.
type Declared struct {
	// Package holds every package-level identifier (types, functions,
	// variables, constants), exported or not, of every file in Files,
	// whether or not a given connector carries that file.
	Package []string
	// ClientMethods holds the exported methods declared on Client.
	ClientMethods []string
}

// Names parses Files once and returns what they declare, sorted.
var Names = sync.OnceValue(func() Declared {
	var d Declared
	paths, err := fs.Glob(Files, "*.go")
	if err != nil {
		panic(err) // a constant pattern: cannot fail
	}
	fset := token.NewFileSet()
	for _, p := range paths {
		src, err := Files.ReadFile(p)
		if err != nil {
			panic(err)
		}
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
		if err != nil {
			panic("templates: " + err.Error()) // the package compiles, so its files parse
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil {
					d.Package = append(d.Package, decl.Name.Name)
				} else if receiverIs(decl.Recv, "Client") && decl.Name.IsExported() {
					d.ClientMethods = append(d.ClientMethods, decl.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range decl.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						d.Package = append(d.Package, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								d.Package = append(d.Package, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(d.Package)
	d.Package = slices.Compact(d.Package)
	slices.Sort(d.ClientMethods)
	d.ClientMethods = slices.Compact(d.ClientMethods)
	return d
})

// receiverIs reports whether recv is name or *name.
func receiverIs(recv *ast.FieldList, name string) bool {
	if len(recv.List) != 1 {
		return false
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.Name == name
}
