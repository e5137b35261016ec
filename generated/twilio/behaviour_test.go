package twilio

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.

import (
	"context"
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

	"github.com/conngen/conngen/generated/internal/testutil"
)

const (
	twSID   = "AC0123456789abcdef0123456789abcdef"
	twToken = "s3cr3t-auth-token-xyz"
	twMsgID = "SM1f0e8ae6ade43cb3c0ce4525424e404f"
)

func twMessageJSON(sid, body string) string {
	return fmt.Sprintf(`{
  "account_sid": %q,
  "api_version": "2010-04-01",
  "body": %q,
  "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_sent": "Thu, 24 Aug 2023 05:01:45 +0000",
  "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
  "direction": "outbound-api",
  "error_code": null,
  "error_message": null,
  "from": "+14155552345",
  "messaging_service_sid": null,
  "num_media": "0",
  "num_segments": "1",
  "price": "-0.00750",
  "price_unit": "USD",
  "sid": %q,
  "status": "delivered",
  "subresource_uris": {"media": "/2010-04-01/Accounts/%s/Messages/%s/Media.json"},
  "to": "+14155552346",
  "uri": "/2010-04-01/Accounts/%s/Messages/%s.json"
}`, twSID, body, sid, twSID, sid, twSID, sid)
}

func twClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), Username: twSID, Password: twToken})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourBasicAuthAndTypedResponse(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, twMessageJSON(twMsgID, "Hello")))
	resp, err := twClient(t, srv).FetchMessage(context.Background(), FetchMessageParams{AccountSid: twSID, Sid: twMsgID})
	if err != nil {
		t.Fatalf("FetchMessage: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "GET" || r.Path != "/2010-04-01/Accounts/"+twSID+"/Messages/"+twMsgID+".json" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != twSID || pass != twToken {
		t.Errorf("Authorization is not Basic <sid>:<token> (ok=%v user=%q)", ok, user)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
		t.Errorf("Authorization scheme is not Basic")
	}
	if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "twilio-connector/1.0.0") {
		t.Errorf("headers Accept=%q User-Agent=%q", r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	m := resp.Body
	if m.Sid != twMsgID || m.AccountSid != twSID || m.Status != MessageStatusDelivered ||
		m.Body == nil || *m.Body != "Hello" || m.Direction == nil || *m.Direction != MessageDirectionOutboundAPI ||
		m.Price == nil || *m.Price != "-0.00750" || m.ErrorCode != nil || m.SubresourceUris["media"] == "" {
		t.Errorf("decoded message = %+v", m)
	}
}

func TestBehaviourCreateMessageFormBody(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var form url.Values
	var contentType string
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		contentType = r.Header.Get("Content-Type")
		if err := r.ParseForm(); err != nil {
			t.Errorf("ParseForm: %v", err)
		}
		form = r.PostForm
		testutil.WriteJSON(w, 201, twMessageJSON(twMsgID, "Hello & welcome"))
	})
	sendAt := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	text := "Hello & welcome, 100% ✓ a=b+c?"
	resp, err := twClient(t, srv).CreateMessage(context.Background(), CreateMessageParams{
		AccountSid: twSID,
		Body: NewMessage{
			To:             "+14155552346",
			From:           Ptr("+14155552345"),
			Body:           Ptr(text),
			MediaURL:       []string{"https://demo.twilio.com/owl.png", "https://demo.twilio.com/logo.png?x=1&y=2"},
			ValidityPeriod: Ptr(600),
			SendAt:         &sendAt,
			ScheduleType:   Ptr(NewMessageScheduleType("fixed")),
			ShortenUrls:    Ptr(true),
		},
	})
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	if resp.StatusCode != 201 || resp.Body.Sid != twMsgID {
		t.Errorf("response = %d %+v", resp.StatusCode, resp.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", contentType)
	}
	want := url.Values{
		"To":             {"+14155552346"},
		"From":           {"+14155552345"},
		"Body":           {text},
		"MediaUrl":       {"https://demo.twilio.com/owl.png", "https://demo.twilio.com/logo.png?x=1&y=2"},
		"ValidityPeriod": {"600"},
		"SendAt":         {"2026-03-01T10:00:00Z"},
		"ScheduleType":   {"fixed"},
		"ShortenUrls":    {"true"},
	}
	if !reflect.DeepEqual(form, want) {
		t.Errorf("form = %v\nwant   %v", form, want)
	}
	if r := srv.Last(t); r.Method != "POST" || r.Path != "/2010-04-01/Accounts/"+twSID+"/Messages.json" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
}

func TestBehaviourUpdateMessageRedactsWithEmptyBody(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, twMessageJSON(twMsgID, "")))
	if _, err := twClient(t, srv).UpdateMessage(context.Background(), UpdateMessageParams{AccountSid: twSID, Sid: twMsgID, Body: MessageUpdate{Body: Ptr("")}}); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	f := srv.Last(t).Form()
	if v, ok := f["Body"]; !ok || len(v) != 1 || v[0] != "" {
		t.Errorf("form = %v, want Body= (an explicit empty string redacts)", f)
	}
	if f.Has("Status") {
		t.Errorf("nil Status was sent: %v", f)
	}
}

func TestBehaviourNextURLPagination(t *testing.T) {
	t.Parallel()
	base := "/2010-04-01/Accounts/" + twSID + "/Messages.json"
	handler := func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		var msgs []string
		for i := range 2 {
			if n := page*2 + i; n < 5 {
				msgs = append(msgs, twMessageJSON(fmt.Sprintf("SM%032d", n), fmt.Sprintf("message %d", n)))
			}
		}
		next := "null"
		if page < 2 {
			next = strconv.Quote(fmt.Sprintf("%s?To=%%2B14155552346&PageSize=2&Page=%d&PageToken=PASM%d", base, page+1, page+1))
		}
		testutil.WriteJSON(w, 200, fmt.Sprintf(`{"messages":[%s],"end":1,"first_page_uri":"%s?PageSize=2&Page=0","next_page_uri":%s,"page":%d,"page_size":2,"previous_page_uri":null,"start":0,"uri":"%s"}`,
			strings.Join(msgs, ","), base, next, page, base))
	}
	params := ListMessagesParams{AccountSid: twSID, To: Ptr("+14155552346"), PageSize: Ptr(2)}

	t.Run("follows next_page_uri to the end", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		got, err := testutil.Collect(twClient(t, srv).ListMessagesAll(context.Background(), params))
		if err != nil {
			t.Fatalf("ListMessagesAll: %v", err)
		}
		if len(got) != 5 || got[0].Sid != fmt.Sprintf("SM%032d", 0) || got[4].Sid != fmt.Sprintf("SM%032d", 4) {
			t.Errorf("got %d messages: %+v", len(got), got)
		}
		rs := srv.Requests()
		if len(rs) != 3 {
			t.Fatalf("requests = %d, want 3", len(rs))
		}
		for i, r := range rs {
			if r.Path != base || r.Query.Get("To") != "+14155552346" || r.Query.Get("PageSize") != "2" {
				t.Errorf("request %d = %s", i, r.RequestURI)
			}
			if user, pass, ok := r.BasicAuth(); !ok || user != twSID || pass != twToken {
				t.Errorf("request %d lacks the basic credentials", i)
			}
			if i > 0 && r.Query.Get("PageToken") != fmt.Sprintf("PASM%d", i) {
				t.Errorf("request %d = %s, want the next_page_uri", i, r.RequestURI)
			}
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		n := 0
		for _, err := range twClient(t, srv).ListMessagesAll(context.Background(), params) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 3 {
				break
			}
		}
		if srv.Count() != 2 {
			t.Errorf("requests = %d, want 2", srv.Count())
		}
	})
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, twMessageJSON(twMsgID, "x")))
	c := twClient(t, srv)
	ctx := context.Background()
	tests := []struct {
		account, sid string
		want         string
	}{
		{twSID, "../admin", "/2010-04-01/Accounts/" + twSID + "/Messages/..%2Fadmin.json"},
		{"..", twMsgID, "/2010-04-01/Accounts/%2E%2E/Messages/" + twMsgID + ".json"},
		{".", "..", "/2010-04-01/Accounts/%2E/Messages/%2E%2E.json"},
		{"AC/../../x", "SM 1?", "/2010-04-01/Accounts/AC%2F..%2F..%2Fx/Messages/SM%201%3F.json"},
	}
	for _, tt := range tests {
		before := srv.Count()
		if _, err := c.FetchMessage(ctx, FetchMessageParams{AccountSid: tt.account, Sid: tt.sid}); err != nil {
			t.Fatalf("FetchMessage(%q, %q): %v", tt.account, tt.sid, err)
		}
		if srv.Count() != before+1 {
			t.Fatalf("FetchMessage(%q, %q): %d requests", tt.account, tt.sid, srv.Count()-before)
		}
		if got := srv.Last(t).RequestURI; !strings.EqualFold(got, tt.want) {
			t.Errorf("FetchMessage(%q, %q) request target = %q, want %q", tt.account, tt.sid, got, tt.want)
		}
	}
	before := srv.Count()
	for _, p := range []FetchMessageParams{{Sid: twMsgID}, {AccountSid: twSID}} {
		if _, err := c.FetchMessage(ctx, p); err == nil {
			t.Errorf("FetchMessage(%+v) succeeded with an empty path param", p)
		}
	}
	if _, err := c.CreateMessage(ctx, CreateMessageParams{Body: NewMessage{To: "+1"}}); err == nil || !strings.Contains(err.Error(), "AccountSid") {
		t.Errorf("CreateMessage without AccountSid: err = %v, want one naming AccountSid", err)
	}
	if srv.Count() != before {
		t.Errorf("%d requests sent with empty path params", srv.Count()-before)
	}
}

func TestBehaviourAPIErrorAndDelete(t *testing.T) {
	t.Parallel()
	const notFound = `{"code":20404,"message":"The requested resource /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SMx.json was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			testutil.WriteJSON(w, 404, notFound)
		}
	})
	c := twClient(t, srv)
	_, err := c.FetchMessage(context.Background(), FetchMessageParams{AccountSid: twSID, Sid: "SMx"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if apiErr.StatusCode != 404 || !strings.HasPrefix(apiErr.Message, "The requested resource") || string(apiErr.Body) != notFound {
		t.Errorf("APIError = %d %q", apiErr.StatusCode, apiErr.Message)
	}
	testutil.NoSecrets(t, "APIError", err.Error(), twToken)

	resp, err := c.DeleteMessage(context.Background(), DeleteMessageParams{AccountSid: twSID, Sid: twMsgID})
	if err != nil || resp.StatusCode != 204 || len(resp.Body) != 0 {
		t.Errorf("DeleteMessage = %+v, %v; want 204 with an empty body", resp, err)
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	unavailable := testutil.Status(503, `{"code":20503,"message":"Service Unavailable","status":503}`, "Retry-After", "0")
	t.Run("POST createMessage is not retried", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, unavailable)
		_, err := twClient(t, srv).CreateMessage(context.Background(), CreateMessageParams{AccountSid: twSID, Body: NewMessage{To: "+14155552346", Body: Ptr("hi")}})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Message != "Service Unavailable" {
			t.Fatalf("err = %v, want *APIError 503", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1 (a retried POST could send the SMS twice)", srv.Count())
		}
	})
	t.Run("DELETE is retried", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(unavailable, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
		if _, err := twClient(t, srv).DeleteMessage(context.Background(), DeleteMessageParams{AccountSid: twSID, Sid: twMsgID}); err != nil {
			t.Fatalf("DeleteMessage: %v", err)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("GET gives up after 3 attempts", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(429, `{"code":20429,"message":"Too Many Requests","status":429}`, "Retry-After", "0"))
		_, err := twClient(t, srv).ListMessages(context.Background(), ListMessagesParams{AccountSid: twSID})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
			t.Fatalf("err = %v, want *APIError 429", err)
		}
		if srv.Count() != 3 {
			t.Errorf("attempts = %d, want 3", srv.Count())
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
		{"working", testutil.Status(200, `{"accounts":[],"end":0,"page":0,"page_size":50}`), true, 200, "The connection is successful"},
		{"not working", testutil.Status(401, `{"code":20003,"detail":"Your AccountSid or AuthToken was incorrect.","message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`),
			false, 401, "401 Unauthorized: Authenticate"},
		{"not working, HTML body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			w.Write([]byte("<html><body>\n  <h1>Forbidden</h1>\n</body></html>"))
		}, false, 403, "403 Forbidden: <html><body> <h1>Forbidden</h1> </body></html>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := testutil.NewServer(t, tt.handler)
			res := twClient(t, srv).AuthPing(context.Background())
			if res.Working != tt.working || res.ServiceResponse.StatusCode != tt.status || res.ServiceResponse.Body != tt.body {
				t.Errorf("AuthPing = %+v, want {%v {%d %q}}", res, tt.working, tt.status, tt.body)
			}
			if r := srv.Last(t); r.Path != "/2010-04-01/Accounts.json" {
				t.Errorf("ping path = %q", r.Path)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, Username: twSID, Password: twToken})
		if err != nil {
			t.Fatal(err)
		}
		c.retry.baseDelay = time.Millisecond
		res := c.AuthPing(context.Background())
		if res.Working || res.ServiceResponse.StatusCode != 0 || res.ServiceResponse.Body == "" {
			t.Errorf("AuthPing = %+v, want not working, status 0, a reason", res)
		}
		testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, twToken)
		_, err = c.CreateMessage(context.Background(), CreateMessageParams{AccountSid: twSID, Body: NewMessage{To: "+1", Body: Ptr(twToken)}})
		if err == nil {
			t.Fatal("CreateMessage against a closed server succeeded")
		}
		testutil.NoSecrets(t, "transport error", err.Error(), twToken)
	})
}

func TestBehaviourNewAndConfigSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "Username") {
		t.Errorf("New(Config{}) = %v, want an error naming Username", err)
	}
	_, err = New(Config{Password: twToken})
	if err == nil {
		t.Error("New without Username succeeded")
	} else {
		testutil.NoSecrets(t, "New error", err.Error(), twToken)
	}
	_, err = New(Config{BaseURL: "not a url " + twToken, Username: twSID, Password: twToken})
	if err == nil {
		t.Error("New accepted an invalid BaseURL")
	} else {
		testutil.NoSecrets(t, "New error", err.Error(), twToken)
	}
	cfg := Config{BaseURL: "https://api.twilio.com", Username: twSID, Password: twToken}
	testutil.ConfigNoSecrets(t, cfg, &cfg, twToken)
	if !strings.Contains(fmt.Sprint(cfg), twSID) {
		t.Errorf("fmt.Sprint(cfg) = %q hides the non-secret Username", fmt.Sprint(cfg))
	}
}
