package openapi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

func TestGenAll(t *testing.T) {
	if os.Getenv("GENALL") == "" {
		t.Skip()
	}
	for _, path := range corpusFiles(t) {
		s, _, err := Import(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := yaml.Marshal(s)
		loaded, _, err := spec.Load("x.yaml", b)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
			continue
		}
		out, err := generator.Generate(loaded)
		if err != nil {
			t.Errorf("%s: generate: %v", filepath.Base(path), err)
			continue
		}
		dir := filepath.Join("/tmp/gen", s.Name)
		os.RemoveAll(dir)
		if err := generator.Write("/tmp/gen", out); err != nil {
			t.Errorf("%s: write: %v", filepath.Base(path), err)
		}
		t.Logf("%s ok", filepath.Base(path))
	}
}
