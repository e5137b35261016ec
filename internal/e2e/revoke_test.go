package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/cli"
	"github.com/conngen/conngen/internal/e2e/oauthtest"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestOAuth2Revoke generates the connectors of testdata/oauthcode.yaml
// (clientAuth header) and oauthclient.yaml (clientAuth body), whose
// revokeURL is oauthtest's RFC 7009 endpoint, and runs
// testdata/revokecodeflow.go.txt and revokeclientflow.go.txt: Client.Revoke
// of a refreshed authorization-code token and of a client-credentials
// token, then every call failing with ErrRevoked without a request. The
// test then asks the server itself: the revoked refresh token is refused
// at /token and the revoked access tokens at the API.
func TestOAuth2Revoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds generated packages")
	}
	srv := oauthtest.Start(t)
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"oauthcode", "oauthclient"} {
		s, _, err := generator.LoadFile(srv.WriteSpec(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := out.Files["revoke.go"]; !ok {
			t.Fatalf("%s: no revoke.go generated for a spec with revokeURL", name)
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, prog := range []string{"revokecodeflow", "revokeclientflow"} {
		src, err := os.ReadFile(filepath.Join("testdata", prog+".go.txt"))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(mod, "flows", prog)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
	}
	goCmd(t, mod, "build", "-o", filepath.Join(mod, "bin")+string(filepath.Separator), "./flows/...")

	t.Run("authorizationCode", func(t *testing.T) {
		before := srv.Revocations.Load()
		steps := runFlow(t, filepath.Join(mod, "bin", "revokecodeflow"), oauthtest.ClientID, oauthtest.ClientSecret, "http://127.0.0.1:1/callback")
		if n := srv.Revocations.Load() - before; n != 1 {
			t.Errorf("revocation requests: %d, want 1", n)
		}
		if r := steps["refresh"]; r == "" {
			t.Error("the flow did not report the revoked refresh token")
		} else {
			refreshRefused(t, srv, r)
		}
		if a := steps["access"]; a == "" || srv.Check(a) == nil {
			t.Error("the access token issued with the revoked refresh token still works")
		}
	})
	t.Run("clientCredentials", func(t *testing.T) {
		before := srv.Revocations.Load()
		steps := runFlow(t, filepath.Join(mod, "bin", "revokeclientflow"), oauthtest.ClientID, oauthtest.ClientSecret)
		if n := srv.Revocations.Load() - before; n != 1 {
			t.Errorf("revocation requests: %d, want 1", n)
		}
		if a := steps["access"]; a == "" || srv.Check(a) == nil {
			t.Error("the revoked client-credentials access token still works")
		}
	})
}

// TestOAuth2RevokeCLI: `conngen revoke` revokes the refresh token of a
// token file (an authorization-code token, clientAuth header) and the
// access token of another (client credentials, clientAuth body), removes
// each file and prints neither the tokens nor the secret; the server then
// refuses them.
func TestOAuth2RevokeCLI(t *testing.T) {
	srv := oauthtest.Start(t)
	t.Setenv("CONNGEN_CLIENT_SECRET", oauthtest.ClientSecret)
	dir := t.TempDir()

	t.Run("refresh token", func(t *testing.T) {
		tok := codeToken(t, srv)
		file := writeTokenFile(t, dir, "code.json", tok)
		stdout, stderr := revokeCLI(t, 0, "--client-id", oauthtest.ClientID, "--token", file, srv.WriteSpec(t, "oauthcode"))
		if !strings.Contains(stdout, "Revoked the refresh token") {
			t.Errorf("stdout %q", stdout)
		}
		noSecrets(t, stdout+stderr, tok.AccessToken, tok.RefreshToken)
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("the token file was not removed: %v", err)
		}
		refreshRefused(t, srv, tok.RefreshToken)
		if srv.Check(tok.AccessToken) == nil {
			t.Error("the access token issued with the revoked refresh token still works")
		}
	})
	t.Run("access token, client in the body", func(t *testing.T) {
		cc := &clientcredentials.Config{ClientID: oauthtest.ClientID, ClientSecret: oauthtest.ClientSecret, TokenURL: srv.TokenURL, AuthStyle: oauth2.AuthStyleInParams}
		tok, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Check(tok.AccessToken); err != nil {
			t.Fatalf("a fresh token is refused: %v", err)
		}
		file := writeTokenFile(t, dir, "cc.json", tok)
		stdout, stderr := revokeCLI(t, 0, "--token", file, "--client-id", oauthtest.ClientID, srv.WriteSpec(t, "oauthclient"))
		if !strings.Contains(stdout, "Revoked the access token") {
			t.Errorf("stdout %q", stdout)
		}
		noSecrets(t, stdout+stderr, tok.AccessToken)
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("the token file was not removed: %v", err)
		}
		if srv.Check(tok.AccessToken) == nil {
			t.Error("the revoked access token still works")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		tok := codeToken(t, srv)
		file := writeTokenFile(t, dir, "wrong.json", tok)
		t.Setenv("CONNGEN_CLIENT_SECRET", "not-the-secret")
		_, stderr := revokeCLI(t, 1, "--client-id", oauthtest.ClientID, "--token", file, srv.WriteSpec(t, "oauthcode"))
		if !strings.Contains(stderr, "401") || !strings.Contains(stderr, "invalid_client") {
			t.Errorf("stderr %q, want the server's 401 invalid_client", stderr)
		}
		noSecrets(t, stderr, tok.AccessToken, tok.RefreshToken, "not-the-secret")
		if _, err := os.Stat(file); err != nil {
			t.Errorf("the token file is gone after a refused revocation: %v", err)
		}
		if err := srv.Check(tok.AccessToken); err != nil {
			t.Errorf("a refused revocation revoked the token: %v", err)
		}
	})
}

// codeToken gets an authorization-code token (with a refresh token) from
// srv, following the authorize redirect in place of a browser.
func codeToken(t *testing.T, srv *oauthtest.Server) *oauth2.Token {
	t.Helper()
	oc := &oauth2.Config{ClientID: oauthtest.ClientID, ClientSecret: oauthtest.ClientSecret, RedirectURL: "http://127.0.0.1:1/callback",
		Endpoint: oauth2.Endpoint{AuthURL: srv.AuthorizeURL, TokenURL: srv.TokenURL, AuthStyle: oauth2.AuthStyleInHeader}, Scopes: []string{"profile"}}
	verifier := oauth2.GenerateVerifier()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(oc.AuthCodeURL("state", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := oc.Exchange(t.Context(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("the server issued no refresh token")
	}
	return tok
}

// writeTokenFile writes tok as conngen login does.
func writeTokenFile(t *testing.T, dir, name string, tok *oauth2.Token) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{"access_token": tok.AccessToken, "token_type": tok.TokenType,
		"refresh_token": tok.RefreshToken, "expiry": tok.Expiry})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// revokeCLI runs `conngen revoke args...` and wants exit status want.
func revokeCLI(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Run(append([]string{"revoke"}, args...), strings.NewReader(""), &out, &errb); code != want {
		t.Fatalf("conngen revoke: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func noSecrets(t *testing.T, printed string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, oauthtest.ClientSecret) {
		if s != "" && strings.Contains(printed, s) {
			t.Errorf("a secret was printed: %q in\n%s", s, printed)
		}
	}
}

// refreshRefused wants the server's token endpoint to refuse refresh, as
// it refuses a revoked refresh token (RFC 6749 5.2: 400 invalid_grant).
func refreshRefused(t *testing.T, srv *oauthtest.Server, refresh string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(oauthtest.ClientID, oauthtest.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error       string `json:"error"`
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == http.StatusOK || body.AccessToken != "" || body.Error != "invalid_grant" {
		t.Errorf("refresh with the revoked refresh token: %s, error %q; want it refused with invalid_grant", resp.Status, body.Error)
	}
}
