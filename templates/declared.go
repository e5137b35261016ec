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
		d.Package = append(d.Package, PackageNames(f)...)
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv != nil && receiverIs(fn.Recv, "Client") && fn.Name.IsExported() {
				d.ClientMethods = append(d.ClientMethods, fn.Name.Name)
			}
		}
	}
	slices.Sort(d.Package)
	d.Package = slices.Compact(d.Package)
	slices.Sort(d.ClientMethods)
	d.ClientMethods = slices.Compact(d.ClientMethods)
	return d
})

// PackageNames lists the package-level identifiers f declares: types,
// functions (not methods), variables and constants, in order.
func PackageNames(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				names = append(names, decl.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range decl.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name != "_" {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	return names
}

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
