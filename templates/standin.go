package templates

import (
	"errors"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// This file is not emitted (embed.go does not list it). It stands in for
// what generator/emit renders in each connector's client.go and the
// oauth2.go helpers use, so that they compile and are tested here.

// Config is the part of a connector's Config that AuthCodeURL and Exchange
// read.
type Config struct {
	ClientID, ClientSecret, RedirectURL string
	HTTPClient                          *http.Client
}

// standInEndpoint is the OAuth2 endpoint the stand-in OAuth2Config
// returns; tests point it at their server.
var standInEndpoint oauth2.Endpoint

// OAuth2Config is rendered per connector from model.Auth.OAuth2Config.
func OAuth2Config(cfg Config) *oauth2.Config {
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL, Endpoint: standInEndpoint}
}

// oauth2TokenParams are the spec's auth.tokenParams, rendered per connector
// that has them.
var oauth2TokenParams url.Values

// registry, ErrUnknownAction and actionSchema are rendered per connector
// in registry.go (its actions, its name, its schemas); Actions and Invoke
// read them.
var registry []registered

var ErrUnknownAction = errors.New("templates: unknown action")

func actionSchema(i int) string { return "{}" }
