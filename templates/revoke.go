package templates

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// revokeSpec is where and how a connection's token is revoked (RFC 7009):
// the spec's revokeURL and clientAuth, the client's credentials, and the
// error (ErrRevoked) that every call returns afterwards.
type revokeSpec struct {
	url          string
	clientID     string
	clientSecret string
	inBody       bool // clientAuth body: client_id and client_secret in the form; else HTTP Basic
	ended        error
}

// Revoke asks the service to revoke the connection's token (the refresh
// token when there is one, else the access token) and ends the Client:
// every later call returns an error wrapping ErrRevoked without sending
// anything, AuthPing reports the connection as not working, and Revoke
// itself returns that error. The token is the one the Client last used (for
// an authorization-code Client, Config.Token until it is refreshed; for a
// client-credentials Client that has made no call yet, one fetched now).
//
// The request is POST revokeURL with the form token and token_type_hint
// (refresh_token or access_token), the client authenticated as the spec's
// clientAuth says, through Config.HTTPClient; redirects are not followed,
// since the form carries the token. A 200 is success; any other status is
// an *APIError and leaves the Client working. Calls already under way when
// Revoke succeeds are not stopped.
func (c *Client) Revoke(ctx context.Context) error {
	if err, _ := c.ended.Load().(error); err != nil {
		return err
	}
	if c.revoke == nil {
		return c.errorf("the spec has no revokeURL")
	}
	return c.revoke(ctx)
}

// lastToken is a token source that remembers the last token it handed out,
// so that Revoke knows the current token without asking for a new one.
type lastToken struct {
	mu  sync.Mutex
	src oauth2.TokenSource
	tok *oauth2.Token
}

// trackTokens wraps src; initial (the caller's Config.Token, or nil) is
// the current token until src gives another.
func trackTokens(src oauth2.TokenSource, initial *oauth2.Token) *lastToken {
	return &lastToken{src: src, tok: initial}
}

// Token holds the lock across the fetch so that a token is never replaced
// by an older one.
func (l *lastToken) Token() (*oauth2.Token, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tok, err := l.src.Token()
	if err != nil {
		return nil, err
	}
	l.tok = tok
	return tok, nil
}

// current is the token to revoke: the last one handed out, or, when there
// is none yet (client credentials before the first call), one from src.
func (l *lastToken) current() (*oauth2.Token, error) {
	l.mu.Lock()
	tok := l.tok
	l.mu.Unlock()
	if tok != nil {
		return tok, nil
	}
	return l.Token()
}

// revoker returns the Client.revoke func: revoke the current token of
// tokens as rs says, then end the Client with rs.ended.
func (c *Client) revoker(rs revokeSpec, tokens *lastToken) func(context.Context) error {
	return func(ctx context.Context) error {
		tok, err := tokens.current()
		if err != nil {
			// x/oauth2 puts no secret in its errors.
			return c.errorf("revoke: get the token: %w", err)
		}
		if err := c.revokeToken(ctx, rs, tok); err != nil {
			return err
		}
		c.ended.Store(rs.ended)
		return nil
	}
}

// revokeToken sends the RFC 7009 revocation request for tok.
func (c *Client) revokeToken(ctx context.Context, rs revokeSpec, tok *oauth2.Token) error {
	form := url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}
	if tok.RefreshToken == "" {
		form = url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}
	}
	if form.Get("token") == "" {
		return c.errorf("revoke: the connection has no token")
	}
	if rs.inBody {
		form.Set("client_id", rs.clientID)
		if rs.clientSecret != "" {
			form.Set("client_secret", rs.clientSecret)
		}
	}
	u, err := url.Parse(rs.url)
	if err != nil {
		return c.errorf("revoke: invalid revokeURL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return c.errorf("revoke: invalid revokeURL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if ua := c.headers["User-Agent"]; len(ua) > 0 {
		req.Header["User-Agent"] = ua
	}
	if !rs.inBody {
		// RFC 6749 2.3.1: the id and secret are form-encoded, then Basic.
		req.SetBasicAuth(url.QueryEscape(rs.clientID), url.QueryEscape(rs.clientSecret))
	}
	hc := http.DefaultClient
	if c.httpClient != nil {
		hc = c.httpClient
	}
	// No redirects: the form carries the token.
	hr, err := withoutRedirects(hc).Do(req)
	if err != nil {
		return c.urlError(http.MethodPost, u, err)
	}
	defer hr.Body.Close()
	data, err := readBody(hr)
	if err != nil {
		return c.urlError(http.MethodPost, u, err)
	}
	if hr.StatusCode != http.StatusOK {
		return newAPIError(&Response[[]byte]{StatusCode: hr.StatusCode, Header: hr.Header, Body: data})
	}
	return nil
}
