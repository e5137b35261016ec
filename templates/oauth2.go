package templates

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// tokenNotifier reports every new token of src, so that callers can persist
// refreshed tokens and rotated refresh tokens.
type tokenNotifier struct {
	mu      sync.Mutex
	src     oauth2.TokenSource
	onToken func(*oauth2.Token)
	last    string // access token last seen
}

// notifyTokens wraps src so that onToken (when non-nil) is called once for
// every token whose access token differs from the last one seen. initial,
// the caller's own token, counts as seen: it is not new.
func notifyTokens(src oauth2.TokenSource, onToken func(*oauth2.Token), initial *oauth2.Token) oauth2.TokenSource {
	if onToken == nil {
		return src
	}
	n := &tokenNotifier{src: src, onToken: onToken}
	if initial != nil {
		n.last = initial.AccessToken
	}
	return n
}

// Token holds the lock across the fetch and the callback so that callbacks
// run in the order tokens were obtained: a stale token is never persisted
// after a newer one. onToken must not call Token.
func (n *tokenNotifier) Token() (*oauth2.Token, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tok, err := n.src.Token()
	if err != nil {
		return nil, err
	}
	if tok.AccessToken != n.last {
		n.last = tok.AccessToken
		n.onToken(tok)
	}
	return tok, nil
}

// bearerAuth returns a Client.authorize func that sets a token of ts. Token
// errors are passed through: x/oauth2 puts no secret in them.
func bearerAuth(ts oauth2.TokenSource) func(*http.Request) error {
	return func(req *http.Request) error {
		tok, err := ts.Token()
		if err != nil {
			return err
		}
		tok.SetAuthHeader(req)
		return nil
	}
}

//conngen:if tokenparams

// tokenHTTPClient returns the client for token requests: base (or
// http.DefaultClient) with extra params (e.g. audience) added to every POSTed
// form that lacks them, since x/oauth2 has no option for that on refreshes.
func tokenHTTPClient(base *http.Client, extra url.Values) *http.Client {
	if len(extra) == 0 {
		return base
	}
	if base == nil {
		base = http.DefaultClient
	}
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *base
	c.Transport = &extraParamsTransport{next: next, extra: extra}
	return &c
}

type extraParamsTransport struct {
	next  http.RoundTripper
	extra url.Values
}

func (t *extraParamsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if req.Method != http.MethodPost || mt != "application/x-www-form-urlencoded" || req.Body == nil {
		return t.next.RoundTrip(req)
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(data))
	if err != nil {
		return nil, err
	}
	for k, vs := range t.extra {
		if !form.Has(k) {
			form[k] = vs
		}
	}
	body := form.Encode()
	// A RoundTripper must not modify its request, so send a copy.
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	return t.next.RoundTrip(r)
}

//conngen:end

//conngen:if authcode

// AuthCodeURL is the URL to send the user to for consent. Pass a verifier
// from oauth2.GenerateVerifier to use PKCE (see OAuth2Config for whether
// the service expects it) and give the same verifier to Exchange; an empty
// verifier sends no challenge.
func AuthCodeURL(cfg Config, state, verifier string) string {
	if verifier == "" {
		return OAuth2Config(cfg).AuthCodeURL(state)
	}
	return OAuth2Config(cfg).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Exchange trades the code from the redirect for a token, through
// cfg.HTTPClient and with the spec's token parameters. Put the token in
// Config.Token.
func Exchange(ctx context.Context, cfg Config, code, verifier string) (*oauth2.Token, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	//conngen:if tokenparams
	hc = tokenHTTPClient(hc, oauth2TokenParams)
	//conngen:end
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	return OAuth2Config(cfg).Exchange(ctx, code, opts...)
}

//conngen:end
