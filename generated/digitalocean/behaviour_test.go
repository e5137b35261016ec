package digitalocean

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.
// The spec's client-side rate limit (burst 20) is per client; every test
// stays well under it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const doToken = "dop_v1_s3cr3t-token-xyz"

const doAccountJSON = `{"account":{"droplet_limit":25,"floating_ip_limit":5,"volume_limit":100,"email":"sammy@digitalocean.com","name":"Sammy the Shark","uuid":"b6fr89dbf6d9156cace5f3c78dc9851d957381ef","email_verified":true,"status":"active","status_message":"","team":{"uuid":"5df3e3004a17e242b7c20ca6c9fc25b701a47ece","name":"My Team"}}}`

func doDropletJSON(id int64, name string) string {
	return fmt.Sprintf(`{"id":%d,"name":%q,"memory":1024,"vcpus":1,"disk":25,"locked":false,"status":"active",
"kernel":null,"created_at":"2020-07-21T18:37:44Z","features":["backups","ipv6"],"backup_ids":[53893572],"next_backup_window":null,
"snapshot_ids":[],"image":{"id":63663980,"name":"20.04 (LTS) x64","distribution":"Ubuntu","slug":"ubuntu-20-04-x64","public":true,"regions":["nyc3"],"created_at":"2020-05-15T05:47:50Z","type":"base","min_disk_size":20,"size_gigabytes":2.36,"tags":[],"status":"available"},
"volume_ids":[],"size":{"slug":"s-1vcpu-1gb","memory":1024,"vcpus":1,"disk":25,"transfer":1,"price_monthly":5,"price_hourly":0.00743999984115362,"regions":["nyc3"],"available":true},
"size_slug":"s-1vcpu-1gb","networks":{"v4":[{"ip_address":"104.236.32.182","netmask":"255.255.192.0","gateway":"104.236.0.1","type":"public"}],"v6":[]},
"region":{"name":"New York 3","slug":"nyc3","features":["backups","ipv6"],"available":true,"sizes":["s-1vcpu-1gb"]},"tags":["web","env:prod"],"vpc_uuid":"760e09ef-dc84-11e8-981e-3cfdfeaae000"}`, id, name)
}

func doClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: doToken})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourBearerAndTypedResponse(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, doAccountJSON, "Ratelimit-Remaining", "4999"))
	resp, err := doClient(t, srv).GetAccount(context.Background())
	if err != nil {
		t.Fatalf("GetAccount: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "GET" || r.Path != "/v2/account" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer "+doToken {
		t.Error("Authorization is not Bearer <token>")
	}
	if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "digitalocean-connector/1.0.0") {
		t.Errorf("Accept=%q User-Agent=%q", r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	a := resp.Body.Account
	if a.DropletLimit != 25 || a.Email != "sammy@digitalocean.com" || !a.EmailVerified || a.Status != AccountStatusActive ||
		a.VolumeLimit == nil || *a.VolumeLimit != 100 || a.Team == nil || a.Team.Name == nil || *a.Team.Name != "My Team" {
		t.Errorf("decoded account = %+v", a)
	}
	if resp.Header.Get("Ratelimit-Remaining") != "4999" {
		t.Error("response headers not returned")
	}
}

func TestBehaviourGetDropletDecodesNestedTypes(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, `{"droplet":`+doDropletJSON(3164444, "example.com")+`}`))
	resp, err := doClient(t, srv).GetDroplet(context.Background(), GetDropletParams{DropletID: 3164444})
	if err != nil {
		t.Fatalf("GetDroplet: %v", err)
	}
	if p := srv.Last(t).Path; p != "/v2/droplets/3164444" {
		t.Errorf("path = %q", p)
	}
	d := resp.Body.Droplet
	if d.ID != 3164444 || d.Name != "example.com" || d.Status != DropletStatusActive || !d.CreatedAt.Equal(time.Date(2020, 7, 21, 18, 37, 44, 0, time.UTC)) ||
		d.Image.Slug == nil || *d.Image.Slug != "ubuntu-20-04-x64" || d.Size.PriceMonthly != 5 || d.Region.Slug != "nyc3" ||
		len(d.Networks.V4) != 1 || *d.Networks.V4[0].IPAddress != "104.236.32.182" || len(d.Tags) != 2 || d.Kernel != nil {
		t.Errorf("decoded droplet = %+v", d)
	}
}

func TestBehaviourPagePagination(t *testing.T) {
	t.Parallel()
	const total = 5
	handler := func(w http.ResponseWriter, r *http.Request) {
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			page = 1
		}
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		var ds []string
		for i := (page - 1) * per; i < min(page*per, total); i++ {
			ds = append(ds, doDropletJSON(int64(1000+i), fmt.Sprintf("web-%d", i)))
		}
		next := ""
		if page*per < total {
			next = fmt.Sprintf(`,"next":"https://api.digitalocean.com/v2/droplets?page=%d&per_page=%d"`, page+1, per)
		}
		testutil.WriteJSON(w, 200, fmt.Sprintf(`{"droplets":[%s],"links":{"pages":{"first":"https://api.digitalocean.com/v2/droplets?page=1&per_page=%d"%s}},"meta":{"total":%d}}`,
			strings.Join(ds, ","), per, next, total))
	}
	params := ListDropletsParams{PerPage: Ptr(2), TagName: Ptr("env:prod")}

	t.Run("all pages", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		got, err := testutil.Collect(doClient(t, srv).ListDropletsAll(context.Background(), params))
		if err != nil {
			t.Fatalf("ListDropletsAll: %v", err)
		}
		var names []string
		for _, d := range got {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != "web-0,web-1,web-2,web-3,web-4" {
			t.Errorf("names = %v", names)
		}
		rs := srv.Requests()
		if len(rs) < 3 || len(rs) > 4 {
			t.Fatalf("requests = %d, want 3 (or 4 with a final empty page)", len(rs))
		}
		for i, r := range rs {
			if i > 0 && r.Query.Get("page") != strconv.Itoa(i+1) {
				t.Errorf("request %d page = %q, want %d", i, r.Query.Get("page"), i+1)
			}
			if r.Query.Get("per_page") != "2" || r.Query.Get("tag_name") != "env:prod" || r.Header.Get("Authorization") != "Bearer "+doToken {
				t.Errorf("request %d lost params or auth: %s", i, r.RequestURI)
			}
		}
	})
	t.Run("starting page is honoured", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		p := params
		p.Page = Ptr(2)
		got, err := testutil.Collect(doClient(t, srv).ListDropletsAll(context.Background(), p))
		if err != nil || len(got) != 3 || got[0].Name != "web-2" {
			t.Errorf("from page 2: %d droplets (%v)", len(got), err)
		}
		if rs := srv.Requests(); rs[0].Query.Get("page") != "2" || rs[1].Query.Get("page") != "3" {
			t.Errorf("pages = %q, %q; want 2, 3", rs[0].Query.Get("page"), rs[1].Query.Get("page"))
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		for d := range doClient(t, srv).ListDropletsAll(context.Background(), params) {
			if d.Name == "web-1" {
				break
			}
		}
		if srv.Count() != 1 {
			t.Errorf("requests = %d, want 1", srv.Count())
		}
	})
}

func TestBehaviourCreateDropletJSONBodyNotRetried(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(503, `{"id":"service_unavailable","message":"Service is currently unavailable.","request_id":"b4a3b8b6"}`, "Retry-After", "0"))
	_, err := doClient(t, srv).CreateDroplet(context.Background(), CreateDropletParams{Body: DropletCreate{
		Name:    "example.com",
		Region:  Ptr("nyc3"),
		Size:    "s-1vcpu-1gb",
		Image:   DropletCreateImage{String: Ptr("ubuntu-24-04-x64")},
		SSHKeys: []DropletCreateSSHKeysItem{{Int: Ptr(289794)}, {String: Ptr("3b:16:e4:bf:8b:00:8b:b8:59:8c:a9:d3:f0:19:fa:45")}},
		Tags:    []string{"web"},
	}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Message != "Service is currently unavailable." {
		t.Fatalf("err = %v, want *APIError 503 with DigitalOcean's message", err)
	}
	if srv.Count() != 1 {
		t.Errorf("attempts = %d, want 1 (a retried POST could create two droplets)", srv.Count())
	}
	r := srv.Last(t)
	if r.Method != "POST" || r.Path != "/v2/droplets" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s %q", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body: %v", err)
	}
	if body["name"] != "example.com" || body["image"] != "ubuntu-24-04-x64" || body["region"] != "nyc3" ||
		fmt.Sprint(body["ssh_keys"]) != "[289794 3b:16:e4:bf:8b:00:8b:b8:59:8c:a9:d3:f0:19:fa:45]" {
		t.Errorf("body = %s", r.Body)
	}
	for _, k := range []string{"backups", "ipv6", "user_data", "vpc_uuid"} {
		if _, ok := body[k]; ok {
			t.Errorf("unset optional field %s was sent", k)
		}
	}
}

func TestBehaviourDeleteAndActions(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		testutil.WriteJSON(w, 201, `{"action":{"id":36804636,"status":"in-progress","type":"reboot","started_at":"2014-11-14T16:29:21Z","completed_at":null,"resource_id":3164444,"resource_type":"droplet","region_slug":"nyc3"}}`)
	})
	c := doClient(t, srv)
	resp, err := c.DeleteDroplet(context.Background(), DeleteDropletParams{DropletID: 3164444})
	if err != nil || resp.StatusCode != 204 || len(resp.Body) != 0 {
		t.Errorf("DeleteDroplet = %+v, %v", resp, err)
	}
	act, err := c.PerformDropletAction(context.Background(), PerformDropletActionParams{DropletID: 3164444, Body: DropletActionRequest{Type: DropletActionRequestTypeReboot}})
	if err != nil {
		t.Fatalf("PerformDropletAction: %v", err)
	}
	if a := act.Body.Action; a.Status == nil || *a.Status != ActionStatusInProgress || a.CompletedAt != nil || a.ResourceID == nil || *a.ResourceID != 3164444 {
		t.Errorf("decoded action = %+v", a)
	}
	if r := srv.Last(t); r.Path != "/v2/droplets/3164444/actions" || string(r.Body) != `{"type":"reboot"}` {
		t.Errorf("request = %s %s", r.Path, r.Body)
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	t.Run("429 with Retry-After 0 then 200", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(
			testutil.Status(429, `{"id":"too_many_requests","message":"API Rate limit exceeded."}`, "Retry-After", "0", "Ratelimit-Remaining", "0"),
			testutil.Status(200, doAccountJSON)))
		if _, err := doClient(t, srv).GetAccount(context.Background()); err != nil {
			t.Fatalf("GetAccount: %v", err)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("503 retried for GET, bounded by maxAttempts", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(503, `{"id":"service_unavailable","message":"Service is currently unavailable."}`, "Retry-After", "0"))
		_, err := doClient(t, srv).ListRegions(context.Background(), ListRegionsParams{})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v, want *APIError 503", err)
		}
		if srv.Count() != 3 {
			t.Errorf("attempts = %d, want 3", srv.Count())
		}
	})
	t.Run("context deadline during a Retry-After wait", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(429, `{"id":"too_many_requests","message":"API Rate limit exceeded."}`, "Retry-After", "30"))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := doClient(t, srv).GetAccount(ctx)
		if time.Since(start) > 5*time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("after %v: err = %v, want context.DeadlineExceeded promptly", time.Since(start), err)
		}
	})
}

func TestBehaviourAuthPing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		working bool
		status  int
		body    string
	}{
		{"working", testutil.Status(200, doAccountJSON), true, 200, "The connection is successful"},
		{"not working", testutil.Status(401, `{"id":"Unauthorized","message":"Unable to authenticate you"}`), false, 401, "401 Unauthorized: Unable to authenticate you"},
		{"forbidden", testutil.Status(403, `{"id":"forbidden","message":"You do not have access for the attempted action."}`), false, 403, "403 Forbidden: You do not have access for the attempted action."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := testutil.NewServer(t, tt.handler)
			res := doClient(t, srv).AuthPing(context.Background())
			if res.Working != tt.working || res.ServiceResponse.StatusCode != tt.status || res.ServiceResponse.Body != tt.body {
				t.Errorf("AuthPing = %+v, want {%v {%d %q}}", res, tt.working, tt.status, tt.body)
			}
			if r := srv.Last(t); r.Path != "/v2/account" || r.Header.Get("Authorization") != "Bearer "+doToken {
				t.Errorf("ping request = %s", r.Path)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, AccessToken: doToken})
		if err != nil {
			t.Fatal(err)
		}
		c.retry.baseDelay = time.Millisecond
		res := c.AuthPing(context.Background())
		if res.Working || res.ServiceResponse.StatusCode != 0 || res.ServiceResponse.Body == "" {
			t.Errorf("AuthPing = %+v", res)
		}
		testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, doToken)
	})
}

func TestBehaviourNewAndSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "AccessToken") {
		t.Errorf("New(Config{}) = %v, want an error naming AccessToken", err)
	}
	cfg := Config{AccessToken: doToken}
	testutil.ConfigNoSecrets(t, cfg, &cfg, doToken)

	srv := testutil.NewServer(t, testutil.Status(401, `{"id":"Unauthorized","message":"Unable to authenticate you"}`))
	_, err = doClient(t, srv).GetAccount(context.Background())
	if err == nil {
		t.Fatal("GetAccount succeeded on 401")
	}
	testutil.NoSecrets(t, "APIError", err.Error(), doToken)
}

func TestBehaviourRetryAfterCappedByMaxWait(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Sequence(
		testutil.Status(429, `{"id":"too_many_requests","message":"API Rate limit exceeded."}`, "Retry-After", "3600"),
		testutil.Status(200, doAccountJSON)))
	c := doClient(t, srv)
	c.retry.maxWait = 20 * time.Millisecond // the spec's maxWait is 30s; the cap is what is tested
	start := time.Now()
	if _, err := c.GetAccount(context.Background()); err != nil {
		t.Fatalf("GetAccount: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waited %v, want about maxWait", d)
	}
	if srv.Count() != 2 {
		t.Errorf("attempts = %d, want 2", srv.Count())
	}
}
