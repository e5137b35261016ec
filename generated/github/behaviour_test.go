package github

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.
// The spec's client-side rate limit (burst 10) is per client; every test
// stays under it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const ghToken = "ghp_s3cr3t-token-xyz"

const ghUserJSON = `{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false}`

func ghIssueJSON(n int, title string) string {
	return fmt.Sprintf(`{"id":%d,"node_id":"MDU6SXNzdWUx","url":"https://api.github.com/repos/octocat/Hello-World/issues/%d","repository_url":"https://api.github.com/repos/octocat/Hello-World",
"html_url":"https://github.com/octocat/Hello-World/issues/%d","number":%d,"state":"open","state_reason":null,"title":%q,"body":"I'm having a problem with this.",
"user":%s,"labels":[{"id":208045946,"node_id":"MDU6TGFiZWwyMDgwNDU5NDY=","url":"https://api.github.com/repos/octocat/Hello-World/labels/bug","name":"bug","description":"Something isn't working","color":"f29513","default":true}],
"assignee":null,"assignees":[],"milestone":null,"locked":false,"active_lock_reason":null,"comments":3,"closed_at":null,"created_at":"2011-04-22T13:33:48Z","updated_at":"2011-04-22T13:33:48Z","author_association":"COLLABORATOR"}`,
		1000+n, n, n, n, title, ghUserJSON)
}

func ghClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: ghToken})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourDefaultHeadersAndOverride(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, `{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://x","html_url":"https://github.com/octocat","type":"User","site_admin":false,
"name":"monalisa octocat","company":"GitHub","public_repos":2,"followers":20,"following":0,"created_at":"2008-01-14T04:33:35Z","updated_at":"2008-01-14T04:33:35Z","plan":{"name":"Medium","space":400,"private_repos":20,"collaborators":0}}`))
	c := ghClient(t, srv)
	resp, err := c.GetAuthenticatedUser(context.Background())
	if err != nil {
		t.Fatalf("GetAuthenticatedUser: %v", err)
	}
	u := resp.Body
	if u.Login != "octocat" || u.Name == nil || *u.Name != "monalisa octocat" || u.PublicRepos != 2 || u.Followers != 20 ||
		!u.CreatedAt.Equal(time.Date(2008, 1, 14, 4, 33, 35, 0, time.UTC)) || u.Plan == nil || *u.Plan.PrivateRepos != 20 || u.Email != nil {
		t.Errorf("decoded user = %+v", u)
	}
	r := srv.Last(t)
	for k, want := range map[string]string{
		"Authorization":        "Bearer " + ghToken,
		"Accept":               "application/vnd.github+json",
		"X-GitHub-Api-Version": "2022-11-28",
	} {
		if got := r.Header.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want [%q]", k, got, want)
		}
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "github-connector/1.0.0") {
		t.Errorf("User-Agent = %q (GitHub rejects requests without one)", ua)
	}

	_, err = c.CustomAction(context.Background(), Request{RelativeURL: "/repos/octocat/Hello-World/readme", Headers: http.Header{
		"accept":               {"application/vnd.github.raw+json"},
		"X-GitHub-Api-Version": {"2026-03-10"},
	}})
	if err != nil {
		t.Fatalf("CustomAction: %v", err)
	}
	r = srv.Last(t)
	if got := r.Header.Values("Accept"); !reflect.DeepEqual(got, []string{"application/vnd.github.raw+json"}) {
		t.Errorf("Accept = %q, want the per-call value only", got)
	}
	if got := r.Header.Values("X-GitHub-Api-Version"); !reflect.DeepEqual(got, []string{"2026-03-10"}) {
		t.Errorf("X-GitHub-Api-Version = %q, want the per-call value only", got)
	}
	if r.Header.Get("Authorization") != "Bearer "+ghToken {
		t.Error("CustomAction lost the auth header")
	}
}

func TestBehaviourLinkHeaderPagination(t *testing.T) {
	t.Parallel()
	const total = 5
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	params := ListRepoIssuesParams{Owner: "octocat", Repo: "Hello-World", Labels: []string{"bug", "help wanted"}, Since: &since, State: Ptr("open"), PerPage: Ptr(2)}

	// run lists the issues from a server whose Link headers point at itself,
	// stopping after stopAfter issues (0: all).
	run := func(t *testing.T, stopAfter int) *testutil.Server {
		var srv *testutil.Server
		srv = testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
			page, err := strconv.Atoi(r.URL.Query().Get("page"))
			if err != nil {
				page = 1
			}
			per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			var items []string
			for i := (page - 1) * per; i < min(page*per, total); i++ {
				items = append(items, ghIssueJSON(i+1, fmt.Sprintf("Issue %d", i+1)))
			}
			link := func(p int, rel string) string {
				return fmt.Sprintf(`<%s/repositories/1296269/issues?labels=bug%%2Chelp+wanted&per_page=%d&page=%d>; rel="%s"`, srv.URL, per, p, rel)
			}
			var links []string
			if page > 1 {
				links = append(links, link(page-1, "prev"))
			}
			if page*per < total {
				links = append(links, link(page+1, "next"))
			}
			links = append(links, link(3, "last"), link(1, "first"))
			w.Header().Set("Link", strings.Join(links, ", "))
			testutil.WriteJSON(w, 200, "["+strings.Join(items, ",")+"]")
		})
		c := ghClient(t, srv)
		n := 0
		for is, err := range c.ListRepoIssuesAll(context.Background(), params) {
			if err != nil {
				t.Fatalf("ListRepoIssuesAll: %v", err)
			}
			n++
			if is.Number != n || is.State != IssueStateOpen || len(is.Labels) != 1 || is.User == nil || is.User.Login != "octocat" {
				t.Errorf("issue %d = %+v", n, is)
			}
			if n == stopAfter {
				break
			}
		}
		if stopAfter == 0 && n != total {
			t.Errorf("issues = %d, want %d", n, total)
		}
		return srv
	}

	t.Run("all pages", func(t *testing.T) {
		t.Parallel()
		srv := run(t, 0)
		rs := srv.Requests()
		if len(rs) != 3 {
			t.Fatalf("requests = %d, want 3", len(rs))
		}
		first := rs[0]
		if first.Path != "/repos/octocat/Hello-World/issues" {
			t.Errorf("first request path = %q", first.Path)
		}
		if got := first.Query["labels"]; !reflect.DeepEqual(got, []string{"bug,help wanted"}) {
			t.Errorf("labels = %q, want one comma-joined value (explode: false)", got)
		}
		if first.Query.Get("since") != "2026-01-02T03:04:05Z" || first.Query.Get("state") != "open" || first.Query.Get("per_page") != "2" {
			t.Errorf("first query = %s", first.RawQuery)
		}
		for _, k := range []string{"milestone", "assignee", "sort", "direction", "page"} {
			if first.Query.Has(k) {
				t.Errorf("nil param %s was sent", k)
			}
		}
		for i, r := range rs[1:] {
			if r.Path != "/repositories/1296269/issues" || r.Query.Get("page") != strconv.Itoa(i+2) {
				t.Errorf("request %d = %s, want the rel=next link", i+1, r.RequestURI)
			}
			if r.Header.Get("Authorization") != "Bearer "+ghToken || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
				t.Errorf("request %d lost auth or default headers", i+1)
			}
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		if srv := run(t, 3); srv.Count() != 2 {
			t.Errorf("requests = %d, want 2", srv.Count())
		}
	})
}

func TestBehaviourLinkToOtherHostRefused(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<https://evil.example/steal?page=2>; rel="next"`)
		testutil.WriteJSON(w, 200, `[`+ghIssueJSON(1, "one")+`]`)
	})
	got, err := testutil.Collect(ghClient(t, srv).ListRepoIssuesAll(context.Background(), ListRepoIssuesParams{Owner: "o", Repo: "r"}))
	if len(got) != 1 {
		t.Errorf("items = %d, want the first page's 1", len(got))
	}
	if err == nil {
		t.Fatal("a next link to another host was followed or ignored silently; want an error")
	}
	if strings.Contains(err.Error(), "testutil") {
		t.Errorf("the connector sent the request (stopped only by the test transport): %v", err)
	}
	testutil.NoSecrets(t, "pagination error", err.Error(), ghToken)
	if srv.Count() != 1 {
		t.Errorf("requests = %d, want 1", srv.Count())
	}
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, ghIssueJSON(7, "x")))
	c := ghClient(t, srv)
	ctx := context.Background()
	for _, tt := range []struct {
		owner, repo string
		want        string
	}{
		{"../admin", "r", "/repos/..%2Fadmin/r/issues/7"},
		{"..", "..", "/repos/%2E%2E/%2E%2E/issues/7"},
		{"octocat", ".", "/repos/octocat/%2E/issues/7"},
		{"a/b", "c?d#e f", "/repos/a%2Fb/c%3Fd%23e%20f/issues/7"},
	} {
		if _, err := c.GetIssue(ctx, GetIssueParams{Owner: tt.owner, Repo: tt.repo, IssueNumber: 7}); err != nil {
			t.Fatalf("GetIssue(%q, %q): %v", tt.owner, tt.repo, err)
		}
		if got := srv.Last(t).RequestURI; !strings.EqualFold(got, tt.want) {
			t.Errorf("GetIssue(%q, %q) request target = %q, want %q", tt.owner, tt.repo, got, tt.want)
		}
	}
	n := srv.Count()
	if _, err := c.GetRepo(ctx, GetRepoParams{Owner: "octocat"}); err == nil || !strings.Contains(err.Error(), "Repo") {
		t.Errorf("GetRepo with an empty Repo: err = %v", err)
	}
	if _, err := c.CreateIssue(ctx, CreateIssueParams{Repo: "r", Body: NewIssue{Title: "t"}}); err == nil || !strings.Contains(err.Error(), "Owner") {
		t.Errorf("CreateIssue with an empty Owner: err = %v", err)
	}
	if srv.Count() != n {
		t.Error("a request was sent for an empty path param")
	}
}

func TestBehaviourCreateIssueJSONAndErrors(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Sequence(
		testutil.Status(201, ghIssueJSON(1347, "Found a bug")),
		testutil.Status(422, `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}],"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue","status":"422"}`),
	))
	c := ghClient(t, srv)
	resp, err := c.CreateIssue(context.Background(), CreateIssueParams{Owner: "octocat", Repo: "Hello-World", Body: NewIssue{
		Title: "Found a bug", Body: Ptr("I'm having a problem with this."), Labels: []string{"bug"}, Assignees: []string{"octocat"},
	}})
	if err != nil {
		t.Fatalf("CreateIssue: %v", err)
	}
	if resp.StatusCode != 201 || resp.Body.Number != 1347 || resp.Body.Title != "Found a bug" || resp.Body.Comments == nil || *resp.Body.Comments != 3 {
		t.Errorf("decoded issue = %+v", resp.Body)
	}
	r := srv.Last(t)
	if r.Method != "POST" || r.Path != "/repos/octocat/Hello-World/issues" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s %q", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body: %v", err)
	}
	want := map[string]any{"title": "Found a bug", "body": "I'm having a problem with this.", "labels": []any{"bug"}, "assignees": []any{"octocat"}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v (unset milestone left out)", body, want)
	}

	_, err = c.CreateIssue(context.Background(), CreateIssueParams{Owner: "octocat", Repo: "Hello-World", Body: NewIssue{}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || apiErr.Message != "Validation Failed" {
		t.Fatalf("err = %v, want *APIError 422 Validation Failed", err)
	}
	if err.Error() != "422 Unprocessable Entity: Validation Failed" {
		t.Errorf("err.Error() = %q", err.Error())
	}
	testutil.NoSecrets(t, "APIError", err.Error(), ghToken)
}

func TestBehaviourAuthPingAndRetries(t *testing.T) {
	t.Parallel()
	t.Run("not working", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(401, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
		res := ghClient(t, srv).AuthPing(context.Background())
		if res.Working || res.ServiceResponse.StatusCode != 401 || res.ServiceResponse.Body != "401 Unauthorized: Bad credentials" {
			t.Errorf("AuthPing = %+v", res)
		}
		if r := srv.Last(t); r.Path != "/user" {
			t.Errorf("ping path = %q", r.Path)
		}
		if srv.Count() != 1 {
			t.Errorf("ping attempts = %d, want 1", srv.Count())
		}
	})
	t.Run("working after a 502", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(502, `{"message":"Server Error"}`, "Retry-After", "0"), testutil.Status(200, ghUserJSON)))
		res := ghClient(t, srv).AuthPing(context.Background())
		if !res.Working || res.ServiceResponse.StatusCode != 200 || res.ServiceResponse.Body != "The connection is successful" {
			t.Errorf("AuthPing = %+v", res)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("PATCH is not retried", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(503, `{"message":"Service Unavailable"}`, "Retry-After", "0"))
		_, err := ghClient(t, srv).UpdateIssue(context.Background(), UpdateIssueParams{Owner: "o", Repo: "r", IssueNumber: 1, Body: IssueUpdate{Title: Ptr("t")}})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1 (PATCH is not in the retried methods)", srv.Count())
		}
	})
}

func TestBehaviourNewAndSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "AccessToken") {
		t.Errorf("New(Config{}) = %v, want an error naming AccessToken", err)
	}
	cfg := Config{AccessToken: ghToken, BaseURL: "https://ghe.example.com/api/v3"}
	testutil.ConfigNoSecrets(t, cfg, &cfg, ghToken)

	c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, AccessToken: ghToken})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = time.Millisecond
	_, err = c.GetRepo(context.Background(), GetRepoParams{Owner: "o", Repo: "r"})
	if err == nil {
		t.Fatal("GetRepo against a closed server succeeded")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), ghToken)
}

func TestBehaviourBaseURLWithPath(t *testing.T) {
	t.Parallel()
	// GitHub Enterprise serves the API under /api/v3: the base path is kept.
	srv := testutil.NewServer(t, testutil.Status(200, `{"resources":{"core":{"limit":5000,"remaining":4999,"reset":1372700873,"used":1}},"rate":{"limit":5000,"remaining":4999,"reset":1372700873,"used":1}}`))
	c, err := New(Config{BaseURL: srv.URL + "/api/v3/", HTTPClient: srv.HTTPClient(), AccessToken: ghToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RateLimit(context.Background()); err != nil {
		t.Fatalf("RateLimit: %v", err)
	}
	if p := srv.Last(t).Path; p != "/api/v3/rate_limit" {
		t.Errorf("path = %q, want /api/v3/rate_limit", p)
	}
}

func TestBehaviourCustomActionStaysOnHost(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, nil)
	c := ghClient(t, srv)
	for _, rel := range []string{"https://evil.example/steal", "//evil.example/steal", "http://" + strings.TrimPrefix(srv.URL, "http://") + "@evil.example/x"} {
		_, err := c.CustomAction(context.Background(), Request{RelativeURL: rel})
		if err == nil {
			t.Errorf("CustomAction(%q) succeeded; want a refusal (credentials go to the service's host only)", rel)
			continue
		}
		if strings.Contains(err.Error(), "testutil") {
			t.Errorf("CustomAction(%q) sent the request (stopped only by the test transport): %v", rel, err)
		}
		testutil.NoSecrets(t, "CustomAction error", err.Error(), ghToken)
	}
	// An absolute URL on the service's own host is fine (e.g. a URL from a response).
	if resp, err := c.CustomAction(context.Background(), Request{RelativeURL: srv.URL + "/user?x=1"}); err != nil || resp.StatusCode != 200 {
		t.Errorf("CustomAction on the service host = %v, %v", resp, err)
	}
	if srv.Count() != 1 {
		t.Errorf("requests = %d, want 1", srv.Count())
	}
}

const ghAppJWT = "eyJhbGciOiJSUzI1NiJ9.app-s3cr3t.sig"

// GET /app takes the app's JWT, and only that: the user's token must not go
// there, and /meta, which the spec marks public, gets no credential at all.
func TestBehaviourActionOwnAuth(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app":
			testutil.WriteJSON(w, 200, `{"id":1,"slug":"octoapp","node_id":"MDExOkludGVncmF0aW9uMQ==","owner":`+ghUserJSON+`,"name":"Octocat App",
"description":"","external_url":"https://example.com","html_url":"https://github.com/apps/octoapp","created_at":"2017-07-08T16:18:44-04:00","updated_at":"2017-07-08T16:18:44-04:00",
"permissions":{"metadata":"read","contents":"read"},"events":["push"],"installations_count":5}`)
		case "/meta":
			testutil.WriteJSON(w, 200, `{"verifiable_password_authentication":true,"ssh_key_fingerprints":{"SHA256_RSA":"uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"},"api":["192.30.252.0/22"]}`)
		default:
			testutil.WriteJSON(w, 200, ghUserJSON)
		}
	})
	cfg := Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: ghToken, AppJWT: ghAppJWT}
	testutil.ConfigNoSecrets(t, cfg, &cfg, ghToken, ghAppJWT)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.GetAuthenticatedApp(context.Background())
	if err != nil {
		t.Fatalf("GetAuthenticatedApp: %v", err)
	}
	if b := app.Body; b.Slug == nil || *b.Slug != "octoapp" || b.Owner.Login != "octocat" || b.Permissions["contents"] != "read" || b.InstallationsCount == nil || *b.InstallationsCount != 5 {
		t.Errorf("app = %+v", app.Body)
	}
	if got := srv.Last(t).Header.Values("Authorization"); !reflect.DeepEqual(got, []string{"Bearer " + ghAppJWT}) {
		testutil.NoSecrets(t, "GET /app Authorization", strings.Join(got, ","), ghToken)
		t.Errorf("GET /app sent %d Authorization values, want only the app JWT", len(got))
	}

	meta, err := c.GetMeta(context.Background())
	if err != nil {
		t.Fatalf("GetMeta: %v", err)
	}
	if !meta.Body.VerifiablePasswordAuthentication || len(meta.Body.API) != 1 {
		t.Errorf("meta = %+v", meta.Body)
	}
	if r := srv.Last(t); r.Header.Get("Authorization") != "" {
		t.Errorf("GET /meta sent an Authorization header; the action's auth is none")
	}

	// The other actions keep the connector's auth.
	if _, err := c.GetAuthenticatedUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Last(t).Header.Get("Authorization"); got != "Bearer "+ghToken {
		testutil.NoSecrets(t, "GET /user Authorization", got, ghAppJWT)
		t.Errorf("GET /user did not send the access token")
	}
}

// AppJWT is optional in New (most users never call /app); the action that
// needs it says so before anything is sent.
func TestBehaviourActionOwnAuthMissing(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, nil)
	c := ghClient(t, srv)
	_, err := c.GetAuthenticatedApp(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GetAuthenticatedApp needs Config.AppJWT") {
		t.Errorf("GetAuthenticatedApp without AppJWT: err = %v, want one naming Config.AppJWT", err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
