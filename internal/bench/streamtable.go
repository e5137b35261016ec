package bench

import (
	"fmt"
	"io"
)

// writeStream is the table of BenchmarkStream: the generated streamed
// download and events iterator against hand-written net/http code.
func writeStream(w io.Writer, m results) {
	fmt.Fprintf(w, "### Streamed bodies (generated/openai, loopback httptest server)\n\n")
	fmt.Fprintf(w, "| what | conngen | hand-written net/http | conngen vs hand-written |\n|---|---:|---:|---:|\n")
	for _, row := range []struct{ name, hand, unit, label string }{
		{"download", "nethttp", "MB/s", "256 MiB download (CreateSpeech vs io.Copy of http.Response.Body), MB/s"},
		{"sse", "scanner", "events/s", "Server-Sent Events decoded (CreateChatCompletionEvents vs a bufio.Scanner reader), events/s"},
	} {
		cg, cv, ok1 := m.cell("BenchmarkStream/"+row.name+"/conngen", row.unit, count)
		hd, hv, ok2 := m.cell("BenchmarkStream/"+row.name+"/"+row.hand, row.unit, count)
		r := "–"
		if ok1 && ok2 {
			r = ratio(cv, hv)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", row.label, cg, hd, r)
	}
	fmt.Fprintln(w)
}
