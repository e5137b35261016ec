package openai

// Behaviour tests of the streamed bodies: a chat completion as Server-Sent
// Events and speech as an unread audio body, against httptest servers on
// 127.0.0.1.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.Client(), AccessToken: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChatCompletionEvents(t *testing.T) {
	read := make(chan struct{})
	words := []string{"Hel", "lo", "!"}
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		var req ChatCompletionRequest
		json.NewDecoder(r.Body).Decode(&req)
		if r.URL.Path != "/chat/completions" || r.Header.Get("Accept") != "text/event-stream" ||
			r.Header.Get("Authorization") != "Bearer sk-test" || req.Stream == nil || !*req.Stream {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, word := range words {
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", req.Model, word)
			w.(http.Flusher).Flush()
			if i < len(words)-1 {
				select { // the next chunk only once the client has this one
				case <-read:
				case <-time.After(10 * time.Second):
					return
				}
			}
		}
		io.WriteString(w, "data: [DONE]\n\n")
	})
	var text strings.Builder
	n := 0
	for ev, err := range c.CreateChatCompletionEvents(t.Context(), CreateChatCompletionParams{Body: ChatCompletionRequest{
		Model: "gpt-test", Messages: []ChatMessage{{Role: "user", Content: "Say hello"}}, Stream: Ptr(true)}}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Data.Model != "gpt-test" || len(ev.Data.Choices) != 1 || ev.Data.Choices[0].Delta.Content == nil {
			t.Fatalf("chunk %+v", ev.Data)
		}
		text.WriteString(*ev.Data.Choices[0].Delta.Content)
		if n++; n < len(words) {
			read <- struct{}{}
		}
	}
	if text.String() != "Hello!" || n != 3 {
		t.Fatalf("got %q in %d chunks", text.String(), n)
	}
}

func TestChatCompletionEventsError(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
	})
	for _, err := range c.CreateChatCompletionEvents(t.Context(), CreateChatCompletionParams{Body: ChatCompletionRequest{Model: "m"}}) {
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Message != "Rate limit reached" {
			t.Fatalf("err %v, want a 429 *APIError", err)
		}
	}
}

// TestSpeechStreamedGigabyte downloads 1 GiB through the generated
// streamed action with flat memory.
func TestSpeechStreamedGigabyte(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB download")
	}
	const size = 1 << 30
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := c.CreateSpeech(context.Background(), CreateSpeechParams{Body: SpeechRequest{Model: "tts", Input: "long", Voice: "alloy"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(io.Discard, resp.Body, make([]byte, 64<<10))
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || resp.Header.Get("Content-Type") != "audio/mpeg" {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	growth := after.TotalAlloc - before.TotalAlloc
	t.Logf("TotalAlloc growth over 1 GiB: %d KiB", growth>>10)
	if growth > 32<<20 {
		t.Fatalf("TotalAlloc grew by %d MiB, want under 32 MiB", growth>>20)
	}
}
