package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestClient serves h on 127.0.0.1 and returns a client whose base URL is
// the server's URL plus /api/v2.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...func(*Client)) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + "/api/v2")
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{baseURL: u, httpClient: srv.Client(), name: "test", retry: retryPolicy{maxAttempts: 1}}
	for _, o := range opts {
		o(c)
	}
	return c, srv
}

// retrying allows maxAttempts attempts of the usual idempotent methods with
// tiny waits.
func retrying(maxAttempts int) func(*Client) {
	return func(c *Client) {
		c.retry = retryPolicy{
			maxAttempts: maxAttempts,
			statuses:    []int{429, 502, 503, 504},
			methods:     []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE"},
			maxWait:     time.Second,
			baseDelay:   time.Millisecond,
		}
	}
}

func TestRequestURL(t *testing.T) {
	c := &Client{name: "test"}
	tests := []struct {
		base, rel string
		query     url.Values
		want      string
		wantErr   bool
	}{
		{base: "https://api.example.com/api/v2", rel: "/users", want: "https://api.example.com/api/v2/users"},
		{base: "https://api.example.com/api/v2/", rel: "/users", want: "https://api.example.com/api/v2/users"},
		{base: "https://api.example.com/api/v2", rel: "users", want: "https://api.example.com/api/v2/users"},
		{base: "https://api.example.com", rel: "/users", want: "https://api.example.com/users"},
		{base: "https://api.example.com/api", rel: "", want: "https://api.example.com/api"},
		{base: "https://api.example.com", rel: "/users/..%2Fadmin", want: "https://api.example.com/users/..%2Fadmin"},
		{base: "https://api.example.com", rel: "/users/%2E%2E", want: "https://api.example.com/users/%2E%2E"},
		{base: "https://api.example.com", rel: "/users/a%2Fb", want: "https://api.example.com/users/a%2Fb"},
		{base: "https://api.example.com", rel: "/users?b=2&a=1", want: "https://api.example.com/users?b=2&a=1"},
		{base: "https://api.example.com", rel: "/users?b=2", query: url.Values{"a": {"1"}, "b": {"3"}}, want: "https://api.example.com/users?a=1&b=2&b=3"},
		{base: "https://api.example.com", rel: "/users", query: url.Values{"q": {"a b&c"}}, want: "https://api.example.com/users?q=a+b%26c"},
		{base: "https://api.example.com/api", rel: "https://api.example.com/other?page=2", want: "https://api.example.com/other?page=2"},
		{base: "https://api.example.com/api", rel: "HTTPS://API.example.com/other", want: "https://api.example.com/other"},
		{base: "https://api.example.com", rel: "https://evil.example/steal", wantErr: true},
		{base: "https://api.example.com", rel: "http://api.example.com/downgrade", wantErr: true},
		{base: "https://api.example.com", rel: "https://api.example.com:8443/port", wantErr: true},
		{base: "https://api.example.com", rel: "//evil.example/x", wantErr: true},
		{base: "https://api.example.com", rel: "mailto:a@b", wantErr: true},
		{base: "https://api.example.com", rel: "/%zz", wantErr: true},
	}
	for _, tt := range tests {
		c.baseURL, _ = url.Parse(tt.base)
		u, err := c.requestURL(tt.rel, tt.query)
		if tt.wantErr {
			if err == nil {
				t.Errorf("requestURL(%q, %q) = %s, want error", tt.base, tt.rel, u)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("requestURL(%q, %q, %v) = %v, %v; want %s", tt.base, tt.rel, tt.query, u, err, tt.want)
		}
	}
}

func TestHTTPHelperURL(t *testing.T) {
	var got string
	c, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { got = r.RequestURI })
	if _, err := c.httpHelper(t.Context(), Request{RelativeURL: "/users/" + escapePath("a/b") + "?x=1", Query: url.Values{"y": {"2"}}}); err != nil {
		t.Fatal(err)
	}
	if want := "/api/v2/users/a%2Fb?x=1&y=2"; got != want {
		t.Errorf("server saw %q, want %q", got, want)
	}
	if _, err := c.httpHelper(t.Context(), Request{RelativeURL: srv.URL + "/next?p=2"}); err != nil || got != "/next?p=2" {
		t.Errorf("absolute same-host URL: err %v, server saw %q", err, got)
	}
	got = ""
	_, err := c.httpHelper(t.Context(), Request{RelativeURL: "http://localhost:1/x"})
	if err == nil || got != "" {
		t.Errorf("other host: err %v, server saw %q", err, got)
	}
}

func TestHeaderPrecedence(t *testing.T) {
	var got http.Header
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }, func(c *Client) {
		// New puts the User-Agent among the default headers.
		c.headers = http.Header{"X-Default": {"d"}, "X-Auth": {"d"}, "X-Call": {"d"}, "Accept": {"application/json"}, "User-Agent": {"conngen-test/1.0"}}
		c.authorize = func(r *http.Request) error {
			r.Header.Set("X-Auth", "a")
			r.Header.Set("X-Call", "a")
			return nil
		}
	})
	_, err := c.httpHelper(t.Context(), Request{Headers: http.Header{"x-call": {"c1", "c2"}}})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"X-Default": "d", "X-Auth": "a", "Accept": "application/json", "User-Agent": "conngen-test/1.0"} {
		if g := got.Get(k); g != want {
			t.Errorf("%s = %q, want %q", k, g, want)
		}
	}
	if g := got.Values("X-Call"); strings.Join(g, ",") != "c1,c2" {
		t.Errorf("X-Call = %q, want per-call values c1,c2", g)
	}

	// A User-Agent among the default headers or the call's wins.
	c.headers.Set("User-Agent", "spec-agent")
	c.httpHelper(t.Context(), Request{})
	if g := got.Get("User-Agent"); g != "spec-agent" {
		t.Errorf("User-Agent = %q, want the default header's", g)
	}
	c.httpHelper(t.Context(), Request{Headers: http.Header{"User-Agent": {"mine"}}})
	if g := got.Get("User-Agent"); g != "mine" {
		t.Errorf("User-Agent = %q, want the call's", g)
	}
}

func TestAuthorizeError(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }, retrying(3), func(c *Client) {
		c.authorize = func(*http.Request) error { return errors.New("token endpoint said no") }
	})
	_, err := c.httpHelper(t.Context(), Request{})
	if err == nil || err.Error() != "test: authorize request: token endpoint said no" {
		t.Errorf("err = %v", err)
	}
	if calls.Load() != 0 {
		t.Errorf("request sent without credentials")
	}
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"../admin": "..%2Fadmin",
		".":        "%2E",
		"..":       "%2E%2E",
		"...":      "...",
		"a/b":      "a%2Fb",
		"ü":        "%C3%BC",
		"a b?c#d":  "a%20b%3Fc%23d",
		"plain-1":  "plain-1",
	} {
		if got := escapePath(in); got != want {
			t.Errorf("escapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

type recorded struct {
	method, contentType string
	body                []byte
}

func recordingClient(t *testing.T, status func(n int) int, opts ...func(*Client)) (*Client, func() []recorded) {
	var mu sync.Mutex
	var reqs []recorded
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, recorded{r.Method, r.Header.Get("Content-Type"), b})
		n := len(reqs)
		mu.Unlock()
		if status != nil {
			if s := status(n); s != http.StatusOK {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(s)
			}
		}
	}, opts...)
	return c, func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return reqs
	}
}

func TestBodyKinds(t *testing.T) {
	type payload struct {
		Name string `json:"name"`
		N    int    `json:"n,omitempty"`
	}
	tests := []struct {
		name            string
		body            any
		headers         http.Header
		wantBody, wantC string
	}{
		{name: "nil", body: nil},
		{name: "nil pointer", body: (*payload)(nil)},
		{name: "bytes", body: []byte("raw\x00bytes"), wantBody: "raw\x00bytes"},
		{name: "string is JSON", body: "text", wantBody: `"text"`, wantC: "application/json"},
		{name: "reader", body: strings.NewReader("from reader"), wantBody: "from reader"},
		{name: "form", body: url.Values{"b": {"2"}, "a": {"1 2"}}, wantBody: "a=1+2&b=2", wantC: "application/x-www-form-urlencoded"},
		{name: "struct", body: payload{Name: "x"}, wantBody: `{"name":"x"}`, wantC: "application/json"},
		{name: "map", body: map[string]int{"a": 1}, wantBody: `{"a":1}`, wantC: "application/json"},
		{name: "raw JSON", body: json.RawMessage(`{"k":true}`), wantBody: `{"k":true}`, wantC: "application/json"},
		{name: "content type override", body: payload{Name: "x"}, headers: http.Header{"Content-Type": {"application/vnd.api+json"}}, wantBody: `{"name":"x"}`, wantC: "application/vnd.api+json"},
		{name: "bytes with content type", body: []byte("<a/>"), headers: http.Header{"Content-Type": {"application/xml"}}, wantBody: "<a/>", wantC: "application/xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reqs := recordingClient(t, nil)
			if _, err := c.httpHelper(t.Context(), Request{Method: "post", Headers: tt.headers, Body: tt.body}); err != nil {
				t.Fatal(err)
			}
			r := reqs()[0]
			if r.method != "POST" || string(r.body) != tt.wantBody || r.contentType != tt.wantC {
				t.Errorf("server saw %s %q (Content-Type %q), want POST %q (%q)", r.method, r.body, r.contentType, tt.wantBody, tt.wantC)
			}
		})
	}

	t.Run("unencodable", func(t *testing.T) {
		c, reqs := recordingClient(t, nil)
		_, err := c.httpHelper(t.Context(), Request{Method: "POST", RelativeURL: "/x?key=SECRET", Body: map[string]any{"f": func() {}}})
		if err == nil || !strings.HasPrefix(err.Error(), "test: encode POST http://") || strings.Contains(err.Error(), "SECRET") || len(reqs()) != 0 {
			t.Errorf("err = %v, requests %d", err, len(reqs()))
		}
	})
}

func TestReaderBodyResentOnRetry(t *testing.T) {
	c, reqs := recordingClient(t, func(n int) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}, retrying(3))
	// A reader that can seek is rewound for each attempt.
	resp, err := c.httpHelper(t.Context(), Request{Method: "PUT", Body: strings.NewReader("same bytes")})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	got := reqs()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3", len(got))
	}
	for i, r := range got {
		if string(r.body) != "same bytes" {
			t.Errorf("attempt %d sent %q", i+1, r.body)
		}
	}
	// A one-shot reader is sent once, never read into memory to be resent
	// (stream_test.go TestUploadOneShotNotRetried).
}

func TestRetries(t *testing.T) {
	statusSeq := func(seq ...int) func(int) int {
		return func(n int) int { return seq[min(n, len(seq))-1] }
	}
	tests := []struct {
		name       string
		method     string
		seq        []int
		opts       []func(*Client)
		wantStatus int
		wantCalls  int
	}{
		{name: "429 then 200", method: "GET", seq: []int{429, 200}, opts: []func(*Client){retrying(3)}, wantStatus: 200, wantCalls: 2},
		{name: "503 twice then 200", method: "GET", seq: []int{503, 503, 200}, opts: []func(*Client){retrying(3)}, wantStatus: 200, wantCalls: 3},
		{name: "attempts bounded", method: "GET", seq: []int{503}, opts: []func(*Client){retrying(3)}, wantStatus: 503, wantCalls: 3},
		{name: "maxAttempts 0 means one", method: "GET", seq: []int{503}, opts: []func(*Client){retrying(0)}, wantStatus: 503, wantCalls: 1},
		{name: "status not retried", method: "GET", seq: []int{500, 200}, opts: []func(*Client){retrying(3)}, wantStatus: 500, wantCalls: 1},
		{name: "POST not retried", method: "POST", seq: []int{503, 200}, opts: []func(*Client){retrying(3)}, wantStatus: 503, wantCalls: 1},
		{name: "POST retried when allowed", method: "post", seq: []int{503, 200}, opts: []func(*Client){retrying(3), func(c *Client) { c.retry.methods = []string{"Post"} }}, wantStatus: 200, wantCalls: 2},
		{name: "no policy", method: "GET", seq: []int{503, 200}, wantStatus: 503, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reqs := recordingClient(t, statusSeq(tt.seq...), tt.opts...)
			resp, err := c.httpHelper(t.Context(), Request{Method: tt.method})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || len(reqs()) != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, len(reqs()), tt.wantStatus, tt.wantCalls)
			}
		})
	}
}

func TestRetryTransportError(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close() // no response at all
			return
		}
		io.WriteString(w, "ok")
	}, retrying(3))
	resp, err := c.httpHelper(t.Context(), Request{})
	if err != nil || string(resp.Body) != "ok" || calls.Load() != 2 {
		t.Errorf("resp %v, err %v after %d calls", resp, err, calls.Load())
	}
}

func TestRetryWaitCancelled(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}, retrying(3), func(c *Client) { c.retry.maxWait = 0 })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.httpHelper(ctx, Request{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, want promptly", d)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

func TestRetryAfterCappedByMaxWait(t *testing.T) {
	c, reqs := recordingClient(t, func(n int) int { return []int{503, 200}[min(n, 2)-1] }, retrying(2), func(c *Client) { c.retry.maxWait = 5 * time.Millisecond })
	// recordingClient answers Retry-After: 0; make the server ask for an hour.
	c.httpClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && resp.StatusCode == 503 {
			resp.Header.Set("Retry-After", "3600")
		}
		return resp, err
	})}
	start := time.Now()
	resp, err := c.httpHelper(t.Context(), Request{})
	if err != nil || resp.StatusCode != 200 || len(reqs()) != 2 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("waited %v, want maxWait", d)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRetryWait(t *testing.T) {
	p := retryPolicy{baseDelay: 10 * time.Millisecond}
	for attempt, lo := range map[int]time.Duration{1: 5 * time.Millisecond, 2: 10 * time.Millisecond, 3: 20 * time.Millisecond} {
		for range 20 {
			if d := p.wait(attempt, nil); d < lo || d > 2*lo {
				t.Errorf("wait(%d) = %v, want in [%v, %v]", attempt, d, lo, 2*lo)
			}
		}
	}
	if d := (&retryPolicy{}).wait(1, nil); d < 250*time.Millisecond || d > 500*time.Millisecond {
		t.Errorf("default first wait %v, want about 500ms", d)
	}
	if d := (&retryPolicy{maxWait: time.Second}).wait(40, nil); d != time.Second {
		t.Errorf("wait(40) = %v, want maxWait", d)
	}
	h := http.Header{"Retry-After": {"7"}}
	if d := p.wait(1, h); d != 7*time.Second {
		t.Errorf("Retry-After 7: %v", d)
	}
	h.Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if d := p.wait(1, h); d < 59*time.Minute || d > time.Hour {
		t.Errorf("Retry-After date: %v", d)
	}
	h.Set("Retry-After", "Mon, 01 Jan 2001 00:00:00 GMT")
	if d := p.wait(1, h); d != 0 {
		t.Errorf("Retry-After in the past: %v", d)
	}
	h.Set("Retry-After", "soon")
	if d := p.wait(1, h); d < 5*time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("bad Retry-After should fall back to backoff: %v", d)
	}
	p.maxWait = time.Second
	h.Set("Retry-After", "99999999999")
	if d := p.wait(1, h); d != time.Second {
		t.Errorf("huge Retry-After: %v", d)
	}
}

func TestTransportErrorHasNoSecrets(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens any more: connection refused
	u, _ := url.Parse("http://" + addr + "/api")
	c := &Client{baseURL: u, httpClient: &http.Client{}, name: "test", retry: retryPolicy{maxAttempts: 2, methods: []string{"GET"}, baseDelay: time.Millisecond},
		authorize: func(r *http.Request) error {
			q := r.URL.Query()
			q.Set("api_key", "AUTHSECRET")
			r.URL.RawQuery = q.Encode()
			return nil
		}}
	_, err = c.httpHelper(t.Context(), Request{RelativeURL: "/users?token=RELSECRET", Query: url.Values{"key": {"QUERYSECRET"}}})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "SECRET") {
		t.Errorf("error leaks a secret: %s", msg)
	}
	if want := "test: GET http://" + addr + "/api/users: "; !strings.HasPrefix(msg, want) {
		t.Errorf("error %q, want prefix %q", msg, want)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("underlying error not wrapped: %#v", err)
	}
}

func TestResponseSizeCap(t *testing.T) {
	defer func(n int64) { maxResponseBytes = n }(maxResponseBytes)
	maxResponseBytes = 10
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Query().Get("body")) })
	resp, err := c.httpHelper(t.Context(), Request{Query: url.Values{"body": {"0123456789"}}})
	if err != nil || string(resp.Body) != "0123456789" {
		t.Errorf("10 bytes: %v, %v", resp, err)
	}
	_, err = c.httpHelper(t.Context(), Request{Query: url.Values{"body": {"0123456789A"}}})
	if err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("11 bytes: err %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"message":"Invalid access token"}`, "Invalid access token"},
		{`{"error":"invalid_grant"}`, "invalid_grant"},
		{`{"error":"invalid_grant","error_description":"Refresh token expired"}`, "Refresh token expired"},
		{`{"error":{"code":401,"message":"Request had invalid credentials."}}`, "Request had invalid credentials."},
		{`{"errors":[{"message":"Bad credentials"}]}`, "Bad credentials"},
		{`{"errors":["first","second"]}`, "first"},
		{`{"errors":[{"status":"422","title":"Invalid","detail":"name is required"}]}`, "name is required"},
		{`{"type":"about:blank","title":"Not Found","detail":"No such user"}`, "No such user"},
		{`{"title":"Forbidden"}`, "Forbidden"},
		{`{"msg":"rate limited"}`, "rate limited"},
		{`{"error_message":"bad key"}`, "bad key"},
		{`{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"x"}}}`, "Invalid ApiKey"},
		{`[{"message":"Session expired","errorCode":"INVALID_SESSION_ID"}]`, "Session expired"},
		{`{"message":"  padded  "}`, "padded"},
		{`{"message":42,"error":"fallback"}`, "fallback"},
		{`{"message":""}`, ""},
		{`{"code":401}`, ""},
		{`<html>Unauthorized</html>`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := errorMessage([]byte(tt.body)); got != tt.want {
			t.Errorf("errorMessage(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestAPIErrorString(t *testing.T) {
	for _, tt := range []struct {
		err  APIError
		want string
	}{
		{APIError{StatusCode: 401, Message: "Invalid access token"}, "401 Unauthorized: Invalid access token"},
		{APIError{StatusCode: 404}, "404 Not Found"},
		{APIError{StatusCode: 599}, "599"},
		{APIError{StatusCode: 599, Message: "odd"}, "599: odd"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestAuthPing(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		expect  []int
		working bool
		want    string
	}{
		{name: "working", status: 200, working: true, want: "The connection is successful"},
		{name: "other expected", status: 204, expect: []int{200, 204}, working: true, want: "The connection is successful"},
		{name: "204 not expected", status: 204, want: "204 No Content"},
		{name: "401 JSON", status: 401, body: `{"message":"Invalid access token"}`, want: "401 Unauthorized: Invalid access token"},
		{name: "403 JSON without message", status: 403, body: `{"code":1}`, want: "403 Forbidden"},
		{name: "HTML", status: 502, body: "<html>\n  <body>Bad\tgateway</body>\n</html>", want: "502 Bad Gateway: <html> <body>Bad gateway</body> </html>"},
		{name: "long text", status: 500, body: strings.Repeat("x", 500), want: "500 Internal Server Error: " + strings.Repeat("x", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPath, gotMethod string
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotMethod = r.URL.Path, r.Method
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}, func(c *Client) { c.ping = pingSpec{path: "/me", expect: tt.expect} })
			got := c.AuthPing(t.Context())
			want := PingResult{Working: tt.working, ServiceResponse: ServiceResponse{StatusCode: tt.status, Body: tt.want}}
			if got != want {
				t.Errorf("AuthPing() = %+v, want %+v", got, want)
			}
			if gotPath != "/api/v2/me" || gotMethod != "GET" {
				t.Errorf("ping sent %s %s", gotMethod, gotPath)
			}
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		c, srv := newTestClient(t, nil, func(c *Client) { c.ping = pingSpec{method: "HEAD", path: "/me"} })
		srv.Close()
		got := c.AuthPing(t.Context())
		if got.Working || got.ServiceResponse.StatusCode != 0 || !strings.HasPrefix(got.ServiceResponse.Body, "test: HEAD "+srv.URL+"/api/v2/me: ") {
			t.Errorf("AuthPing() = %+v", got)
		}
	})
	t.Run("authorize fails", func(t *testing.T) {
		c, _ := newTestClient(t, nil, func(c *Client) {
			c.authorize = func(*http.Request) error { return errors.New("no token") }
		})
		got := c.AuthPing(t.Context())
		if want := (PingResult{ServiceResponse: ServiceResponse{Body: "test: authorize request: no token"}}); got != want {
			t.Errorf("AuthPing() = %+v, want %+v", got, want)
		}
	})
}

func TestCall(t *testing.T) {
	bodies := map[string]struct {
		status int
		body   string
	}{
		"/user":   {200, `{"id": 7, "name": "Ann"}`},
		"/raw":    {200, "{ \"spaced\" :  true }\n"},
		"/empty":  {204, ""},
		"/bad":    {200, `{"id": "seven"}`},
		"/denied": {403, `{"error":{"message":"Missing scope"}}`},
		"/text":   {200, "plain text"},
	}
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		b := bodies[strings.TrimPrefix(r.URL.Path, "/api/v2")]
		w.Header().Set("X-Request-Id", "r1")
		w.WriteHeader(b.status)
		io.WriteString(w, b.body)
	})
	type user struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	ctx := t.Context()

	u, err := callAs[user](ctx, c, Request{RelativeURL: "/user"})
	if err != nil || u.StatusCode != 200 || u.Body != (user{7, "Ann"}) || u.Header.Get("X-Request-Id") != "r1" {
		t.Errorf("user: %+v, %v", u, err)
	}
	raw, err := callAs[json.RawMessage](ctx, c, Request{RelativeURL: "/raw"})
	if err != nil || string(raw.Body) != bodies["/raw"].body {
		t.Errorf("raw: %q, %v", raw.Body, err)
	}
	text, err := callAs[[]byte](ctx, c, Request{RelativeURL: "/text"})
	if err != nil || string(text.Body) != "plain text" {
		t.Errorf("bytes: %v, %v", text, err)
	}
	empty, err := callAs[user](ctx, c, Request{Method: "DELETE", RelativeURL: "/empty"})
	if err != nil || empty.StatusCode != 204 || empty.Body != (user{}) {
		t.Errorf("empty: %+v, %v", empty, err)
	}
	emptyRaw, err := callAs[json.RawMessage](ctx, c, Request{RelativeURL: "/empty"})
	if err != nil || emptyRaw.Body != nil {
		t.Errorf("empty raw: %+v, %v", emptyRaw, err)
	}
	_, err = callAs[user](ctx, c, Request{RelativeURL: "/bad?key=SECRET"})
	if err == nil || !strings.HasPrefix(err.Error(), "test: decode GET /bad response: ") {
		t.Errorf("bad: %v", err)
	}
	_, err = callAs[user](ctx, c, Request{RelativeURL: "/denied"})
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.StatusCode != 403 || apiErr.Message != "Missing scope" || apiErr.Header.Get("X-Request-Id") != "r1" ||
		!bytes.Equal(apiErr.Body, []byte(bodies["/denied"].body)) || err.Error() != "403 Forbidden: Missing scope" {
		t.Errorf("denied: %#v", err)
	}
}

func TestExpandBaseURL(t *testing.T) {
	vars := map[string]string{
		"subdomain": "acme",
		"dotted":    "evil.example",
		"version":   "v1",
		"slashy":    "../admin",
		"slash":     "evil.example/#",
		"at":        "a@b",
		"port":      "host:99",
		"question":  "a?b",
		"empty":     "",
		"dash":      "-bad",
		"q":         "a&b=c",
	}
	tests := []struct {
		raw, want, wantErr string
	}{
		{raw: "https://{subdomain}.okta.com/api/{version}", want: "https://acme.okta.com/api/v1"},
		{raw: "https://{subdomain}.okta.com/api/{version}/", want: "https://acme.okta.com/api/v1"},
		{raw: "https://{dotted}.okta.com", want: "https://evil.example.okta.com"},
		{raw: "https://api.example.com/{slashy}", want: "https://api.example.com/..%2Fadmin"},
		{raw: "https://api.example.com/x?tenant={q}", want: "https://api.example.com/x?tenant=a%26b%3Dc"},
		{raw: "http://localhost:8080/{version}", want: "http://localhost:8080/v1"},
		{raw: "https://{slash}.okta.com", wantErr: "base URL: invalid value for {slash}: must be a host name label"},
		{raw: "https://{at}.okta.com", wantErr: "base URL: invalid value for {at}: must be a host name label"},
		{raw: "https://{port}.okta.com", wantErr: "invalid value for {port}"},
		{raw: "https://{question}.okta.com", wantErr: "invalid value for {question}"},
		{raw: "https://{empty}.okta.com", wantErr: "invalid value for {empty}"},
		{raw: "https://{dash}.okta.com", wantErr: "invalid value for {dash}"},
		{raw: "https://{nope}.okta.com", wantErr: "base URL: unknown placeholder {nope}"},
		{raw: "https://api.example.com/{nope}", wantErr: "unknown placeholder {nope}"},
		{raw: "ftp://api.example.com", wantErr: "absolute http(s) URL"},
		{raw: "/relative/{version}", wantErr: "absolute http(s) URL"},
		{raw: "https:///nohost", wantErr: "absolute http(s) URL"},
	}
	for _, tt := range tests {
		u, err := expandBaseURL(tt.raw, vars)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("expandBaseURL(%q) = %v, %v; want error %q", tt.raw, u, err, tt.wantErr)
			}
			if err != nil {
				for _, v := range vars {
					if len(v) > 2 && strings.Contains(err.Error(), v) {
						t.Errorf("error %q echoes value %q", err, v)
					}
				}
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("expandBaseURL(%q) = %v, %v; want %s", tt.raw, u, err, tt.want)
		}
	}
}

type level string

type stringer struct{}

func (stringer) String() string { return "stringer" }

func TestFormatParam(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123, time.FixedZone("", 2*3600))
	tests := []struct {
		in   any
		want string
	}{
		{"plain", "plain"},
		{level("high"), "high"},
		{true, "true"},
		{false, "false"},
		{-42, "-42"},
		{int8(-8), "-8"},
		{int64(1) << 62, "4611686018427387904"},
		{uint8(8), "8"},
		{uint64(1<<64 - 1), "18446744073709551615"},
		{1.5, "1.5"},
		{float32(0.1), "0.1"},
		{1e21, "1000000000000000000000"},
		{ts, "2024-05-06T07:08:09+02:00"},
		{ts.UTC(), "2024-05-06T05:08:09Z"},
		{stringer{}, "stringer"},
		{Ptr(3), "3"},
		{Ptr(ts), "2024-05-06T07:08:09+02:00"},
		{(*int)(nil), ""},
		{nil, ""},
		{[]int{1, 2}, "[1 2]"},
	}
	for _, tt := range tests {
		if got := formatParam(tt.in); got != tt.want {
			t.Errorf("formatParam(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPtr(t *testing.T) {
	p := Ptr("x")
	if *p != "x" {
		t.Fail()
	}
}

func TestCustomAction(t *testing.T) {
	c, reqs := recordingClient(t, func(int) int { return http.StatusTeapot })
	resp, err := c.CustomAction(t.Context(), Request{Method: "PATCH", RelativeURL: "/anything", Body: map[string]int{"a": 1}})
	if err != nil || resp.StatusCode != http.StatusTeapot {
		t.Fatalf("resp %v, err %v: any status is returned, not an error", resp, err)
	}
	if r := reqs()[0]; r.method != "PATCH" || string(r.body) != `{"a":1}` {
		t.Errorf("server saw %+v", r)
	}
}

func TestFormatList(t *testing.T) {
	if got := formatList([]int{1, 2, 3}); got != "1,2,3" {
		t.Errorf("formatList = %q", got)
	}
	if got := formatList([]level{"a", "b"}); got != "a,b" {
		t.Errorf("formatList = %q", got)
	}
	if got := formatList[string](nil); got != "" {
		t.Errorf("formatList(nil) = %q", got)
	}
}

func TestRedacted(t *testing.T) {
	if redacted(true) != "[REDACTED]" || redacted(false) != `""` {
		t.Errorf("redacted: %q, %q", redacted(true), redacted(false))
	}
}

func TestGuardRedirectsDropsSecretHeadersOffHost(t *testing.T) {
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer other.Close()
	// Same IP, other port: a different host as far as redirects go.
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	}))
	defer first.Close()
	hc := guardRedirects(http.DefaultClient, "X-Api-Key")
	req, _ := http.NewRequest("GET", first.URL, nil)
	req.Header.Set("X-Api-Key", "s3cr3t")
	req.Header.Set("X-Other", "kept")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Get("X-Api-Key") != "" {
		t.Errorf("API key followed the redirect to another host")
	}
	if got.Get("X-Other") != "kept" {
		t.Errorf("an ordinary header was dropped")
	}
	if http.DefaultClient.CheckRedirect != nil {
		t.Errorf("the caller's client was modified")
	}
}

// TestNoRedirect: an action whose documented answer is a redirect gets the
// 3xx itself, with its Location; any other request follows it.
func TestNoRedirect(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/there" {
			w.Write([]byte("followed"))
			return
		}
		http.Redirect(w, r, "/api/v2/there", http.StatusFound)
	})
	resp, err := c.httpHelper(t.Context(), Request{RelativeURL: "/here", noRedirect: true})
	if err != nil || resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/api/v2/there" {
		t.Fatalf("noRedirect: %v, %v; want the 302 with its Location", resp, err)
	}
	resp, err = c.httpHelper(t.Context(), Request{RelativeURL: "/here"})
	if err != nil || resp.StatusCode != http.StatusOK || string(resp.Body) != "followed" {
		t.Fatalf("without noRedirect: %v, %v; want the redirect followed", resp, err)
	}
}

// callAs is what a generated action's method does with callInto.
func callAs[T any](ctx context.Context, c *Client, req Request) (*Response[T], error) {
	out := &Response[T]{}
	var err error
	if out.StatusCode, out.Header, err = c.callInto(ctx, req, &out.Body); err != nil {
		return nil, err
	}
	return out, nil
}
