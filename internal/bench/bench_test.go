package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
// BenchmarkCompile/<tool>/<document>, and BenchmarkCompile/baseline/empty,
// an empty package: the go command's own overhead, included in every
// other result. Every package is built once to warm the build cache with
// its dependencies; then, in each of compileRounds rounds, every
// document's packages are built one after another (the baseline first,
// then each tool's, the tools' order turning from round to round), each
// after a change to a comment-only file (the build cache is keyed by
// content), timing `go build ./PKG`, which compiles that package and
// nothing else. Each result is the median of its rounds (of
// compileRoundsLong for the slowest packages, compileLong). Built seconds
// apart rather than minutes, the packages of one document feel the same
// drift of the machine's speed, so their ratio is steadier than their
// times. The sub-benchmarks' own loops do nothing.
func BenchmarkCompile(b *testing.B) {
	dir := corpus(b)
	all := tools(b)
	res := measureCompile(b, all, dir)
	report := func(b *testing.B, key string) {
		r, ok := res[key]
		if !ok {
			b.Skip("fails: the generator fails on this document")
		}
		if r.skip != "" {
			b.Skip(r.skip)
		}
		for i := 0; i < b.N; i++ {
		}
		b.ReportMetric(median(r.times), "ns/op")
		lines, size, _ := CountOutput(r.pkgDir)
		b.ReportMetric(float64(lines), "lines")
		b.ReportMetric(float64(size), "bytes")
	}
	b.Run("baseline", func(b *testing.B) {
		b.Run("empty", func(b *testing.B) { report(b, "baseline/empty") })
	})
	for _, tool := range all {
		b.Run(tool.Name, func(b *testing.B) {
			if tool.Missing != "" {
				b.Skip(tool.Missing)
			}
			for _, doc := range Documents(dir) {
				b.Run(docName(doc), func(b *testing.B) { report(b, tool.Name+"/"+doc) })
			}
		})
	}
}

// compileRounds is how many times BenchmarkCompile builds each package;
// one whose first timed build took over compileLong only compileRoundsLong
// times (the largest, GitHub's and Kubernetes', take 8-35 s a build, and
// vary less).
const (
	compileRounds     = 5
	compileRoundsLong = 3
	compileLong       = 4 * time.Second
)

// compileResult is one package's builds in BenchmarkCompile.
type compileResult struct {
	mod    *Module
	pkgDir string
	times  []float64 // ns, one per timed build
	skip   string    // why it was not timed: it does not compile
}

var (
	compileOnce    sync.Once
	compileResults map[string]*compileResult // "<tool>/<document>", "baseline/empty"
	compileErr     error
)

// measureCompile builds every package compileRounds times, interleaved
// (BenchmarkCompile), once per run of the benchmark binary.
func measureCompile(b *testing.B, all []*Tool, dir string) map[string]*compileResult {
	compileOnce.Do(func() {
		res := map[string]*compileResult{}
		modDir := filepath.Join(scratchDir, "compile-baseline")
		pkgDir := filepath.Join(modDir, "empty")
		os.MkdirAll(pkgDir, 0o755)
		m, err := NewModule(modDir, "")
		if err != nil {
			compileErr = err
			return
		}
		os.WriteFile(filepath.Join(pkgDir, "empty.go"), []byte("package empty\n"), 0o644)
		res["baseline/empty"] = &compileResult{mod: m, pkgDir: pkgDir}
		var present []*Tool
		for _, tool := range all {
			if tool.Missing != "" {
				continue
			}
			present = append(present, tool)
			cs := compileModule(b, tool, dir)
			if cs.err != nil {
				compileErr = cs.err
				return
			}
			for doc, pkgDir := range cs.pkgs {
				res[tool.Name+"/"+doc] = &compileResult{mod: cs.mod, pkgDir: pkgDir}
			}
		}
		// build times one build of r's package; round -1 warms the cache
		// and marks a package that does not compile, untimed.
		build := func(r *compileResult, round int) error {
			if r.skip != "" {
				return nil
			}
			if err := Touch(r.pkgDir, round); err != nil {
				return err
			}
			start := time.Now()
			out, err := r.mod.Go("build", "./"+filepath.Base(r.pkgDir))
			if err != nil && round < 0 {
				r.skip = "fails to compile: " + compileError(out)
				return nil
			}
			if err != nil {
				return err // it compiled when warming up
			}
			if round >= 0 {
				r.times = append(r.times, float64(time.Since(start).Nanoseconds()))
			}
			return nil
		}
		for _, r := range res {
			if compileErr = build(r, -1); compileErr != nil {
				return
			}
		}
		docs := Documents(dir)
		for round := 0; round < compileRounds; round++ {
			if compileErr = build(res["baseline/empty"], round); compileErr != nil {
				return
			}
			for _, doc := range docs {
				for i := range present {
					tool := present[(i+round)%len(present)]
					if r, ok := res[tool.Name+"/"+doc]; ok && (round < compileRoundsLong || len(r.times) == 0 || r.times[0] <= float64(compileLong.Nanoseconds())) {
						if compileErr = build(r, round); compileErr != nil {
							return
						}
					}
				}
			}
		}
		compileResults = res
	})
	if compileErr != nil {
		b.Fatal(compileErr)
	}
	return compileResults
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
