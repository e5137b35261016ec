package paypal

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1. The token URL is the real PayPal host, so every test
// reroutes it to the test server through Config.HTTPClient and guards
// http.DefaultTransport; none of them calls t.Parallel for that reason.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const (
	ppClientID     = "AZ-client-id-123"
	ppClientSecret = "s3cr3t-client-xyz"
	ppAccess       = "s3cr3t-access-A21AAF"
	ppTokenPath    = "/v1/oauth2/token"
	ppTokenHost    = "api-m.paypal.com"
)

var ppSecrets = []string{ppClientSecret, ppAccess}

const ppInvoiceJSON = `{
  "id": "INV2-Z56S-5LLA-Q52L-CPZ5",
  "status": "DRAFT",
  "detail": {"invoice_number": "#123", "reference": "deal-ref", "invoice_date": "2026-03-01", "currency_code": "USD", "note": "Thank you for your business."},
  "invoicer": {"email_address": "merchant@example.com"},
  "amount": {"currency_code": "USD", "value": "74.21"},
  "links": [{"href": "https://api-m.paypal.com/v2/invoicing/invoices/INV2-Z56S-5LLA-Q52L-CPZ5", "rel": "self", "method": "GET"}]
}`

// ppServer is a PayPal stand-in: the token endpoint (counted) and api for the rest.
type ppServer struct {
	*testutil.Server
	tokens atomic.Int32
}

func newPPServer(t *testing.T, api http.HandlerFunc) *ppServer {
	t.Helper()
	testutil.GuardDefaultTransport(t)
	s := &ppServer{}
	s.Server = testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ppTokenPath {
			s.tokens.Add(1)
			testutil.WriteJSON(w, 200, `{"scope":"https://uri.paypal.com/services/invoicing","access_token":"`+ppAccess+`","token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"2026-03-01T10:00:00Z"}`)
			return
		}
		api(w, r)
	})
	return s
}

// apiRequests are the recorded requests other than token requests.
func (s *ppServer) apiRequests() []testutil.Request {
	var out []testutil.Request
	for _, r := range s.Requests() {
		if r.Path != ppTokenPath {
			out = append(out, r)
		}
	}
	return out
}

func ppClient(t *testing.T, s *ppServer, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: s.URL, HTTPClient: s.HTTPClient(ppTokenHost), ClientID: ppClientID, ClientSecret: ppClientSecret}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourClientCredentialsTokenFetchedOnce(t *testing.T) {
	s := newPPServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/invoicing/invoices/") {
			testutil.WriteJSON(w, 200, ppInvoiceJSON)
			return
		}
		testutil.WriteJSON(w, 200, `{"items":[`+ppInvoiceJSON+`],"total_items":1,"total_pages":1}`)
	})
	var onToken []*oauth2.Token
	c := ppClient(t, s, func(cfg *Config) { cfg.OnToken = func(tok *oauth2.Token) { onToken = append(onToken, tok) } })
	ctx := context.Background()

	inv, err := c.GetInvoice(ctx, GetInvoiceParams{InvoiceID: "INV2-Z56S-5LLA-Q52L-CPZ5"})
	if err != nil {
		t.Fatalf("GetInvoice: %v", err)
	}
	if inv.Body.ID == nil || *inv.Body.ID != "INV2-Z56S-5LLA-Q52L-CPZ5" || inv.Body.Status == nil || *inv.Body.Status != InvoiceStatusDRAFT ||
		inv.Body.Detail.CurrencyCode != "USD" || inv.Body.Amount == nil || len(inv.Body.Links) != 1 || inv.Body.Links[0].Rel != "self" {
		t.Errorf("decoded invoice = %+v", inv.Body)
	}
	if _, err := c.ListInvoices(ctx, ListInvoicesParams{PageSize: Ptr(1)}); err != nil {
		t.Fatalf("ListInvoices: %v", err)
	}
	if _, err := c.CustomAction(ctx, Request{RelativeURL: "/v2/invoicing/invoices?page=1"}); err != nil {
		t.Fatalf("CustomAction: %v", err)
	}
	if ping := c.AuthPing(ctx); !ping.Working {
		t.Errorf("AuthPing = %+v, want working", ping)
	}

	if n := s.tokens.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1 (fetched once, then cached)", n)
	}
	var tr testutil.Request
	for _, r := range s.Requests() {
		if r.Path == ppTokenPath {
			tr = r
		}
	}
	if tr.Method != http.MethodPost || tr.OriginalURL != "https://api-m.paypal.com/v1/oauth2/token" {
		t.Errorf("token request = %s %s, want POST to the spec's token URL through Config.HTTPClient", tr.Method, tr.OriginalURL)
	}
	if got := tr.Form().Get("grant_type"); got != "client_credentials" {
		t.Errorf("grant_type = %q, want client_credentials", got)
	}
	if user, pass, ok := tr.BasicAuth(); !ok || user != ppClientID || pass != ppClientSecret {
		t.Errorf("token request client auth is not HTTP Basic with the client credentials (clientAuth: header)")
	}
	if tr.Form().Has("client_secret") {
		t.Error("client_secret sent in the form although clientAuth is header")
	}

	api := s.apiRequests()
	if len(api) != 4 {
		t.Fatalf("API requests = %d, want 4", len(api))
	}
	for _, r := range api {
		if r.Header.Get("Authorization") != "Bearer "+ppAccess {
			t.Errorf("%s: Authorization is not Bearer <fetched token>", r.Path)
		}
		if r.Header.Get("Accept") != "application/json" || r.Header.Get("Prefer") != "return=representation" {
			t.Errorf("%s: default headers Accept=%q Prefer=%q", r.Path, r.Header.Get("Accept"), r.Header.Get("Prefer"))
		}
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "paypal-connector/") {
			t.Errorf("%s: User-Agent = %q", r.Path, r.Header.Get("User-Agent"))
		}
	}
	if ping := api[3]; ping.Path != "/v2/invoicing/invoices" || ping.Query.Get("page") != "1" || ping.Query.Get("page_size") != "1" {
		t.Errorf("ping request = %s, want the spec's ping path with its query", ping.RequestURI)
	}
	if len(onToken) != 1 || onToken[0].AccessToken != ppAccess {
		t.Errorf("OnToken calls = %d, want 1 with the fetched token", len(onToken))
	}
}

func TestBehaviourTokenEndpointFailure(t *testing.T) {
	testutil.GuardDefaultTransport(t)
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ppTokenPath {
			testutil.WriteJSON(w, 401, `{"error":"invalid_client","error_description":"Client Authentication failed"}`)
			return
		}
		t.Errorf("API request %s sent without a token", r.URL.Path)
	})
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(ppTokenHost), ClientID: ppClientID, ClientSecret: ppClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetInvoice(context.Background(), GetInvoiceParams{InvoiceID: "INV2-1"})
	if err == nil {
		t.Fatal("GetInvoice succeeded without a token")
	}
	testutil.NoSecrets(t, "token error", err.Error(), ppSecrets...)
	ping := c.AuthPing(context.Background())
	if ping.Working || ping.ServiceResponse.Body == "" {
		t.Errorf("AuthPing = %+v, want not working with a reason", ping)
	}
	testutil.NoSecrets(t, "AuthPing body", ping.ServiceResponse.Body, ppSecrets...)

	// A token endpoint that cannot be reached: still no secret in the error.
	dead := testutil.NewServer(t, nil)
	dead.Close()
	c2, err := New(Config{BaseURL: dead.URL, HTTPClient: dead.HTTPClient(ppTokenHost), ClientID: ppClientID, ClientSecret: ppClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.ListInvoices(context.Background(), ListInvoicesParams{})
	if err == nil {
		t.Fatal("ListInvoices succeeded against a closed server")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), ppSecrets...)
	if ping := c2.AuthPing(context.Background()); ping.Working || ping.ServiceResponse.StatusCode != 0 {
		t.Errorf("AuthPing against a closed server = %+v, want status 0, not working", ping)
	}
}

func TestBehaviourAuthPingNotWorking(t *testing.T) {
	const msg = "Authentication failed due to invalid authentication credentials or a missing Authorization header."
	s := newPPServer(t, testutil.Status(401, `{"name":"AUTHENTICATION_FAILURE","message":"`+msg+`","links":[{"href":"https://developer.paypal.com/api/rest/authentication/","rel":"information_link"}]}`))
	res := ppClient(t, s).AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 401 || res.ServiceResponse.Body != "401 Unauthorized: "+msg {
		t.Errorf("AuthPing = %+v", res)
	}
}

func TestBehaviourPagePagination(t *testing.T) {
	const total = 5
	handler := func(w http.ResponseWriter, r *http.Request) {
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			page = 1
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		var items []string
		for i := (page - 1) * size; i < min(page*size, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"INV2-%04d","status":"SENT","detail":{"currency_code":"EUR"}}`, i))
		}
		testutil.WriteJSON(w, 200, `{"items":[`+strings.Join(items, ",")+`]}`)
	}

	t.Run("all pages", func(t *testing.T) {
		s := newPPServer(t, handler)
		got, err := testutil.Collect(ppClient(t, s).ListInvoicesAll(context.Background(), ListInvoicesParams{PageSize: Ptr(2), TotalRequired: Ptr(true)}))
		if err != nil {
			t.Fatalf("ListInvoicesAll: %v", err)
		}
		var ids []string
		for _, inv := range got {
			ids = append(ids, *inv.ID)
		}
		if strings.Join(ids, ",") != "INV2-0000,INV2-0001,INV2-0002,INV2-0003,INV2-0004" {
			t.Errorf("ids = %v", ids)
		}
		api := s.apiRequests()
		if len(api) < 3 || len(api) > 4 {
			t.Fatalf("page requests = %d, want 3 (or 4 with a final empty page)", len(api))
		}
		for i, r := range api {
			if want := strconv.Itoa(i + 1); i > 0 && r.Query.Get("page") != want {
				t.Errorf("request %d page = %q, want %s", i, r.Query.Get("page"), want)
			}
			if r.Query.Get("page_size") != "2" || r.Query.Get("total_required") != "true" {
				t.Errorf("request %d lost its params: %s", i, r.RawQuery)
			}
		}
		if s.tokens.Load() != 1 {
			t.Errorf("token requests = %d, want 1", s.tokens.Load())
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		s := newPPServer(t, handler)
		for range ppClient(t, s).ListInvoicesAll(context.Background(), ListInvoicesParams{PageSize: Ptr(2)}) {
			break
		}
		if n := len(s.apiRequests()); n != 1 {
			t.Errorf("page requests = %d, want 1", n)
		}
	})
}

func TestBehaviourPOSTNotRetriedAndJSONBody(t *testing.T) {
	s := newPPServer(t, testutil.Status(503, `{"name":"SERVICE_UNAVAILABLE","message":"Service Unavailable.","debug_id":"90957fca61718"}`, "Retry-After", "0"))
	_, err := ppClient(t, s).CreateDraftInvoice(context.Background(), CreateDraftInvoiceParams{
		Body: Invoice{Detail: InvoiceDetail{CurrencyCode: "USD", Note: Ptr("Thanks")}},
	})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Message != "Service Unavailable." {
		t.Fatalf("err = %v, want *APIError 503 with PayPal's message", err)
	}
	api := s.apiRequests()
	if len(api) != 1 {
		t.Fatalf("attempts = %d, want 1 (POST is not idempotent)", len(api))
	}
	r := api[0]
	if r.Method != "POST" || r.Path != "/v2/invoicing/invoices" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request = %s %s %s", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	var body struct {
		Detail map[string]any `json:"detail"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Detail["currency_code"] != "USD" || body.Detail["note"] != "Thanks" {
		t.Errorf("body = %s (%v)", r.Body, err)
	}
}

func TestBehaviourGETRetriedThenSucceeds(t *testing.T) {
	s := newPPServer(t, testutil.Sequence(
		testutil.Status(429, `{"name":"RATE_LIMIT_REACHED","message":"Too many requests."}`, "Retry-After", "0"),
		testutil.Status(503, `{}`, "Retry-After", "0"),
		testutil.Status(200, ppInvoiceJSON)))
	resp, err := ppClient(t, s).GetInvoice(context.Background(), GetInvoiceParams{InvoiceID: "INV2-Z56S-5LLA-Q52L-CPZ5"})
	if err != nil {
		t.Fatalf("GetInvoice: %v", err)
	}
	if resp.Body.Detail.InvoiceNumber == nil || *resp.Body.Detail.InvoiceNumber != "#123" {
		t.Errorf("decoded invoice = %+v", resp.Body)
	}
	if n := len(s.apiRequests()); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
}

func TestBehaviourHeaderParamAndOptionalBody(t *testing.T) {
	s := newPPServer(t, testutil.Status(200, `{"href":"https://www.paypal.com/invoice/p/#INV2","rel":"payer-view","method":"GET"}`))
	c := ppClient(t, s)
	ctx := context.Background()
	resp, err := c.SendInvoice(ctx, SendInvoiceParams{InvoiceID: "INV2-A", PayPalRequestID: Ptr("req-42"),
		Body: &Notification{SendToRecipient: Ptr(true), Subject: Ptr("Your invoice")}})
	if err != nil {
		t.Fatalf("SendInvoice: %v", err)
	}
	if resp.Body.Rel != "payer-view" {
		t.Errorf("decoded link = %+v", resp.Body)
	}
	r := s.apiRequests()[0]
	if r.Header.Get("PayPal-Request-Id") != "req-42" || r.Path != "/v2/invoicing/invoices/INV2-A/send" {
		t.Errorf("request = %s with PayPal-Request-Id %q", r.Path, r.Header.Get("PayPal-Request-Id"))
	}
	if string(r.Body) != `{"subject":"Your invoice","send_to_recipient":true}` {
		t.Errorf("body = %s", r.Body)
	}

	if _, err := c.SendInvoice(ctx, SendInvoiceParams{InvoiceID: "INV2-B"}); err != nil {
		t.Fatalf("SendInvoice: %v", err)
	}
	r = s.apiRequests()[1]
	if r.Header.Values("PayPal-Request-Id") != nil {
		t.Error("a nil header param was sent")
	}
	if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
		t.Errorf("a nil optional body was sent: %q (Content-Type %q)", r.Body, r.Header.Get("Content-Type"))
	}
	if _, err := c.SendInvoice(ctx, SendInvoiceParams{}); err == nil || !strings.Contains(err.Error(), "InvoiceID") {
		t.Errorf("empty InvoiceID: err = %v", err)
	}
	if len(s.apiRequests()) != 2 {
		t.Error("a request was sent for an empty path param")
	}
}

func TestBehaviourNewAndConfigSecrets(t *testing.T) {
	_, err := New(Config{})
	if err == nil {
		t.Fatal("New(Config{}) succeeded")
	}
	for _, f := range []string{"ClientID", "ClientSecret"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("New(Config{}) error %q does not name %s", err, f)
		}
	}
	_, err = New(Config{ClientSecret: ppClientSecret})
	if err == nil {
		t.Fatal("New without ClientID succeeded")
	}
	testutil.NoSecrets(t, "New error", err.Error(), ppSecrets...)
	cfg := Config{BaseURL: "https://api-m.sandbox.paypal.com", ClientID: ppClientID, ClientSecret: ppClientSecret, HTTPClient: &http.Client{Timeout: time.Second}}
	testutil.ConfigNoSecrets(t, cfg, &cfg, ppSecrets...)
}
