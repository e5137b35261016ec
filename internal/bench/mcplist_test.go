package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/internal/cli"
)

// mcpDocuments are the documents BenchmarkMCPList and BenchmarkMCPStart
// measure: a small one, and the two largest.
var mcpDocuments = []struct{ name, file string }{
	{"spotify", "spotify-web-api.fixed.yaml"},
	{"github", "github-api.ogen-testdata.json"},
	{"stripe", "stripe.libopenapi-stripe-old.yaml"},
}

// BenchmarkMCPList is the size of what an agent reads first: the JSON of
// conngen mcp's tools/list result, one tool per action (all-bytes) and the
// three search tools (search-bytes), per document; ns/op is computing both.
func BenchmarkMCPList(b *testing.B) {
	dir := corpus(b)
	for _, d := range mcpDocuments {
		b.Run(d.name, func(b *testing.B) {
			s, _, err := openapi.Import(filepath.Join(dir, d.file), openapi.Options{Name: d.name})
			if err != nil {
				b.Fatal(err)
			}
			c := model.Build(s)
			var all, search []byte
			for b.Loop() {
				if all, err = cli.MCPToolsList(c, "all"); err != nil {
					b.Fatal(err)
				}
				if search, err = cli.MCPToolsList(c, "search"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.Registry)), "actions")
			b.ReportMetric(float64(len(all)), "all-bytes")
			b.ReportMetric(float64(len(search)), "search-bytes")
		})
	}
}

// BenchmarkMCPStart is how fast conngen mcp starts on a huge API: the first
// start builds the runner (first-start-s), later ones reuse it (ns/op: the
// whole process, serving tools/list's search tools until stdin closes).
func BenchmarkMCPStart(b *testing.B) {
	dir := corpus(b)
	cliOnce.Do(func() { cliBin, cliErr = BuildConngen(scratchDir) })
	if cliErr != nil {
		b.Fatal(cliErr)
	}
	tmp := b.TempDir()
	spec := filepath.Join(tmp, "github.yaml")
	out, err := exec.Command(cliBin, "import", "--name", "github", filepath.Join(dir, "github-api.ogen-testdata.json")).Output()
	if err != nil {
		b.Fatal(err)
	}
	os.WriteFile(spec, out, 0o644)
	cache := filepath.Join(tmp, "cache")
	start := func() {
		cmd := exec.Command(cliBin, "mcp", spec)
		cmd.Env = append(os.Environ(), "CONNGEN_CACHE_DIR="+cache)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("conngen mcp: %v\n%s", err, out)
		}
	}
	t0 := time.Now()
	start()
	first := time.Since(t0)
	b.ResetTimer()
	for b.Loop() {
		start()
	}
	b.ReportMetric(first.Seconds(), "first-start-s")
}
