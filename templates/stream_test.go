package templates

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// patternReader yields n bytes of a repeating pattern without storing them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.off)]
	for i := range p {
		p[i] = byte((r.off + int64(i)) % 251)
	}
	r.off += int64(len(p))
	return len(p), nil
}

// checkPattern reads r to the end, checking the pattern, and returns its length.
type patternChecker struct {
	off int64
	bad bool
}

func (w *patternChecker) Write(p []byte) (int, error) {
	for i, b := range p {
		if b != byte((w.off+int64(i))%251) {
			w.bad = true
		}
	}
	w.off += int64(len(p))
	return len(p), nil
}

func TestStreamLargeDownloadFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB download")
	}
	const size = 1 << 30
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		io.CopyBuffer(w, &patternReader{n: size}, make([]byte, 64<<10))
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := callStream(t.Context(), c, Request{RelativeURL: "/file"})
	if err != nil {
		t.Fatal(err)
	}
	check := &patternChecker{}
	n, err := io.CopyBuffer(check, resp.Body, make([]byte, 64<<10))
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || check.bad {
		t.Fatalf("read %d bytes, err %v, pattern broken %v", n, err, check.bad)
	}
	growth := after.TotalAlloc - before.TotalAlloc
	t.Logf("TotalAlloc growth over a 1 GiB download: %d KiB", growth>>10)
	if growth > 32<<20 {
		t.Fatalf("TotalAlloc grew by %d MiB, want under 32 MiB", growth>>20)
	}
}

func TestStreamHandedOverBeforeServerFinishes(t *testing.T) {
	read := make(chan struct{})
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first part;"))
		w.(http.Flusher).Flush()
		select { // the rest only once the client has read the first part
		case <-read:
		case <-time.After(10 * time.Second):
			return
		}
		w.Write([]byte("second part"))
	})
	resp, err := callStream(t.Context(), c, Request{RelativeURL: "/file"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first part;"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first part;" {
		t.Fatalf("first part %q, %v", first, err)
	}
	close(read)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second part" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

func TestStreamRetriesOnlyBeforeHandover(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable) // retried: nothing handed over yet
		case 2:
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("cut short")) // the body breaks after the handover
		default:
			w.Write([]byte("a third attempt"))
		}
	}, retrying(3))
	resp, err := callStream(t.Context(), c, Request{RelativeURL: "/file"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("a body cut short read without error")
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d attempts, want 2 (one retry of the 503, none after the handover)", n)
	}
}

func TestStreamErrorStatus(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"no such file"}`))
	})
	_, err := callStream(t.Context(), c, Request{RelativeURL: "/file"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Message != "no such file" {
		t.Fatalf("err %v, want a 404 *APIError with the message", err)
	}
	// CustomActionStream hands any status over unread.
	resp, err := c.CustomActionStream(t.Context(), Request{RelativeURL: "/file"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !bytes.Contains(body, []byte("no such file")) {
		t.Fatalf("CustomActionStream: %d %q", resp.StatusCode, body)
	}
}

func TestStreamNoSizeCap(t *testing.T) {
	old := maxResponseBytes
	maxResponseBytes = 10
	t.Cleanup(func() { maxResponseBytes = old })
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 1000))
	})
	resp, err := callStream(t.Context(), c, Request{RelativeURL: "/file"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != 1000 {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
	if _, err := c.CustomAction(t.Context(), Request{RelativeURL: "/file"}); err == nil {
		t.Fatal("CustomAction read a body over the cap")
	}
}

// uploadServer counts the body bytes of each request and records its
// Content-Length and Transfer-Encoding.
type uploaded struct {
	n             int64
	contentLength int64
	chunked       bool
	bad           bool
}

func uploadServer(t *testing.T, status int, opts ...func(*Client)) (*Client, func() []uploaded) {
	var got []uploaded
	var mu = make(chan struct{}, 1)
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		check := &patternChecker{}
		n, _ := io.Copy(check, r.Body)
		mu <- struct{}{}
		got = append(got, uploaded{n, r.ContentLength, len(r.TransferEncoding) > 0, check.bad})
		<-mu
		w.WriteHeader(status)
	}, opts...)
	return c, func() []uploaded { mu <- struct{}{}; defer func() { <-mu }(); return append([]uploaded(nil), got...) }
}

func TestUploadStreamsOneShotReader(t *testing.T) {
	const size = 64 << 20
	c, got := uploadServer(t, http.StatusOK, retrying(3))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.httpHelper(t.Context(), Request{Method: "PUT", Body: io.LimitReader(&patternReader{n: size}, size)})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if g := got(); len(g) != 1 || g[0].n != size || g[0].bad || !g[0].chunked {
		t.Fatalf("uploads %+v, want one chunked upload of %d bytes", g, size)
	}
	if growth := after.TotalAlloc - before.TotalAlloc; growth > 32<<20 {
		t.Fatalf("TotalAlloc grew by %d MiB uploading 64 MiB, want under 32", growth>>20)
	}
}

func TestUploadOneShotNotRetried(t *testing.T) {
	c, got := uploadServer(t, http.StatusServiceUnavailable, retrying(3))
	resp, err := c.httpHelper(t.Context(), Request{Method: "PUT", Body: io.NopCloser(bytes.NewReader(make([]byte, 10)))})
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("%v %v", resp, err)
	}
	if n := len(got()); n != 1 {
		t.Fatalf("%d attempts with a one-shot reader, want 1", n)
	}
	// A reader that can seek is retried, resent whole each time.
	c, got = uploadServer(t, http.StatusServiceUnavailable, retrying(3))
	r := bytes.NewReader(make([]byte, 10))
	if _, err := c.httpHelper(t.Context(), Request{Method: "PUT", Body: r}); err != nil {
		t.Fatal(err)
	}
	if g := got(); len(g) != 3 || g[2].n != 10 {
		t.Fatalf("uploads %+v, want 3 of 10 bytes", g)
	}
}

func TestUploadKnownLength(t *testing.T) {
	const size = 1 << 20
	f, err := os.CreateTemp(t.TempDir(), "upload")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(f, &patternReader{n: size})
	f.Seek(0, io.SeekStart)
	data, _ := io.ReadAll(&patternReader{n: size})
	c, got := uploadServer(t, http.StatusOK)
	for _, body := range []io.Reader{f, bytes.NewReader(data), bytes.NewBuffer(data)} {
		if _, err := c.httpHelper(t.Context(), Request{Method: "PUT", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range got() {
		if u.n != size || u.contentLength != size || u.chunked || u.bad {
			t.Errorf("upload %d: %+v, want Content-Length %d", i, u, size)
		}
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("reading the file after the upload: %v, want os.ErrClosed", err)
	}
}

func TestUploadMultipartFileStreamed(t *testing.T) {
	const size = 64 << 20
	var parts = map[string]int64{}
	var bad bool
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			check := &patternChecker{}
			n, _ := io.Copy(check, p)
			if p.FormName() == "file" {
				bad = check.bad
			}
			parts[p.FormName()] = n
		}
	})
	type body struct {
		Title string    `json:"title"`
		File  io.Reader `json:"file"`
	}
	v := body{Title: "big", File: &patternReader{n: size}}
	data, ct, err := multipartBody(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := data.(io.Reader); !ok {
		t.Fatalf("multipartBody gave %T, want a reader", data)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := c.httpHelper(t.Context(), Request{Method: "POST", Body: data, Headers: http.Header{"Content-Type": {ct}}})
	runtime.ReadMemStats(&after)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if parts["file"] != size || parts["title"] != 3 || bad {
		t.Fatalf("parts %v (pattern broken %v)", parts, bad)
	}
	if growth := after.TotalAlloc - before.TotalAlloc; growth > 32<<20 {
		t.Fatalf("TotalAlloc grew by %d MiB sending a 64 MiB file part", growth>>20)
	}
	// Without a reader part the body is bytes, as before.
	if data, _, _ := multipartBody(map[string]any{"a": "b", "f": []byte("x")}); reflect.TypeOf(data) != reflect.TypeOf([]byte(nil)) {
		t.Fatalf("multipartBody without a reader gave %T", data)
	}
}

// closeCounter is a response body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed *atomic.Int32
}

func (b closeCounter) Close() error { b.closed.Add(1); return nil }

// TestStreamRetriedAnswerClosed: an answer that is retried is closed by
// the runtime (it is never handed over); the last one is the caller's.
func TestStreamRetriedAnswerClosed(t *testing.T) {
	var calls, closed atomic.Int32
	c, _ := newTestClient(t, nil, retrying(3))
	c.httpClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		status := http.StatusOK
		if calls.Add(1) < 3 {
			status = http.StatusServiceUnavailable
		}
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: closeCounter{strings.NewReader("x"), &closed}, Request: r}, nil
	})}
	resp, err := c.CustomActionStream(t.Context(), Request{RelativeURL: "/file"})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v, %v", resp, err)
	}
	if n := closed.Load(); n != 2 {
		t.Fatalf("%d bodies closed before the handover, want the 2 retried ones", n)
	}
	resp.Body.Close()
	if calls.Load() != 3 || closed.Load() != 3 {
		t.Fatalf("%d calls, %d closed", calls.Load(), closed.Load())
	}
}
