package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkCallStart is how fast `conngen call SPEC` starts: the first
// call of a spec generates and builds its runner (reported as
// first-call-ms), every later one starts the cached runner (ns/op: the
// whole conngen process, listing the actions).
func BenchmarkCallStart(b *testing.B) {
	cliOnce.Do(func() { cliBin, cliErr = BuildConngen(scratchDir) })
	if cliErr != nil {
		b.Fatal(cliErr)
	}
	spec := filepath.Join(RepoRoot(), "specs", "openweather.yaml")
	cache := b.TempDir()
	call := func() {
		cmd := exec.Command(cliBin, "call", spec)
		cmd.Env = append(os.Environ(), "CONNGEN_CACHE_DIR="+cache)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("conngen call: %v\n%s", err, out)
		}
	}
	start := time.Now()
	call()
	first := time.Since(start)
	b.ResetTimer()
	for b.Loop() {
		call()
	}
	b.ReportMetric(float64(first.Milliseconds()), "first-call-ms")
}
