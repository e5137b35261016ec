package okta

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const okToken = "00s3cr3t-token-xyz-SSWS"

func okUserJSON(id, login string) string {
	return fmt.Sprintf(`{"id":%q,"status":"ACTIVE","created":"2013-06-24T16:39:18.000Z","activated":"2013-06-24T16:39:19.000Z",
"statusChanged":"2013-06-24T16:39:19.000Z","lastLogin":"2013-06-24T17:39:19.000Z","lastUpdated":"2013-07-02T21:36:25.344Z","passwordChanged":"2013-07-02T21:36:25.344Z",
"type":{"id":"otyfnjfba4ye7pgjB0g4"},"profile":{"login":%q,"firstName":"Isaac","lastName":"Brock","email":%q,"mobilePhone":"555-415-1337","department":"Engineering"},
"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://acme.okta.com/api/v1/users/%s"}}}`, id, login, login, id)
}

func okClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), Subdomain: "acme", APIToken: okToken})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourCustomAuthHeaderAndTypedResponse(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, okUserJSON("00ub0oNGTSWTBKOLGLNR", "isaac.brock@example.com")))
	resp, err := okClient(t, srv).GetUser(context.Background(), GetUserParams{ID: "00ub0oNGTSWTBKOLGLNR"})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	r := srv.Last(t)
	if r.Path != "/api/v1/users/00ub0oNGTSWTBKOLGLNR" {
		t.Errorf("path = %q", r.Path)
	}
	if got := r.Header.Values("Authorization"); len(got) != 1 || got[0] != "SSWS "+okToken {
		t.Errorf("Authorization is not exactly SSWS <token> (%d values)", len(got))
	}
	if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "okta-connector/1.0.0") {
		t.Errorf("Accept=%q User-Agent=%q", r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	u := resp.Body
	if u.ID != "00ub0oNGTSWTBKOLGLNR" || u.Status != "ACTIVE" || u.Profile.Login == nil || *u.Profile.Login != "isaac.brock@example.com" ||
		u.Profile.Department == nil || *u.Profile.Department != "Engineering" || u.LastLogin == nil ||
		!u.Created.Equal(time.Date(2013, 6, 24, 16, 39, 18, 0, time.UTC)) || u.Credentials == nil || u.Links["self"] == nil {
		t.Errorf("decoded user = %+v", u)
	}
}

func TestBehaviourSubdomainValidation(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"evil.example/#", "evil.example/", "acme.okta.com@evil.example", "evil.example:8080", "a b", "acme?x=", "-acme", "acme#"} {
		_, err := New(Config{Subdomain: sub, APIToken: okToken})
		if err == nil {
			t.Errorf("New with Subdomain %q succeeded; want an error (the value could move requests to another host)", sub)
			continue
		}
		testutil.NoSecrets(t, "New error", err.Error(), okToken)
	}
	_, err := New(Config{})
	if err == nil {
		t.Fatal("New(Config{}) succeeded")
	}
	for _, f := range []string{"Subdomain", "APIToken"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("New(Config{}) error %q does not name %s", err, f)
		}
	}
	if _, err := New(Config{Subdomain: "acme"}); err == nil || !strings.Contains(err.Error(), "APIToken") || strings.Contains(err.Error(), "Subdomain") {
		t.Errorf("New without APIToken: err = %v, want one naming only APIToken", err)
	}
}

// Subdomain "acme" must address https://acme.okta.com. The test client
// reroutes that host to the local server and records the URL asked for.
func TestBehaviourSubdomainBuildsBaseURL(t *testing.T) {
	testutil.GuardDefaultTransport(t)
	srv := testutil.NewServer(t, testutil.Status(200, okUserJSON("00u1", "a@example.com")))
	c, err := New(Config{HTTPClient: srv.HTTPClient("acme.okta.com"), Subdomain: "acme", APIToken: okToken})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if res := c.AuthPing(context.Background()); !res.Working {
		t.Fatalf("AuthPing = %+v", res)
	}
	r := srv.Last(t)
	if r.OriginalURL != "https://acme.okta.com/api/v1/users/me" {
		t.Errorf("ping URL = %q, want https://acme.okta.com/api/v1/users/me", r.OriginalURL)
	}
	if r.Header.Get("Authorization") != "SSWS "+okToken {
		t.Error("ping lacks the SSWS token")
	}

	// A Config.BaseURL override (oktapreview.com, custom domains, tests) wins
	// over the subdomain and still works.
	srv2 := testutil.NewServer(t, testutil.Status(200, okUserJSON("00u1", "a@example.com")))
	c2, err := New(Config{BaseURL: srv2.URL, HTTPClient: srv2.HTTPClient(), Subdomain: "acme", APIToken: okToken})
	if err != nil {
		t.Fatalf("New with BaseURL: %v", err)
	}
	if res := c2.AuthPing(context.Background()); !res.Working || srv2.Count() != 1 || srv2.Last(t).OriginalURL != "" {
		t.Errorf("AuthPing via BaseURL = %+v (requests %d)", res, srv2.Count())
	}

	// The secret token never fills a base URL, which errors and logs show.
	_, err = New(Config{BaseURL: "https://{apiToken}.example.com", Subdomain: "acme", APIToken: "tok"})
	if err == nil || !strings.Contains(err.Error(), "unknown placeholder {apiToken}") {
		t.Errorf("New with {apiToken} in BaseURL: err = %v, want an unknown placeholder", err)
	}
}

func TestBehaviourLinkHeaderPagination(t *testing.T) {
	t.Parallel()
	const search = `profile.department eq "Engineering" and status eq "ACTIVE"`
	users := []string{"00u1", "00u2", "00u3", "00u4", "00u5"}
	newServer := func(t *testing.T) *testutil.Server {
		var srv *testutil.Server
		srv = testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
			start := 0
			if after := r.URL.Query().Get("after"); after != "" {
				for i, u := range users {
					if u == after {
						start = i + 1
					}
				}
			}
			end := min(start+2, len(users))
			var items []string
			for _, id := range users[start:end] {
				items = append(items, okUserJSON(id, id+"@example.com"))
			}
			links := []string{fmt.Sprintf(`<%s/api/v1/users?limit=2>; rel="self"`, srv.URL)}
			if end < len(users) {
				links = append(links, fmt.Sprintf(`<%s/api/v1/users?after=%s&limit=2&search=profile.department+eq+%%22Engineering%%22>; rel="next"`, srv.URL, users[end-1]))
			}
			for _, l := range links {
				w.Header().Add("Link", l) // Okta sends one Link header per relation
			}
			testutil.WriteJSON(w, 200, "["+strings.Join(items, ",")+"]")
		})
		return srv
	}
	params := ListUsersParams{Search: Ptr(search), Limit: Ptr(2)}

	t.Run("all pages", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		got, err := testutil.Collect(okClient(t, srv).ListUsersAll(context.Background(), params))
		if err != nil {
			t.Fatalf("ListUsersAll: %v", err)
		}
		var ids []string
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if strings.Join(ids, ",") != strings.Join(users, ",") {
			t.Errorf("ids = %v", ids)
		}
		rs := srv.Requests()
		if len(rs) != 3 {
			t.Fatalf("requests = %d, want 3", len(rs))
		}
		if rs[0].Query.Get("search") != search || rs[0].Query.Get("limit") != "2" || rs[0].Query.Has("after") {
			t.Errorf("first query = %s", rs[0].RawQuery)
		}
		if strings.ContainsAny(rs[0].RawQuery, " \"") {
			t.Errorf("first raw query %q has unencoded characters", rs[0].RawQuery)
		}
		for i, want := range []string{"00u2", "00u4"} {
			if r := rs[i+1]; r.Query.Get("after") != want || r.Header.Get("Authorization") != "SSWS "+okToken {
				t.Errorf("request %d = %s, want after=%s with the token", i+1, r.RequestURI, want)
			}
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		for range okClient(t, srv).ListUsersAll(context.Background(), params) {
			break
		}
		if srv.Count() != 1 {
			t.Errorf("requests = %d, want 1", srv.Count())
		}
	})
}

// Okta's error body is {"errorCode", "errorSummary", "errorLink", "errorId",
// "errorCauses"}; errorSummary is the human-readable message.
func TestBehaviourOktaErrorMessage(t *testing.T) {
	t.Parallel()
	const body = `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeXmlk2dBRQ3S-zmMJoEXg1w","errorCauses":[]}`
	srv := testutil.NewServer(t, testutil.Status(401, body))
	c := okClient(t, srv)
	res := c.AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 401 {
		t.Errorf("AuthPing = %+v, want not working with 401", res)
	}
	if want := "401 Unauthorized: Invalid token provided"; res.ServiceResponse.Body != want {
		t.Errorf("AuthPing body = %q, want %q (Okta's errorSummary)", res.ServiceResponse.Body, want)
	}
	_, err := c.GetUser(context.Background(), GetUserParams{ID: "00u1"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || string(apiErr.Body) != body {
		t.Fatalf("err = %v, want *APIError 401 with the raw body", err)
	}
	if apiErr.Message != "Invalid token provided" {
		t.Errorf("APIError.Message = %q, want Okta's errorSummary %q", apiErr.Message, "Invalid token provided")
	}
	testutil.NoSecrets(t, "APIError", err.Error(), okToken)
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, okUserJSON("x", "x@example.com")))
	c := okClient(t, srv)
	for id, want := range map[string]string{
		"../admin":                  "/api/v1/users/..%2Fadmin",
		"..":                        "/api/v1/users/%2E%2E",
		".":                         "/api/v1/users/%2E",
		"isaac.brock@example.com":   "/api/v1/users/isaac.brock@example.com",
		"me/lifecycle/deactivate?x": "/api/v1/users/me%2Flifecycle%2Fdeactivate%3Fx",
	} {
		if _, err := c.GetUser(context.Background(), GetUserParams{ID: id}); err != nil {
			t.Fatalf("GetUser(%q): %v", id, err)
		}
		if got := srv.Last(t).RequestURI; !strings.EqualFold(got, want) {
			t.Errorf("GetUser(%q) request target = %q, want %q", id, got, want)
		}
	}
	if _, err := c.ActivateUser(context.Background(), ActivateUserParams{ID: ".."}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Last(t).RequestURI; !strings.EqualFold(got, "/api/v1/users/%2E%2E/lifecycle/activate") {
		t.Errorf("ActivateUser(..) request target = %q", got)
	}
	n := srv.Count()
	if _, err := c.RemoveUserFromGroup(context.Background(), RemoveUserFromGroupParams{GroupID: "00g1"}); err == nil || !strings.Contains(err.Error(), "UserID") {
		t.Errorf("RemoveUserFromGroup with an empty UserID: err = %v", err)
	}
	if srv.Count() != n {
		t.Error("a request was sent for an empty path param")
	}
}

func TestBehaviourCreateUserQueryAndBody(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, okUserJSON("00u9", "new@example.com")))
	_, err := okClient(t, srv).CreateUser(context.Background(), CreateUserParams{
		Activate: Ptr(false),
		Body: CreateUserRequest{
			Profile:  CreateUserRequestProfile{FirstName: "Isaac", LastName: "Brock", Email: "new@example.com", Login: "new@example.com"},
			GroupIDs: []string{"00g1", "00g2"},
		},
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "POST" || r.Path != "/api/v1/users" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s %q", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	if r.Query.Get("activate") != "false" {
		t.Errorf("activate = %q, want false (a non-nil false is sent)", r.Query.Get("activate"))
	}
	if r.Query.Has("provider") || r.Query.Has("nextLogin") {
		t.Errorf("nil params sent: %s", r.RawQuery)
	}
	var body struct {
		Profile  map[string]string `json:"profile"`
		GroupIDs []string          `json:"groupIds"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Profile["login"] != "new@example.com" || body.Profile["firstName"] != "Isaac" || len(body.GroupIDs) != 2 {
		t.Errorf("body = %s (%v)", r.Body, err)
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	rateLimited := testutil.Status(429, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"sampleQPivGUj_ND5v78vbYWW","errorCauses":[]}`,
		"Retry-After", "0", "X-Rate-Limit-Remaining", "0")
	t.Run("PUT retried after 429", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(rateLimited, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
		resp, err := okClient(t, srv).AddUserToGroup(context.Background(), AddUserToGroupParams{GroupID: "00g1", UserID: "00u1"})
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("AddUserToGroup = %+v, %v", resp, err)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("POST lifecycle call not retried", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, rateLimited)
		_, err := okClient(t, srv).DeactivateUser(context.Background(), DeactivateUserParams{ID: "00u1"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
			t.Fatalf("err = %v, want *APIError 429", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
}

func TestBehaviourSecrets(t *testing.T) {
	t.Parallel()
	cfg := Config{Subdomain: "acme", APIToken: okToken}
	testutil.ConfigNoSecrets(t, cfg, &cfg, okToken)
	if !strings.Contains(fmt.Sprint(cfg), "acme") {
		t.Errorf("fmt.Sprint(cfg) = %q hides the non-secret Subdomain", fmt.Sprint(cfg))
	}
	c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, Subdomain: "acme", APIToken: okToken})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = time.Millisecond
	_, err = c.ListGroups(context.Background(), ListGroupsParams{Q: Ptr(okToken)})
	if err == nil {
		t.Fatal("ListGroups against a closed server succeeded")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), okToken)
	res := c.AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 0 {
		t.Errorf("AuthPing = %+v", res)
	}
	testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, okToken)
}

// A token with CR/LF cannot inject headers, and the failure does not echo it.
func TestBehaviourTokenCannotInjectHeaders(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, nil)
	const evil = "s3cr3t-abc\r\nX-Injected: 1"
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), Subdomain: "acme", APIToken: evil})
	if err != nil {
		testutil.NoSecrets(t, "New error", err.Error(), "s3cr3t-abc")
		return // refusing such a token up front is fine too
	}
	c.retry.baseDelay = time.Millisecond
	_, err = c.GetUser(context.Background(), GetUserParams{ID: "00u1"})
	if err == nil {
		t.Fatal("a request with a CR/LF token succeeded")
	}
	testutil.NoSecrets(t, "error", err.Error(), "s3cr3t-abc")
	for _, r := range srv.Requests() {
		if r.Header.Get("X-Injected") != "" {
			t.Error("a header was injected through the token")
		}
	}
}
