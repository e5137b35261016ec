package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// ServerEvent is one Server-Sent Event of a stream.
type ServerEvent[T any] struct {
	ID    string        // id:
	Event string        // event: ("" means "message")
	Data  T             // data:, decoded
	Retry time.Duration // retry:, 0 when absent
}

// maxEventBytes caps one event: its lines together, and any one line. A
// var only so tests can lower it.
var maxEventBytes = 8 << 20

// errEventTooLarge ends a stream whose event passes maxEventBytes.
var errEventTooLarge = errors.New("server-sent event larger")

// events sends req with Accept: text/event-stream and yields each event
// as soon as it has arrived, its data decoded into T, until the stream
// ends or a data of [DONE]. Stopping the loop closes the connection; a
// non-2xx answer is an *APIError; there is no reconnection.
func events[T any](ctx context.Context, c *Client, req Request) iter.Seq2[ServerEvent[T], error] {
	return func(yield func(ServerEvent[T], error) bool) {
		h := make(http.Header, len(req.Headers)+1)
		maps.Copy(h, req.Headers)
		h.Set("Accept", "text/event-stream")
		req.Headers = h
		resp, err := callStream(ctx, c, req)
		if err != nil {
			yield(ServerEvent[T]{}, err)
			return
		}
		defer resp.Body.Close()
		fail := func(what string, err error) {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			path, _, _ := strings.Cut(req.RelativeURL, "?")
			yield(ServerEvent[T]{}, fmt.Errorf("%s: %s %s: %s: %w", c.name, requestMethod(req), path, what, err))
		}
		r := newEventReader(resp.Body)
		for {
			ev, err := r.next()
			switch {
			case err == io.EOF:
				return
			case err != nil:
				fail("read events", err)
				return
			case string(ev.data) == "[DONE]":
				return
			}
			out := ServerEvent[T]{ID: ev.id, Event: ev.event, Retry: ev.retry}
			if err := decodeEvent(ev.data, &out.Data); err != nil {
				fail("decode event", err)
				return
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}

// eventsError is a sequence of one error, for a request that could not be built.
func eventsError[T any](err error) iter.Seq2[ServerEvent[T], error] {
	return func(yield func(ServerEvent[T], error) bool) { yield(ServerEvent[T]{}, err) }
}

// decodeEvent decodes an event's data: a string or raw bytes as they are
// (invalid UTF-8 replaced in a string), anything else as JSON; an empty
// data is the zero T.
func decodeEvent[T any](data []byte, v *T) error {
	switch d := any(v).(type) {
	case *string:
		if utf8.Valid(data) {
			*d = string(data)
		} else {
			*d = strings.ToValidUTF8(string(data), "\uFFFD")
		}
	case *json.RawMessage:
		*d = bytes.Clone(data)
	case *[]byte:
		*d = bytes.Clone(data)
	default:
		if len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		return json.Unmarshal(data, v)
	}
	return nil
}

// rawEvent is an event as the stream gave it; data is valid until the
// next call of next.
type rawEvent struct {
	id, event string
	data      []byte
	retry     time.Duration
}

// eventReader parses a text/event-stream as the WHATWG HTML standard's
// "Interpreting an event stream" says: lines end with CRLF, LF or CR; a
// leading BOM is dropped; a line starting with ":" is a comment; a field
// is "name: value" (one space after the colon dropped) or a bare name;
// data lines are joined with LF; a blank line dispatches the event unless
// it has no data; the last id persists across events and one containing
// NUL is ignored; retry is ASCII digits (milliseconds), else ignored;
// unknown fields are ignored; an unfinished event at the end is dropped.
type eventReader struct {
	src   io.Reader
	buf   []byte
	r, w  int   // the unread bytes are buf[r:w]
	scan  int   // buf[r:scan] holds no line end
	cr    bool  // the last line ended with CR: an LF next belongs to it
	bom   bool  // the start was checked for a BOM
	err   error // from src, returned once the buffered lines are read
	max   int
	data  []byte
	id    string
	event string
}

func newEventReader(src io.Reader) *eventReader {
	return &eventReader{src: src, buf: make([]byte, 32<<10), max: maxEventBytes}
}

// next returns the next event, io.EOF at the end of the stream.
func (r *eventReader) next() (rawEvent, error) {
	r.data, r.event = r.data[:0], ""
	hasData, size := false, 0
	var retry time.Duration
	for {
		line, err := r.line()
		if err != nil {
			return rawEvent{}, err
		}
		if len(line) == 0 {
			if !hasData {
				r.data, r.event, size = r.data[:0], "", 0
				continue
			}
			return rawEvent{id: r.id, event: r.event, data: r.data, retry: retry}, nil
		}
		if size += len(line) + 1; size > r.max {
			return rawEvent{}, r.tooLarge()
		}
		field, value := line, line[len(line):]
		if i := bytes.IndexByte(line, ':'); i == 0 {
			continue // a comment
		} else if i > 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if hasData {
				r.data = append(r.data, '\n')
			}
			r.data = append(r.data, value...)
			hasData = true
		case "event":
			if string(value) != r.event {
				r.event = string(value)
			}
		case "id":
			if bytes.IndexByte(value, 0) < 0 && string(value) != r.id {
				r.id = string(value)
			}
		case "retry":
			if ms, ok := retryMillis(value); ok {
				retry = ms
			}
		}
	}
}

func (r *eventReader) tooLarge() error {
	return fmt.Errorf("%w than %d bytes", errEventTooLarge, r.max)
}

// retryMillis parses a retry value: ASCII digits, milliseconds.
func retryMillis(v []byte) (time.Duration, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, b := range v {
		if b < '0' || b > '9' {
			return 0, false
		}
		n = min(n*10+int64(b-'0'), int64(time.Duration(1<<62)/time.Millisecond))
	}
	return time.Duration(n) * time.Millisecond, true
}

var bom = []byte("\xEF\xBB\xBF")

// line returns the next line without its end, valid until the next call.
func (r *eventReader) line() ([]byte, error) {
	for {
		if !r.bom || r.cr {
			if r.r == r.w || !r.bom && r.w-r.r < len(bom) && bytes.HasPrefix(bom, r.buf[r.r:r.w]) {
				if r.err != nil {
					if r.r == r.w {
						return nil, r.err
					}
				} else {
					r.fill()
					continue
				}
			}
			if !r.bom {
				r.bom = true
				if bytes.HasPrefix(r.buf[r.r:r.w], bom) {
					r.r += len(bom)
				}
			} else if r.cr {
				r.cr = false
				if r.buf[r.r] == '\n' {
					r.r++
				}
			}
			r.scan = max(r.scan, r.r)
			continue
		}
		seg := r.buf[r.scan:r.w]
		i := bytes.IndexByte(seg, '\n')
		before := seg
		if i >= 0 {
			before = seg[:i]
		}
		if j := bytes.IndexByte(before, '\r'); j >= 0 {
			i = j
		}
		if i >= 0 {
			end := r.scan + i
			line := r.buf[r.r:end]
			r.cr = r.buf[end] == '\r'
			r.r, r.scan = end+1, end+1
			return line, nil
		}
		r.scan = r.w
		if r.err != nil {
			return nil, r.err // an unfinished line at the end is dropped
		}
		if r.w-r.r > r.max {
			return nil, r.tooLarge()
		}
		r.fill()
	}
}

// fill reads more of the stream, keeping the unread bytes.
func (r *eventReader) fill() {
	if r.r > 0 {
		n := copy(r.buf, r.buf[r.r:r.w])
		r.scan -= r.r
		r.r, r.w = 0, n
	}
	if r.w == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	if err != nil {
		r.err = err
	}
}
