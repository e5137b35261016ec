package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conngen/conngen/internal/e2e/oauthtest"
)

// login runs `conngen login args...` in a goroutine and returns the
// authorize URL it prints, and a func that waits for the exit status and
// returns everything printed.
func login(t *testing.T, args ...string) (authURL string, wait func() (int, string, string)) {
	t.Helper()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := Run(append([]string{"login"}, args...), strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	var printed strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		printed.WriteString(line + "\n")
		if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
			authURL = line
			break
		}
	}
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(pr)
		rest <- string(b)
	}()
	wait = func() (int, string, string) {
		select {
		case code := <-done:
			return code, printed.String() + <-rest, stderr.String()
		case <-time.After(30 * time.Second):
			t.Fatal("conngen login did not finish")
			return 0, "", ""
		}
	}
	if authURL == "" {
		code, out, errs := wait()
		t.Fatalf("conngen login printed no URL (exit %d)\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	return authURL, wait
}

// TestLogin signs in against a real OAuth2 server (internal/e2e/oauthtest)
// with an HTTP client following the authorize redirect in place of a
// browser, then checks the token file.
func TestLogin(t *testing.T) {
	srv := oauthtest.Start(t)
	specPath := srv.WriteSpec(t, "oauthcode")
	out := filepath.Join(t.TempDir(), "token.json")
	t.Setenv("CONNGEN_CLIENT_SECRET", oauthtest.ClientSecret)

	authURL, wait := login(t, specPath, "--client-id", oauthtest.ClientID, "--out", out, "--no-browser", "--timeout", "20s")
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != srv.AuthorizeURL {
		t.Errorf("authorize URL %s, want %s", got, srv.AuthorizeURL)
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("no PKCE challenge in %s", authURL)
	}
	if q.Get("scope") != "profile email" || q.Get("client_id") != oauthtest.ClientID || q.Get("state") == "" {
		t.Errorf("authorize URL parameters: %v", q)
	}
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if redirect == nil || redirect.Hostname() != "127.0.0.1" || redirect.Path != "/callback" {
		t.Errorf("redirect_uri %q, want http://127.0.0.1:PORT/callback", q.Get("redirect_uri"))
	}

	// A callback with the wrong state is refused and does not end the wait.
	bad := *redirect
	bad.RawQuery = url.Values{"code": {"x"}, "state": {"forged"}}.Encode()
	if resp, err := http.Get(bad.String()); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("callback with a forged state: status %d, want 400", resp.StatusCode)
		}
	}

	// The "browser": the server approves at once and redirects to the
	// loopback listener, which answers with a page.
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Signed in") {
		t.Errorf("callback page: status %d: %s", resp.StatusCode, page)
	}

	code, stdout, stderr := wait()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	var tok oauth2.Token
	if err := json.Unmarshal(data, &tok); err != nil {
		t.Fatalf("token file is not JSON: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Errorf("token file lacks fields: %s", data)
	}
	if err := srv.Check(tok.AccessToken); err != nil {
		t.Errorf("the access token is not valid at the server: %v", err)
	}
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken, oauthtest.ClientSecret} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("conngen login printed a secret: %q\nstdout:\n%s\nstderr:\n%s", secret, stdout, stderr)
		}
	}
	if !strings.Contains(stdout, "Token written to "+out) {
		t.Errorf("stdout does not say where the token went:\n%s", stdout)
	}
}

// TestLoginErrors: a denied sign-in, a timeout, a spec without an
// authorization-code flow and a missing client ID all fail clearly and
// write no token.
func TestLoginErrors(t *testing.T) {
	srv := oauthtest.Start(t)
	specPath := srv.WriteSpec(t, "oauthcode")
	dir := t.TempDir()

	t.Run("denied", func(t *testing.T) {
		out := filepath.Join(dir, "denied.json")
		authURL, wait := login(t, specPath, "--client-id", oauthtest.ClientID, "--out", out, "--no-browser", "--timeout", "20s")
		u, _ := url.Parse(authURL)
		redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
		redirect.RawQuery = url.Values{"error": {"access_denied"}, "state": {u.Query().Get("state")}}.Encode()
		resp, err := http.Get(redirect.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		code, _, stderr := wait()
		if code != exitFail || !strings.Contains(stderr, "access_denied") {
			t.Errorf("exit %d, stderr %q; want 1 and access_denied", code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a token file was written: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		_, wait := login(t, specPath, "--client-id", oauthtest.ClientID, "--out", filepath.Join(dir, "t.json"), "--no-browser", "--timeout", "300ms")
		if code, _, stderr := wait(); code != exitFail || !strings.Contains(stderr, "no sign-in within") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("not oauth2", func(t *testing.T) {
		p := filepath.Join(dir, "none.yaml")
		os.WriteFile(p, []byte("conngen: 1\nname: plain\nbaseURL: https://example.com\nauth: {type: none}\nactions: []\n"), 0o644)
		code, _, stderr := run("login", "--client-id", "x", p)
		if code != exitFail || !strings.Contains(stderr, "not oauth2") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("no client id", func(t *testing.T) {
		t.Setenv("CONNGEN_CLIENT_ID", "")
		code, _, stderr := run("login", specPath)
		if code != exitUsage || !strings.Contains(stderr, "client ID") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}
