// Package sseinterop checks the generated Server-Sent Events iterator
// (generated/openai CreateChatCompletionEvents) against SSE servers
// nobody on this team wrote: github.com/tmaxmax/go-sse's Session and
// gin's encoder, github.com/gin-contrib/sse, on loopback. What they send
// is what the iterator must yield, event by event.
package sseinterop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ginsse "github.com/gin-contrib/sse"
	gosse "github.com/tmaxmax/go-sse"

	"github.com/conngen/conngen/generated/openai"
)

type sent struct {
	id, event string
	retry     time.Duration
	chunk     openai.ChatCompletionChunk
}

func chunk(i int) openai.ChatCompletionChunk {
	return openai.ChatCompletionChunk{ID: "chatcmpl-1", Object: "chat.completion.chunk", Created: int64(1700000000 + i), Model: "m",
		Choices: []openai.ChatChunkChoice{{Index: 0, Delta: openai.ChatDelta{Content: openai.Ptr(fmt.Sprintf("word %d\nline two", i))}}}}
}

func client(t *testing.T, h http.HandlerFunc) *openai.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := openai.New(openai.Config{BaseURL: srv.URL, HTTPClient: srv.Client(), AccessToken: "k"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect runs the iterator, signalling got after each event.
func collect(t *testing.T, c *openai.Client, got chan<- struct{}) []openai.ServerEvent[openai.ChatCompletionChunk] {
	var out []openai.ServerEvent[openai.ChatCompletionChunk]
	for ev, err := range c.CreateChatCompletionEvents(t.Context(), openai.CreateChatCompletionParams{Body: openai.ChatCompletionRequest{Model: "m", Stream: openai.Ptr(true)}}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
		got <- struct{}{}
	}
	return out
}

func check(t *testing.T, want []sent, got []openai.ServerEvent[openai.ChatCompletionChunk]) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	lastID := ""
	for i, w := range want {
		if w.id != "" {
			lastID = w.id // WHATWG: the last event ID persists
		}
		g := got[i]
		wj, _ := json.Marshal(w.chunk)
		gj, _ := json.Marshal(g.Data)
		if g.ID != lastID || g.Event != w.event || g.Retry != w.retry || string(gj) != string(wj) {
			t.Errorf("event %d: got {%q %q %v %s}, want {%q %q %v %s}", i, g.ID, g.Event, g.Retry, gj, lastID, w.event, w.retry, wj)
		}
	}
}

func wait(r *http.Request, got <-chan struct{}) bool {
	select {
	case <-got:
		return true
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
	return false
}

func TestGoSSESession(t *testing.T) {
	var want []sent
	for i := range 6 {
		w := sent{chunk: chunk(i)}
		if i%2 == 0 {
			w.id = fmt.Sprint("id-", i)
		}
		if i%3 == 0 {
			w.event = "delta"
		}
		if i == 4 {
			w.retry = 2500 * time.Millisecond
		}
		want = append(want, w)
	}
	got := make(chan struct{}, 1)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		sess, err := gosse.Upgrade(w, r)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		hello := &gosse.Message{}
		hello.AppendComment("connected\nto the test")
		sess.Send(hello)
		for i, ev := range want {
			m := &gosse.Message{Retry: ev.retry}
			if ev.id != "" {
				m.ID = gosse.ID(ev.id)
			}
			if ev.event != "" {
				m.Type = gosse.Type(ev.event)
			}
			data, _ := json.MarshalIndent(ev.chunk, "", "  ") // several data lines
			m.AppendData(string(data))
			if err := sess.Send(m); err != nil || sess.Flush() != nil {
				return
			}
			if i < len(want)-1 && !wait(r, got) { // one by one
				return
			}
		}
		done := &gosse.Message{}
		done.AppendData("[DONE]")
		sess.Send(done)
		sess.Flush()
	})
	check(t, want, collect(t, c, got))
}

func TestGinContribSSEEncoder(t *testing.T) {
	var want []sent
	for i := range 5 {
		want = append(want, sent{id: fmt.Sprint(i + 1), event: []string{"", "message", "delta"}[i%3], retry: time.Duration(i*100) * time.Millisecond, chunk: chunk(i)})
	}
	got := make(chan struct{}, 1)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		for i, ev := range want {
			e := ginsse.Event{Id: ev.id, Event: ev.event, Retry: uint(ev.retry / time.Millisecond), Data: ev.chunk}
			if err := e.Render(w); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			if i < len(want)-1 && !wait(r, got) {
				return
			}
		}
		ginsse.Encode(w, ginsse.Event{Data: "[DONE]"})
	})
	check(t, want, collect(t, c, got))
}

// TestGoSSEMessageTextRoundTrip has go-sse write messages whose data mixes
// CR, LF and CRLF line ends and whose fields need escaping, and wants the
// iterator to read back what go-sse's own parser reads.
func TestGoSSEMessageTextRoundTrip(t *testing.T) {
	payloads := []string{"a\r\nb\rc\nd", "  two leading spaces", ": not a comment", "data: inside", "emoji ☃"}
	var stream strings.Builder
	var want []string
	for i, p := range payloads {
		m := &gosse.Message{ID: gosse.ID(fmt.Sprint(i))}
		data, _ := json.Marshal(openai.ChatCompletionChunk{ID: p})
		m.AppendData(string(data))
		text, _ := m.MarshalText()
		stream.Write(text)
		var back gosse.Message
		if err := back.UnmarshalText(text); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	stream.WriteString("data: [DONE]\n\n")
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(stream.String()))
	})
	i := 0
	for ev, err := range c.CreateChatCompletionEvents(t.Context(), openai.CreateChatCompletionParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Data.ID != want[i] || ev.ID != fmt.Sprint(i) {
			t.Errorf("event %d: %q id %q, want %q", i, ev.Data.ID, ev.ID, want[i])
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d events, want %d", i, len(want))
	}
}
