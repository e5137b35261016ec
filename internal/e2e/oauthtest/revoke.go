package oauthtest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// handleRevoke is an RFC 7009 revocation endpoint, which go-oauth2 does
// not have: it authenticates the client as the token endpoint does (HTTP
// Basic with form-encoded id and secret, or client_id and client_secret in
// the form), finds the token (by token_type_hint first, then as the other
// kind) and removes it with the library's manager. Revoking a refresh
// token also revokes the access token issued with it; revoking an access
// token revokes that token only. An unknown, expired or already revoked
// token is a success (RFC 7009 2.2).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "revocation requests are POSTed")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	id, secret, err := s.oauth.ClientInfoHandler(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "no client authentication")
		return
	}
	ctx := r.Context()
	cli, err := s.oauth.Manager.GetClient(ctx, id)
	if err != nil || subtle.ConstantTimeCompare([]byte(cli.GetSecret()), []byte(secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	m := s.oauth.Manager
	asRefresh := func() bool {
		ti, err := m.LoadRefreshToken(ctx, token)
		if err != nil || ti == nil {
			return false
		}
		if ti.GetClientID() != id {
			oauthError(w, http.StatusBadRequest, "invalid_request", "the token was issued to another client")
			return true
		}
		m.RemoveRefreshToken(ctx, token)
		if a := ti.GetAccess(); a != "" {
			m.RemoveAccessToken(ctx, a)
		}
		s.Revocations.Add(1)
		w.WriteHeader(http.StatusOK)
		return true
	}
	asAccess := func() bool {
		ti, err := m.LoadAccessToken(ctx, token)
		if err != nil || ti == nil {
			return false
		}
		if ti.GetClientID() != id {
			oauthError(w, http.StatusBadRequest, "invalid_request", "the token was issued to another client")
			return true
		}
		m.RemoveAccessToken(ctx, token)
		s.Revocations.Add(1)
		w.WriteHeader(http.StatusOK)
		return true
	}
	order := []func() bool{asRefresh, asAccess}
	if r.PostForm.Get("token_type_hint") == "access_token" {
		order = []func() bool{asAccess, asRefresh}
	}
	for _, try := range order {
		if try() {
			return
		}
	}
	s.Revocations.Add(1)
	w.WriteHeader(http.StatusOK) // unknown or already revoked
}

// oauthError writes an RFC 6749 5.2 error body.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
