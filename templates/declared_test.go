package templates

import (
	"go/importer"
	"go/token"
	"slices"
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
	for _, n := range pkg.Scope().Names() {
		if n == "Files" || n == "Names" || n == "Declared" || n == "receiverIs" {
			continue
		}
		if !slices.Contains(d.Package, n) {
			t.Errorf("the package declares %s, Names().Package does not list it", n)
		}
	}
}
