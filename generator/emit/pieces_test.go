package emit

import (
	"bytes"
	"go/format"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/templates"
)

// templateSources are the embedded templates, tests left out.
func templateSources(t *testing.T) map[string][]byte {
	t.Helper()
	names, err := fs.Glob(templates.Files, "*.go")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	out := map[string][]byte{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := templates.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = src
	}
	return out
}

// TestPieces: the pieces the templates mark are exactly those the model
// can choose.
func TestPieces(t *testing.T) {
	var used []string
	for _, src := range templateSources(t) {
		for _, p := range templatePieces(src) {
			if !slices.Contains(used, p) {
				used = append(used, p)
			}
		}
	}
	slices.Sort(used)
	if want := model.Pieces(); !slices.Equal(used, want) {
		t.Errorf("templates mark pieces %v; model.Pieces() is %v", used, want)
	}
}

// TestPiecesFormatted: a template with any one of its pieces dropped, with
// all of them dropped and with all kept, is still gofmt-formatted, since
// emit copies it without go/format.
func TestPiecesFormatted(t *testing.T) {
	all := model.Pieces()
	for name, src := range templateSources(t) {
		pieces := templatePieces(src)
		cases := map[string][]string{"all kept": all, "all dropped": nil}
		for _, p := range pieces {
			cases["without "+p] = slices.DeleteFunc(slices.Clone(all), func(q string) bool { return q == p })
			cases["only "+p] = []string{p}
		}
		for what, keep := range cases {
			out, err := keepPieces(name, src, keep)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("//conngen:")) {
				t.Errorf("%s, %s: a marker is left", name, what)
			}
			out, err = fromTemplate("x", name, out)
			if err != nil {
				t.Fatal(err)
			}
			want, err := format.Source(out)
			if err != nil {
				t.Errorf("%s, %s: %v", name, what, err)
				continue
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s, %s: not gofmt-formatted once the pieces are dropped:\n%s", name, what, diffLines(want, out))
			}
		}
	}
}

func TestKeepPieces(t *testing.T) {
	src := "package p\n\nfunc f() {\n\ta()\n\t//conngen:if x y\n\tb()\n\t//conngen:if z\n\tc()\n\t//conngen:end\n\t//conngen:end\n}\n"
	for _, tt := range []struct {
		keep []string
		want string
	}{
		{nil, "package p\n\nfunc f() {\n\ta()\n}\n"},
		{[]string{"y"}, "package p\n\nfunc f() {\n\ta()\n\tb()\n}\n"},
		{[]string{"x", "z"}, "package p\n\nfunc f() {\n\ta()\n\tb()\n\tc()\n}\n"},
		{[]string{"z"}, "package p\n\nfunc f() {\n\ta()\n}\n"},
	} {
		got, err := keepPieces("t.go", []byte(src), tt.keep)
		if err != nil || string(got) != tt.want {
			t.Errorf("keep %v: got %q, %v; want %q", tt.keep, got, err, tt.want)
		}
	}
	for _, bad := range []string{"//conngen:if x\n", "//conngen:end\n", "//conngen:else\n"} {
		if _, err := keepPieces("t.go", []byte(bad), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// diffLines shows the first line where got differs from want.
func diffLines(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			lo := max(i-3, 0)
			return "want:\n" + strings.Join(w[lo:min(i+4, len(w))], "\n") + "\ngot:\n" + strings.Join(g[lo:min(i+4, len(g))], "\n")
		}
	}
	return "the same up to line " + strconv.Itoa(min(len(w), len(g))) + "; lengths differ"
}
