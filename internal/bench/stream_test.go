package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/conngen/conngen/generated/openai"
)

// BenchmarkStream measures the streamed bodies of generated/openai against
// hand-written net/http code on the same loopback server in the same run:
// a 256 MiB download (CreateSpeech, MB/s) against io.Copy of a plain
// net/http response, and a stream of chat completion chunks
// (CreateChatCompletionEvents, events/s, each decoded into
// ChatCompletionChunk) against a bufio.Scanner reader that decodes the same.
func BenchmarkStream(b *testing.B) {
	const size = 256 << 20
	block := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KiB
	const events = 20000
	var stream bytes.Buffer
	for i := range events {
		fmt.Fprintf(&stream, "id: %d\ndata: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token %d\"},\"finish_reason\":null}]}\n\n", i, i)
	}
	stream.WriteString("data: [DONE]\n\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/audio/speech":
			w.Header().Set("Content-Length", strconv.Itoa(size))
			for sent := 0; sent < size; sent += len(block) {
				if _, err := w.Write(block); err != nil {
					return
				}
			}
		case "/chat/completions":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write(stream.Bytes())
		}
	}))
	defer srv.Close()
	hc := srv.Client()
	c, err := openai.New(openai.Config{BaseURL: srv.URL, HTTPClient: hc, AccessToken: "k"})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	post := func(path string) *http.Response {
		req, _ := http.NewRequestWithContext(b.Context(), "POST", srv.URL+path, strings.NewReader(`{"model":"m"}`))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		return resp
	}

	b.Run("download/conngen", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			resp, err := c.CreateSpeech(b.Context(), openai.CreateSpeechParams{Body: openai.SpeechRequest{Model: "m"}})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.CopyBuffer(io.Discard, resp.Body, buf); err != nil || n != size {
				b.Fatal(n, err)
			}
			resp.Body.Close()
		}
	})
	b.Run("download/nethttp", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			resp := post("/audio/speech")
			if n, err := io.CopyBuffer(io.Discard, resp.Body, buf); err != nil || n != size {
				b.Fatal(n, err)
			}
			resp.Body.Close()
		}
	})
	b.Run("sse/conngen", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for ev, err := range c.CreateChatCompletionEvents(b.Context(), openai.CreateChatCompletionParams{Body: openai.ChatCompletionRequest{Model: "m"}}) {
				if err != nil || len(ev.Data.Choices) != 1 {
					b.Fatal(err)
				}
				n++
			}
			if n != events {
				b.Fatal(n)
			}
		}
		b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("sse/scanner", func(b *testing.B) {
		for b.Loop() {
			resp := post("/chat/completions")
			n := 0
			sc := bufio.NewScanner(resp.Body)
			var data []byte
			for sc.Scan() {
				line := sc.Bytes()
				if len(line) == 0 {
					if string(data) == "[DONE]" {
						break
					}
					var chunk openai.ChatCompletionChunk
					if err := json.Unmarshal(data, &chunk); err != nil || len(chunk.Choices) != 1 {
						b.Fatal(err)
					}
					n++
					data = data[:0]
					continue
				}
				if v, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
					data = append(data, v...)
				}
			}
			resp.Body.Close()
			if n != events {
				b.Fatal(n)
			}
		}
		b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
