package stripe

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const stKey = "sk_test_s3cr3t-token-xyz"

func stCustomerJSON(id, email string) string {
	return fmt.Sprintf(`{
  "id": %q,
  "object": "customer",
  "address": {"city": "Berlin", "country": "DE", "line1": "Unter den Linden 1", "line2": null, "postal_code": "10117", "state": null},
  "balance": -500,
  "created": 1680893993,
  "currency": "eur",
  "default_source": null,
  "delinquent": false,
  "description": "VIP",
  "email": %q,
  "invoice_prefix": "0759376C",
  "invoice_settings": {"default_payment_method": null, "footer": null},
  "livemode": false,
  "metadata": {"order_id": "6735", "plan": "pro"},
  "name": "Jenny Rosen",
  "next_invoice_sequence": 1,
  "phone": null,
  "preferred_locales": ["de", "en"],
  "shipping": null,
  "tax_exempt": "none",
  "test_clock": null
}`, id, email)
}

func stClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: stKey})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// formRecorder is a handler that parses every request's form with
// r.ParseForm and answers with body.
type formRecorder struct {
	mu    sync.Mutex
	forms []url.Values
	cts   []string
	body  string
}

func (f *formRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	f.forms = append(f.forms, r.PostForm)
	f.cts = append(f.cts, r.Header.Get("Content-Type"))
	testutil.WriteJSON(w, 200, f.body)
}

func TestBehaviourCreateCustomerFormBody(t *testing.T) {
	t.Parallel()
	rec := &formRecorder{body: stCustomerJSON("cus_NffrFeUfNV2Hib", "jenny.rosen@example.com")}
	srv := testutil.NewServer(t, rec.ServeHTTP)
	resp, err := stClient(t, srv).CreateCustomer(context.Background(), CreateCustomerParams{
		IdempotencyKey: Ptr("idem-8f14e45f"),
		Body: &CustomerInput{
			Email:       Ptr("jenny.rosen@example.com"),
			Name:        Ptr("Jenny Rosen & Co. 100%"),
			Description: Ptr(""),
			Address:     &CustomerInputAddress{City: Ptr("Berlin"), Line1: Ptr("Unter den Linden 1"), Country: Ptr("DE")},
			Metadata:    Metadata{"order_id": "6735", "note": "a=b&c"},
			TaxExempt:   Ptr(CustomerInputTaxExempt("none")),
		},
	})
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "POST" || r.Path != "/v1/customers" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer "+stKey {
		t.Error("Authorization is not Bearer <key>")
	}
	if r.Header.Get("Idempotency-Key") != "idem-8f14e45f" {
		t.Errorf("Idempotency-Key = %q", r.Header.Get("Idempotency-Key"))
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.cts[0] != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", rec.cts[0])
	}
	want := url.Values{
		"email":              {"jenny.rosen@example.com"},
		"name":               {"Jenny Rosen & Co. 100%"},
		"description":        {""},
		"address[city]":      {"Berlin"},
		"address[line1]":     {"Unter den Linden 1"},
		"address[country]":   {"DE"},
		"metadata[order_id]": {"6735"},
		"metadata[note]":     {"a=b&c"},
		"tax_exempt":         {"none"},
	}
	if !reflect.DeepEqual(rec.forms[0], want) {
		t.Errorf("form = %v\nwant   %v", rec.forms[0], want)
	}
	c := resp.Body
	if c.ID != "cus_NffrFeUfNV2Hib" || c.Object != CustomerObjectCustomer || c.Created != 1680893993 || c.Livemode ||
		c.Balance == nil || *c.Balance != -500 || c.Metadata["plan"] != "pro" || c.Address == nil || *c.Address.City != "Berlin" ||
		c.Address.Line2 != nil || !reflect.DeepEqual(c.PreferredLocales, []string{"de", "en"}) || c.Phone != nil {
		t.Errorf("decoded customer = %+v", c)
	}
}

// Stripe reads form arrays only in bracket form (payment_method_types[]=card
// or payment_method_types[0]=card, as Stripe's own libraries send them); a
// bare repeated key is read as one string and rejected ("Invalid array").
func TestBehaviourFormArraysInStripeForm(t *testing.T) {
	t.Parallel()
	rec := &formRecorder{body: `{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,"currency":"usd","status":"requires_payment_method","created":1680800504,"livemode":false,"client_secret":"pi_3Mtw_secret_YrKJUKribcBjcG8HVhfZluoGH"}`}
	srv := testutil.NewServer(t, rec.ServeHTTP)
	_, err := stClient(t, srv).CreatePaymentIntent(context.Background(), CreatePaymentIntentParams{
		Body: PaymentIntentInput{
			Amount:             2000,
			Currency:           "usd",
			PaymentMethodTypes: []string{"card", "link"},
			Metadata:           Metadata{"order_id": "6735"},
		},
	})
	if err != nil {
		t.Fatalf("CreatePaymentIntent: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	f := rec.forms[0]
	if f.Get("amount") != "2000" || f.Get("currency") != "usd" || f.Get("metadata[order_id]") != "6735" {
		t.Errorf("form = %v", f)
	}
	var got []string
	switch {
	case f.Has("payment_method_types[]"):
		got = f["payment_method_types[]"]
	case f.Has("payment_method_types[0]"):
		for i := 0; f.Has(fmt.Sprintf("payment_method_types[%d]", i)); i++ {
			got = append(got, f.Get(fmt.Sprintf("payment_method_types[%d]", i)))
		}
	}
	if !reflect.DeepEqual(got, []string{"card", "link"}) {
		t.Errorf("payment_method_types sent as %q (form %v); want payment_method_types[]=card&payment_method_types[]=link or [0]/[1] indices", srv.Last(t).Body, f)
	}
}

func TestBehaviourOptionalBodyLeftOut(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, stCustomerJSON("cus_1", "a@example.com")))
	if _, err := stClient(t, srv).UpdateCustomer(context.Background(), UpdateCustomerParams{Customer: "cus_1"}); err != nil {
		t.Fatalf("UpdateCustomer: %v", err)
	}
	r := srv.Last(t)
	if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" || r.Header.Get("Idempotency-Key") != "" {
		t.Errorf("nil body/header params were sent: body %q, Content-Type %q, Idempotency-Key %q", r.Body, r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"))
	}
}

func TestBehaviourCursorPagination(t *testing.T) {
	t.Parallel()
	const query = `email:'ada+test@example.com' AND metadata['plan']:"pro"`
	pages := map[string]string{
		"":                 `{"object":"search_result","url":"/v1/customers/search","has_more":true,"next_page":"WzE2ODAwMDAwMDBd","data":[` + stCustomerJSON("cus_1", "a@example.com") + `,` + stCustomerJSON("cus_2", "b@example.com") + `]}`,
		"WzE2ODAwMDAwMDBd": `{"object":"search_result","url":"/v1/customers/search","has_more":true,"next_page":"WzE2OTAwMDAwMDBd","data":[` + stCustomerJSON("cus_3", "c@example.com") + `,` + stCustomerJSON("cus_4", "d@example.com") + `]}`,
		"WzE2OTAwMDAwMDBd": `{"object":"search_result","url":"/v1/customers/search","has_more":false,"next_page":null,"data":[` + stCustomerJSON("cus_5", "e@example.com") + `]}`,
	}
	handler := func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("page")]
		if !ok {
			testutil.WriteJSON(w, 400, `{"error":{"message":"Invalid page","type":"invalid_request_error"}}`)
			return
		}
		testutil.WriteJSON(w, 200, body)
	}
	t.Run("follows next_page", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		got, err := testutil.Collect(stClient(t, srv).SearchCustomersAll(context.Background(), SearchCustomersParams{Query: query, Limit: Ptr(2)}))
		if err != nil {
			t.Fatalf("SearchCustomersAll: %v", err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != "cus_1,cus_2,cus_3,cus_4,cus_5" {
			t.Errorf("ids = %v", ids)
		}
		rs := srv.Requests()
		if len(rs) != 3 {
			t.Fatalf("requests = %d, want 3", len(rs))
		}
		for i, r := range rs {
			if r.Query.Get("query") != query || r.Query.Get("limit") != "2" || r.Path != "/v1/customers/search" {
				t.Errorf("request %d = %s: lost the query or limit", i, r.RequestURI)
			}
			if strings.ContainsAny(r.RawQuery, " '\"[]") {
				t.Errorf("request %d raw query %q has unencoded characters", i, r.RawQuery)
			}
		}
		if rs[0].Query.Has("page") || rs[1].Query.Get("page") != "WzE2ODAwMDAwMDBd" || rs[2].Query.Get("page") != "WzE2OTAwMDAwMDBd" {
			t.Errorf("page cursors = %q %q %q", rs[0].Query.Get("page"), rs[1].Query.Get("page"), rs[2].Query.Get("page"))
		}
	})
	t.Run("breaking out early stops fetching", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, handler)
		for c, err := range stClient(t, srv).SearchCustomersAll(context.Background(), SearchCustomersParams{Query: query}) {
			if err != nil || c.ID == "cus_2" {
				break
			}
		}
		if srv.Count() != 1 {
			t.Errorf("requests = %d, want 1", srv.Count())
		}
	})
}

func TestBehaviourAPIError(t *testing.T) {
	t.Parallel()
	const body = `{"error":{"code":"resource_missing","doc_url":"https://stripe.com/docs/error-codes/resource-missing","message":"No such customer: 'cus_missing'","param":"id","request_log_url":"https://dashboard.stripe.com/test/logs/req_1","type":"invalid_request_error"}}`
	srv := testutil.NewServer(t, testutil.Status(404, body, "Request-Id", "req_1"))
	_, err := stClient(t, srv).RetrieveCustomer(context.Background(), RetrieveCustomerParams{Customer: "cus_missing"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if apiErr.StatusCode != 404 || apiErr.Message != "No such customer: 'cus_missing'" || string(apiErr.Body) != body || apiErr.Header.Get("Request-Id") != "req_1" {
		t.Errorf("APIError = %d %q %q", apiErr.StatusCode, apiErr.Message, apiErr.Header.Get("Request-Id"))
	}
	if err.Error() != "404 Not Found: No such customer: 'cus_missing'" {
		t.Errorf("err.Error() = %q", err.Error())
	}
	testutil.NoSecrets(t, "APIError", err.Error(), stKey)
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, stCustomerJSON("cus_1", "a@example.com")))
	c := stClient(t, srv)
	for id, want := range map[string]string{
		"../admin":         "/v1/customers/..%2Fadmin",
		"..":               "/v1/customers/%2E%2E",
		"cus_1/../../v1/x": "/v1/customers/cus_1%2F..%2F..%2Fv1%2Fx",
		"cus 1?expand=a":   "/v1/customers/cus%201%3Fexpand=a",
	} {
		if _, err := c.RetrieveCustomer(context.Background(), RetrieveCustomerParams{Customer: id}); err != nil {
			t.Fatalf("RetrieveCustomer(%q): %v", id, err)
		}
		r := srv.Last(t)
		if !strings.EqualFold(r.RequestURI, want) || r.Path != "/v1/customers/"+id {
			t.Errorf("RetrieveCustomer(%q) request target = %q (path %q), want %q", id, r.RequestURI, r.Path, want)
		}
	}
	n := srv.Count()
	if _, err := c.DeleteCustomer(context.Background(), DeleteCustomerParams{}); err == nil || !strings.Contains(err.Error(), "Customer") {
		t.Errorf("DeleteCustomer with an empty Customer: err = %v", err)
	}
	if srv.Count() != n {
		t.Error("a request was sent for an empty path param")
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	serverError := testutil.Status(500, `{"error":{"message":"An unknown error occurred","type":"api_error"}}`)
	deleted := testutil.Status(200, `{"id":"cus_1","object":"customer","deleted":true}`)

	t.Run("spec retry statuses: 500 is retried for GET", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(500, `{}`, "Retry-After", "0"), testutil.Status(200, `{"object":"balance","available":[{"amount":666670,"currency":"usd"}],"pending":[],"livemode":false}`)))
		resp, err := stClient(t, srv).GetBalance(context.Background())
		if err != nil {
			t.Fatalf("GetBalance: %v", err)
		}
		if len(resp.Body.Available) != 1 || resp.Body.Available[0].Amount == nil || *resp.Body.Available[0].Amount != 666670 {
			t.Errorf("decoded balance = %+v", resp.Body)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("POST is not retried, even with an Idempotency-Key", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, serverError)
		_, err := stClient(t, srv).CreateCustomer(context.Background(), CreateCustomerParams{IdempotencyKey: Ptr("k1"), Body: &CustomerInput{Email: Ptr("a@example.com")}})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Message != "An unknown error occurred" {
			t.Fatalf("err = %v, want *APIError 500", err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
	t.Run("DELETE retried on 503 with Retry-After 0", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(503, `{}`, "Retry-After", "0"), deleted))
		resp, err := stClient(t, srv).DeleteCustomer(context.Background(), DeleteCustomerParams{Customer: "cus_1"})
		if err != nil || !resp.Body.Deleted || resp.Body.ID != "cus_1" {
			t.Fatalf("DeleteCustomer = %+v, %v", resp, err)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("attempts bounded by maxAttempts", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(503, `{"error":{"message":"Service unavailable","type":"api_error"}}`, "Retry-After", "0"))
		resp, err := stClient(t, srv).CustomAction(context.Background(), Request{RelativeURL: "/v1/balance"})
		if err != nil || resp.StatusCode != 503 {
			t.Fatalf("CustomAction = %+v, %v; want the last 503 response without error", resp, err)
		}
		if srv.Count() != 3 {
			t.Errorf("attempts = %d, want 3", srv.Count())
		}
	})
	t.Run("context cancelled during a Retry-After wait", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(429, `{"error":{"message":"Too many requests","type":"rate_limit_error"}}`, "Retry-After", "30"))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := stClient(t, srv).RetrieveCustomer(ctx, RetrieveCustomerParams{Customer: "cus_1"})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		testutil.NoSecrets(t, "context error", fmt.Sprint(err), stKey)
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
}

func TestBehaviourAuthPingAndHeaders(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+stKey {
			testutil.WriteJSON(w, 401, `{"error":{"message":"Invalid API Key provided: sk_test_****-xyz","type":"invalid_request_error"}}`)
			return
		}
		testutil.WriteJSON(w, 200, `{"object":"balance","available":[],"pending":[],"livemode":false}`)
	})
	c := stClient(t, srv)
	if res := c.AuthPing(context.Background()); !res.Working || res.ServiceResponse.StatusCode != 200 || res.ServiceResponse.Body != "The connection is successful" {
		t.Errorf("AuthPing = %+v", res)
	}
	r := srv.Last(t)
	if r.Path != "/v1/balance" || r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "stripe-connector/") {
		t.Errorf("ping request %s Accept=%q UA=%q", r.Path, r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}

	bad, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: "sk_test_wrong-xyz"})
	if err != nil {
		t.Fatal(err)
	}
	res := bad.AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 401 || res.ServiceResponse.Body != "401 Unauthorized: Invalid API Key provided: sk_test_****-xyz" {
		t.Errorf("AuthPing with a wrong key = %+v", res)
	}

	// Per-call headers override the defaults, auth included.
	resp, err := c.CustomAction(context.Background(), Request{RelativeURL: "/v1/balance", Headers: http.Header{
		"Accept": {"application/vnd.custom+json"}, "Stripe-Version": {"2024-06-20"}, "User-Agent": {"my-app/2"},
	}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CustomAction = %v, %v", resp, err)
	}
	r = srv.Last(t)
	if r.Header.Get("Accept") != "application/vnd.custom+json" || len(r.Header.Values("Accept")) != 1 ||
		r.Header.Get("Stripe-Version") != "2024-06-20" || r.Header.Get("User-Agent") != "my-app/2" {
		t.Errorf("headers = %v", r.Header)
	}
}

func TestBehaviourNewAndSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "AccessToken") {
		t.Errorf("New(Config{}) = %v, want an error naming AccessToken", err)
	}
	_, err = New(Config{BaseURL: "https://" + stKey + "@/x", AccessToken: stKey})
	if err == nil {
		t.Error("New accepted a BaseURL without a host")
	} else {
		testutil.NoSecrets(t, "New error", err.Error(), stKey)
	}
	cfg := Config{AccessToken: stKey, BaseURL: "https://api.stripe.com"}
	testutil.ConfigNoSecrets(t, cfg, &cfg, stKey)

	c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, AccessToken: stKey})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = time.Millisecond
	_, err = c.CreateCustomer(context.Background(), CreateCustomerParams{Body: &CustomerInput{Description: Ptr(stKey)}})
	if err == nil {
		t.Fatal("CreateCustomer against a closed server succeeded")
	}
	testutil.NoSecrets(t, "transport error", err.Error(), stKey)
	res := c.AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 0 {
		t.Errorf("AuthPing against a closed server = %+v", res)
	}
	testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, stKey)
}
