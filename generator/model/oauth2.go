package model

import (
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// OAuth2Config is the connector's OAuth2 client as x/oauth2 takes it, for
// the given client and redirect URL: the generated OAuth2Config returns
// this (generator/emit renders its fields) and conngen login uses it as it
// is, so the two cannot disagree. The redirect URL and the authorize
// endpoint are set for the authorization-code grant only.
func (a Auth) OAuth2Config(clientID, clientSecret, redirect string) *oauth2.Config {
	cfg := &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: a.TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
	}
	if a.ClientAuth == "body" {
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	if a.Grant == "authorizationCode" {
		cfg.RedirectURL = redirect
		cfg.Endpoint.AuthURL = a.AuthorizeURL
	}
	if len(a.Scopes) > 0 {
		cfg.Scopes = a.Scopes
		if a.ScopeSep != " " {
			// x/oauth2 joins scopes with spaces; other separators are
			// joined here, into one.
			cfg.Scopes = []string{strings.Join(a.Scopes, a.ScopeSep)}
		}
	}
	return cfg
}

// TokenValues are the spec's auth.tokenParams, which every token request
// (exchange and refresh alike) carries in its form.
func (a Auth) TokenValues() url.Values {
	v := url.Values{}
	for _, kv := range a.TokenParams {
		v[kv.Key] = []string{kv.Value}
	}
	return v
}
