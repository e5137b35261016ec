package emit

import (
	"bytes"
	"go/format"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/conngen/conngen/templates"
	"github.com/dave/jennifer/jen"
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

// TestRenderFailureKeepsSource: source that gofmt refuses is a generator bug;
// the error is one line naming a file that holds the unformatted source.
func TestRenderFailureKeepsSource(t *testing.T) {
	f := jen.NewFile("broken")
	f.Func().Id("f").Params().Block(jen.Op("}{"))
	_, err := render("acme", "models.go", f)
	if err == nil {
		t.Fatal("rendered broken source")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "render acme/models.go: ") {
		t.Fatalf("error %q", msg)
	}
	_, path, ok := strings.Cut(msg, "the unformatted source is in ")
	path, _, _ = strings.Cut(path, " ")
	data, rerr := os.ReadFile(path)
	if !ok || rerr != nil || !strings.Contains(string(data), "func f ()") {
		t.Fatalf("no source kept at %q: %v", path, rerr)
	}
	os.Remove(path)
}
