package openapi

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDump(t *testing.T) {
	f := os.Getenv("DUMP")
	if f == "" {
		t.Skip()
	}
	s, warns, err := Import(filepath.Join(corpusDir(t), f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warns {
		t.Log(w)
	}
	if os.Getenv("OUT") != "" {
		b, _ := yaml.Marshal(s)
		os.WriteFile(os.Getenv("OUT"), b, 0o644)
	}
}
