package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestPackedRegistry packs the registry of two maintained specs (as a
// large API's is packed) and wants Actions() to return, byte for byte, the
// whole schemas the model describes, and Invoke to check input against
// them.
func TestPackedRegistry(t *testing.T) {
	defer func(n int) { model.PackSchemasOver = n }(model.PackSchemasOver)
	model.PackSchemasOver = 0
	root := testsupport.RepoRoot()
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "packed.test"); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	main := "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n"
	body := ""
	for _, name := range []string{"github", "stripe"} {
		s, _, err := generator.LoadFile(filepath.Join(root, "specs", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		c := model.Build(s)
		if !c.PackSchemas || !strings.Contains(strings.Join(c.Runtime.Pieces, " "), model.PieceSchemaPack) {
			t.Fatalf("%s: not packed", name)
		}
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Registry {
			want.WriteString(e.InputSchema() + "\n" + e.OutputSchema() + "\n")
		}
		main += "\t\"packed.test/" + out.Name + "\"\n"
		body += "\tfor _, a := range " + out.Name + ".Actions() {\n\t\tfmt.Println(string(a.Input))\n\t\tfmt.Println(string(a.Output))\n\t}\n"
		body += "\tif c, err := " + out.Name + ".New(" + out.Name + ".Config{AccessToken: \"t\", BaseURL: \"http://127.0.0.1:1\"}); err == nil {\n" +
			"\t\t_, err := c.Invoke(context.Background(), " + `"` + c.Registry[0].Action.Name + `"` + ", []byte(`{\"notAKey\":1}`))\n" +
			"\t\tfmt.Fprintln(os.Stderr, err)\n\t} else {\n\t\tfmt.Fprintln(os.Stderr, err)\n\t}\n"
	}
	main += "\t\"os\"\n)\n\nfunc main() {\n" + body + "}\n"
	if err := os.WriteFile(filepath.Join(mod, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := testsupport.Go(mod, "vet", "./..."); err != nil {
		t.Fatal(err)
	}
	got, err := testsupport.Go(mod, "run", ".")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	var schemas, refusals []string
	for _, l := range lines {
		if strings.HasPrefix(l, "{") {
			schemas = append(schemas, l)
		} else {
			refusals = append(refusals, l)
		}
	}
	if strings.Join(schemas, "\n")+"\n" != want.String() {
		t.Errorf("Actions() of the packed registries differ from the model's schemas")
	}
	if len(refusals) != 2 {
		t.Fatalf("want one refusal per connector, got %q", refusals)
	}
	for _, r := range refusals {
		if !strings.Contains(r, "notAKey") || !strings.Contains(r, "invalid input") {
			t.Errorf("Invoke with a packed schema: %s", r)
		}
	}
}

// TestStripeRegistrySize: the registry of the full Stripe import, 402
// actions whose schemas add up to tens of megabytes once each carries its
// $defs, stays within 1 MB of source (issue 22).
func TestStripeRegistrySize(t *testing.T) {
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found")
	}
	s, _, err := openapi.Import(filepath.Join(dir, "stripe.libopenapi-stripe-old.yaml"), openapi.Options{Name: "stripe"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := generator.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Files["registry.go"]); n == 0 || n > 1<<20 {
		t.Errorf("registry.go of the full Stripe import: %d bytes, want at most 1 MiB", n)
	}
}
