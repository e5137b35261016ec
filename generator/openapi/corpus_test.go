package openapi

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

// corpusDir finds shared/openapi (the real-world documents, never copied
// into the repository) by walking up from the package directory.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "openapi")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("shared/openapi not found")
		}
		dir = parent
	}
}

func corpusFiles(tb testing.TB) []string {
	dir := corpusDir(tb)
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".json", ".yaml", ".yml":
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		tb.Skip("no documents in shared/openapi")
	}
	return files
}

// countOperations counts the operations of a raw document, TRACE excepted.
func countOperations(tb testing.TB, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := parseRaw(data, "", &warnings{})
	if err != nil {
		tb.Fatal(err)
	}
	paths, _ := v.(map[string]any)["paths"].(map[string]any)
	n := 0
	for _, item := range paths {
		m, _ := item.(map[string]any)
		for _, method := range methods {
			if _, ok := m[strings.ToLower(method)]; ok {
				n++
			}
		}
	}
	return n
}

func TestImportCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			if st, err := os.Stat(path); testing.Short() && err == nil && st.Size() > 1<<20 {
				t.Skip("large document skipped in -short mode")
			}
			t.Parallel()
			start := time.Now()
			s, warns, err := Import(path, Options{})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			ops := countOperations(t, path)
			if len(s.Actions) != ops {
				t.Errorf("%d actions, want %d (the document's operations)", len(s.Actions), ops)
			}
			if ops > 0 && len(s.Actions) == 0 {
				t.Errorf("no actions")
			}
			if strings.HasPrefix(name, "spotify-web-api") && len(s.Actions) != 97 {
				t.Errorf("spotify: %d actions, want 97", len(s.Actions))
			}
			for _, w := range warns {
				if !strings.HasPrefix(w.Pointer, "#") && w.Pointer != "" && !strings.Contains(w.Pointer, "#") {
					t.Errorf("warning pointer %q is not a JSON pointer", w.Pointer)
				}
			}
			out, err := yaml.Marshal(s)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}

			// deterministic
			s2, warns2, err := Import(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			out2, _ := yaml.Marshal(s2)
			if !bytes.Equal(out, out2) {
				t.Errorf("two imports differ")
			}
			if len(warns) != len(warns2) {
				t.Errorf("two imports give %d and %d warnings", len(warns), len(warns2))
			}

			// round trip through YAML
			var generic any
			if err := yaml.Unmarshal(out, &generic); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			again, err := yaml.Marshal(generic)
			if err != nil {
				t.Fatal(err)
			}
			var generic2 any
			if err := yaml.Unmarshal(again, &generic2); err != nil {
				t.Fatal(err)
			}

			// the spec loader and validator accept it
			loaded, _, err := spec.Load(name+".conngen.yaml", out)
			if err != nil {
				msg := err.Error()
				if lines := strings.Split(msg, "\n"); len(lines) > 30 {
					msg = strings.Join(lines[:30], "\n") + "\n..."
				}
				t.Fatalf("spec.Load: %d problems:\n%s", strings.Count(err.Error(), "\n")+1, msg)
			}
			reout, err := yaml.Marshal(loaded)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, reout) {
				t.Errorf("spec.Load + yaml.Marshal does not give the same bytes back")
			}
			t.Logf("%s: %d operations, %d actions, %d schemas, %d warnings, auth %s, ping %v, %v",
				name, ops, len(s.Actions), len(s.Schemas), len(warns), s.Auth.Type, s.Ping, elapsed.Round(time.Millisecond))
		})
	}
}

func BenchmarkImportKubernetes(b *testing.B) {
	var path string
	for _, p := range corpusFiles(b) {
		if strings.HasPrefix(filepath.Base(p), "kubernetes") {
			path = p
		}
	}
	if path == "" {
		b.Skip("kubernetes document not found")
	}
	for b.Loop() {
		if _, _, err := Import(path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
