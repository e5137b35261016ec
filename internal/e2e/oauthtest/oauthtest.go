// Package oauthtest runs a real OAuth2 authorization server
// (github.com/go-oauth2/oauth2/v4) and a protected API on loopback, for the
// end-to-end tests of generated connectors and of `conngen login`.
//
// The server supports the authorization-code grant with PKCE (S256, and
// required), refresh tokens (rotated on every refresh), client credentials
// and token revocation (RFC 7009, at /revoke; see revoke.go). The
// authorize endpoint approves every request at once, as a
// user who is already signed in and clicks "Allow" would: following its
// redirect with a plain http.Client stands in for the browser.
package oauthtest

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
)

// The registered client.
const (
	ClientID     = "conngen-client"
	ClientSecret = "conngen-secret"
	UserID       = "user-1"
)

// Server is the authorization server and the API it protects.
type Server struct {
	Issuer       string // http://127.0.0.1:PORT of the authorization server
	AuthorizeURL string // Issuer + /authorize
	TokenURL     string // Issuer + /token
	RevokeURL    string // Issuer + /revoke
	API          string // base URL of the protected API (GET /me)

	oauth *server.Server

	// Counters of what the server saw, for assertions.
	Authorizations atomic.Int64 // authorize requests approved
	CodeGrants     atomic.Int64 // codes exchanged
	Refreshes      atomic.Int64 // refresh-token grants
	ClientGrants   atomic.Int64 // client-credentials grants
	PKCEChallenges atomic.Int64 // authorize requests that carried an S256 challenge
	Revocations    atomic.Int64 // revocation requests answered 200
}

// Start starts the servers; they stop when the test ends. Access tokens
// live for an hour; codes for a minute.
func Start(t testing.TB) *Server {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	manager.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: time.Hour, RefreshTokenExp: 24 * time.Hour, IsGenerateRefresh: true})
	manager.SetClientTokenCfg(&manage.Config{AccessTokenExp: time.Hour})
	manager.SetRefreshTokenCfg(&manage.RefreshingConfig{
		AccessTokenExp: time.Hour, IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true,
	})
	// The redirect URI must be a loopback URL (RFC 8252 7.3: any port).
	manager.SetValidateURIHandler(func(_, redirect string) error {
		u, err := url.Parse(redirect)
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
			return errors.ErrInvalidRedirectURI
		}
		return nil
	})
	clients := store.NewClientStore()
	clients.Set(ClientID, &models.Client{ID: ClientID, Secret: ClientSecret, Domain: "http://127.0.0.1"})
	manager.MapClientStorage(clients)

	cfg := server.NewConfig()
	cfg.ForcePKCE = true
	cfg.AllowedCodeChallengeMethods = []oauth2.CodeChallengeMethod{oauth2.CodeChallengeS256}
	srv := server.NewServer(cfg, manager)
	// Client authentication by HTTP Basic (clientAuth: header) or in the
	// form (clientAuth: body).
	srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		if id, secret, ok := r.BasicAuth(); ok {
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
			return id, secret, nil
		}
		return server.ClientFormHandler(r)
	})
	s := &Server{oauth: srv}
	srv.SetUserAuthorizationHandler(func(w http.ResponseWriter, r *http.Request) (string, error) {
		s.Authorizations.Add(1)
		if r.FormValue("code_challenge_method") == "S256" && r.FormValue("code_challenge") != "" {
			s.PKCEChallenges.Add(1)
		}
		return UserID, nil
	})

	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		switch r.FormValue("grant_type") {
		case "authorization_code":
			s.CodeGrants.Add(1)
		case "refresh_token":
			s.Refreshes.Add(1)
		case "client_credentials":
			s.ClientGrants.Add(1)
		}
		srv.HandleTokenRequest(w, r)
	})
	mux.HandleFunc("/revoke", s.handleRevoke)
	issuer := startLoopback(t, mux)

	api := http.NewServeMux()
	api.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		ti, err := srv.ValidationBearerToken(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_token", "message": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"user": ti.GetUserID(), "client": ti.GetClientID(), "scope": ti.GetScope()})
	})
	s.Issuer = issuer
	s.AuthorizeURL = issuer + "/authorize"
	s.TokenURL = issuer + "/token"
	s.RevokeURL = issuer + "/revoke"
	s.API = startLoopback(t, api)
	return s
}

// Check reports whether access is a valid access token of the server.
func (s *Server) Check(access string) error {
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+access)
	_, err := s.oauth.ValidationBearerToken(r)
	return err
}

// WriteSpec fills in internal/e2e/testdata/NAME.yaml (oauthcode or
// oauthclient) with the server's addresses, writes it into a temporary
// directory and returns its path.
func (s *Server) WriteSpec(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New(name).Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func startLoopback(t testing.TB, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}
