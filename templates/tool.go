package templates

import (
	"context"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// This file is not emitted (embed.go does not list it): it is how conngen's
// own commands reach the runtime, so that conngen revoke and conngen login
// send exactly what a generated connector sends, from one implementation.

// RevokeToken sends the RFC 7009 request that Client.Revoke sends, for tok
// (its refresh token when it has one, else its access token), to revokeURL
// through hc (nil: http.DefaultClient), without following redirects. inBody
// puts the client's id and secret in the form (clientAuth body), else they
// go as HTTP Basic. name prefixes errors; userAgent, when set, is sent. A
// status other than 200 is an *APIError. No error carries the token or the
// secret.
func RevokeToken(ctx context.Context, hc *http.Client, name, userAgent, revokeURL, clientID, clientSecret string, inBody bool, tok *oauth2.Token) error {
	c := &Client{name: name, httpClient: hc, headers: http.Header{}}
	if userAgent != "" {
		c.headers.Set("User-Agent", userAgent)
	}
	return c.revokeToken(ctx, revokeSpec{url: revokeURL, clientID: clientID, clientSecret: clientSecret, inBody: inBody}, tok)
}

// TokenHTTPClient is the HTTP client a connector's token requests go
// through: base, adding the spec's auth.tokenParams to every token request's
// form.
func TokenHTTPClient(base *http.Client, tokenParams url.Values) *http.Client {
	return tokenHTTPClient(base, tokenParams)
}
