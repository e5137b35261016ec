package templates

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

type seqTokens struct {
	mu   sync.Mutex
	toks []string
	i    int
}

func (s *seqTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.toks[min(s.i, len(s.toks)-1)]
	s.i++
	if tok == "" {
		return nil, errors.New("fetch failed")
	}
	return &oauth2.Token{AccessToken: tok, TokenType: "Bearer"}, nil
}

func TestNotifyTokens(t *testing.T) {
	var got []string
	ts := notifyTokens(&seqTokens{toks: []string{"a", "a", "", "b", "b", "c"}}, func(tok *oauth2.Token) { got = append(got, tok.AccessToken) }, nil)
	var errs int
	for range 8 {
		if _, err := ts.Token(); err != nil {
			errs++
		}
	}
	if strings.Join(got, ",") != "a,b,c" || errs != 1 {
		t.Errorf("notified %q with %d errors, want a,b,c and 1", got, errs)
	}

	src := &seqTokens{toks: []string{"x"}}
	if notifyTokens(src, nil, nil) != oauth2.TokenSource(src) {
		t.Error("nil onToken should return src")
	}

	var n atomic.Int32
	ts = notifyTokens(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "same"}), func(*oauth2.Token) { n.Add(1) }, nil)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { ts.Token() })
	}
	wg.Wait()
	if n.Load() != 1 {
		t.Errorf("notified %d times, want 1", n.Load())
	}
}

func TestBearerAuth(t *testing.T) {
	auth := bearerAuth(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok", TokenType: "bearer"}))
	req, _ := http.NewRequest("GET", "https://api.example.com", nil)
	if err := auth(req); err != nil || req.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("Authorization %q, err %v", req.Header.Get("Authorization"), err)
	}
	if err := bearerAuth(&seqTokens{toks: []string{""}})(req); err == nil || err.Error() != "fetch failed" {
		t.Errorf("err = %v", err)
	}
}

// tokenServer is an OAuth2 token endpoint on 127.0.0.1 that records each
// request's form and issues tok-1, tok-2, ...
func tokenServer(t *testing.T, status int) (*httptest.Server, func() []url.Values) {
	var mu sync.Mutex
	var forms []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		forms = append(forms, r.PostForm)
		n := len(forms)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status != 200 {
			io.WriteString(w, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []url.Values {
		mu.Lock()
		defer mu.Unlock()
		return forms
	}
}

func TestTokenHTTPClient(t *testing.T) {
	srv, forms := tokenServer(t, 200)
	base := srv.Client()
	baseTransport := base.Transport
	hc := tokenHTTPClient(base, url.Values{"audience": {"https://api.example.com"}, "scope": {"from-extra"}})
	if base.Transport != baseTransport {
		t.Error("base client modified")
	}
	cfg := clientcredentials.Config{ClientID: "id", ClientSecret: "S3CRET", TokenURL: srv.URL + "/token", Scopes: []string{"read"}}
	tok, err := cfg.TokenSource(context.WithValue(t.Context(), oauth2.HTTPClient, hc)).Token()
	if err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("token %v, err %v", tok, err)
	}
	f := forms()[0]
	if f.Get("audience") != "https://api.example.com" || f.Get("grant_type") != "client_credentials" || f.Get("scope") != "read" {
		t.Errorf("token request form %v", f)
	}

	if tokenHTTPClient(base, nil) != base || tokenHTTPClient(nil, url.Values{}) != nil {
		t.Error("empty extra should return base unchanged")
	}
	if c := tokenHTTPClient(nil, url.Values{"a": {"1"}}); c == http.DefaultClient || c.Transport == nil {
		t.Error("nil base should wrap a copy of http.DefaultClient")
	}

	// Other requests pass through untouched.
	resp, err := hc.Get(srv.URL + "/token?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f := forms()[1]; len(f) != 0 {
		t.Errorf("GET got params %v", f)
	}
}

func TestOAuth2Client(t *testing.T) {
	tokSrv, forms := tokenServer(t, 200)
	var auths []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { auths = append(auths, r.Header.Get("Authorization")) })
	var notified []string
	cfg := clientcredentials.Config{ClientID: "id", ClientSecret: "S3CRET", TokenURL: tokSrv.URL}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, tokenHTTPClient(tokSrv.Client(), url.Values{"audience": {"aud"}}))
	c.authorize = bearerAuth(notifyTokens(cfg.TokenSource(ctx), func(tok *oauth2.Token) { notified = append(notified, tok.AccessToken) }, nil))
	for range 2 {
		if _, err := c.httpHelper(t.Context(), Request{}); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(auths, ",") != "Bearer tok-1,Bearer tok-1" || strings.Join(notified, ",") != "tok-1" || len(forms()) != 1 {
		t.Errorf("auths %q, notified %q, %d token requests", auths, notified, len(forms()))
	}
}

func TestOAuth2ErrorHasNoSecret(t *testing.T) {
	tokSrv, _ := tokenServer(t, 401)
	c, _ := newTestClient(t, nil)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cfg := clientcredentials.Config{ClientID: "id", ClientSecret: "S3CRET", TokenURL: tokSrv.URL + "/token", AuthStyle: style}
		ctx := context.WithValue(t.Context(), oauth2.HTTPClient, tokSrv.Client())
		c.authorize = bearerAuth(cfg.TokenSource(ctx))
		_, err := c.httpHelper(t.Context(), Request{})
		if err == nil || !strings.HasPrefix(err.Error(), "test: authorize request: ") || strings.Contains(err.Error(), "S3CRET") {
			t.Errorf("err = %v", err)
		}
		if _, ok := errors.AsType[*oauth2.RetrieveError](err); !ok {
			t.Errorf("RetrieveError not wrapped: %#v", err)
		}
		p := c.AuthPing(t.Context())
		if p.Working || p.ServiceResponse.StatusCode != 0 || strings.Contains(p.ServiceResponse.Body, "S3CRET") {
			t.Errorf("AuthPing() = %+v", p)
		}
	}
}

func TestNotifyTokensSkipsTheCallersOwnToken(t *testing.T) {
	var got []string
	own := &oauth2.Token{AccessToken: "mine"}
	ts := notifyTokens(&seqTokens{toks: []string{"mine", "mine", "fresh"}}, func(tok *oauth2.Token) { got = append(got, tok.AccessToken) }, own)
	for range 3 {
		if _, err := ts.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0] != "fresh" {
		t.Errorf("notified %v, want only [fresh]", got)
	}
}
