// Command benchtable prints the comparison tables of BENCHMARKS.md from
// `go test -v -bench` output of internal/bench (files named as arguments,
// or standard input).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/conngen/conngen/internal/bench"
)

func main() {
	var rs []bench.Result
	if len(os.Args) == 1 {
		rs = bench.ParseBench(os.Stdin)
	}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		rs = append(rs, bench.ParseBench(io.Reader(f))...)
		f.Close()
	}
	if len(rs) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results")
		os.Exit(1)
	}
	bench.WriteTable(os.Stdout, rs)
}
