package spec_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
)

// FuzzLoad feeds arbitrary bytes to the loader; whatever it accepts must
// also generate. Neither may panic. Seeds: specs/ and the error cases.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../../specs/*.yaml", "../../internal/cli/testdata/errors/*/spec.yaml", "../testdata/compile/*.yaml"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := spec.Load("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(spec.ErrorList); !ok {
				t.Fatalf("error is %T, want spec.ErrorList", err)
			}
			return
		}
		if _, err := generator.Generate(s); err != nil {
			t.Fatalf("a valid spec failed to generate: %v", err)
		}
	})
}
