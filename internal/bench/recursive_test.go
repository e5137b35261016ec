package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
)

// recursiveSetup is one size of BenchmarkRecursiveSchemas: its document,
// written once, and one CLI run on it. go test runs a sub-benchmark more
// than once (b.N = 1 first), so it is cached.
type recursiveSetup struct {
	once sync.Once
	doc  string
	cli  RecursiveRun
	err  error
}

var recursiveSetups sync.Map // number of schemas → *recursiveSetup

func recursive(b *testing.B, n int) *recursiveSetup {
	v, _ := recursiveSetups.LoadOrStore(n, &recursiveSetup{})
	rs := v.(*recursiveSetup)
	rs.once.Do(func() {
		dir := filepath.Join(scratchDir, fmt.Sprintf("recursive-%d", n))
		if rs.err = os.MkdirAll(dir, 0o755); rs.err != nil {
			return
		}
		rs.doc = filepath.Join(dir, fmt.Sprintf("recursive%d.json", n))
		if rs.err = os.WriteFile(rs.doc, RecursiveDoc(n), 0o644); rs.err != nil {
			return
		}
		rs.cli, rs.err = RecursiveCLI(tools(b)[0].Bin, rs.doc, dir, PkgName(rs.doc))
	})
	if rs.err != nil {
		b.Fatal(rs.err)
	}
	return rs
}

// BenchmarkRecursiveSchemas is conngen's import + generate on synthetic
// documents of 100, 1,000 and 10,000 recursive schemas (RecursiveDoc:
// self-references behind a description wrapper, a cycle through arrays,
// single-part allOf wrappers, inheritance, discriminated unions, maps),
// to show that time and memory grow linearly with the number of schemas:
// BenchmarkRecursiveSchemas/schemas=N.
//
// The documents are generated here, at bench time, into the scratch
// directory; `go test` without -bench never builds them. Each size is
// first run once through the CLI (`conngen import`, then `conngen
// generate`, as BenchmarkCLI does), under a memory cap and a timeout
// (RecursiveMemCap, RecursiveTimeout): that run gives the peak RSS, and a
// generator that does not finish fails there, before the in-process loop.
// The loop is then import + generate in memory, as in BenchmarkInProcess
// (InProcess, with its stages timed).
//
// Metrics: ns/op, B/op and allocs/op of the in-process run; ns/schema and
// B/schema (the same divided by the number of schemas), and ns/schema of
// each stage: import-ns/schema (openapi.Import), roundtrip-ns/schema
// (spec.Marshal and spec.Load) and generate-ns/schema (generator.Generate);
// peak-RSS-MiB (the
// larger of the CLI's two processes, with import-RSS-MiB and
// generate-RSS-MiB each) and cli-ms; schemas, operations, lines (of the
// generated .go files) and warnings (of generate).
func BenchmarkRecursiveSchemas(b *testing.B) {
	for _, n := range RecursiveSizes {
		b.Run(fmt.Sprintf("schemas=%d", n), func(b *testing.B) {
			rs := recursive(b, n)
			pkg := PkgName(rs.doc)
			var out *generator.Output
			ops := 0
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			b.ReportAllocs()
			b.ResetTimer()
			var imp, trip, gen time.Duration
			for i := 0; i < b.N; i++ {
				// InProcess, its stages timed: import, spec YAML out and
				// back in (Marshal, Load), generate.
				t0 := time.Now()
				s, _, err := openapi.Import(rs.doc, openapi.Options{Name: pkg})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				data, err := spec.Marshal(s)
				if err != nil {
					b.Fatal(err)
				}
				s2, _, err := spec.Load(pkg+".yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if out, err = generator.Generate(s2); err != nil {
					b.Fatal(err)
				}
				imp, trip, gen = imp+t1.Sub(t0), trip+t2.Sub(t1), gen+time.Since(t2)
				ops = len(s2.Actions)
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			alloc := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(b.N)
			lines := 0
			for name, src := range out.Files {
				if strings.HasSuffix(name, ".go") {
					lines += bytes.Count(src, []byte("\n"))
				}
			}
			mib := func(v int64) float64 { return float64(v) / (1 << 20) }
			b.ReportMetric(float64(n), "schemas")
			b.ReportMetric(float64(ops), "operations")
			b.ReportMetric(float64(lines), "lines")
			b.ReportMetric(float64(len(out.Warnings)), "warnings")
			b.ReportMetric(perOp/float64(n), "ns/schema")
			perSchema := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / float64(n) }
			b.ReportMetric(perSchema(imp), "import-ns/schema")
			b.ReportMetric(perSchema(trip), "roundtrip-ns/schema")
			b.ReportMetric(perSchema(gen), "generate-ns/schema")
			b.ReportMetric(alloc/float64(n), "B/schema")
			b.ReportMetric(mib(max(rs.cli.Import.MaxRSS, rs.cli.Generate.MaxRSS)), "peak-RSS-MiB")
			b.ReportMetric(mib(rs.cli.Import.MaxRSS), "import-RSS-MiB")
			b.ReportMetric(mib(rs.cli.Generate.MaxRSS), "generate-RSS-MiB")
			b.ReportMetric(float64((rs.cli.Import.Wall+rs.cli.Generate.Wall).Microseconds())/1e3, "cli-ms")
		})
	}
}

// TestRecursiveDoc checks the synthetic document's shapes on a small one.
// It only builds the JSON: no import, no generate.
func TestRecursiveDoc(t *testing.T) {
	const n = 20
	data := RecursiveDoc(n)
	if !bytes.Equal(data, RecursiveDoc(n)) {
		t.Fatal("RecursiveDoc is not deterministic")
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas map[string]map[string]any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(doc.Components.Schemas) != n || len(doc.Paths) != n/10 {
		t.Fatalf("%d schemas and %d paths, want %d and %d", len(doc.Components.Schemas), len(doc.Paths), n, n/10)
	}
	js := func(v any) string { s, _ := json.Marshal(v); return string(s) }
	prop := func(schema, name string) string {
		props, _ := doc.Components.Schemas[schema]["properties"].(map[string]any)
		return js(props[name])
	}
	ref := func(i int) string { return fmt.Sprintf(`{"$ref":"#/components/schemas/S%d"}`, i) }
	for _, c := range []struct{ got, want string }{
		{prop("S4", "parent"), `{"allOf":[` + ref(4) + `],"description":"The parent of this S4."}`},
		{prop("S19", "children"), `{"items":` + ref(0) + `,"type":"array"}`},
		{prop("S15", "next"), `{"allOf":[` + ref(2) + `]}`},
		{js(doc.Components.Schemas["S16"]["allOf"]), `[` + ref(15) + `,{"properties":{"level16":{"type":"integer"}},"type":"object"}]`},
		{prop("S13", "variant"), `{"discriminator":{"mapping":{"first":"#/components/schemas/S14"},"propertyName":"kind"},"oneOf":[` + ref(14) + `,` + ref(15) + `]}`},
		{prop("S8", "tags"), `{"additionalProperties":{"items":` + ref(11) + `,"type":"array"},"type":"object"}`},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}
