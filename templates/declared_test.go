package templates

import (
	"go/importer"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNamesMatchThePackage checks Names against what the type checker sees
// in this package: every package-level object of the emitted files is
// named, and nothing else is.
func TestNamesMatchThePackage(t *testing.T) {
	d := Names()
	for _, want := range []string{"APIError", "Client", "Cursor", "ServerEvent", "WebhookEvent", "ActionInfo", "pollMonitor", "maxInputDepth"} {
		if !slices.Contains(d.Package, want) {
			t.Errorf("Names().Package lacks %s", want)
		}
	}
	if slices.Contains(d.Package, "Files") || slices.Contains(d.Package, "Names") {
		t.Errorf("Names().Package holds the generator's own declarations (embed.go, declared.go): %v", d.Package)
	}
	for _, want := range []string{"AuthPing", "CustomAction", "CustomActionStream", "Revoke"} {
		if !slices.Contains(d.ClientMethods, want) {
			t.Errorf("Names().ClientMethods = %v, lacks %s", d.ClientMethods, want)
		}
	}
	pkg, err := importer.ForCompiler(token.NewFileSet(), "source", nil).Import("github.com/conngen/conngen/templates")
	if err != nil {
		t.Fatalf("type-checking the package from source: %v", err)
	}
	own := generatorOwn(t)
	for _, n := range pkg.Scope().Names() {
		if own[n] {
			continue
		}
		if !slices.Contains(d.Package, n) {
			t.Errorf("the package declares %s, Names().Package does not list it", n)
		}
	}
}

// generatorOwn are the package-level names of the files here that are not
// emitted (embed.go, declared.go, tool.go): conngen's own, never a
// connector's.
func generatorOwn(t *testing.T) map[string]bool {
	t.Helper()
	paths, _ := filepath.Glob("*.go")
	own := map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		if _, err := fs.Stat(Files, p); err == nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range PackageNames(f) {
			own[name] = true
		}
	}
	if !own["Files"] || !own["RevokeToken"] {
		t.Fatalf("the generator's own files declare %v; want Files and RevokeToken among them", own)
	}
	return own
}
