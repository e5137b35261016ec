package bench

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/conngen/conngen/internal/search"
	"github.com/conngen/conngen/internal/search/eval"
)

// BenchmarkSearch is the ranking behind conngen mcp's search_actions
// (internal/search) on the full GitHub and Stripe imports: per API, the
// share of task phrasings whose expected action ranks first (top1) and in
// the first five (top5), on the tuning phrasings and on the held-out ones
// (heldout-top1, heldout-top5; internal/search/testdata), the time to
// build the index (build-ms) and, as ns/op, one query (the phrasings in
// turn, 10 hits each).
//
//	go test ./internal/bench -run '^$' -bench '^BenchmarkSearch$' -benchtime 2000x
func BenchmarkSearch(b *testing.B) {
	dir := corpus(b)
	testdata := filepath.Join(RepoRoot(), "internal", "search", "testdata")
	sets := map[string][]eval.Phrasing{}
	for _, set := range []string{"phrasings", "heldout"} {
		ps, err := eval.LoadPhrasings(filepath.Join(testdata, set+".json"))
		if err != nil {
			b.Fatal(err)
		}
		sets[set] = ps
	}
	for _, api := range eval.Names() {
		b.Run(api, func(b *testing.B) {
			docs, err := eval.Docs(dir, api)
			if err != nil {
				b.Skipf("%s: %v", api, err)
			}
			const builds = 5
			start := time.Now()
			var ix *search.Index
			for range builds {
				ix = search.New(docs)
			}
			build := time.Since(start) / builds

			idx := map[string]*search.Index{api: ix}
			all := map[string][]search.Doc{api: docs}
			metrics := map[string]float64{}
			var queries []string
			for _, set := range []string{"phrasings", "heldout"} {
				res, err := eval.Evaluate(idx, all, sets[set])
				if err != nil {
					b.Fatal(err)
				}
				r := res[api]
				if r == nil {
					continue
				}
				prefix := ""
				if set == "heldout" {
					prefix = "heldout-"
				}
				metrics[prefix+"top1"], metrics[prefix+"top5"] = r.Ratio1(), r.Ratio5()
				for _, p := range sets[set] {
					if p.API == api {
						queries = append(queries, p.Query)
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer() // (which drops reported metrics: they come after)
			for i := 0; i < b.N; i++ {
				ix.Search(queries[i%len(queries)], 10)
			}
			b.StopTimer()
			for unit, v := range metrics {
				b.ReportMetric(v, unit)
			}
			b.ReportMetric(float64(build.Microseconds())/1000, "build-ms")
			b.ReportMetric(float64(len(docs)), "actions")
		})
	}
}
