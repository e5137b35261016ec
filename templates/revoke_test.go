package templates

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
)

var errTestRevoked = errors.New("test: connection revoked")

// revokeRequest is what the revocation endpoint received.
type revokeRequest struct {
	method, contentType, authorization string
	form                               url.Values
}

// revokeServer is an RFC 7009 endpoint answering status (and body) and
// recording each request.
type revokeServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []revokeRequest
}

func newRevokeServer(t *testing.T, status int, body string) *revokeServer {
	t.Helper()
	rs := &revokeServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		rs.mu.Lock()
		rs.reqs = append(rs.reqs, revokeRequest{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.PostForm})
		rs.mu.Unlock()
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *revokeServer) requests() []revokeRequest {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]revokeRequest(nil), rs.reqs...)
}

// rotatingTokens hands out the tokens in order, the last one for good.
type rotatingTokens struct {
	mu    sync.Mutex
	toks  []*oauth2.Token
	calls int
}

func (s *rotatingTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.toks[min(s.calls, len(s.toks)-1)]
	s.calls++
	return tok, nil
}

// revokingClient is a test client of an API that counts its requests,
// with bearer auth from src and Revoke set up for rs.
func revokingClient(t *testing.T, rs *revokeServer, spec revokeSpec, src oauth2.TokenSource, initial *oauth2.Token) (*Client, *atomic.Int64) {
	t.Helper()
	var apiCalls atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[1,2],"id":"x"}`)
	}, func(c *Client) { c.ping = pingSpec{path: "/me"} })
	spec.url = rs.URL + "/oauth2/revoke"
	spec.ended = errTestRevoked
	tokens := trackTokens(src, initial)
	c.authorize = bearerAuth(tokens)
	c.revoke = c.revoker(spec, tokens)
	return c, &apiCalls
}

func TestRevokeRequest(t *testing.T) {
	const id, secret = "client id:1", "s3cr/t+&="
	withRefresh := &oauth2.Token{AccessToken: "access-1", RefreshToken: "refresh-1", TokenType: "Bearer"}
	accessOnly := &oauth2.Token{AccessToken: "access-1", TokenType: "Bearer"}
	tests := []struct {
		name     string
		tok      *oauth2.Token
		inBody   bool
		wantForm url.Values
		wantAuth string // Authorization header: HTTP Basic of the url-encoded id and secret
	}{
		{
			name: "refresh token, header", tok: withRefresh,
			wantForm: url.Values{"token": {"refresh-1"}, "token_type_hint": {"refresh_token"}},
			wantAuth: basic(url.QueryEscape(id), url.QueryEscape(secret)),
		},
		{
			name: "access token, header", tok: accessOnly,
			wantForm: url.Values{"token": {"access-1"}, "token_type_hint": {"access_token"}},
			wantAuth: basic(url.QueryEscape(id), url.QueryEscape(secret)),
		},
		{
			name: "refresh token, body", tok: withRefresh, inBody: true,
			wantForm: url.Values{"token": {"refresh-1"}, "token_type_hint": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}},
		},
		{
			name: "access token, body", tok: accessOnly, inBody: true,
			wantForm: url.Values{"token": {"access-1"}, "token_type_hint": {"access_token"}, "client_id": {id}, "client_secret": {secret}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := newRevokeServer(t, http.StatusOK, "")
			c, _ := revokingClient(t, rs, revokeSpec{clientID: id, clientSecret: secret, inBody: tt.inBody}, oauth2.StaticTokenSource(tt.tok), tt.tok)
			if err := c.Revoke(t.Context()); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			reqs := rs.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d revocation requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != "POST" || r.contentType != "application/x-www-form-urlencoded" {
				t.Errorf("request %s with Content-Type %q, want a POSTed form", r.method, r.contentType)
			}
			if r.form.Encode() != tt.wantForm.Encode() {
				t.Errorf("form %v, want %v", r.form, tt.wantForm)
			}
			if r.authorization != tt.wantAuth {
				t.Errorf("Authorization %q, want %q", r.authorization, tt.wantAuth)
			}
		})
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// TestRevokeEndsTheClient: after a successful Revoke every kind of call
// fails with ErrRevoked and no request reaches the API or the revocation
// endpoint again.
func TestRevokeEndsTheClient(t *testing.T) {
	rs := newRevokeServer(t, http.StatusOK, "")
	tok := &oauth2.Token{AccessToken: "access-1", RefreshToken: "refresh-1"}
	c, apiCalls := revokingClient(t, rs, revokeSpec{clientID: "id", clientSecret: "secret"}, oauth2.StaticTokenSource(tok), tok)

	if _, err := c.CustomAction(t.Context(), Request{RelativeURL: "/me"}); err != nil {
		t.Fatal(err)
	}
	if ping := c.AuthPing(t.Context()); !ping.Working {
		t.Fatalf("AuthPing before Revoke: %+v", ping)
	}
	before := apiCalls.Load()
	if err := c.Revoke(t.Context()); err != nil {
		t.Fatalf("Revoke: %v", err)
	}

	_, err := c.CustomAction(t.Context(), Request{RelativeURL: "/me"})
	if !errors.Is(err, errTestRevoked) {
		t.Errorf("CustomAction after Revoke: %v, want ErrRevoked", err)
	}
	_, err = callAs[map[string]any](t.Context(), c, Request{Method: "POST", RelativeURL: "/things", Body: map[string]int{"a": 1}})
	if !errors.Is(err, errTestRevoked) {
		t.Errorf("an action after Revoke: %v, want ErrRevoked", err)
	}
	var n int
	for _, err := range paginate[int](t.Context(), c, Request{RelativeURL: "/items"}, pager{style: "page", page: "page", items: "items"}, nil) {
		n++
		if !errors.Is(err, errTestRevoked) {
			t.Errorf("iterator after Revoke yielded %v, want ErrRevoked", err)
		}
	}
	if n != 1 {
		t.Errorf("iterator after Revoke yielded %d times, want once (the error)", n)
	}
	ping := c.AuthPing(t.Context())
	if ping.Working || ping.ServiceResponse.StatusCode != 0 || ping.ServiceResponse.Body != errTestRevoked.Error() {
		t.Errorf("AuthPing after Revoke: %+v, want not working with %q", ping, errTestRevoked)
	}
	if err := c.Revoke(t.Context()); !errors.Is(err, errTestRevoked) {
		t.Errorf("second Revoke: %v, want ErrRevoked", err)
	}
	if got := apiCalls.Load(); got != before {
		t.Errorf("%d API requests after Revoke, want none", got-before)
	}
	if got := len(rs.requests()); got != 1 {
		t.Errorf("%d revocation requests, want 1", got)
	}
}

// TestRevokeRefused: any status but 200 is an *APIError without the token
// or the secret in its message, and the Client goes on working.
func TestRevokeRefused(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNoContent, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			body := ""
			if status != http.StatusNoContent {
				body = `{"error":"invalid_client","error_description":"Client authentication failed"}`
			}
			rs := newRevokeServer(t, status, body)
			tok := &oauth2.Token{AccessToken: "access-secret-1", RefreshToken: "refresh-secret-1"}
			c, apiCalls := revokingClient(t, rs, revokeSpec{clientID: "id", clientSecret: "client-secret-1"}, oauth2.StaticTokenSource(tok), tok)
			err := c.Revoke(t.Context())
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("Revoke: %v (%T), want an *APIError with status %d", err, err, status)
			}
			if body != "" && apiErr.Message != "Client authentication failed" {
				t.Errorf("message %q", apiErr.Message)
			}
			for _, s := range []string{"access-secret-1", "refresh-secret-1", "client-secret-1"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
			if _, err := c.CustomAction(t.Context(), Request{RelativeURL: "/me"}); err != nil || apiCalls.Load() != 1 {
				t.Errorf("the Client stopped working after a refused Revoke: %v", err)
			}
		})
	}
}

// TestRevokeCurrentToken: Revoke takes the token last used, a refreshed
// one included, without asking for a new one.
func TestRevokeCurrentToken(t *testing.T) {
	rs := newRevokeServer(t, http.StatusOK, "")
	initial := &oauth2.Token{AccessToken: "access-1", RefreshToken: "refresh-1"}
	src := &rotatingTokens{toks: []*oauth2.Token{
		{AccessToken: "access-2", RefreshToken: "refresh-2"},
		{AccessToken: "access-3", RefreshToken: "refresh-3"},
	}}
	c, _ := revokingClient(t, rs, revokeSpec{clientID: "id"}, src, initial)
	if _, err := c.CustomAction(t.Context(), Request{RelativeURL: "/me"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(t.Context()); err != nil {
		t.Fatal(err)
	}
	if reqs := rs.requests(); len(reqs) != 1 || reqs[0].form.Get("token") != "refresh-2" {
		t.Errorf("revoked %v, want the token last used (refresh-2)", reqs)
	}
	if src.calls != 1 {
		t.Errorf("the token source was asked %d times, want once (by the call)", src.calls)
	}

	t.Run("before any call", func(t *testing.T) {
		rs := newRevokeServer(t, http.StatusOK, "")
		src := &rotatingTokens{toks: []*oauth2.Token{{AccessToken: "access-9"}}}
		c, _ := revokingClient(t, rs, revokeSpec{clientID: "id"}, src, initial)
		if err := c.Revoke(t.Context()); err != nil {
			t.Fatal(err)
		}
		if reqs := rs.requests(); len(reqs) != 1 || reqs[0].form.Get("token") != "refresh-1" || src.calls != 0 {
			t.Errorf("revoked %v after %d token fetches, want Config.Token's refresh token and none", reqs, src.calls)
		}
	})
	t.Run("client credentials before any call", func(t *testing.T) {
		rs := newRevokeServer(t, http.StatusOK, "")
		src := &rotatingTokens{toks: []*oauth2.Token{{AccessToken: "cc-access"}}}
		c, _ := revokingClient(t, rs, revokeSpec{clientID: "id", inBody: true}, src, nil)
		if err := c.Revoke(t.Context()); err != nil {
			t.Fatal(err)
		}
		if reqs := rs.requests(); len(reqs) != 1 || reqs[0].form.Get("token") != "cc-access" || reqs[0].form.Get("token_type_hint") != "access_token" {
			t.Errorf("revoked %v, want the access token of the source", reqs)
		}
	})
	t.Run("token source fails", func(t *testing.T) {
		rs := newRevokeServer(t, http.StatusOK, "")
		c, apiCalls := revokingClient(t, rs, revokeSpec{clientID: "id"}, &seqTokens{toks: []string{""}}, nil)
		err := c.Revoke(t.Context())
		if err == nil || !strings.Contains(err.Error(), "fetch failed") || len(rs.requests()) != 0 {
			t.Errorf("Revoke: %v after %d requests, want the fetch error and none", err, len(rs.requests()))
		}
		if ping := c.AuthPing(t.Context()); ping.ServiceResponse.Body == errTestRevoked.Error() || apiCalls.Load() != 0 {
			t.Errorf("the Client ended although nothing was revoked: %+v", ping)
		}
	})
}

// TestRevokeNoRedirect: the form carries the token, so a redirect is not
// followed: it is an *APIError.
func TestRevokeNoRedirect(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	rs := &revokeServer{Server: redirect}
	tok := &oauth2.Token{AccessToken: "a", RefreshToken: "r"}
	c, _ := revokingClient(t, rs, revokeSpec{clientID: "id", clientSecret: "s", inBody: true}, oauth2.StaticTokenSource(tok), tok)
	err := c.Revoke(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("Revoke: %v, want an *APIError 307", err)
	}
	if elsewhere.Load() != 0 {
		t.Error("the revocation request followed the redirect")
	}
}

func TestRevokeTransportError(t *testing.T) {
	rs := newRevokeServer(t, http.StatusOK, "")
	tok := &oauth2.Token{AccessToken: "access-secret-1", RefreshToken: "refresh-secret-1"}
	c, _ := revokingClient(t, rs, revokeSpec{clientID: "id", clientSecret: "client-secret-1", inBody: true}, oauth2.StaticTokenSource(tok), tok)
	rs.Close()
	err := c.Revoke(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "test: POST "+rs.URL+"/oauth2/revoke: ") {
		t.Fatalf("Revoke: %v", err)
	}
	for _, s := range []string{"access-secret-1", "refresh-secret-1", "client-secret-1"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error shows a secret: %v", err)
		}
	}
}

func TestRevokeWithoutRevokeURL(t *testing.T) {
	c, _ := newTestClient(t, nil)
	if err := c.Revoke(t.Context()); err == nil || errors.Is(err, errTestRevoked) {
		t.Errorf("Revoke without a revokeURL: %v", err)
	}
}
