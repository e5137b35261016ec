package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

type sseEvent struct {
	ID, Event, Data string
	Retry           time.Duration
}

// parseAll runs the event reader over src to the end.
func parseAll(t testing.TB, src io.Reader) ([]sseEvent, error) {
	r := newEventReader(src)
	var out []sseEvent
	for {
		ev, err := r.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, sseEvent{ev.id, ev.event, string(ev.data), ev.retry})
	}
}

func TestEventReaderRules(t *testing.T) {
	tests := []struct {
		name, in string
		want     []sseEvent
	}{
		{"one event", "data: hello\n\n", []sseEvent{{Data: "hello"}}},
		{"no space after colon", "data:hello\n\n", []sseEvent{{Data: "hello"}}},
		{"only one space dropped", "data:  two\n\n", []sseEvent{{Data: " two"}}},
		{"multi-line data joined with LF", "data: a\ndata: b\ndata\n\n", []sseEvent{{Data: "a\nb\n"}}},
		{"empty data line is an event", "data\n\n", []sseEvent{{Data: ""}}},
		{"no data: no event", "event: x\nid: 1\n\ndata: y\n\n", []sseEvent{{ID: "1", Data: "y"}}},
		{"event type resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", []sseEvent{{Event: "a", Data: "1"}, {Data: "2"}}},
		{"id persists", "id: 7\ndata: 1\n\ndata: 2\n\nid\ndata: 3\n\n", []sseEvent{{ID: "7", Data: "1"}, {ID: "7", Data: "2"}, {Data: "3"}}},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []sseEvent{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}},
		{"retry", "retry: 1500\ndata: a\n\ndata: b\n\n", []sseEvent{{Data: "a", Retry: 1500 * time.Millisecond}, {Data: "b"}}},
		{"retry not digits ignored", "retry: 1.5\ndata: a\n\nretry: -1\nretry:\ndata: b\n\n", []sseEvent{{Data: "a"}, {Data: "b"}}},
		{"retry kept until an event", "retry: 10\n\ndata: a\n\n", []sseEvent{{Data: "a", Retry: 10 * time.Millisecond}}},
		{"comments ignored", ": hello\n:\ndata: a\n: between\n\n", []sseEvent{{Data: "a"}}},
		{"unknown fields ignored", "foo: bar\nDATA: x\ndata: a\n\n", []sseEvent{{Data: "a"}}},
		{"colon in value kept", "data: a: b\n\n", []sseEvent{{Data: "a: b"}}},
		{"CRLF", "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", []sseEvent{{Data: "a\nb"}, {Data: "c"}}},
		{"CR", "data: a\rdata: b\r\rdata: c\r\r", []sseEvent{{Data: "a\nb"}, {Data: "c"}}},
		{"mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r\n", []sseEvent{{Data: "a\nb\nc"}, {Data: "d"}}},
		{"BOM dropped", "\xEF\xBB\xBFdata: a\n\n", []sseEvent{{Data: "a"}}},
		{"only one BOM dropped", "\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n", []sseEvent{{Data: "b"}}},
		{"unfinished event dropped", "data: a\n\ndata: b\n", []sseEvent{{Data: "a"}}},
		{"unfinished line dropped", "data: a\n\ndata: b", []sseEvent{{Data: "a"}}},
		{"empty stream", "", nil},
		{"leading blank lines", "\n\n\ndata: a\n\n", []sseEvent{{Data: "a"}}},
		{"event name", "event: add\ndata: 1\n\n", []sseEvent{{Event: "add", Data: "1"}}},
		{"DONE is data to the reader", "data: [DONE]\n\n", []sseEvent{{Data: "[DONE]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Whole, and one byte at a time: a line end split across reads
			// (CR, then LF) must parse the same.
			for _, src := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				got, err := parseAll(t, src)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("%q:\n got %+v\nwant %+v", tt.in, got, tt.want)
				}
			}
		})
	}
}

func TestEventReaderSizeCap(t *testing.T) {
	old := maxEventBytes
	maxEventBytes = 100
	t.Cleanup(func() { maxEventBytes = old })
	for name, in := range map[string]string{
		"one long line":   "data: " + strings.Repeat("x", 200) + "\n\n",
		"many data lines": strings.Repeat("data: 0123456789\n", 20) + "\n",
		"unended line":    strings.Repeat("x", 500),
	} {
		_, err := parseAll(t, strings.NewReader(in))
		if !errors.Is(err, errEventTooLarge) || !strings.Contains(err.Error(), "larger than 100 bytes") {
			t.Errorf("%s: err %v, want the size cap", name, err)
		}
	}
	got, err := parseAll(t, strings.NewReader(strings.Repeat("data: 0123456789\n\n", 100)))
	if err != nil || len(got) != 100 {
		t.Fatalf("many small events under the cap: %d, %v", len(got), err)
	}
}

func FuzzSSE(f *testing.F) {
	for _, s := range []string{"data: a\n\n", "id: 1\r\nevent: e\r\ndata: {\"x\":1}\r\n\r\n", "\xEF\xBB\xBF: c\rdata\r\r", "retry: 10\ndata: [DONE]\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		whole, err1 := parseAll(t, strings.NewReader(in))
		bytewise, err2 := parseAll(t, iotest.OneByteReader(strings.NewReader(in)))
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(whole, bytewise) {
			t.Fatalf("%q: whole %+v %v, byte by byte %+v %v", in, whole, err1, bytewise, err2)
		}
		for _, ev := range whole {
			// A line end never reaches a field; WHATWG ignores an id
			// holding NULL but keeps NULL in an event type.
			if strings.ContainsAny(ev.ID, "\r\n\x00") || strings.ContainsAny(ev.Event, "\r\n") || strings.ContainsAny(ev.Data, "\r") {
				t.Fatalf("%q: event %+v holds a line end (or an id a NULL)", in, ev)
			}
		}
	})
}

type chunk struct {
	Delta string `json:"delta"`
}

// sseServer serves the given events one by one: each waits until the test
// has received the one before, so an event the iterator held back would
// deadlock (and fail by timeout).
func sseServer(t *testing.T, evs []string, got <-chan struct{}) *Client {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/event-stream" {
			http.Error(w, "want Accept: text/event-stream", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, ev := range evs {
			if i > 0 {
				select {
				case <-got:
				case <-r.Context().Done():
					return
				case <-time.After(10 * time.Second):
					return
				}
			}
			io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
	})
	return c
}

func TestEventsOneByOne(t *testing.T) {
	got := make(chan struct{}, 1)
	c := sseServer(t, []string{
		": connected\n\n",
		"id: 1\nevent: delta\ndata: {\"delta\":\"Hel\"}\n\n",
		"id: 2\ndata: {\"delta\":\"lo\"}\n\n",
		"data: [DONE]\n\n",
		"data: {\"delta\":\"after done\"}\n\n",
	}, got)
	got <- struct{}{} // the comment needs no reading
	var out []ServerEvent[chunk]
	for ev, err := range events[chunk](t.Context(), c, Request{Method: "POST", RelativeURL: "/chat", Body: map[string]any{"stream": true}}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
		got <- struct{}{}
	}
	want := []ServerEvent[chunk]{{ID: "1", Event: "delta", Data: chunk{"Hel"}}, {ID: "2", Data: chunk{"lo"}}}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("got %+v\nwant %+v", out, want)
	}
}

func TestEventsStopClosesConnection(t *testing.T) {
	closed := make(chan struct{})
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; ; i++ {
			if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
				break
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				close(closed)
				return
			case <-time.After(time.Millisecond):
			}
		}
		close(closed)
	})
	n := 0
	for _, err := range events[string](t.Context(), c, Request{RelativeURL: "/tail"}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still writes after the loop stopped")
	}
}

func TestEventsContextCancelledMidEvent(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "data: 1\n\ndata: half of an ev")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range events[string](ctx, c, Request{RelativeURL: "/tail"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		time.AfterFunc(20*time.Millisecond, cancel) // while the next event is half read
	}
	if n != 1 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("%d events, errors %v; want 1 event then context.Canceled", n, errs)
	}
}

func TestEventsErrors(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/denied":
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"bad key"}}`)
		case "/api/v2/badjson":
			io.WriteString(w, "data: {not json\n\n")
		case "/api/v2/huge":
			io.WriteString(w, "data: "+strings.Repeat("x", 1000)+"\n\n")
		}
	})
	collect := func(path string) (n int, errs []error) {
		for _, err := range events[chunk](t.Context(), c, Request{RelativeURL: path}) {
			if err != nil {
				errs = append(errs, err)
			} else {
				n++
			}
		}
		return n, errs
	}
	var ae *APIError
	if n, errs := collect("/denied"); n != 0 || len(errs) != 1 || !errors.As(errs[0], &ae) || ae.StatusCode != 401 || ae.Message != "bad key" {
		t.Errorf("non-2xx: %d events, %v; want one *APIError", n, errs)
	}
	var se *json.SyntaxError
	if n, errs := collect("/badjson"); n != 0 || len(errs) != 1 || !errors.As(errs[0], &se) || !strings.Contains(errs[0].Error(), "test: GET /badjson: decode event") {
		t.Errorf("bad JSON: %d events, %v", n, errs)
	}
	old := maxEventBytes
	maxEventBytes = 100
	t.Cleanup(func() { maxEventBytes = old })
	if n, errs := collect("/huge"); n != 0 || len(errs) != 1 || !errors.Is(errs[0], errEventTooLarge) {
		t.Errorf("too large: %d events, %v", n, errs)
	}
	for _, err := range eventsError[chunk](errors.New("bad params")) {
		if err == nil || err.Error() != "bad params" {
			t.Errorf("eventsError: %v", err)
		}
	}
}

func TestDecodeEvent(t *testing.T) {
	var s string
	if decodeEvent([]byte("a\xffb"), &s); s != "a\uFFFDb" {
		t.Errorf("string %q", s)
	}
	var raw json.RawMessage
	if decodeEvent([]byte(`{"a":1}`), &raw); string(raw) != `{"a":1}` {
		t.Errorf("raw %q", raw)
	}
	var c chunk
	if err := decodeEvent([]byte("  "), &c); err != nil || c != (chunk{}) {
		t.Errorf("empty data: %v %+v", err, c)
	}
}
