package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const (
	revokeClientID = "my client"
	revokeSecret   = "client-secret-value"
	revokeRefresh  = "refresh-token-value"
	revokeAccess   = "access-token-value"
)

// revokeEndpoint is a loopback RFC 7009 endpoint that answers status and
// body and records the requests it got.
type revokeEndpoint struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	form []url.Values
}

func newRevokeEndpoint(t *testing.T, status int, body string) *revokeEndpoint {
	t.Helper()
	e := &revokeEndpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		e.mu.Lock()
		e.reqs = append(e.reqs, r)
		e.form = append(e.form, r.PostForm)
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(e.Close)
	return e
}

// revokeSpec writes an oauth2 spec whose revokeURL is url (none when "").
func revokeSpec(t *testing.T, revokeURL, clientAuth string) string {
	t.Helper()
	extra := ""
	if revokeURL != "" {
		extra = fmt.Sprintf("  revokeURL: %q\n", revokeURL)
	}
	src := fmt.Sprintf(`conngen: 1
name: rev
baseURL: https://api.example.com
auth:
  type: oauth2
  grant: authorizationCode
  authorizeURL: https://auth.example.com/authorize
  tokenURL: https://auth.example.com/token
  clientAuth: %s
%sping:
  path: /me
`, clientAuth, extra)
	p := filepath.Join(t.TempDir(), "rev.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func tokenFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func printsNoSecret(t *testing.T, printed string) {
	t.Helper()
	for _, s := range []string{revokeSecret, revokeRefresh, revokeAccess} {
		if strings.Contains(printed, s) {
			t.Errorf("printed a secret %q:\n%s", s, printed)
		}
	}
}

func TestRevoke(t *testing.T) {
	t.Setenv("CONNGEN_CLIENT_SECRET", revokeSecret)
	full := fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","refresh_token":%q,"expiry":"2026-01-01T00:00:00Z"}`, revokeAccess, revokeRefresh)
	accessOnly := fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer"}`, revokeAccess)
	tests := []struct {
		name, clientAuth, file string
		wantForm               url.Values
		wantBasic              bool
		wantKind               string
	}{
		{"refresh token, header", "header", full, url.Values{"token": {revokeRefresh}, "token_type_hint": {"refresh_token"}}, true, "refresh token"},
		{"access token, header", "header", accessOnly, url.Values{"token": {revokeAccess}, "token_type_hint": {"access_token"}}, true, "access token"},
		{"refresh token, body", "body", full, url.Values{"token": {revokeRefresh}, "token_type_hint": {"refresh_token"},
			"client_id": {revokeClientID}, "client_secret": {revokeSecret}}, false, "refresh token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRevokeEndpoint(t, http.StatusOK, "")
			specPath := revokeSpec(t, e.URL+"/oauth2/revoke?tenant=key-in-query", tt.clientAuth)
			file := tokenFile(t, tt.file)
			code, stdout, stderr := run("revoke", "--client-id", revokeClientID, "--token", file, specPath)
			if code != exitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if len(e.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(e.reqs))
			}
			r := e.reqs[0]
			if r.Method != "POST" || r.URL.Path != "/oauth2/revoke" || r.URL.Query().Get("tenant") != "key-in-query" ||
				r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("request %s %s, Content-Type %q", r.Method, r.URL, r.Header.Get("Content-Type"))
			}
			if got := e.form[0].Encode(); got != tt.wantForm.Encode() {
				t.Errorf("form %s, want %s", got, tt.wantForm.Encode())
			}
			user, pass, ok := r.BasicAuth()
			if ok != tt.wantBasic || (ok && (user != url.QueryEscape(revokeClientID) || pass != url.QueryEscape(revokeSecret))) {
				t.Errorf("Basic auth %v %q %q, want %v with the url-encoded id and secret", ok, user, pass, tt.wantBasic)
			}
			if _, err := os.Stat(file); !os.IsNotExist(err) {
				t.Errorf("the token file was not removed: %v", err)
			}
			if !strings.Contains(stdout, "Revoked the "+tt.wantKind) || !strings.Contains(stdout, "removed "+file) || strings.Contains(stdout, "key-in-query") {
				t.Errorf("stdout %q", stdout)
			}
			printsNoSecret(t, stdout+stderr)
		})
	}
}

func TestRevokeErrors(t *testing.T) {
	t.Setenv("CONNGEN_CLIENT_SECRET", revokeSecret)
	full := fmt.Sprintf(`{"access_token":%q,"refresh_token":%q}`, revokeAccess, revokeRefresh)

	t.Run("refused", func(t *testing.T) {
		// The server's message even echoes the token; it is not printed.
		e := newRevokeEndpoint(t, http.StatusBadRequest, fmt.Sprintf(`{"error":"invalid_request","error_description":"cannot revoke %s"}`, revokeRefresh))
		file := tokenFile(t, full)
		code, stdout, stderr := run("revoke", "--client-id", revokeClientID, "--token", file, revokeSpec(t, e.URL, "header"))
		if code != exitFail || !strings.Contains(stderr, "400 Bad Request: invalid_request: cannot revoke [redacted]") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("the token file is gone after a refusal: %v", err)
		}
		printsNoSecret(t, stdout+stderr)
	})
	t.Run("unauthorized without a body", func(t *testing.T) {
		e := newRevokeEndpoint(t, http.StatusUnauthorized, "")
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", tokenFile(t, full), revokeSpec(t, e.URL, "body"))
		if code != exitFail || !strings.Contains(stderr, "refused to revoke the refresh token: 401 Unauthorized") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		e := newRevokeEndpoint(t, http.StatusOK, "")
		e.Close()
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", tokenFile(t, full), revokeSpec(t, e.URL+"/revoke", "header"))
		if code != exitFail || !strings.Contains(stderr, "POST "+e.URL+"/revoke: ") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		printsNoSecret(t, stderr)
	})
	t.Run("no revokeURL", func(t *testing.T) {
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", tokenFile(t, full), revokeSpec(t, "", "header"))
		if code != exitFail || !strings.Contains(stderr, "no revokeURL") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("not oauth2", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "none.yaml")
		os.WriteFile(p, []byte("conngen: 1\nname: plain\nbaseURL: https://example.com\nauth: {type: none}\nactions: []\n"), 0o644)
		code, _, stderr := run("revoke", "--client-id", "x", "--token", tokenFile(t, full), p)
		if code != exitFail || !strings.Contains(stderr, "no revokeURL") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	e := newRevokeEndpoint(t, http.StatusOK, "")
	specPath := revokeSpec(t, e.URL, "header")
	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.json")
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", missing, specPath)
		if code != exitFail || !strings.Contains(stderr, "read the token file") || !strings.Contains(stderr, "nope.json") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", tokenFile(t, revokeRefresh+" is no JSON"), specPath)
		if code != exitFail || !strings.Contains(stderr, "is not a token file") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		printsNoSecret(t, stderr)
	})
	t.Run("no token in the file", func(t *testing.T) {
		code, _, stderr := run("revoke", "--client-id", revokeClientID, "--token", tokenFile(t, `{"token_type":"Bearer"}`), specPath)
		if code != exitFail || !strings.Contains(stderr, "holds no token") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("no --token", func(t *testing.T) {
		code, _, stderr := run("revoke", "--client-id", revokeClientID, specPath)
		if code != exitUsage || !strings.Contains(stderr, "--token FILE") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("no client id", func(t *testing.T) {
		t.Setenv("CONNGEN_CLIENT_ID", "")
		code, _, stderr := run("revoke", "--token", tokenFile(t, full), specPath)
		if code != exitUsage || !strings.Contains(stderr, "client ID") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("client id from the environment", func(t *testing.T) {
		t.Setenv("CONNGEN_CLIENT_ID", revokeClientID)
		code, _, stderr := run("revoke", "--token", tokenFile(t, full), specPath)
		if code != exitOK {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	if len(e.reqs) != 1 {
		t.Errorf("%d revocation requests for the bad invocations and the good one, want 1", len(e.reqs))
	}
	t.Run("usage", func(t *testing.T) {
		_, stdout, _ := run("help")
		if !strings.Contains(stdout, "conngen revoke [--client-id ID] --token FILE SPEC") {
			t.Errorf("usage does not list revoke:\n%s", stdout)
		}
	})
}
