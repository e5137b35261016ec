// Package testutil holds helpers for the behaviour tests of the generated
// connectors: a recording httptest server bound to 127.0.0.1, HTTP clients
// that can reach nothing but that server, and small assertion helpers.
//
// No helper here ever sends a request off the loopback interface: clients
// refuse every host other than the test server (or reroute a named host, such
// as an OAuth2 token endpoint hard-coded in a connector, to the test server).
//
// It imports only the standard library and never the generator.
package testutil

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// OriginalURLHeader carries, on a rerouted request, the URL the connector
// asked for before the test client sent it to the test server. The server
// records it in Request.OriginalURL and strips it from Request.Header.
const OriginalURLHeader = "X-Testutil-Original-Url"

// Request is one request as the test server saw it.
type Request struct {
	Method      string
	Path        string // decoded path, r.URL.Path
	RawPath     string // r.URL.RawPath ("" when Path needs no special escaping)
	EscapedPath string // r.URL.EscapedPath()
	RequestURI  string // the request target exactly as sent
	RawQuery    string
	Query       url.Values
	Header      http.Header
	Body        []byte
	// OriginalURL is the URL the connector asked for when the test client
	// rerouted the request from another host; "" otherwise.
	OriginalURL string
}

// Server is an httptest server on 127.0.0.1 that records every request.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	handler  http.Handler
}

// NewServer starts a recording server on 127.0.0.1 and closes it when the
// test ends. h may be nil: the server then answers 200 {}.
func NewServer(t testing.TB, h http.HandlerFunc) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testutil: listen on 127.0.0.1: %v", err)
	}
	s := &Server{}
	if h != nil {
		s.handler = h
	} else {
		s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, http.StatusOK, `{}`) })
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Listener.Close()
	s.Server.Listener = ln
	s.Server.Start()
	t.Cleanup(s.Server.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	orig := r.Header.Get(OriginalURLHeader)
	r.Header.Del(OriginalURLHeader)
	rec := Request{
		Method:      r.Method,
		Path:        r.URL.Path,
		RawPath:     r.URL.RawPath,
		EscapedPath: r.URL.EscapedPath(),
		RequestURI:  r.RequestURI,
		RawQuery:    r.URL.RawQuery,
		Query:       r.URL.Query(),
		Header:      r.Header.Clone(),
		Body:        body,
		OriginalURL: orig,
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	s.handler.ServeHTTP(w, r)
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count is the number of requests received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Last returns the latest request; it fails the test when there is none.
func (s *Server) Last(t testing.TB) Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		t.Fatalf("testutil: the server received no request")
	}
	return s.requests[len(s.requests)-1]
}

// HTTPClient returns a client that sends requests for the server's own host
// as they are, sends requests for any of the reroute hosts (host names such
// as "accounts.spotify.com", any scheme and port) to the server instead,
// with the original URL in OriginalURLHeader, and refuses every other host.
// It never dials anything but 127.0.0.1.
func (s *Server) HTTPClient(reroute ...string) *http.Client {
	target, err := url.Parse(s.URL)
	if err != nil {
		panic(err)
	}
	rt := &guardTransport{target: target, reroute: map[string]bool{}, next: LoopbackTransport()}
	for _, h := range reroute {
		rt.reroute[strings.ToLower(h)] = true
	}
	return &http.Client{Transport: rt}
}

type guardTransport struct {
	target  *url.URL
	reroute map[string]bool
	next    http.RoundTripper
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.EqualFold(req.URL.Host, g.target.Host) && req.URL.Scheme == g.target.Scheme {
		return g.next.RoundTrip(req)
	}
	if !g.reroute[strings.ToLower(req.URL.Hostname())] {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("testutil: refusing a request to %s: tests reach only the test server", req.URL.Host)
	}
	r := req.Clone(req.Context())
	r.Header.Set(OriginalURLHeader, req.URL.String())
	u := *req.URL
	u.Scheme, u.Host = g.target.Scheme, g.target.Host
	r.URL = &u
	r.Host = ""
	return g.next.RoundTrip(r)
}

// LoopbackTransport is an *http.Transport without proxy that dials only
// loopback IP addresses: anything else fails without a DNS lookup.
func LoopbackTransport() *http.Transport {
	return &http.Transport{
		Proxy:             nil,
		DialContext:       loopbackDial,
		ForceAttemptHTTP2: false,
	}
}

func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("testutil: refusing to dial %s: tests reach 127.0.0.1 only", host)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// GuardDefaultTransport replaces http.DefaultTransport, until the test ends,
// with a transport that dials only loopback addresses, so that a connector
// which wrongly bypassed Config.HTTPClient could not reach the network. It
// changes a global: call it only from tests that do not call t.Parallel
// (those never overlap parallel tests of the same package).
func GuardDefaultTransport(t testing.TB) {
	t.Helper()
	old := http.DefaultTransport
	http.DefaultTransport = LoopbackTransport()
	t.Cleanup(func() { http.DefaultTransport = old })
}

// ClosedURL returns the URL of a server on 127.0.0.1 that has been closed:
// connecting to it fails, so no response ever comes back.
func ClosedURL(t testing.TB) string {
	t.Helper()
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testutil: listen on 127.0.0.1: %v", err)
	}
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	u := s.URL
	s.Close()
	return u
}

// WriteJSON writes body with the given status and a JSON Content-Type.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// Sequence returns a handler that serves the i-th request with hs[i], and
// every later one with the last of hs.
func Sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// Status returns a handler answering status with a JSON body and optional
// header pairs (name, value, name, value...).
func Status(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		WriteJSON(w, status, body)
	}
}

// NoSecrets fails the test when s contains any of secrets. what says where
// s comes from; the secret itself is not repeated in the failure message.
func NoSecrets(t testing.TB, what, s string, secrets ...string) {
	t.Helper()
	for i, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s contains secret #%d: %q", what, i, strings.ReplaceAll(s, sec, "<SECRET>"))
		}
	}
}

// ConfigNoSecrets checks that every usual fmt rendering of cfg (%v, %+v,
// %#v, %s, of the value and of a pointer to it) is free of secrets.
func ConfigNoSecrets(t testing.TB, cfg any, ptr any, secrets ...string) {
	t.Helper()
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		NoSecrets(t, fmt.Sprintf("fmt.Sprintf(%q, cfg)", f), fmt.Sprintf(f, cfg), secrets...)
		NoSecrets(t, fmt.Sprintf("fmt.Sprintf(%q, &cfg)", f), fmt.Sprintf(f, ptr), secrets...)
	}
	NoSecrets(t, "fmt.Sprint(cfg)", fmt.Sprint(cfg), secrets...)
	NoSecrets(t, "fmt.Sprintln(cfg)", fmt.Sprintln(cfg), secrets...)
}

// Collect drains an iterator of a paginated action: every item up to the
// first error, and that error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// BasicAuth parses the Authorization header of a recorded request as HTTP
// Basic credentials.
func (r Request) BasicAuth() (user, pass string, ok bool) {
	hr := &http.Request{Header: r.Header}
	return hr.BasicAuth()
}

// Form parses a recorded application/x-www-form-urlencoded body.
func (r Request) Form() url.Values {
	v, _ := url.ParseQuery(string(r.Body))
	return v
}
