package spotify

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const (
	spClientID     = "client-id-4711"
	spClientSecret = "s3cr3t-client-xyz"
	spAccess       = "s3cr3t-access-xyz"
	spRefresh      = "s3cr3t-refresh-xyz"
	spNewAccess    = "s3cr3t-new-access-xyz"
	spNewRefresh   = "s3cr3t-rotated-refresh-xyz"
	spTokenHost    = "accounts.spotify.com"
)

var spSecrets = []string{spClientSecret, spAccess, spRefresh, spNewAccess, spNewRefresh}

const spUserJSON = `{
  "country": "SE",
  "display_name": "Ada Lovelace",
  "email": "ada@example.com",
  "explicit_content": {"filter_enabled": false, "filter_locked": false},
  "external_urls": {"spotify": "https://open.spotify.com/user/ada"},
  "followers": {"href": null, "total": 42},
  "href": "https://api.spotify.com/v1/users/ada",
  "id": "ada",
  "images": [{"url": "https://i.scdn.co/image/ab67", "height": 300, "width": 300}],
  "product": "premium",
  "type": "user",
  "uri": "spotify:user:ada"
}`

const spPlaylistJSON = `{
  "collaborative": false,
  "description": "Songs for coding",
  "external_urls": {"spotify": "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"},
  "followers": {"href": null, "total": 0},
  "href": "https://api.spotify.com/v1/playlists/37i9dQZF1DXcBWIGoYBM5M",
  "id": "37i9dQZF1DXcBWIGoYBM5M",
  "images": [],
  "name": "Focus Flow",
  "owner": {"id": "ada", "type": "user", "uri": "spotify:user:ada", "display_name": "Ada Lovelace"},
  "public": false,
  "snapshot_id": "MTY4OTk1NjQ2NCwwMDAw",
  "type": "playlist",
  "uri": "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M"
}`

// spValidToken is a token that does not need a refresh.
func spValidToken() *oauth2.Token {
	return &oauth2.Token{AccessToken: spAccess, RefreshToken: spRefresh, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
}

// spClient returns a client of srv with a valid token; mutate may adjust the Config.
func spClient(t *testing.T, srv *testutil.Server, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      srv.URL,
		HTTPClient:   srv.HTTPClient(spTokenHost),
		ClientID:     spClientID,
		ClientSecret: spClientSecret,
		RedirectURL:  "https://app.example.com/callback",
		Token:        spValidToken(),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourOAuth2RefreshesExpiredToken(t *testing.T) {
	testutil.GuardDefaultTransport(t) // the token URL is a real host: make sure nothing can reach it
	var tokenRequests []testutil.Request
	var mu sync.Mutex
	var srv *testutil.Server
	srv = testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/token" {
			mu.Lock()
			tokenRequests = append(tokenRequests, srv.Last(t))
			mu.Unlock()
			testutil.WriteJSON(w, 200, `{"access_token":"`+spNewAccess+`","token_type":"Bearer","expires_in":3600,"refresh_token":"`+spNewRefresh+`","scope":"user-read-private"}`)
			return
		}
		testutil.WriteJSON(w, 200, spUserJSON)
	})
	var got []*oauth2.Token
	c := spClient(t, srv, func(cfg *Config) {
		cfg.Token = &oauth2.Token{AccessToken: spAccess, RefreshToken: spRefresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Hour)}
		cfg.OnToken = func(tok *oauth2.Token) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, tok)
		}
	})
	ctx := context.Background()
	for range 2 {
		resp, err := c.GetCurrentUserProfile(ctx)
		if err != nil {
			t.Fatalf("GetCurrentUserProfile: %v", err)
		}
		if resp.Body.ID != "ada" {
			t.Errorf("Body.ID = %q, want ada", resp.Body.ID)
		}
	}

	if len(tokenRequests) != 1 {
		t.Fatalf("token requests = %d, want 1 (refresh once, then reuse)", len(tokenRequests))
	}
	tr := tokenRequests[0]
	if tr.Method != http.MethodPost || tr.OriginalURL != "https://accounts.spotify.com/api/token" {
		t.Errorf("token request = %s %s, want POST https://accounts.spotify.com/api/token (through Config.HTTPClient)", tr.Method, tr.OriginalURL)
	}
	form := tr.Form()
	if form.Get("grant_type") != "refresh_token" || form.Get("refresh_token") != spRefresh {
		t.Errorf("token request form: grant_type=%q, refresh_token matches=%v; want refresh_token grant with the config's refresh token",
			form.Get("grant_type"), form.Get("refresh_token") == spRefresh)
	}
	if user, pass, ok := tr.BasicAuth(); !ok || user != spClientID || pass != spClientSecret {
		t.Errorf("token request client auth: basic ok=%v user=%q pass matches=%v; want HTTP Basic (clientAuth: header)", ok, user, pass == spClientSecret)
	}
	if mt := tr.Header.Get("Content-Type"); !strings.HasPrefix(mt, "application/x-www-form-urlencoded") {
		t.Errorf("token request Content-Type = %q", mt)
	}

	var api []testutil.Request
	for _, r := range srv.Requests() {
		if r.Path != "/api/token" {
			api = append(api, r)
		}
	}
	if len(api) != 2 {
		t.Fatalf("API requests = %d, want 2", len(api))
	}
	for i, r := range api {
		if got := r.Header.Get("Authorization"); got != "Bearer "+spNewAccess {
			t.Errorf("API request %d: Authorization is not the refreshed token (expired token sent: %v)", i, got == "Bearer "+spAccess)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("OnToken calls = %d, want 1", len(got))
	}
	if got[0].AccessToken != spNewAccess || got[0].RefreshToken != spNewRefresh {
		t.Errorf("OnToken got access match=%v refresh match=%v; want the refreshed token with the rotated refresh token",
			got[0].AccessToken == spNewAccess, got[0].RefreshToken == spNewRefresh)
	}
}

func TestBehaviourOAuth2ValidTokenIsUsedAsIs(t *testing.T) {
	testutil.GuardDefaultTransport(t)
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		testutil.WriteJSON(w, 200, spUserJSON)
	})
	var calls int
	c := spClient(t, srv, func(cfg *Config) { cfg.OnToken = func(*oauth2.Token) { calls++ } })
	for range 2 {
		if _, err := c.GetCurrentUserProfile(context.Background()); err != nil {
			t.Fatalf("GetCurrentUserProfile: %v", err)
		}
	}
	for _, r := range srv.Requests() {
		if r.Path == "/api/token" {
			t.Errorf("a token request was made although the token is valid")
		}
		if r.Header.Get("Authorization") != "Bearer "+spAccess {
			t.Errorf("Authorization is not the configured access token")
		}
	}
	// The contract: OnToken is called with every *new* token the connector
	// obtains. The caller's own, still valid token is not new.
	if calls != 0 {
		t.Errorf("OnToken called %d times for the caller's own unexpired token; want 0 (no new token was obtained)", calls)
	}
}

func TestBehaviourOAuth2RefreshFailure(t *testing.T) {
	testutil.GuardDefaultTransport(t)
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/token" {
			testutil.WriteJSON(w, 400, `{"error":"invalid_grant","error_description":"Refresh token revoked"}`)
			return
		}
		testutil.WriteJSON(w, 200, spUserJSON)
	})
	c := spClient(t, srv, func(cfg *Config) {
		cfg.Token = &oauth2.Token{AccessToken: spAccess, RefreshToken: spRefresh, Expiry: time.Now().Add(-time.Minute)}
	})
	_, err := c.GetCurrentUserProfile(context.Background())
	if err == nil {
		t.Fatal("GetCurrentUserProfile succeeded although the refresh failed")
	}
	testutil.NoSecrets(t, "refresh error", err.Error(), spSecrets...)
	for _, r := range srv.Requests() {
		if r.Path != "/api/token" {
			t.Errorf("an API request (%s) was sent although no valid token could be obtained", r.Path)
		}
	}
	ping := c.AuthPing(context.Background())
	if ping.Working || ping.ServiceResponse.StatusCode != 0 || ping.ServiceResponse.Body == "" {
		t.Errorf("AuthPing = %+v; want not working, status 0 and a reason", ping)
	}
	testutil.NoSecrets(t, "AuthPing body", ping.ServiceResponse.Body, spSecrets...)
}

func TestBehaviourAuthCodeURL(t *testing.T) {
	t.Parallel()
	cfg := Config{ClientID: spClientID, ClientSecret: spClientSecret, RedirectURL: "https://app.example.com/callback?x=1&y=2"}
	verifier := oauth2.GenerateVerifier()

	u, err := url.Parse(AuthCodeURL(cfg, "state-123", verifier))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "accounts.spotify.com" || u.Path != "/authorize" {
		t.Errorf("authorize URL = %s://%s%s, want https://accounts.spotify.com/authorize", u.Scheme, u.Host, u.Path)
	}
	q := u.Query()
	want := map[string]string{
		"client_id":             spClientID,
		"redirect_uri":          cfg.RedirectURL,
		"response_type":         "code",
		"state":                 "state-123",
		"code_challenge":        oauth2.S256ChallengeFromVerifier(verifier),
		"code_challenge_method": "S256",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("authorize %s = %q, want %q", k, got, v)
		}
	}
	scopes := strings.Fields(q.Get("scope"))
	for _, s := range []string{"playlist-read-private", "user-read-email", "user-follow-read"} {
		if !containsString(scopes, s) {
			t.Errorf("authorize scope %q lacks %s", q.Get("scope"), s)
		}
	}
	if q.Has("code_verifier") {
		t.Error("the verifier itself is in the authorize URL")
	}
	testutil.NoSecrets(t, "AuthCodeURL", u.String(), spClientSecret, verifier)

	u2, _ := url.Parse(AuthCodeURL(cfg, "s", ""))
	if u2.Query().Has("code_challenge") || u2.Query().Has("code_challenge_method") {
		t.Errorf("AuthCodeURL without a verifier sends a challenge: %s", u2.RawQuery)
	}
	// OAuth2Config serves the same authorize step.
	oc := OAuth2Config(cfg)
	if oc.ClientID != spClientID || oc.RedirectURL != cfg.RedirectURL || len(oc.Scopes) == 0 {
		t.Errorf("OAuth2Config = %+v", oc)
	}
}

func TestBehaviourExchange(t *testing.T) {
	testutil.GuardDefaultTransport(t)
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		testutil.WriteJSON(w, 200, `{"access_token":"`+spNewAccess+`","token_type":"Bearer","expires_in":3600,"refresh_token":"`+spNewRefresh+`"}`)
	})
	cfg := Config{
		HTTPClient:   srv.HTTPClient(spTokenHost),
		ClientID:     spClientID,
		ClientSecret: spClientSecret,
		RedirectURL:  "https://app.example.com/callback",
	}
	verifier := oauth2.GenerateVerifier()
	tok, err := Exchange(context.Background(), cfg, "auth-code-77", verifier)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.AccessToken != spNewAccess || tok.RefreshToken != spNewRefresh {
		t.Errorf("Exchange token does not carry the endpoint's tokens")
	}
	if srv.Count() != 1 {
		t.Fatalf("token requests = %d, want 1", srv.Count())
	}
	r := srv.Last(t)
	if r.Method != http.MethodPost || r.OriginalURL != "https://accounts.spotify.com/api/token" {
		t.Errorf("exchange request = %s %s, want POST to the token URL through Config.HTTPClient", r.Method, r.OriginalURL)
	}
	f := r.Form()
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != "auth-code-77" ||
		f.Get("code_verifier") != verifier || f.Get("redirect_uri") != cfg.RedirectURL {
		t.Errorf("exchange form = %v; want grant_type authorization_code, the code, the verifier and redirect_uri", f)
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != spClientID || pass != spClientSecret {
		t.Errorf("exchange client auth is not HTTP Basic with the client credentials")
	}
}

func TestBehaviourHeadersAndTypedResponse(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		testutil.WriteJSON(w, 200, spUserJSON)
	})
	c := spClient(t, srv)
	resp, err := c.GetCurrentUserProfile(context.Background())
	if err != nil {
		t.Fatalf("GetCurrentUserProfile: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "GET" || r.Path != "/v1/me" {
		t.Errorf("request = %s %s, want GET /v1/me", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+spAccess {
		t.Errorf("Authorization is not Bearer <access token>")
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q, want application/json (spec default header)", got)
	}
	if got := r.Header.Get("User-Agent"); !strings.HasPrefix(got, "spotify-connector/1.0.0") {
		t.Errorf("User-Agent = %q, want spotify-connector/1.0.0 ...", got)
	}
	b := resp.Body
	if resp.StatusCode != 200 || b.ID != "ada" || b.URI != "spotify:user:ada" || b.Type != "user" {
		t.Errorf("decoded user = %+v", b)
	}
	if b.DisplayName == nil || *b.DisplayName != "Ada Lovelace" || b.Email == nil || *b.Email != "ada@example.com" ||
		b.Followers == nil || b.Followers.Total == nil || *b.Followers.Total != 42 ||
		len(b.Images) != 1 || b.Images[0].Height == nil || *b.Images[0].Height != 300 ||
		b.ExternalUrls == nil || b.ExternalUrls.Spotify == nil || b.Product == nil || *b.Product != "premium" {
		t.Errorf("decoded user misses fields: %+v", b)
	}
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Response.Header not passed through: %v", resp.Header)
	}
}

func TestBehaviourSearchQueryEncoding(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		testutil.WriteJSON(w, 200, `{}`)
	})
	c := spClient(t, srv)
	q := `artist:Beyoncé year:2016 & "Formation" #1 100%/x+y=z`
	tests := []struct {
		name    string
		params  SearchParams
		want    map[string]string
		absent  []string
		rawType string
	}{
		{
			name:    "optional nil params are left out",
			params:  SearchParams{Q: q, Type: []string{"track", "artist"}},
			want:    map[string]string{"q": q, "type": "track,artist"},
			absent:  []string{"market", "limit", "offset", "include_external"},
			rawType: "track%2Cartist",
		},
		{
			name: "optional params set through Ptr are sent",
			params: SearchParams{Q: "abba", Type: []string{"album"}, Market: Ptr("SE"),
				Limit: Ptr(5), Offset: Ptr(0), IncludeExternal: Ptr("audio")},
			want:    map[string]string{"q": "abba", "type": "album", "market": "SE", "limit": "5", "offset": "0", "include_external": "audio"},
			rawType: "album",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Search(context.Background(), tt.params); err != nil {
				t.Fatalf("Search: %v", err)
			}
			r := srv.Last(t)
			for k, v := range tt.want {
				if got := r.Query[k]; len(got) != 1 || got[0] != v {
					t.Errorf("query %s = %q, want exactly [%q]", k, got, v)
				}
			}
			for _, k := range tt.absent {
				if r.Query.Has(k) {
					t.Errorf("query has %s although the param is nil", k)
				}
			}
			// explode: false: one type parameter, comma-joined (the comma may be escaped).
			if !strings.Contains(r.RawQuery, "type="+tt.rawType) && !strings.Contains(r.RawQuery, "type="+strings.ReplaceAll(tt.rawType, "%2C", ",")) {
				t.Errorf("wire query %q lacks type=%s", r.RawQuery, tt.rawType)
			}
			if strings.ContainsAny(r.RawQuery, " #\"") || strings.Contains(r.RawQuery, "& ") {
				t.Errorf("wire query %q has unencoded special characters", r.RawQuery)
			}
		})
	}
}

func TestBehaviourListQueryParamCommaJoined(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) { testutil.WriteJSON(w, 200, spPlaylistJSON) })
	c := spClient(t, srv)
	_, err := c.GetPlaylist(context.Background(), GetPlaylistParams{
		PlaylistID:      "37i9dQZF1DXcBWIGoYBM5M",
		AdditionalTypes: []string{"track", "episode"},
		Fields:          Ptr("name,tracks.items(track(name))"),
	})
	if err != nil {
		t.Fatalf("GetPlaylist: %v", err)
	}
	r := srv.Last(t)
	if got := r.Query["additional_types"]; !reflect.DeepEqual(got, []string{"track,episode"}) {
		t.Errorf("additional_types = %q, want one comma-joined value (explode: false)", got)
	}
	if got := r.Query.Get("fields"); got != "name,tracks.items(track(name))" {
		t.Errorf("fields = %q", got)
	}
	if r.Query.Has("market") {
		t.Error("nil market was sent")
	}
}

func TestBehaviourCreatePlaylistJSONBody(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		testutil.WriteJSON(w, 201, spPlaylistJSON)
	})
	c := spClient(t, srv)
	resp, err := c.CreatePlaylist(context.Background(), CreatePlaylistParams{
		UserID: "ada",
		Body:   NewPlaylist{Name: "Focus Flow", Public: Ptr(false), Description: Ptr("Songs for coding")},
	})
	if err != nil {
		t.Fatalf("CreatePlaylist: %v", err)
	}
	r := srv.Last(t)
	if r.Method != http.MethodPost || r.Path != "/v1/users/ada/playlists" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && !strings.HasPrefix(ct, "application/json;") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.Body)
	}
	want := map[string]any{"name": "Focus Flow", "public": false, "description": "Songs for coding"}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v (collaborative left out, public:false kept)", body, want)
	}
	p := resp.Body
	if resp.StatusCode != 201 || p.ID != "37i9dQZF1DXcBWIGoYBM5M" || p.Name != "Focus Flow" || p.Public == nil || *p.Public ||
		p.Owner == nil || p.Owner.ID != "ada" || p.SnapshotID == nil {
		t.Errorf("decoded playlist = %+v", p)
	}
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) { testutil.WriteJSON(w, 200, spPlaylistJSON) })
	c := spClient(t, srv)
	tests := []struct {
		id          string
		wantEscaped string
	}{
		{"../admin", "/v1/playlists/..%2Fadmin"},
		{"..", "/v1/playlists/%2E%2E"},
		{".", "/v1/playlists/%2E"},
		{"a b?c#d", "/v1/playlists/a%20b%3Fc%23d"},
		{"%2e%2e", "/v1/playlists/%252e%252e"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			before := srv.Count()
			if _, err := c.GetPlaylist(context.Background(), GetPlaylistParams{PlaylistID: tt.id}); err != nil {
				t.Fatalf("GetPlaylist: %v", err)
			}
			if srv.Count() != before+1 {
				t.Fatalf("requests = %d, want 1", srv.Count()-before)
			}
			r := srv.Last(t)
			if !strings.EqualFold(r.RequestURI, tt.wantEscaped) {
				t.Errorf("request target = %q, want %q (value kept as one escaped segment)", r.RequestURI, tt.wantEscaped)
			}
			if r.Path != "/v1/playlists/"+tt.id {
				t.Errorf("decoded path = %q, want %q", r.Path, "/v1/playlists/"+tt.id)
			}
		})
	}
	t.Run("dot-dot before a suffix does not climb", func(t *testing.T) {
		if _, err := c.GetPlaylistItems(context.Background(), GetPlaylistItemsParams{PlaylistID: ".."}); err != nil {
			t.Fatalf("GetPlaylistItems: %v", err)
		}
		if r := srv.Last(t); !strings.EqualFold(r.RequestURI, "/v1/playlists/%2E%2E/tracks") {
			t.Errorf("request target = %q, want /v1/playlists/%%2E%%2E/tracks", r.RequestURI)
		}
	})
	t.Run("empty required path param fails before any request", func(t *testing.T) {
		before := srv.Count()
		_, err := c.GetPlaylist(context.Background(), GetPlaylistParams{})
		if err == nil || !strings.Contains(err.Error(), "PlaylistID") {
			t.Errorf("err = %v, want an error naming PlaylistID", err)
		}
		seqErr := false
		for _, err := range c.GetPlaylistItemsAll(context.Background(), GetPlaylistItemsParams{}) {
			seqErr = err != nil
		}
		if !seqErr {
			t.Error("GetPlaylistItemsAll with an empty PlaylistID yielded no error")
		}
		if srv.Count() != before {
			t.Errorf("%d requests sent for an empty path param", srv.Count()-before)
		}
	})
}

func TestBehaviourAPIError(t *testing.T) {
	t.Parallel()
	const body = `{"error":{"status":401,"message":"Invalid access token"}}`
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="spotify"`)
		testutil.WriteJSON(w, 401, body)
	})
	c := spClient(t, srv)
	resp, err := c.GetPlaylist(context.Background(), GetPlaylistParams{PlaylistID: "x"})
	if resp != nil {
		t.Errorf("response = %+v, want nil with an error", resp)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if apiErr.StatusCode != 401 || apiErr.Message != "Invalid access token" || string(apiErr.Body) != body {
		t.Errorf("APIError = {%d %q %s}", apiErr.StatusCode, apiErr.Message, apiErr.Body)
	}
	if apiErr.Header.Get("WWW-Authenticate") == "" {
		t.Error("APIError.Header lacks the response headers")
	}
	if got := err.Error(); got != "401 Unauthorized: Invalid access token" {
		t.Errorf("err.Error() = %q", got)
	}
	testutil.NoSecrets(t, "APIError", err.Error(), spSecrets...)
	if srv.Count() != 1 {
		t.Errorf("attempts = %d, want 1 (401 is not retried)", srv.Count())
	}
}

func TestBehaviourAuthPing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		closed      bool
		wantWorking bool
		wantStatus  int
		wantBody    string
	}{
		{name: "working", handler: testutil.Status(200, spUserJSON), wantWorking: true, wantStatus: 200, wantBody: "The connection is successful"},
		{name: "not working", handler: testutil.Status(401, `{"error":{"status":401,"message":"Invalid access token"}}`),
			wantStatus: 401, wantBody: "401 Unauthorized: Invalid access token"},
		{name: "unreachable", closed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := testutil.NewServer(t, tt.handler)
			c := spClient(t, srv, func(cfg *Config) {
				if tt.closed {
					cfg.BaseURL = testutil.ClosedURL(t)
					cfg.HTTPClient = &http.Client{Transport: testutil.LoopbackTransport()}
				}
			})
			c.retry.baseDelay = time.Millisecond // transport errors are retried; keep the test fast
			res := c.AuthPing(context.Background())
			if res.Working != tt.wantWorking || res.ServiceResponse.StatusCode != tt.wantStatus {
				t.Errorf("AuthPing = %+v, want working=%v status=%d", res, tt.wantWorking, tt.wantStatus)
			}
			if tt.wantBody != "" && res.ServiceResponse.Body != tt.wantBody {
				t.Errorf("Body = %q, want %q", res.ServiceResponse.Body, tt.wantBody)
			}
			if tt.closed && res.ServiceResponse.Body == "" {
				t.Error("unreachable ping gives no reason")
			}
			testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, spSecrets...)
			if !tt.closed {
				if r := srv.Last(t); r.Path != "/v1/me" || r.Header.Get("Authorization") != "Bearer "+spAccess {
					t.Errorf("ping request = %s with auth=%v, want /v1/me with the bearer token", r.Path, r.Header.Get("Authorization") != "")
				}
			}
		})
	}
}

func TestBehaviourTransportErrorHasNoSecrets(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: testutil.ClosedURL(t), ClientID: spClientID, ClientSecret: spClientSecret, Token: spValidToken()})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = time.Millisecond
	_, err = c.GetCurrentUserProfile(context.Background())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), spSecrets...)
	_, err = c.CustomAction(context.Background(), Request{Method: "POST", RelativeURL: "/v1/x?token=" + spAccess, Body: map[string]string{"k": spRefresh}})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), spSecrets...)
}

func TestBehaviourCustomAction(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/missing":
			testutil.WriteJSON(w, 404, `{"error":{"status":404,"message":"Non existing id"}}`)
		case "/v1/broken":
			w.WriteHeader(500)
			w.Write([]byte("<html>oops \x00\xff</html>"))
		default:
			w.Header().Set("X-Echo", r.Header.Get("Accept"))
			testutil.WriteJSON(w, 200, `{"ok":true}`)
		}
	})
	c := spClient(t, srv)
	ctx := context.Background()

	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/v1/missing", 404, `{"error":{"status":404,"message":"Non existing id"}}`},
		{"/v1/broken", 500, "<html>oops \x00\xff</html>"},
	} {
		before := srv.Count()
		resp, err := c.CustomAction(ctx, Request{Method: "GET", RelativeURL: tc.path})
		if err != nil {
			t.Fatalf("CustomAction %s: err = %v, want the response whatever its status", tc.path, err)
		}
		if resp.StatusCode != tc.status || string(resp.Body) != tc.body {
			t.Errorf("CustomAction %s = %d %q, want %d %q", tc.path, resp.StatusCode, resp.Body, tc.status, tc.body)
		}
		if srv.Count()-before != 1 {
			t.Errorf("CustomAction %s: attempts = %d, want 1 (%d is not a retry status)", tc.path, srv.Count()-before, tc.status)
		}
	}

	resp, err := c.CustomAction(ctx, Request{
		Method:      "post",
		RelativeURL: "v1/echo?fixed=1",
		Query:       url.Values{"ids": {"a b", "c&d"}},
		Headers:     http.Header{"Accept": {"text/plain"}, "X-Custom": {"yes"}},
		Body:        map[string]any{"name": "n"},
	})
	if err != nil {
		t.Fatalf("CustomAction: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "POST" || r.Path != "/v1/echo" {
		t.Errorf("request = %s %s, want POST /v1/echo", r.Method, r.Path)
	}
	if !reflect.DeepEqual(r.Query["ids"], []string{"a b", "c&d"}) || r.Query.Get("fixed") != "1" {
		t.Errorf("query = %v, want fixed=1 and ids repeated", r.Query)
	}
	if r.Header.Get("Accept") != "text/plain" || len(r.Header.Values("Accept")) != 1 || r.Header.Get("X-Custom") != "yes" {
		t.Errorf("per-call headers do not override the defaults: Accept=%q", r.Header.Values("Accept"))
	}
	if r.Header.Get("Authorization") != "Bearer "+spAccess {
		t.Error("CustomAction is not authenticated")
	}
	if r.Header.Get("Content-Type") != "application/json" || string(r.Body) != `{"name":"n"}` {
		t.Errorf("body = %s %q", r.Header.Get("Content-Type"), r.Body)
	}
	if resp.Header.Get("X-Echo") != "text/plain" {
		t.Errorf("response header X-Echo = %q", resp.Header.Get("X-Echo"))
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	ok := testutil.Status(200, spUserJSON)
	unavailable := testutil.Status(503, `{"error":{"status":503,"message":"Service unavailable"}}`, "Retry-After", "0")

	t.Run("429 with Retry-After 0 then 200", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(429, `{"error":{"status":429,"message":"API rate limit exceeded"}}`, "Retry-After", "0"), ok))
		resp, err := spClient(t, srv).GetCurrentUserProfile(context.Background())
		if err != nil || resp.Body.ID != "ada" {
			t.Fatalf("GetCurrentUserProfile = %v, %v", resp, err)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("503 on PUT retried with the same body", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(unavailable, testutil.Status(200, "")))
		_, err := spClient(t, srv).ChangePlaylistDetails(context.Background(), ChangePlaylistDetailsParams{
			PlaylistID: "p1", Body: PlaylistDetails{Name: Ptr("Renamed")},
		})
		if err != nil {
			t.Fatalf("ChangePlaylistDetails: %v", err)
		}
		rs := srv.Requests()
		if len(rs) != 2 {
			t.Fatalf("attempts = %d, want 2", len(rs))
		}
		if string(rs[0].Body) != `{"name":"Renamed"}` || string(rs[1].Body) != string(rs[0].Body) {
			t.Errorf("bodies = %q, %q; want the same JSON body resent", rs[0].Body, rs[1].Body)
		}
	})
	t.Run("POST is not retried", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, unavailable)
		_, err := spClient(t, srv).CreatePlaylist(context.Background(), CreatePlaylistParams{UserID: "ada", Body: NewPlaylist{Name: "x"}})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v, want *APIError 503", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
	t.Run("attempts bounded by maxAttempts", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, unavailable)
		_, err := spClient(t, srv).GetCurrentUserProfile(context.Background())
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Message != "Service unavailable" {
			t.Fatalf("err = %v, want *APIError 503", err)
		}
		if srv.Count() != 3 {
			t.Errorf("attempts = %d, want 3", srv.Count())
		}
	})
	t.Run("context ends during a Retry-After wait", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(429, `{}`, "Retry-After", "30"))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := spClient(t, srv).GetCurrentUserProfile(ctx)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v, want promptly after the context ended", d)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
}

func TestBehaviourOffsetPagination(t *testing.T) {
	t.Parallel()
	const total = 5
	handler := func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit == 0 {
			limit = 20
		}
		var items []string
		for i := offset; i < min(offset+limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"pl%d","name":"Playlist %d","uri":"spotify:playlist:pl%d","public":true}`, i, i, i))
		}
		testutil.WriteJSON(w, 200, fmt.Sprintf(`{"href":"x","items":[%s],"limit":%d,"offset":%d,"total":%d,"next":null,"previous":null}`,
			strings.Join(items, ","), limit, offset, total))
	}

	t.Run("three pages", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		got, err := testutil.Collect(spClient(t, srv).ListCurrentUserPlaylistsAll(context.Background(), ListCurrentUserPlaylistsParams{Limit: Ptr(2)}))
		if err != nil {
			t.Fatalf("ListCurrentUserPlaylistsAll: %v", err)
		}
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if want := []string{"pl0", "pl1", "pl2", "pl3", "pl4"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
		var offsets []string
		for _, r := range srv.Requests() {
			offsets = append(offsets, r.Query.Get("offset"))
			if r.Query.Get("limit") != "2" || r.Header.Get("Authorization") != "Bearer "+spAccess {
				t.Errorf("page request %s lost its limit or auth", r.RequestURI)
			}
		}
		if want := []string{"", "2", "4"}; !reflect.DeepEqual(offsets, want) {
			t.Errorf("offsets requested = %q, want %q (3 pages, the short last page ends it)", offsets, want)
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		n := 0
		for p, err := range spClient(t, srv).ListCurrentUserPlaylistsAll(context.Background(), ListCurrentUserPlaylistsParams{Limit: Ptr(2)}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if p.ID == "pl2" {
				break
			}
		}
		if n != 3 || srv.Count() != 2 {
			t.Errorf("items = %d, requests = %d; want 3 items from 2 pages", n, srv.Count())
		}
	})
	t.Run("an error page ends the sequence with an APIError", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(handler, testutil.Status(401, `{"error":{"status":401,"message":"The access token expired"}}`)))
		got, err := testutil.Collect(spClient(t, srv).ListCurrentUserPlaylistsAll(context.Background(), ListCurrentUserPlaylistsParams{Limit: Ptr(2)}))
		var apiErr *APIError
		if len(got) != 2 || !errors.As(err, &apiErr) || apiErr.Message != "The access token expired" {
			t.Errorf("items = %d, err = %v; want 2 items then the APIError", len(got), err)
		}
	})
}

func TestBehaviourNewAndConfigSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	if err == nil {
		t.Fatal("New(Config{}) succeeded")
	}
	for _, f := range []string{"ClientID", "Token"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("New(Config{}) error %q does not name %s", err, f)
		}
	}
	_, err = New(Config{ClientSecret: spClientSecret, Token: spValidToken()})
	if err == nil || !strings.Contains(err.Error(), "ClientID") {
		t.Errorf("New without ClientID: %v", err)
	} else {
		testutil.NoSecrets(t, "New error", err.Error(), spSecrets...)
	}
	_, err = New(Config{BaseURL: "ftp://" + spAccess + "@example.com", ClientID: spClientID, ClientSecret: spClientSecret, Token: spValidToken()})
	if err == nil {
		t.Error("New accepted a non-http(s) BaseURL")
	} else {
		testutil.NoSecrets(t, "New error", err.Error(), spSecrets...)
	}

	cfg := Config{BaseURL: "https://api.spotify.com", ClientID: spClientID, ClientSecret: spClientSecret,
		RedirectURL: "https://app.example.com/cb", Token: spValidToken(), OnToken: func(*oauth2.Token) {}}
	testutil.ConfigNoSecrets(t, cfg, &cfg, spSecrets...)
	if !strings.Contains(fmt.Sprint(cfg), spClientID) {
		t.Errorf("fmt.Sprint(cfg) = %q hides the non-secret ClientID", fmt.Sprint(cfg))
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
