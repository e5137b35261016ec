package cli

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/templates"
)

// runLogin is `conngen login SPEC`: the OAuth2 authorization-code flow from
// the command line. It prints the authorize URL (and opens it in a browser
// unless --no-browser), waits for the redirect on a loopback listener,
// exchanges the code and writes the token as JSON to a file with mode
// 0600. Neither the token nor the client secret is ever printed.
func runLogin(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("login", stderr)
	client := oauthClientFlags(fs)
	out := fs.String("out", "", "token file to write (default <name>-token.json)")
	port := fs.Int("port", 0, "port of the loopback redirect listener (default: a free one)")
	noBrowser := fs.Bool("no-browser", false, "only print the authorize URL; do not open a browser")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the sign-in")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "conngen login: want exactly one spec file")
		return exitUsage
	}
	clientID, clientSecret, ok := client.resolve("login", stderr)
	if !ok {
		return exitUsage
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintln(stderr, "conngen login: --port must be between 0 and 65535")
		return exitUsage
	}

	specs, ok := loadAll(rest, stderr, false)
	if !ok {
		return exitFail
	}
	s := specs[0]
	if s.Auth.Type != spec.AuthOAuth2 || s.Auth.Grant != spec.GrantAuthorizationCode {
		fmt.Fprintf(stderr, "conngen login: %s: auth is not oauth2 with grant authorizationCode; nothing to sign in to\n", rest[0])
		return exitFail
	}
	if *out == "" {
		*out = s.Name + "-token.json"
	}

	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(stderr, "conngen login: redirect listener: %v\n", err)
		return exitFail
	}
	defer l.Close()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", l.Addr().(*net.TCPAddr).Port)

	auth := generator.Auth(s)
	// The client the generated connector's OAuth2Config returns, decided
	// once in the model.
	oc := auth.OAuth2Config(clientID, clientSecret, redirect)
	state := randomString()
	verifier := ""
	authOpts := []oauth2.AuthCodeOption{}
	if auth.PKCE {
		verifier = oauth2.GenerateVerifier()
		authOpts = append(authOpts, oauth2.S256ChallengeOption(verifier))
	}
	authURL := oc.AuthCodeURL(state, authOpts...)

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	codes := make(chan callbackResult, 1)
	srv := &http.Server{Handler: callbackHandler(state, codes), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()

	fmt.Fprintf(stdout, "Sign in to %s by opening this URL in a browser:\n\n%s\n\nWaiting for the redirect to %s ...\n", s.Title, authURL, redirect)
	if !*noBrowser {
		openBrowser(authURL)
	}

	var res callbackResult
	select {
	case res = <-codes:
	case <-ctx.Done():
		fmt.Fprintf(stderr, "conngen login: no sign-in within %v\n", *timeout)
		return exitFail
	}
	if res.err != nil {
		fmt.Fprintf(stderr, "conngen login: %v\n", res.err)
		return exitFail
	}
	var tokenOpts []oauth2.AuthCodeOption
	if verifier != "" {
		tokenOpts = append(tokenOpts, oauth2.VerifierOption(verifier))
	}
	// auth.tokenParams go into the token request's form through the
	// runtime's own transport, as the connector's Exchange sends them.
	if hc := templates.TokenHTTPClient(nil, auth.TokenValues()); hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	tok, err := oc.Exchange(ctx, res.code, tokenOpts...)
	if err != nil {
		fmt.Fprintf(stderr, "conngen login: exchange the code for a token: %v\n", redactErr(err, clientSecret))
		return exitFail
	}
	if err := writeToken(*out, tok); err != nil {
		fmt.Fprintf(stderr, "conngen login: %v\n", err)
		return exitFail
	}
	msg := "Token written to " + *out
	if !tok.Expiry.IsZero() {
		msg += " (access token expires " + tok.Expiry.Format(time.RFC3339)
		if tok.RefreshToken != "" {
			msg += "; it has a refresh token"
		}
		msg += ")"
	}
	fmt.Fprintln(stdout, msg+".")
	return exitOK
}

type callbackResult struct {
	code string
	err  error
}

// callbackHandler serves the redirect: it takes the first request to
// /callback whose state matches, and answers the browser with a short page.
// Requests with another state are refused and do not end the wait.
func callbackHandler(state string, results chan<- callbackResult) http.Handler {
	var mu sync.Mutex
	done := false
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "conngen login: unexpected state; start the sign-in again from the URL conngen printed", http.StatusBadRequest)
			return
		}
		if done {
			page(w, http.StatusConflict, "Already signed in", "conngen has its token; you can close this tab.")
			return
		}
		done = true
		if e := q.Get("error"); e != "" {
			msg := e
			if d := q.Get("error_description"); d != "" {
				msg += ": " + d
			}
			page(w, http.StatusOK, "Sign-in failed", msg)
			results <- callbackResult{err: errors.New("the service refused the sign-in: " + msg)}
			return
		}
		code := q.Get("code")
		if code == "" {
			page(w, http.StatusBadRequest, "Sign-in failed", "the redirect carries no code")
			results <- callbackResult{err: errors.New("the redirect carries no code")}
			return
		}
		page(w, http.StatusOK, "Signed in", "conngen is fetching the token; you can close this tab.")
		results <- callbackResult{code: code}
	})
	return mux
}

func page(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1><p>%s</p>\n", html.EscapeString(title), html.EscapeString(title), html.EscapeString(msg))
}

// writeToken writes tok as JSON (access_token, token_type, refresh_token,
// expiry) to path with mode 0600: a temporary file in the same directory,
// made 0600 before anything is written to it, then renamed into place.
func writeToken(path string, tok *oauth2.Token) error {
	data, err := json.MarshalIndent(struct {
		AccessToken  string    `json:"access_token"`
		TokenType    string    `json:"token_type,omitempty"`
		RefreshToken string    `json:"refresh_token,omitempty"`
		Expiry       time.Time `json:"expiry,omitempty"`
	}{tok.AccessToken, tok.TokenType, tok.RefreshToken, tok.Expiry}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".conngen-token-*")
	if err != nil {
		return fmt.Errorf("write token: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write token: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write token: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write token: %w", err)
	}
	return nil
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// redactErr keeps the client secret out of an error message.
func redactErr(err error, secret string) string {
	msg := err.Error()
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	return msg
}

// openBrowser tries to open url in the user's browser; failures are
// silent, since the URL is printed anyway.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err == nil {
		go cmd.Wait()
	}
}

// oauthClient is the OAuth2 client that login and revoke act as.
type oauthClient struct{ id, secret *string }

// oauthClientFlags adds --client-id and --client-secret to fs.
func oauthClientFlags(fs *flag.FlagSet) oauthClient {
	return oauthClient{
		id:     fs.String("client-id", "", "OAuth2 client ID (default $CONNGEN_CLIENT_ID)"),
		secret: fs.String("client-secret", "", "OAuth2 client secret (default $CONNGEN_CLIENT_SECRET)"),
	}
}

// resolve fills what the flags leave empty from CONNGEN_CLIENT_ID and
// CONNGEN_CLIENT_SECRET; ok is false, said on stderr, without a client ID.
func (c oauthClient) resolve(cmd string, stderr io.Writer) (id, secret string, ok bool) {
	id, secret = cmp.Or(*c.id, os.Getenv("CONNGEN_CLIENT_ID")), cmp.Or(*c.secret, os.Getenv("CONNGEN_CLIENT_SECRET"))
	if id == "" {
		fmt.Fprintf(stderr, "conngen %s: no client ID: pass --client-id or set CONNGEN_CLIENT_ID\n", cmd)
		return "", "", false
	}
	return id, secret, true
}
