package templates

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// AuthCodeURL sends a PKCE challenge only with a verifier; Exchange sends
// the verifier and the spec's token parameters, through Config.HTTPClient.
func TestAuthCodeURLAndExchange(t *testing.T) {
	var form url.Values
	var through bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		through = r.Header.Get("X-Through") == "cfg"
		r.ParseForm()
		form = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","token_type":"bearer","refresh_token":"rt"}`))
	}))
	defer srv.Close()
	standInEndpoint = oauth2.Endpoint{AuthURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}
	oauth2TokenParams = url.Values{"audience": {"api"}}
	defer func() { standInEndpoint, oauth2TokenParams = oauth2.Endpoint{}, nil }()

	cfg := Config{ClientID: "id", ClientSecret: "secret", RedirectURL: "http://127.0.0.1/cb",
		HTTPClient: &http.Client{Transport: headerTransport{}}}
	if u := AuthCodeURL(cfg, "st", ""); strings.Contains(u, "code_challenge") || !strings.Contains(u, "state=st") {
		t.Errorf("AuthCodeURL without a verifier = %s", u)
	}
	v := oauth2.GenerateVerifier()
	if u := AuthCodeURL(cfg, "st", v); !strings.Contains(u, "code_challenge_method=S256") {
		t.Errorf("AuthCodeURL with a verifier = %s", u)
	}
	tok, err := Exchange(context.Background(), cfg, "the-code", v)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at" || tok.RefreshToken != "rt" {
		t.Errorf("token = %+v", tok)
	}
	if form.Get("code") != "the-code" || form.Get("code_verifier") != v || form.Get("audience") != "api" || form.Get("client_id") != "id" {
		t.Errorf("token request form = %v", form)
	}
	if !through {
		t.Error("the token request did not go through Config.HTTPClient")
	}
}

type headerTransport struct{}

func (headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Through", "cfg")
	return http.DefaultTransport.RoundTrip(r)
}
