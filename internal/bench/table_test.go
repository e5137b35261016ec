package bench

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkCLI/conngen/a.yaml-2         	       3	  20000000 ns/op	     21049 bytes	       700.0 lines	        13.24 peak-RSS-MiB	   17248 B/op	     117 allocs/op
BenchmarkCLI/oapi-codegen/a.yaml-2    	       3	  40000000 ns/op	     21187 bytes	       1400 lines	        23.64 peak-RSS-MiB	   75552 B/op	      94 allocs/op
BenchmarkCLI/ogen/a.yaml
    bench_test.go:113: fails: ogen: exit status 1: unsupported version: 2.0
--- SKIP: BenchmarkCLI/ogen/a.yaml
BenchmarkCall/nethttp-2 	       1	     40000 ns/op	    8406 B/op	     103 allocs/op
BenchmarkCall/conngen-2 	       1	     42000 ns/op	    9428 B/op	     111 allocs/op
`

func TestParseBench(t *testing.T) {
	rs := ParseBench(strings.NewReader(sample))
	if len(rs) != 5 {
		t.Fatalf("got %d results, want 5: %+v", len(rs), rs)
	}
	if r := rs[0]; r.Name != "BenchmarkCLI/conngen/a.yaml" || r.N != 3 || r.Metrics["lines"] != 700 || r.Metrics["ns/op"] != 2e7 {
		t.Errorf("first result: %+v", r)
	}
	if r := rs[2]; r.Name != "BenchmarkCLI/ogen/a.yaml" || r.N != 0 || !strings.HasPrefix(r.Skip, "fails: ogen") {
		t.Errorf("skipped result: %+v", r)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	WriteTable(&b, ParseBench(strings.NewReader(sample)))
	out := b.String()
	for _, want := range []string{
		"| a.yaml | 20 ms | 40 ms | 0.50× | fails |",
		"| a.yaml | 700 | 1400 | 0.50× | fails |",
		"| conngen | 42000 | 9428 | 111 | 1.05× |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

const recursiveSample = `BenchmarkRecursiveSchemas/schemas=100-2   	5	  40000000 ns/op	    160000 B/schema	  100000 import-ns/schema	        20.00 peak-RSS-MiB	       400000 ns/schema	        10.00 operations	  2500 lines	       100.0 schemas	16000000 B/op	  150000 allocs/op
BenchmarkRecursiveSchemas/schemas=1000-2  	5	 440000000 ns/op	    168000 B/schema	  120000 import-ns/schema	        92.00 peak-RSS-MiB	       440000 ns/schema	       100.0 operations	 18000 lines	      1000 schemas	168000000 B/op	 1500000 allocs/op
BenchmarkRecursiveSchemas/schemas=10000
    recursive_test.go:44: conngen generate recursive10000.json: did not finish within 10m0s
--- FAIL: BenchmarkRecursiveSchemas/schemas=10000
`

func TestWriteTableRecursive(t *testing.T) {
	var b strings.Builder
	WriteTable(&b, ParseBench(strings.NewReader(recursiveSample)))
	out := b.String()
	for _, want := range []string{
		"| 100 | 10 | 2500 | 40 ms | 400 µs | 1.00× | 16 MB | 160 KB | 1.00× | 20 MiB | – |",
		"| 1000 | 100 | 18000 | 440 ms | 440 µs | 1.10× | 168 MB | 168 KB | 1.05× | 92 MiB | 81.9 KiB |",
		"| 10000 | – |",
		"| 1000 | 120 µs | 1.20× | – | | – | |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
