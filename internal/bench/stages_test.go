package bench

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
)

// StageDocs are the documents BenchmarkStages splits: the largest that
// both conngen and oapi-codegen handle, and the scaling series' largest.
var StageDocs = []string{
	"discord-openapi.json",
	"twilio-api-v2010.json",
	"spotify-web-api.fixed.yaml",
	"github-api.ogen-testdata.json",
	"kubernetes.swagger2.unprocessed.k8s-client-js.json",
}

// BenchmarkStages is BenchmarkInProcess split into its stages, each
// reported in ms per run: import (OpenAPI → spec), marshal (spec → YAML,
// the end of `conngen import`), load (YAML → validated spec, the start of
// `conngen generate`) and generate (rendering). Not part of `make bench`:
// it is for finding where the time goes.
//
//	go test ./internal/bench -run '^$' -bench '^BenchmarkStages$' -benchtime 5x
func BenchmarkStages(b *testing.B) {
	dir := corpus(b)
	for _, doc := range StageDocs {
		b.Run(docName(doc), func(b *testing.B) {
			path := filepath.Join(dir, doc)
			var imp, mar, load, gen time.Duration
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				s, _, err := openapi.Import(path, openapi.Options{Name: PkgName(doc)})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				data, err := spec.Marshal(s)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				s2, _, err := spec.Load(PkgName(doc)+".yaml", data)
				if err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				if _, err := generator.Generate(s2); err != nil {
					b.Fatal(err)
				}
				t4 := time.Now()
				imp, mar, load, gen = imp+t1.Sub(t0), mar+t2.Sub(t1), load+t3.Sub(t2), gen+t4.Sub(t3)
			}
			perRun := func(d time.Duration) float64 { return float64(d) / 1e6 / float64(b.N) }
			b.ReportMetric(perRun(imp), "import-ms")
			b.ReportMetric(perRun(mar), "marshal-ms")
			b.ReportMetric(perRun(load), "load-ms")
			b.ReportMetric(perRun(gen), "generate-ms")
		})
	}
}
