package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The benchmarks share one scratch directory, made by TestMain and removed
// after the run, and the conngen CLI built into it.
var (
	scratchDir string

	cliOnce sync.Once
	cliBin  string
	cliErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "conngen-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scratchDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// corpus returns the corpus directory, skipping when it is absent.
func corpus(b *testing.B) string {
	dir := CorpusDir()
	if dir == "" {
		b.Skip("shared/openapi not found (set CONNGEN_OPENAPI_DIR)")
	}
	return dir
}

// tools returns conngen's CLI and the peers.
func tools(b *testing.B) []*Tool {
	cliOnce.Do(func() { cliBin, cliErr = BuildConngen(scratchDir) })
	if cliErr != nil {
		b.Fatal(cliErr)
	}
	return Tools(cliBin)
}

// docName is a document's name in benchmark names: its base name.
func docName(doc string) string {
	return doc
}

// BenchmarkInProcess is conngen's import + generate in memory (import,
// spec YAML, load and validate, generate) on the scaling series, with the
// cost per operation.
func BenchmarkInProcess(b *testing.B) {
	dir := corpus(b)
	for _, doc := range Scaling {
		b.Run(docName(doc), func(b *testing.B) {
			path := filepath.Join(dir, doc)
			ops := 0
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, n, err := InProcess(path, PkgName(doc))
				if err != nil {
					b.Fatal(err)
				}
				ops = n
			}
			b.ReportMetric(float64(ops), "operations")
			if ops > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(ops), "ns/operation")
			}
		})
	}
}

// BenchmarkCLI runs each generator's command line, end to end, on every
// corpus document: BenchmarkCLI/<tool>/<document>. Besides the time it
// reports the generated lines and bytes and the peak RSS of the generator
// process. A generator that fails on a document is skipped with "fails:"
// and its message; that is a result, not an error of the benchmark.
func BenchmarkCLI(b *testing.B) {
	dir := corpus(b)
	for _, tool := range tools(b) {
		b.Run(tool.Name, func(b *testing.B) {
			if tool.Missing != "" {
				b.Skip(tool.Missing)
			}
			for _, doc := range Documents(dir) {
				b.Run(docName(doc), func(b *testing.B) {
					benchCLI(b, tool, filepath.Join(dir, doc))
				})
			}
		})
	}
}

func benchCLI(b *testing.B, tool *Tool, doc string) {
	out := b.TempDir()
	pkg := PkgName(doc)
	var last Run
	var rss int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.RemoveAll(filepath.Join(out, pkg))
		b.StartTimer()
		r, err := tool.Generate(doc, out, pkg)
		if err != nil {
			b.Skipf("fails: %v", err)
		}
		last, rss = r, max(rss, r.MaxRSS)
	}
	b.StopTimer()
	lines, size, err := CountOutput(last.PkgDir)
	if err != nil {
		b.Skipf("fails: %v", err)
	}
	b.ReportMetric(float64(lines), "lines")
	b.ReportMetric(float64(size), "bytes")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
}

// compileSetup is one scratch module per generator, holding its package
// for every document it handles (generated once, outside any timing).
type compileSetup struct {
	once sync.Once
	mod  *Module
	pkgs map[string]string // document → package dir; absent when the generator fails
	err  error
}

var compileSetups sync.Map // tool name → *compileSetup

func compileModule(b *testing.B, tool *Tool, dir string) *compileSetup {
	v, _ := compileSetups.LoadOrStore(tool.Name, &compileSetup{})
	cs := v.(*compileSetup)
	cs.once.Do(func() {
		modDir := filepath.Join(scratchDir, "compile-"+tool.Name)
		if cs.err = os.MkdirAll(modDir, 0o755); cs.err != nil {
			return
		}
		if cs.mod, cs.err = NewModule(modDir, tool.Name); cs.err != nil {
			return
		}
		cs.pkgs = map[string]string{}
		for _, doc := range Documents(dir) {
			r, err := tool.Generate(filepath.Join(dir, doc), modDir, PkgName(doc))
			if err == nil {
				cs.pkgs[doc] = r.PkgDir
			}
		}
		if tool.Name != "conngen" {
			_, cs.err = cs.mod.Go("mod", "tidy")
		}
	})
	if cs.err != nil {
		b.Fatal(cs.err)
	}
	return cs
}

// BenchmarkCompile is the compile time of each generated package alone:
// BenchmarkCompile/<tool>/<document>. The package is built once to warm
// the build cache with its dependencies; then each iteration changes a
// comment-only file of the package (the build cache is keyed by content)
// and times `go build ./PKG`, which compiles that package and nothing
// else. BenchmarkCompile/baseline/empty is the same on an empty package:
// the go command's own overhead, included in every other result.
func BenchmarkCompile(b *testing.B) {
	dir := corpus(b)
	b.Run("baseline", func(b *testing.B) {
		b.Run("empty", func(b *testing.B) {
			modDir := filepath.Join(scratchDir, "compile-baseline")
			pkgDir := filepath.Join(modDir, "empty")
			os.MkdirAll(pkgDir, 0o755)
			m, err := NewModule(modDir, "")
			if err != nil {
				b.Fatal(err)
			}
			os.WriteFile(filepath.Join(pkgDir, "empty.go"), []byte("package empty\n"), 0o644)
			benchBuild(b, m, pkgDir)
		})
	})
	for _, tool := range tools(b) {
		b.Run(tool.Name, func(b *testing.B) {
			if tool.Missing != "" {
				b.Skip(tool.Missing)
			}
			cs := compileModule(b, tool, dir)
			for _, doc := range Documents(dir) {
				b.Run(docName(doc), func(b *testing.B) {
					pkgDir, ok := cs.pkgs[doc]
					if !ok {
						b.Skip("fails: the generator fails on this document")
					}
					benchBuild(b, cs.mod, pkgDir)
				})
			}
		})
	}
}

func benchBuild(b *testing.B, m *Module, pkgDir string) {
	rel := "./" + filepath.Base(pkgDir)
	b.StopTimer()
	if out, err := m.Go("build", rel); err != nil {
		b.Skipf("fails to compile: %s", compileError(out))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := Touch(pkgDir, i); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := m.Go("build", rel); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	lines, size, _ := CountOutput(pkgDir)
	b.ReportMetric(float64(lines), "lines")
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkCall is the cost of one API call: a GET with a path and a query
// parameter and a typed JSON response, against an httptest server on
// 127.0.0.1 in the same process, by a hand-written net/http +
// encoding/json call (nethttp), conngen's generated action (conngen) and
// oapi-codegen's ClientWithResponses (oapi-codegen), all generated from
// testdata/pets.yaml.
//
// The generated packages live in a scratch module (they cannot be imported
// from here), so the harness (testdata/call) runs there with go test
// -bench, seven rounds of one second per client, interleaved; each
// sub-benchmark here reports the median round as its ns/op, B/op and
// allocs/op. Its own loop does nothing.
func BenchmarkCall(b *testing.B) {
	callOnce.Do(func() {
		dir := filepath.Join(scratchDir, "call")
		os.MkdirAll(dir, 0o755)
		var oapi *Tool
		for _, t := range tools(b) {
			if t.Name == "oapi-codegen" && t.Missing == "" {
				oapi = t
			}
		}
		m, err := CallModule(dir, oapi)
		if err != nil {
			callErr = err
			return
		}
		callRes, _, callErr = m.RunCalls(7, "1s")
	})
	if callErr != nil {
		b.Fatal(callErr)
	}
	for _, name := range []string{"nethttp", "conngen", "oapi-codegen"} {
		b.Run(name, func(b *testing.B) {
			r, ok := callRes[name]
			if !ok {
				b.Skip(Tools("")[1].Missing)
			}
			for i := 0; i < b.N; i++ {
			}
			b.ReportMetric(r.NsPerOp, "ns/op")
			b.ReportMetric(r.BytesPerOp, "B/op")
			b.ReportMetric(r.AllocsPerOp, "allocs/op")
		})
	}
}

var (
	callOnce sync.Once
	callRes  map[string]CallResult
	callErr  error
)

// compileError is the first compiler message of go build output.
func compileError(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			return shorten(line)
		}
	}
	return shorten(out)
}
