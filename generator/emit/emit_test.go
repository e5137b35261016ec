package emit

import (
	"bytes"
	"go/format"
	"io/fs"
	"strings"
	"testing"

	"github.com/conngen/conngen/templates"
)

// fromTemplate copies the templates without go/format, so each must come
// out exactly as gofmt writes it, whatever the package name.
func TestTemplatesFormatted(t *testing.T) {
	names, err := fs.Glob(templates.Files, "*.go")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := templates.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range []string{"x", "averylongconnectorname"} {
			out, err := fromTemplate(pkg, name, src)
			if err != nil {
				t.Fatal(err)
			}
			want, err := format.Source(out)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s (package %s) is not gofmt-formatted once copied; run gofmt -w templates/%s", name, pkg, name)
			}
		}
	}
}
