package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/templates"
)

// runRevoke is `conngen revoke --token FILE SPEC`, the counterpart of
// conngen login: it revokes the token in FILE (its refresh token, else its
// access token) at the spec's auth.revokeURL (RFC 7009), authenticating the
// client as the spec's clientAuth says, and on success removes FILE.
// Neither the token nor the client secret is ever printed.
func runRevoke(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("revoke", stderr)
	client := oauthClientFlags(fs)
	tokenFile := fs.String("token", "", "token file written by conngen login (required); removed once revoked")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the service")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "conngen revoke: want exactly one spec file")
		return exitUsage
	}
	if *tokenFile == "" {
		fmt.Fprintln(stderr, "conngen revoke: no token file: pass --token FILE (as written by conngen login)")
		return exitUsage
	}
	clientID, clientSecret, ok := client.resolve("revoke", stderr)
	if !ok {
		return exitUsage
	}

	specs, ok := loadAll(rest, stderr, false)
	if !ok {
		return exitFail
	}
	s := specs[0]
	if s.Auth.Type != spec.AuthOAuth2 || s.Auth.RevokeURL == "" {
		fmt.Fprintf(stderr, "conngen revoke: %s: auth has no revokeURL; the spec names no endpoint to revoke tokens at\n", rest[0])
		return exitFail
	}
	tok, err := readToken(*tokenFile)
	if err != nil {
		fmt.Fprintf(stderr, "conngen revoke: %v\n", err)
		return exitFail
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	auth := generator.Auth(s)
	kind, err := revokeToken(ctx, s.Name, auth, clientID, clientSecret, tok)
	if err != nil {
		msg := redactErr(err, clientSecret)
		for _, t := range []string{tok.RefreshToken, tok.AccessToken} {
			if t != "" {
				msg = strings.ReplaceAll(msg, t, "[redacted]")
			}
		}
		fmt.Fprintf(stderr, "conngen revoke: %s\n", msg)
		return exitFail
	}
	if err := os.Remove(*tokenFile); err != nil {
		fmt.Fprintf(stderr, "conngen revoke: the %s is revoked, but the token file stays: %v\n", kind, err)
		return exitFail
	}
	fmt.Fprintf(stdout, "Revoked the %s at %s; removed %s.\n", kind, redactedURL(auth.RevokeURL), *tokenFile)
	return exitOK
}

// fileToken is the part of a conngen login token file that revoke needs.
type fileToken struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// readToken reads a token file. Its content never appears in an error.
func readToken(path string) (fileToken, error) {
	var tok fileToken
	data, err := os.ReadFile(path)
	if err != nil {
		return tok, fmt.Errorf("read the token file: %w", err)
	}
	if json.Unmarshal(data, &tok) != nil {
		return tok, fmt.Errorf("%s is not a token file: want JSON with access_token or refresh_token, as conngen login writes", path)
	}
	if tok.AccessToken == "" && tok.RefreshToken == "" {
		return tok, fmt.Errorf("%s holds no token: neither access_token nor refresh_token is set", path)
	}
	return tok, nil
}

// revokeToken revokes tok with the runtime's own RFC 7009 request, the one
// a generated connector's Client.Revoke sends (templates/revoke.go): the
// refresh token when there is one, else the access token, the client
// authenticated per clientAuth, redirects not followed. It returns which
// kind of token it revoked.
func revokeToken(ctx context.Context, connector string, a model.Auth, clientID, clientSecret string, tok fileToken) (string, error) {
	kind := "access token"
	if tok.RefreshToken != "" {
		kind = "refresh token"
	}
	err := templates.RevokeToken(ctx, nil, connector, "conngen/"+Version(), a.RevokeURL, clientID, clientSecret,
		a.ClientAuth == "body", &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken})
	var apiErr *templates.APIError
	if errors.As(err, &apiErr) {
		msg := strings.TrimSpace(fmt.Sprintf("%d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode)))
		if m := oauthErrorMessage(apiErr.Body); m != "" {
			msg += ": " + m
		}
		return kind, fmt.Errorf("the service refused to revoke the %s: %s (token file kept)", kind, msg)
	}
	return kind, err
}

// oauthErrorMessage is the error of an RFC 6749 5.2 error body:
// error_description, else error.
func oauthErrorMessage(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	switch {
	case e.Error != "" && e.Description != "":
		return e.Error + ": " + e.Description
	case e.Description != "":
		return e.Description
	}
	return e.Error
}

// redactedURL is raw without its query string, which may carry a key.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the revokeURL"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
