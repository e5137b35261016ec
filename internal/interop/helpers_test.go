// Package interop checks the generated webhook handlers against the
// providers' own Go libraries: what their signers produce our handlers must
// accept, and what our tests sign the provider's way their verifiers must
// accept too. Every request goes over a loopback httptest server, and each
// server also runs the provider library's verifier on the exact bytes it
// received, so both sides judge the same delivery.
package interop

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// verdicts records what a provider library's verifier said about each
// request the server received, in order.
type verdicts struct {
	mu   sync.Mutex
	errs []error
}

func (v *verdicts) add(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.errs = append(v.errs, err)
}

// last returns the verdict on the most recent request; it fails the test
// when the verifier never ran.
func (v *verdicts) last(t *testing.T) error {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.errs) == 0 {
		t.Fatal("the provider library's verifier never ran")
	}
	return v.errs[len(v.errs)-1]
}

// serve starts a loopback server that hands each request first to verify
// (the provider library, given a copy of the body) and then, body intact, to
// the generated handler h. verify may be nil.
func serve(t *testing.T, verify func(r *http.Request) error, h http.Handler) (*httptest.Server, *verdicts) {
	t.Helper()
	v := &verdicts{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading body", http.StatusInternalServerError)
			return
		}
		if verify != nil {
			r.Body = io.NopCloser(bytes.NewReader(bytes.Clone(body)))
			v.add(verify(r))
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, v
}

// post sends body with the given headers and returns the status and the
// answer's body and headers.
func post(t *testing.T, srv *httptest.Server, body []byte, header http.Header) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer, resp.Header
}

// hmacSHA256 is HMAC-SHA256 of the concatenated parts under key.
func hmacSHA256(key []byte, parts ...string) []byte {
	mac := hmac.New(sha256.New, key)
	for _, p := range parts {
		io.WriteString(mac, p)
	}
	return mac.Sum(nil)
}

// tamper returns body with its first occurrence of old replaced by new,
// failing the test when old is not there (the tampering would be a no-op).
func tamper(t *testing.T, body []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(body, []byte(old)) {
		t.Fatalf("tamper: %q not in body", old)
	}
	return bytes.Replace(body, []byte(old), []byte(new), 1)
}

// readAll reads r's body (a copy, in the servers above).
func readAll(r *http.Request) ([]byte, error) { return io.ReadAll(r.Body) }
