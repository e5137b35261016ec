package templates

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// webhookNow is the test clock: every delivery is signed "now" unless a test
// says otherwise.
var webhookNow = time.Unix(1_700_000_000, 0)

const (
	testWebhookSecret    = "whsec_dGhlIHRlc3Qgc2lnbmluZyBrZXk=" // "the test signing key", base64
	testWebhookOldSecret = "whsec_b2xkIHNpZ25pbmcga2V5"         // "old signing key"
)

// testWebhookSpecs are the presets of connector-spec section 4 as the
// generator fills them in, plus one of each generic scheme.
var testWebhookSpecs = map[string]webhookSpec{
	"standard": {scheme: "standard", header: "webhook-signature", algorithm: "sha256", encoding: "base64", signed: "{id}.{timestamp}.{body}",
		timestampHeader: "webhook-timestamp", idHeader: "webhook-id", eventType: "type"},
	"github": {scheme: "github", header: "X-Hub-Signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=", signed: "{body}",
		eventType: "header:X-GitHub-Event", eventID: "header:X-GitHub-Delivery"},
	"stripe": {scheme: "stripe", header: "Stripe-Signature", algorithm: "sha256", encoding: "hex", signed: "{timestamp}.{body}",
		eventType: "type", eventID: "id"},
	"slack": {scheme: "slack", header: "X-Slack-Signature", algorithm: "sha256", encoding: "hex", prefix: "v0=", signed: "v0:{timestamp}:{body}",
		timestampHeader: "X-Slack-Request-Timestamp", eventType: "event.type", eventID: "event_id"},
	"shopify": {scheme: "shopify", header: "X-Shopify-Hmac-Sha256", algorithm: "sha256", encoding: "base64", signed: "{body}",
		eventType: "header:X-Shopify-Topic", eventID: "header:X-Shopify-Webhook-Id"},
	"hmac": {scheme: "hmac", header: "X-Signature", algorithm: "sha512", encoding: "hex", signed: "{timestamp}.{id}.{body}",
		timestampHeader: "X-Timestamp", idHeader: "X-Delivery", eventType: "type", eventID: "id"},
	"hmac-sha1": {scheme: "hmac", header: "X-Hub-Signature", algorithm: "sha1", encoding: "hex", prefix: "sha1=", signed: "{body}",
		eventType: "type", eventID: "id"},
	"header": {scheme: "header", header: "Authorization", eventType: "type", eventID: "id"},
	"field":  {scheme: "field", field: "auth.passcode", eventType: "type", eventID: "id"},
	"none":   {scheme: "none", eventType: "type", eventID: "id"},
}

// testDelivery is one delivery as a service would send it.
type testDelivery struct {
	body   []byte
	header http.Header
	sig    string // the signature or secret material it carries, asserted never to be echoed
}

// testEvent is the JSON of one event, shaped for ws: slack nests its type;
// where the type and id travel in headers, newTestDelivery moves them there.
func testEvent(ws webhookSpec, typ, id string, amount int) map[string]any {
	if ws.scheme == "slack" {
		return map[string]any{"amount": amount, "event": map[string]any{"type": typ}, "event_id": id}
	}
	return map[string]any{"amount": amount, "type": typ, "id": id}
}

// newTestDelivery signs body as the service following ws does, with code
// written from each provider's documentation rather than from webhook.go,
// so the two cannot share a mistake. The published test vectors below check
// the documentation was read right.
func newTestDelivery(t *testing.T, ws webhookSpec, secret string, event map[string]any, ts int64, id string) testDelivery {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if name, ok := strings.CutPrefix(ws.eventType, "header:"); ok {
		typ, _ := event["type"].(string)
		delete(event, "type")
		delete(event, "id")
		h.Set(name, typ)
		h.Set(strings.TrimPrefix(ws.eventID, "header:"), id)
	}
	if ws.scheme == "field" {
		event["auth"] = map[string]any{"passcode": secret}
	}
	body, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	tss := strconv.FormatInt(ts, 10)
	mac := func(newHash func() hash.Hash, key []byte, parts ...string) []byte {
		m := hmac.New(newHash, key)
		for _, p := range parts {
			io.WriteString(m, p)
		}
		return m.Sum(nil)
	}
	d := testDelivery{body: body, header: h}
	switch ws.scheme {
	case "standard":
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil {
			t.Fatal(err)
		}
		d.sig = base64.StdEncoding.EncodeToString(mac(sha256.New, key, id, ".", tss, ".", string(body)))
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", tss)
		h.Set("webhook-signature", "v1a,c2lnbmF0dXJl v1,"+d.sig)
	case "github":
		d.sig = hex.EncodeToString(mac(sha256.New, []byte(secret), string(body)))
		h.Set("X-Hub-Signature-256", "sha256="+d.sig)
	case "stripe":
		d.sig = hex.EncodeToString(mac(sha256.New, []byte(secret), tss, ".", string(body)))
		h.Set("Stripe-Signature", "t="+tss+",v1="+d.sig+",v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")
	case "slack":
		d.sig = hex.EncodeToString(mac(sha256.New, []byte(secret), "v0:", tss, ":", string(body)))
		h.Set("X-Slack-Request-Timestamp", tss)
		h.Set("X-Slack-Signature", "v0="+d.sig)
	case "shopify":
		d.sig = base64.StdEncoding.EncodeToString(mac(sha256.New, []byte(secret), string(body)))
		h.Set("X-Shopify-Hmac-Sha256", d.sig)
	case "hmac":
		if ws.algorithm == "sha1" {
			d.sig = hex.EncodeToString(mac(sha1.New, []byte(secret), string(body)))
			h.Set("X-Hub-Signature", "sha1="+d.sig)
			break
		}
		d.sig = hex.EncodeToString(mac(sha512.New, []byte(secret), tss, ".", id, ".", string(body)))
		h.Set("X-Timestamp", tss)
		h.Set("X-Delivery", id)
		h.Set("X-Signature", d.sig)
	case "header":
		d.sig = secret
		h.Set("Authorization", secret)
	case "field":
		d.sig = secret
	}
	return d
}

type testSentEvent struct {
	Amount int `json:"amount"`
}

// testHandlers is what the generator emits for a connector with one event,
// email.sent, whose payload is testSentEvent.
type testHandlers struct {
	OnEmailSent func(ctx context.Context, ev WebhookEvent[testSentEvent]) error
	OnOther     func(ctx context.Context, ev WebhookEvent[json.RawMessage]) error
}

func (h testHandlers) decode(ev WebhookEvent[json.RawMessage]) (func(context.Context) error, error) {
	switch ev.Type {
	case "email.sent":
		if h.OnEmailSent == nil {
			return nil, nil
		}
		return webhookCall(ev, h.OnEmailSent)
	}
	if h.OnOther == nil {
		return nil, nil
	}
	return webhookCall(ev, h.OnOther)
}

// recorder collects handled events, "type id amount" (or "type id raw").
type recorder struct {
	mu     sync.Mutex
	got    []string
	events []WebhookEvent[testSentEvent]
	fail   atomic.Int32 // the number of calls still to fail
}

func (rec *recorder) handlers() testHandlers {
	return testHandlers{
		OnEmailSent: func(ctx context.Context, ev WebhookEvent[testSentEvent]) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if rec.fail.Add(-1) >= 0 {
				return errors.New("handler failed on purpose")
			}
			rec.got = append(rec.got, fmt.Sprintf("%s %s %d", ev.Type, ev.ID, ev.Payload.Amount))
			rec.events = append(rec.events, ev)
			return nil
		},
		OnOther: func(ctx context.Context, ev WebhookEvent[json.RawMessage]) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.got = append(rec.got, fmt.Sprintf("other %q %s %s", ev.Type, ev.ID, ev.Payload))
			return nil
		},
	}
}

func (rec *recorder) calls() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.got...)
}

func testOptions() *WebhookOptions {
	return &WebhookOptions{Now: func() time.Time { return webhookNow }}
}

// serveWebhook serves newWebhookHandler on loopback. Its request bodies are
// counted, so a test can see how much of one the handler read.
func serveWebhook(t *testing.T, ws webhookSpec, secret string, opts *WebhookOptions, decode func(WebhookEvent[json.RawMessage]) (func(context.Context) error, error)) (url string, bodyRead func() int64) {
	t.Helper()
	h := newWebhookHandler(ws, secret, opts, decode)
	var read atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &read}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, read.Load
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type testReply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, url string, body io.Reader, h http.Header) testReply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return testReply{resp.StatusCode, resp.Header, string(data)}
}

func (d testDelivery) post(t *testing.T, url string) testReply {
	t.Helper()
	return send(t, http.MethodPost, url, strings.NewReader(string(d.body)), d.header)
}

// assertNoLeak checks that a response or error text holds none of the
// secrets, the signature, the expected signature or the body.
func assertNoLeak(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s %q contains %q", where, text, s)
		}
	}
}

func TestWebhookSchemes(t *testing.T) {
	for name, ws := range testWebhookSpecs {
		t.Run(name, func(t *testing.T) {
			timed := strings.Contains(ws.signed, "{timestamp}")
			deliver := func(secret string, amount int) testDelivery {
				return newTestDelivery(t, ws, secret, testEvent(ws, "email.sent", "ev_"+strconv.Itoa(amount), amount), webhookNow.Unix(), "ev_"+strconv.Itoa(amount))
			}
			var rec recorder
			url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), rec.handlers().decode)

			ok := deliver(testWebhookSecret, 1)
			if r := ok.post(t, url); r.status != http.StatusOK {
				t.Fatalf("signed delivery: %d %s", r.status, r.body)
			}
			if got := rec.calls(); len(got) != 1 || got[0] != "email.sent ev_1 1" {
				t.Fatalf("handled %q, want [email.sent ev_1 1]", got)
			}
			rec.mu.Lock()
			ev := rec.events[0]
			rec.mu.Unlock()
			if wantTime := (time.Time{}); timed {
				wantTime = webhookNow
				if !ev.Time.Equal(wantTime) {
					t.Errorf("Time = %v, want %v", ev.Time, wantTime)
				}
			} else if !ev.Time.IsZero() {
				t.Errorf("Time = %v, want zero: nothing signs a timestamp", ev.Time)
			}
			if ev.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Header not passed: %v", ev.Header)
			}
			if ws.scheme == "none" {
				return
			}

			// Each refused delivery, with the signature the right secret gives
			// its body: that must not be echoed either.
			type refusal struct {
				d        testDelivery
				expected string
			}
			refused := map[string]refusal{}
			refused["wrong secret"] = refusal{deliver("whsec_d3Jvbmcgc2VjcmV0", 2), deliver(testWebhookSecret, 2).sig} // "wrong secret"
			missing := deliver(testWebhookSecret, 3)
			missing.header.Del(ws.header)
			if ws.scheme == "field" {
				missing.body = []byte(`{"type":"email.sent","id":"ev_3","amount":3}`)
			}
			refused["signature missing"] = refusal{missing, deliver(testWebhookSecret, 3).sig}
			if ws.scheme != "header" && ws.scheme != "field" {
				changed := deliver(testWebhookSecret, 4)
				changed.body = []byte(strings.Replace(string(changed.body), `"amount":4`, `"amount":5`, 1))
				expected := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "ev_4", 5), webhookNow.Unix(), "ev_4").sig
				refused["body changed after signing"] = refusal{changed, expected}
				garbled := deliver(testWebhookSecret, 6)
				v := garbled.header.Get(ws.header)
				garbled.header.Set(ws.header, strings.ReplaceAll(v, garbled.sig, "00"+garbled.sig[2:]))
				if garbled.header.Get(ws.header) == v {
					t.Fatal("the test failed to change the signature")
				}
				refused["signature wrong"] = refusal{garbled, garbled.sig}
			}
			for why, rf := range refused {
				r := rf.d.post(t, url)
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s: status %d, want 401", why, r.status)
				}
				assertNoLeak(t, why+": response", r.body, testWebhookSecret, rf.d.sig, rf.expected, string(rf.d.body))
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(rf.d.body)))
				req.Header = rf.d.header
				_, err := verifyWebhook(ws, req, testWebhookSecret, testOptions())
				if err == nil {
					t.Errorf("%s: verifyWebhook accepted it", why)
					continue
				}
				assertNoLeak(t, why+": error", err.Error(), testWebhookSecret, rf.d.sig, rf.expected, string(rf.d.body))
			}
			if got := rec.calls(); len(got) != 1 {
				t.Errorf("a refused delivery reached a handler: %q", got)
			}
		})
	}
}

func TestWebhookTimestampTolerance(t *testing.T) {
	for _, name := range []string{"standard", "stripe", "slack", "hmac"} {
		t.Run(name, func(t *testing.T) {
			ws := testWebhookSpecs[name]
			check := func(ws webhookSpec, opts *WebhookOptions, skew time.Duration, want error) {
				t.Helper()
				d := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "ev_1", 1), webhookNow.Add(skew).Unix(), "ev_1")
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(d.body)))
				req.Header = d.header
				body, err := verifyWebhook(ws, req, testWebhookSecret, opts)
				if !errors.Is(err, want) || want == nil && string(body) != string(d.body) {
					t.Errorf("skew %v: err %v, want %v", skew, err, want)
				}
			}
			check(ws, testOptions(), 0, nil)
			check(ws, testOptions(), -5*time.Minute, nil) // the default tolerance, inclusive
			check(ws, testOptions(), 5*time.Minute, nil)
			check(ws, testOptions(), -5*time.Minute-time.Second, errWebhookTimestamp) // stale
			check(ws, testOptions(), 5*time.Minute+time.Second, errWebhookTimestamp)  // from the future
			check(ws, testOptions(), -365*24*time.Hour, errWebhookTimestamp)

			wide := ws
			wide.tolerance = time.Hour
			check(wide, testOptions(), -30*time.Minute, nil)
			check(wide, testOptions(), 61*time.Minute, errWebhookTimestamp)
			opts := testOptions()
			opts.Tolerance = 10 * time.Second
			check(wide, opts, 11*time.Second, errWebhookTimestamp) // the option beats the spec
			check(wide, opts, -10*time.Second, nil)

			// Through the handler: 401, with the same message.
			url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), testHandlers{}.decode)
			d := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "ev_1", 1), webhookNow.Add(-time.Hour).Unix(), "ev_1")
			if r := d.post(t, url); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "timestamp outside tolerance") {
				t.Errorf("stale delivery: %d %q", r.status, r.body)
			}
		})
	}
}

func TestWebhookTimestampMissing(t *testing.T) {
	for name, drop := range map[string]func(http.Header){
		"standard": func(h http.Header) { h.Del("webhook-timestamp") },
		"stripe":   func(h http.Header) { h.Set("Stripe-Signature", strings.Split(h.Get("Stripe-Signature"), ",")[1]) },
		"slack":    func(h http.Header) { h.Set("X-Slack-Request-Timestamp", "soon") },
	} {
		ws := testWebhookSpecs[name]
		d := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "ev_1", 1), webhookNow.Unix(), "ev_1")
		drop(d.header)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(d.body)))
		req.Header = d.header
		if _, err := verifyWebhook(ws, req, testWebhookSecret, testOptions()); !errors.Is(err, errWebhookNoTimestamp) {
			t.Errorf("%s: err %v, want %v", name, err, errWebhookNoTimestamp)
		}
	}
}

func TestWebhookOldSecrets(t *testing.T) {
	for _, name := range []string{"standard", "github", "stripe", "header", "field"} {
		ws := testWebhookSpecs[name]
		var rec recorder
		opts := testOptions()
		opts.OldSecrets = []string{"", testWebhookOldSecret}
		url, _ := serveWebhook(t, ws, testWebhookSecret, opts, rec.handlers().decode)
		for i, secret := range []string{testWebhookSecret, testWebhookOldSecret} {
			d := newTestDelivery(t, ws, secret, testEvent(ws, "email.sent", "ev_"+strconv.Itoa(i), i), webhookNow.Unix(), "ev_"+strconv.Itoa(i))
			if r := d.post(t, url); r.status != http.StatusOK {
				t.Errorf("%s: signed with secret %d: %d %s", name, i, r.status, r.body)
			}
		}
		// Without OldSecrets the old one is refused.
		url, _ = serveWebhook(t, ws, testWebhookSecret, testOptions(), rec.handlers().decode)
		d := newTestDelivery(t, ws, testWebhookOldSecret, testEvent(ws, "email.sent", "ev_9", 9), webhookNow.Unix(), "ev_9")
		if r := d.post(t, url); r.status != http.StatusUnauthorized {
			t.Errorf("%s: old secret without OldSecrets: %d", name, r.status)
		}
	}
}

func TestWebhookStripeAnyV1(t *testing.T) {
	ws := testWebhookSpecs["stripe"]
	d := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "evt_1", 1), webhookNow.Unix(), "evt_1")
	ts := strconv.FormatInt(webhookNow.Unix(), 10)
	d.header.Set("Stripe-Signature", "t="+ts+", v1=deadbeef,scheme=x, v1="+d.sig)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(d.body)))
	req.Header = d.header
	if _, err := verifyWebhook(ws, req, testWebhookSecret, testOptions()); err != nil {
		t.Errorf("second v1 entry not accepted: %v", err)
	}
}

// TestWebhookStandardTestVector checks the example of the Standard Webhooks
// specification, which its reference libraries test against.
func TestWebhookStandardTestVector(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		ts     = "1614265330"
		body   = `{"test": 2432232314}`
		sig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	ws := testWebhookSpecs["standard"]
	opts := &WebhookOptions{Now: func() time.Time { return time.Unix(1614265330, 0) }}
	request := func(sigs string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", ts)
		req.Header.Set("webhook-signature", sigs)
		return req
	}
	for _, sigs := range []string{sig, "v1,bm9wZQ== " + sig, "v1a,bm9wZQ== " + sig + " v2,bm9wZQ=="} {
		got, err := verifyWebhook(ws, request(sigs), secret, opts)
		if err != nil || string(got) != body {
			t.Errorf("signatures %q: %q, %v", sigs, got, err)
		}
	}
	if _, err := verifyWebhook(ws, request("v1,bm9wZQ=="), secret, opts); !errors.Is(err, errWebhookSignature) {
		t.Errorf("no matching entry: %v", err)
	}
	if _, err := verifyWebhook(ws, request(strings.Replace(sig, "v1,", "v2,", 1)), secret, opts); !errors.Is(err, errWebhookNoSignature) {
		t.Errorf("another version only: %v", err)
	}

	var ev WebhookEvent[json.RawMessage]
	h := newWebhookHandler(ws, secret, opts, testHandlers{OnOther: func(_ context.Context, e WebhookEvent[json.RawMessage]) error {
		ev = e
		return nil
	}}.decode)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(sig))
	if w.Code != http.StatusOK || ev.ID != id || ev.Type != "" || !ev.Time.Equal(time.Unix(1614265330, 0)) || string(ev.Payload) != body {
		t.Errorf("handler: %d, event %+v", w.Code, ev)
	}
}

// TestWebhookGitHubTestVector checks the example of GitHub's "Testing the
// webhook payload validation".
func TestWebhookGitHubTestVector(t *testing.T) {
	const (
		secret = "It's a Secret to Everybody"
		body   = "Hello, World!"
		sig    = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	ws := testWebhookSpecs["github"]
	request := func(sig string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sig)
		return req
	}
	if got, err := verifyWebhook(ws, request(sig), secret, nil); err != nil || string(got) != body {
		t.Errorf("verifyWebhook: %q, %v", got, err)
	}
	if _, err := verifyWebhook(ws, request(strings.ToUpper(sig[:7])+sig[7:]), secret, nil); !errors.Is(err, errWebhookNoSignature) {
		t.Errorf("prefix is matched exactly: %v", err)
	}
	if _, err := verifyWebhook(ws, request(sig), secret+".", nil); !errors.Is(err, errWebhookSignature) {
		t.Errorf("wrong secret: %v", err)
	}
	// Verified, but not JSON: the handler's answer is 400, not 401.
	w := httptest.NewRecorder()
	newWebhookHandler(ws, secret, nil, testHandlers{}.decode).ServeHTTP(w, request(sig))
	if w.Code != http.StatusBadRequest {
		t.Errorf("handler: %d, want 400", w.Code)
	}
	assertNoLeak(t, "response", w.Body.String(), secret, sig[7:], body)
}

// TestWebhookStatusTable walks the contract's table row by row.
func TestWebhookStatusTable(t *testing.T) {
	ws := testWebhookSpecs["stripe"]
	ws.maxBodyBytes = 256
	ws.challenge = "okta"
	var rec recorder
	url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), rec.handlers().decode)
	deliver := func(event map[string]any) testDelivery {
		return newTestDelivery(t, ws, testWebhookSecret, event, webhookNow.Unix(), "")
	}
	event := func(typ, id string, amount any) map[string]any {
		return map[string]any{"type": typ, "id": id, "amount": amount}
	}

	tests := []struct {
		name   string
		send   func() testReply
		status int
		calls  []string // all handled so far
	}{
		{"challenge", func() testReply {
			return send(t, http.MethodGet, url, nil, http.Header{"X-Okta-Verification-Challenge": {"abc"}})
		}, 200, nil},
		{"not POST", func() testReply { return send(t, http.MethodGet, url, nil, nil) }, 405, nil},
		{"not POST: PUT", func() testReply {
			d := deliver(event("email.sent", "ev_1", 1))
			return send(t, http.MethodPut, url, strings.NewReader(string(d.body)), d.header)
		}, 405, nil},
		{"body over MaxBodyBytes", func() testReply {
			return deliver(event("email.sent", "ev_1", strings.Repeat("x", 300))).post(t, url)
		}, 413, nil},
		{"body over MaxBodyBytes, unsigned", func() testReply {
			return send(t, http.MethodPost, url, strings.NewReader(strings.Repeat("x", 300)), nil)
		}, 413, nil},
		{"signature missing", func() testReply {
			return send(t, http.MethodPost, url, strings.NewReader(`{"type":"email.sent"}`), nil)
		}, 401, nil},
		{"body not JSON", func() testReply {
			body := "{not json"
			m := hmac.New(sha256.New, []byte(testWebhookSecret))
			ts := strconv.FormatInt(webhookNow.Unix(), 10)
			io.WriteString(m, ts+"."+body)
			h := http.Header{"Stripe-Signature": {"t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))}}
			return send(t, http.MethodPost, url, strings.NewReader(body), h)
		}, 400, nil},
		{"event does not decode into its type", func() testReply {
			return deliver(event("email.sent", "ev_1", "forty-two")).post(t, url)
		}, 400, nil},
		{"handled", func() testReply { return deliver(event("email.sent", "ev_1", 1)).post(t, url) }, 200,
			[]string{"email.sent ev_1 1"}},
		{"already handled", func() testReply { return deliver(event("email.sent", "ev_1", 1)).post(t, url) }, 200,
			[]string{"email.sent ev_1 1"}},
		{"handler error", func() testReply {
			rec.fail.Store(1)
			return deliver(event("email.sent", "ev_2", 2)).post(t, url)
		}, 500, []string{"email.sent ev_1 1"}},
		{"retry after a handler error", func() testReply { return deliver(event("email.sent", "ev_2", 2)).post(t, url) }, 200,
			[]string{"email.sent ev_1 1", "email.sent ev_2 2"}},
		{"no id: never deduplicated", func() testReply { return deliver(map[string]any{"type": "email.sent", "amount": 3}).post(t, url) }, 200,
			[]string{"email.sent ev_1 1", "email.sent ev_2 2", "email.sent  3"}},
		{"no id, again", func() testReply { return deliver(map[string]any{"type": "email.sent", "amount": 3}).post(t, url) }, 200,
			[]string{"email.sent ev_1 1", "email.sent ev_2 2", "email.sent  3", "email.sent  3"}},
	}
	for _, tt := range tests {
		r := tt.send()
		if r.status != tt.status {
			t.Errorf("%s: status %d %q, want %d", tt.name, r.status, r.body, tt.status)
		}
		if got := rec.calls(); strings.Join(got, "|") != strings.Join(tt.calls, "|") {
			t.Errorf("%s: handled %q, want %q", tt.name, got, tt.calls)
		}
		if r.status == 405 && r.header.Get("Allow") != "POST, GET" {
			t.Errorf("%s: Allow %q", tt.name, r.header.Get("Allow"))
		}
		assertNoLeak(t, tt.name, r.body, testWebhookSecret, "forty-two", `"amount"`, "not json")
	}
}

func TestWebhookBodyCap(t *testing.T) {
	ws := testWebhookSpecs["none"]
	var rec recorder
	opts := testOptions()
	opts.MaxBodyBytes = 100 // beats the spec's
	ws.maxBodyBytes = 1 << 20
	url, read := serveWebhook(t, ws, "", opts, rec.handlers().decode)
	fits := `{"type":"email.sent","id":"a","amount":1,"pad":"`
	fits += strings.Repeat("x", 100-len(fits)-2) + `"}`
	if r := send(t, http.MethodPost, url, strings.NewReader(fits), nil); r.status != 200 {
		t.Errorf("exactly MaxBodyBytes: %d %s", r.status, r.body)
	}
	before := read()

	// A declared length over the cap is refused without reading.
	if r := send(t, http.MethodPost, url, strings.NewReader(strings.Repeat("x", 100_000)), nil); r.status != 413 {
		t.Errorf("declared length: %d", r.status)
	}
	if n := read() - before; n != 0 {
		t.Errorf("read %d bytes of a body declared too large", n)
	}
	// A body of unknown length is read up to one byte past the cap, no more.
	if r := send(t, http.MethodPost, url, struct{ io.Reader }{strings.NewReader(strings.Repeat("x", 100_000))}, nil); r.status != 413 {
		t.Errorf("chunked: %d", r.status)
	}
	if n := read() - before; n > 101 {
		t.Errorf("read %d bytes of a chunked body over a 100-byte cap", n)
	}

	// verifyWebhook, on a reader that counts.
	var n atomic.Int64
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Body = countingBody{io.NopCloser(strings.NewReader(strings.Repeat("x", 10_000))), &n}
	if _, err := verifyWebhook(ws, req, "", &WebhookOptions{MaxBodyBytes: 100}); !errors.Is(err, errWebhookTooLarge) {
		t.Errorf("verifyWebhook: %v", err)
	}
	if n.Load() > 101 {
		t.Errorf("verifyWebhook read %d bytes over a 100-byte cap", n.Load())
	}
	// The spec's cap applies without the option; the default without either.
	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 2<<20)))
	if _, err := verifyWebhook(webhookSpec{scheme: "none"}, req, "", nil); !errors.Is(err, errWebhookTooLarge) {
		t.Errorf("default cap: %v", err)
	}
	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", 200)))
	if _, err := verifyWebhook(webhookSpec{scheme: "none", maxBodyBytes: 150}, req, "", nil); !errors.Is(err, errWebhookTooLarge) {
		t.Errorf("spec cap: %v", err)
	}
	if got := rec.calls(); len(got) != 1 {
		t.Errorf("handled %q", got)
	}
}

func TestWebhookBatch(t *testing.T) {
	ws := webhookSpec{scheme: "header", header: "Authorization", batch: "data.events", eventType: "eventType", eventID: "uuid"}
	var rec recorder
	url, _ := serveWebhook(t, ws, "s3cret-value", testOptions(), rec.handlers().decode)
	post := func(events ...string) testReply {
		body := `{"eventType":"com.okta.event_hook","data":{"events":[` + strings.Join(events, ",") + `]}}`
		return send(t, http.MethodPost, url, strings.NewReader(body), http.Header{"Authorization": {"s3cret-value"}})
	}
	ev := func(typ, id string, amount string) string {
		return `{"eventType":"` + typ + `","uuid":"` + id + `","amount":` + amount + `}`
	}

	if r := post(ev("email.sent", "a", "1"), ev("email.sent", "b", `"two"`), ev("email.sent", "c", "3")); r.status != 400 {
		t.Errorf("one bad event: %d", r.status)
	}
	if got := rec.calls(); len(got) != 0 {
		t.Errorf("a batch with a bad event reached handlers: %q", got)
	}
	if r := post(ev("email.sent", "a", "1"), ev("user.created", "b", "2"), ev("email.sent", "c", "3")); r.status != 200 {
		t.Errorf("batch: %d", r.status)
	}
	want := []string{"email.sent a 1", `other "user.created" b {"eventType":"user.created","uuid":"b","amount":2}`, "email.sent c 3"}
	if got := rec.calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handled %q, want %q", got, want)
	}
	// A handler failing midway: the events before it are remembered, so the
	// retry handles only the rest.
	rec.fail.Store(0)
	rec.mu.Lock()
	rec.got = nil
	rec.mu.Unlock()
	failing := rec.handlers()
	var calls atomic.Int32
	inner := failing.OnEmailSent
	failing.OnEmailSent = func(ctx context.Context, e WebhookEvent[testSentEvent]) error {
		if calls.Add(1) == 2 {
			return errors.New("second call fails")
		}
		return inner(ctx, e)
	}
	url, _ = serveWebhook(t, ws, "s3cret-value", testOptions(), failing.decode)
	if r := post(ev("email.sent", "d", "4"), ev("email.sent", "e", "5"), ev("email.sent", "f", "6")); r.status != 500 {
		t.Errorf("failing batch: %d", r.status)
	}
	if r := post(ev("email.sent", "d", "4"), ev("email.sent", "e", "5"), ev("email.sent", "f", "6")); r.status != 200 {
		t.Errorf("retried batch: %d", r.status)
	}
	want = []string{"email.sent d 4", "email.sent e 5", "email.sent f 6"}
	if got := rec.calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handled %q, want %q", got, want)
	}

	for _, body := range []string{`{"data":{}}`, `{"data":{"events":{"a":1}}}`, `{"data":"x"}`} {
		if r := send(t, http.MethodPost, url, strings.NewReader(body), http.Header{"Authorization": {"s3cret-value"}}); r.status != 400 {
			t.Errorf("%s: %d, want 400", body, r.status)
		}
	}
	if r := post(); r.status != 200 {
		t.Errorf("empty batch: %d", r.status)
	}
}

// TestWebhookBatchSharedID: events of a batch that share the delivery's id
// (from a header) are all handled, and a failure redoes all of them.
func TestWebhookBatchSharedID(t *testing.T) {
	ws := testWebhookSpecs["github"]
	ws.batch = "events"
	ws.eventType = "type"
	var rec recorder
	body := `{"events":[{"type":"email.sent","amount":1},{"type":"email.sent","amount":2}]}`
	m := hmac.New(sha256.New, []byte(testWebhookSecret))
	io.WriteString(m, body)
	h := http.Header{"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(m.Sum(nil))}, "X-Github-Delivery": {"d-1"}}
	var n atomic.Int32
	handlers := rec.handlers()
	inner := handlers.OnEmailSent
	handlers.OnEmailSent = func(ctx context.Context, e WebhookEvent[testSentEvent]) error {
		if n.Add(1) == 2 {
			return errors.New("fails once")
		}
		return inner(ctx, e)
	}
	url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), handlers.decode)
	for i, want := range []int{500, 200, 200} {
		if r := send(t, http.MethodPost, url, strings.NewReader(body), h); r.status != want {
			t.Errorf("delivery %d: %d, want %d", i, r.status, want)
		}
	}
	want := []string{"email.sent d-1 1", "email.sent d-1 1", "email.sent d-1 2"}
	if got := rec.calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handled %q, want %q", got, want)
	}
}

func TestWebhookRouting(t *testing.T) {
	ws := testWebhookSpecs["none"]
	var rec recorder
	url, _ := serveWebhook(t, ws, "", testOptions(), rec.handlers().decode)
	for _, body := range []string{`{"type":"user.created","id":"1"}`, `{"id":"2"}`, `{"type":7,"id":3}`, `[1]`} {
		if r := send(t, http.MethodPost, url, strings.NewReader(body), nil); r.status != 200 {
			t.Errorf("%s: %d", body, r.status)
		}
	}
	want := []string{`other "user.created" 1 {"type":"user.created","id":"1"}`, `other "" 2 {"id":"2"}`, `other "7" 3 {"type":7,"id":3}`, `other ""  [1]`}
	if got := rec.calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handled %q, want %q", got, want)
	}

	// Nil handlers acknowledge without decoding: an event that would not fit
	// its type is still a 200 when nobody wants it.
	url, _ = serveWebhook(t, ws, "", testOptions(), testHandlers{}.decode)
	for _, body := range []string{`{"type":"email.sent","amount":"x"}`, `{"type":"other"}`} {
		if r := send(t, http.MethodPost, url, strings.NewReader(body), nil); r.status != 200 {
			t.Errorf("no handlers, %s: %d", body, r.status)
		}
	}
}

func TestWebhookChallenges(t *testing.T) {
	t.Run("okta", func(t *testing.T) {
		var rec recorder
		ws := webhookSpec{scheme: "header", header: "Authorization", challenge: "okta", batch: "data.events", eventType: "eventType"}
		url, _ := serveWebhook(t, ws, "s3cret-value", testOptions(), rec.handlers().decode)
		r := send(t, http.MethodGet, url, nil, http.Header{"X-Okta-Verification-Challenge": {"V<&>"}})
		if r.status != 200 || r.body != `{"verification":"V\u003c\u0026\u003e"}` || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("okta: %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
		}
		if len(rec.calls()) != 0 {
			t.Error("a challenge reached a handler")
		}
	})
	t.Run("dropbox", func(t *testing.T) {
		ws := webhookSpec{scheme: "hmac", header: "X-Dropbox-Signature", algorithm: "sha256", encoding: "hex", signed: "{body}", challenge: "dropbox"}
		url, _ := serveWebhook(t, ws, "app-secret", testOptions(), testHandlers{}.decode)
		r := send(t, http.MethodGet, url+"?challenge=V%3Cb%3E", nil, nil)
		if r.status != 200 || r.body != "V<b>" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("dropbox: %d %q %v", r.status, r.body, r.header)
		}
		if r := send(t, http.MethodGet, url, nil, nil); r.status != 405 {
			t.Errorf("dropbox GET without challenge: %d", r.status)
		}
	})
	t.Run("slack", func(t *testing.T) {
		var rec recorder
		ws := testWebhookSpecs["slack"]
		ws.challenge = "slack"
		url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), rec.handlers().decode)
		event := map[string]any{"token": "t", "type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
		d := newTestDelivery(t, ws, testWebhookSecret, event, webhookNow.Unix(), "")
		r := d.post(t, url)
		if r.status != 200 || r.body != `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}` {
			t.Errorf("slack: %d %q", r.status, r.body)
		}
		// The challenge is verified like any delivery.
		d.header.Set("X-Slack-Signature", "v0=00")
		if r := d.post(t, url); r.status != 401 {
			t.Errorf("unsigned slack challenge: %d %q", r.status, r.body)
		}
		if len(rec.calls()) != 0 {
			t.Error("a challenge reached a handler")
		}
	})
	t.Run("zoom", func(t *testing.T) {
		var rec recorder
		ws := webhookSpec{scheme: "hmac", header: "x-zm-signature", algorithm: "sha256", encoding: "hex", prefix: "v0=",
			signed: "v0:{timestamp}:{body}", timestampHeader: "x-zm-request-timestamp", eventType: "event", challenge: "zoom"}
		const secret = "zoom-secret-token"
		opts := testOptions()
		opts.OldSecrets = []string{"older-token"}
		url, _ := serveWebhook(t, ws, secret, opts, rec.handlers().decode)
		body := `{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`
		sign := func(secret string) http.Header {
			ts := strconv.FormatInt(webhookNow.Unix(), 10)
			m := hmac.New(sha256.New, []byte(secret))
			io.WriteString(m, "v0:"+ts+":"+body)
			return http.Header{"X-Zm-Signature": {"v0=" + hex.EncodeToString(m.Sum(nil))}, "X-Zm-Request-Timestamp": {ts}}
		}
		token := func(secret string) string {
			m := hmac.New(sha256.New, []byte(secret))
			io.WriteString(m, "qgg8vlvZRS6UYooatFL8Aw")
			return hex.EncodeToString(m.Sum(nil))
		}
		for _, s := range []string{secret, "older-token"} {
			r := send(t, http.MethodPost, url, strings.NewReader(body), sign(s))
			var got struct{ PlainToken, EncryptedToken string }
			if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != 200 ||
				got.PlainToken != "qgg8vlvZRS6UYooatFL8Aw" || got.EncryptedToken != token(s) || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("zoom, signed with %s: %d %q", s, r.status, r.body)
			}
		}
		if r := send(t, http.MethodPost, url, strings.NewReader(body), nil); r.status != 401 {
			t.Errorf("unsigned zoom challenge: %d", r.status)
		}
		if len(rec.calls()) != 0 {
			t.Error("a challenge reached a handler")
		}
	})
}

// TestWebhookConfigErrors: a handler that cannot verify fails closed.
func TestWebhookConfigErrors(t *testing.T) {
	d := newTestDelivery(t, testWebhookSpecs["github"], testWebhookSecret, testEvent(testWebhookSpecs["github"], "push", "1", 1), webhookNow.Unix(), "1")
	for _, tt := range []struct {
		ws     webhookSpec
		secret string
		want   error
	}{
		{testWebhookSpecs["github"], "", errWebhookNoSecret},
		{testWebhookSpecs["header"], "", errWebhookNoSecret},
		// A Standard Webhooks secret that does not decode is a configuration
		// error (500), not a wrong signature (401).
		{testWebhookSpecs["standard"], "whsec_not*base64!", errWebhookBadSecret},
		{testWebhookSpecs["standard"], "whsec_", errWebhookBadSecret},
		{webhookSpec{scheme: "rsa", header: "X-Hub-Signature-256"}, testWebhookSecret, errWebhookScheme},
		{webhookSpec{scheme: "github", header: "X-Hub-Signature-256", prefix: "sha256=", algorithm: "md5"}, testWebhookSecret, errWebhookScheme},
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(d.body)))
		req.Header = d.header
		if _, err := verifyWebhook(tt.ws, req, tt.secret, nil); !errors.Is(err, tt.want) {
			t.Errorf("%+v: err %v, want %v", tt.ws, err, tt.want)
		}
		w := httptest.NewRecorder()
		req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(d.body)))
		req.Header = d.header
		newWebhookHandler(tt.ws, tt.secret, nil, testHandlers{}.decode).ServeHTTP(w, req)
		if w.Code != http.StatusInternalServerError {
			t.Errorf("%+v: handler %d, want 500", tt.ws, w.Code)
		}
	}
	// So is a bad old secret kept for rotation, and the answer never holds it.
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	newWebhookHandler(testWebhookSpecs["standard"], testWebhookSecret, &WebhookOptions{OldSecrets: []string{"whsec_%%old%%"}}, testHandlers{}.decode).ServeHTTP(w, req)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("bad old secret: %d, want 500", w.Code)
	}
	assertNoLeak(t, "bad secret answer", w.Body.String(), "%%old%%", testWebhookSecret)
	// The header scheme with an empty header does not match an empty secret.
	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	req.Header.Set("Authorization", "")
	if _, err := verifyWebhook(testWebhookSpecs["header"], req, "", &WebhookOptions{OldSecrets: []string{""}}); err == nil {
		t.Error("an empty secret was accepted")
	}
}

func TestWebhookSeenStore(t *testing.T) {
	ws := testWebhookSpecs["none"]
	ws.connector = "acme"
	store := &fakeSeenStore{mem: newMemorySeenStore(time.Hour, 100, func() time.Time { return webhookNow })}
	store.mem.Done(context.Background(), "acme/old", true)
	var rec recorder
	opts := testOptions()
	opts.Seen = store
	opts.ClaimTTL = 7 * time.Minute
	url, _ := serveWebhook(t, ws, "", opts, rec.handlers().decode)
	post := func(body string) int {
		return send(t, http.MethodPost, url, strings.NewReader(body), nil).status
	}
	if got := post(`{"type":"email.sent","id":"old","amount":1}`); got != 200 {
		t.Errorf("handled id: %d", got)
	}
	if got := post(`{"type":"email.sent","id":"new","amount":2}`); got != 200 {
		t.Errorf("new id: %d", got)
	}
	if got := post(`{"type":"email.sent","amount":9}`); got != 200 {
		t.Errorf("no id: %d", got)
	}
	want := []string{"claim acme/old 7m0s", "claim acme/new 7m0s", "done acme/new true"}
	if got := store.log(); !slices.Equal(got, want) {
		t.Errorf("store calls %q, want %q (ids under the connector's name; none without an id)", got, want)
	}
	store.fail(errors.New("store down"), nil)
	if got := post(`{"type":"email.sent","id":"x","amount":3}`); got != 500 {
		t.Errorf("Claim failing: %d, want 500", got)
	}
	// A Done that fails after the handler succeeded is a 500: the service
	// delivers again, and the event is handled again once the claim ends.
	store.fail(nil, errors.New("store down"))
	if got := post(`{"type":"email.sent","id":"y","amount":4}`); got != 500 {
		t.Errorf("Done failing after the handler succeeded: %d, want 500", got)
	}
	want = []string{"email.sent new 2", "email.sent  9", "email.sent y 4"}
	if got := rec.calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("handled %q, want %q", got, want)
	}
}

// fakeSeenStore is a memory store whose calls are logged and can fail.
type fakeSeenStore struct {
	mem               *memorySeenStore
	mu                sync.Mutex
	calls             []string
	claimErr, doneErr error
}

func (s *fakeSeenStore) fail(claimErr, doneErr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claimErr, s.doneErr = claimErr, doneErr
}

func (s *fakeSeenStore) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *fakeSeenStore) Claim(ctx context.Context, id string, ttl time.Duration) (ClaimState, error) {
	s.mu.Lock()
	s.calls = append(s.calls, fmt.Sprintf("claim %s %v", id, ttl))
	err := s.claimErr
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return s.mem.Claim(ctx, id, ttl)
}

func (s *fakeSeenStore) Done(ctx context.Context, id string, ok bool) error {
	s.mu.Lock()
	s.calls = append(s.calls, fmt.Sprintf("done %s %v", id, ok))
	err := s.doneErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.mem.Done(ctx, id, ok)
}

// TestWebhookConcurrentCopies: copies of one event arriving together are
// handled once. While the first is in its handler the others get 409 (the
// service retries them), and once it is done, 200.
func TestWebhookConcurrentCopies(t *testing.T) {
	ws := testWebhookSpecs["stripe"]
	entered, release := make(chan struct{}, 8), make(chan struct{})
	var calls atomic.Int32
	h := testHandlers{OnEmailSent: func(ctx context.Context, ev WebhookEvent[testSentEvent]) error {
		calls.Add(1)
		entered <- struct{}{}
		<-release
		return nil
	}}
	url, _ := serveWebhook(t, ws, testWebhookSecret, testOptions(), h.decode)
	d := newTestDelivery(t, ws, testWebhookSecret, testEvent(ws, "email.sent", "evt_pay_1", 100), webhookNow.Unix(), "")

	const copies = 8
	statuses := make(chan int, copies)
	start := make(chan struct{})
	for range copies {
		go func() {
			<-start
			statuses <- d.post(t, url).status
		}()
	}
	close(start)
	// Whichever copy claimed the event is blocked in its handler, so the
	// other seven can only be answered 409.
	for range copies - 1 {
		if got := <-statuses; got != http.StatusConflict {
			t.Errorf("a copy while the event is being handled: %d, want 409", got)
		}
	}
	<-entered
	close(release)
	if got := <-statuses; got != 200 {
		t.Errorf("the copy that handled it: %d, want 200", got)
	}
	if got := d.post(t, url).status; got != 200 {
		t.Errorf("a copy after it was handled: %d, want 200", got)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times for %d copies, want once", n, copies+1)
	}
}

// TestWebhookClaimExpires: a claim never ended (the process died inside the
// handler) expires after ClaimTTL, so the retry is handled instead of
// answered 409 forever; the handler's context ends at the same moment.
func TestWebhookClaimExpires(t *testing.T) {
	ws := testWebhookSpecs["none"]
	var mu sync.Mutex
	now := webhookNow
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	store := newMemorySeenStore(24*time.Hour, 100, clock)
	// The crashed process's claim, in a store the replicas share.
	if st, _ := store.Claim(context.Background(), "/ev_1", time.Minute); st != Claimed {
		t.Fatalf("first claim: %v", st)
	}
	var rec recorder
	url, _ := serveWebhook(t, ws, "", &WebhookOptions{Now: clock, Seen: store, ClaimTTL: time.Minute}, rec.handlers().decode)
	body := `{"type":"email.sent","id":"ev_1","amount":1}`
	if got := send(t, http.MethodPost, url, strings.NewReader(body), nil).status; got != 409 {
		t.Errorf("while claimed: %d, want 409", got)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if got := send(t, http.MethodPost, url, strings.NewReader(body), nil).status; got != 200 {
		t.Errorf("after the claim expired: %d, want 200", got)
	}
	if got := send(t, http.MethodPost, url, strings.NewReader(body), nil).status; got != 200 {
		t.Errorf("after it was handled: %d, want 200", got)
	}
	if got := rec.calls(); len(got) != 1 {
		t.Errorf("handled %q, want once", got)
	}

	// The handler's context has the claim's deadline.
	deadline := make(chan time.Duration, 1)
	h := testHandlers{OnEmailSent: func(ctx context.Context, ev WebhookEvent[testSentEvent]) error {
		d, ok := ctx.Deadline()
		if !ok {
			d = time.Time{}
		}
		deadline <- time.Until(d)
		<-ctx.Done() // a handler that never ends on its own
		return ctx.Err()
	}}
	url, _ = serveWebhook(t, ws, "", &WebhookOptions{Now: clock, ClaimTTL: 50 * time.Millisecond}, h.decode)
	if got := send(t, http.MethodPost, url, strings.NewReader(body), nil).status; got != 500 {
		t.Errorf("a handler cut off at the claim's end: %d, want 500", got)
	}
	if d := <-deadline; d <= 0 || d > 50*time.Millisecond {
		t.Errorf("handler deadline in %v, want within the claim's 50ms", d)
	}
}

// TestWebhookPanicReleasesClaim: a handler that panics is a 500, and its
// claim is released, so the service's retry is handled.
func TestWebhookPanicReleasesClaim(t *testing.T) {
	ws := testWebhookSpecs["none"]
	var n atomic.Int32
	h := testHandlers{OnEmailSent: func(ctx context.Context, ev WebhookEvent[testSentEvent]) error {
		if n.Add(1) == 1 {
			panic("handler bug")
		}
		return nil
	}}
	url, _ := serveWebhook(t, ws, "", testOptions(), h.decode)
	body := `{"type":"email.sent","id":"ev_1","amount":1}`
	for i, want := range []int{500, 200, 200} {
		r := send(t, http.MethodPost, url, strings.NewReader(body), nil)
		if r.status != want {
			t.Errorf("delivery %d: %d, want %d", i, r.status, want)
		}
		assertNoLeak(t, "panic answer", r.body, "handler bug")
	}
	if got := n.Load(); got != 2 {
		t.Errorf("handler ran %d times, want 2 (the panic, then the retry)", got)
	}
}

// TestWebhookBatchRepeatedIDs: an event repeated inside one batch (the same
// id read from two elements) is handled once; a delivery id shared by the
// whole batch is claimed once.
func TestWebhookBatchRepeatedIDs(t *testing.T) {
	ws := webhookSpec{scheme: "header", header: "Authorization", batch: "data.events", eventType: "eventType", eventID: "uuid", connector: "okta"}
	store := &fakeSeenStore{mem: newMemorySeenStore(time.Hour, 100, time.Now)}
	var rec recorder
	url, _ := serveWebhook(t, ws, "s3cret-value", &WebhookOptions{Seen: store}, rec.handlers().decode)
	body := `{"data":{"events":[` +
		`{"eventType":"email.sent","uuid":"b","amount":1},{"eventType":"email.sent","uuid":"a","amount":2},` +
		`{"eventType":"email.sent","uuid":"b","amount":1},{"eventType":"email.sent","amount":3},{"eventType":"email.sent","amount":3}]}}`
	if r := send(t, http.MethodPost, url, strings.NewReader(body), http.Header{"Authorization": {"s3cret-value"}}); r.status != 200 {
		t.Errorf("batch: %d", r.status)
	}
	want := []string{"email.sent b 1", "email.sent a 2", "email.sent  3", "email.sent  3"}
	if got := rec.calls(); !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q (b once; events without an id each)", got, want)
	}
	// Claimed in sorted order, each once.
	wantLog := []string{"claim okta/a 5m0s", "claim okta/b 5m0s", "done okta/b true", "done okta/a true"}
	if got := store.log(); !slices.Equal(got, wantLog) {
		t.Errorf("store calls %q, want %q", got, wantLog)
	}

	shared := testWebhookSpecs["github"]
	shared.batch, shared.eventType, shared.connector = "events", "type", "gh"
	store = &fakeSeenStore{mem: newMemorySeenStore(time.Hour, 100, time.Now)}
	rec = recorder{}
	url, _ = serveWebhook(t, shared, testWebhookSecret, &WebhookOptions{Seen: store}, rec.handlers().decode)
	body = `{"events":[{"type":"email.sent","amount":1},{"type":"email.sent","amount":2}]}`
	m := hmac.New(sha256.New, []byte(testWebhookSecret))
	io.WriteString(m, body)
	h := http.Header{"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(m.Sum(nil))}, "X-Github-Delivery": {"d-1"}}
	for range 2 {
		if r := send(t, http.MethodPost, url, strings.NewReader(body), h); r.status != 200 {
			t.Errorf("shared id: %d", r.status)
		}
	}
	if got := rec.calls(); !slices.Equal(got, []string{"email.sent d-1 1", "email.sent d-1 2"}) {
		t.Errorf("handled %q, want both events once", got)
	}
	if got := store.log(); !slices.Equal(got, []string{"claim gh/d-1 5m0s", "done gh/d-1 true", "claim gh/d-1 5m0s"}) {
		t.Errorf("store calls %q: want the delivery's id claimed once per delivery", got)
	}
}

// TestWebhookBatchInProgress: a batch one of whose events another delivery
// is handling gets 409 and runs no handler; the ids it had claimed are
// released, so its retry is handled whole.
func TestWebhookBatchInProgress(t *testing.T) {
	ws := webhookSpec{scheme: "none", batch: "events", eventType: "type", eventID: "id"}
	store := newMemorySeenStore(time.Hour, 100, time.Now)
	var rec recorder
	url, _ := serveWebhook(t, ws, "", &WebhookOptions{Seen: store}, rec.handlers().decode)
	if st, _ := store.Claim(context.Background(), "/b", time.Hour); st != Claimed {
		t.Fatal(st)
	}
	body := `{"events":[{"type":"email.sent","id":"a","amount":1},{"type":"email.sent","id":"b","amount":2}]}`
	if r := send(t, http.MethodPost, url, strings.NewReader(body), nil); r.status != 409 {
		t.Errorf("batch with an event in progress: %d, want 409", r.status)
	}
	if got := rec.calls(); len(got) != 0 {
		t.Errorf("handlers ran: %q", got)
	}
	store.Done(context.Background(), "/b", false)
	if r := send(t, http.MethodPost, url, strings.NewReader(body), nil); r.status != 200 {
		t.Errorf("retry: %d, want 200", r.status)
	}
	if got := rec.calls(); !slices.Equal(got, []string{"email.sent a 1", "email.sent b 2"}) {
		t.Errorf("retry handled %q", got)
	}
}

// TestWebhookOwnMemory: each handler built without opts.Seen keeps its own.
func TestWebhookOwnMemory(t *testing.T) {
	ws := testWebhookSpecs["none"]
	var rec recorder
	body := `{"type":"email.sent","id":"same","amount":1}`
	for range 2 {
		url, _ := serveWebhook(t, ws, "", testOptions(), rec.handlers().decode)
		for range 2 {
			send(t, http.MethodPost, url, strings.NewReader(body), nil)
		}
	}
	if got := rec.calls(); len(got) != 2 {
		t.Errorf("handled %q, want once per handler", got)
	}
}

func TestMemorySeenStore(t *testing.T) {
	ctx := context.Background()
	now := webhookNow
	s := newMemorySeenStore(time.Hour, 3, func() time.Time { return now })
	claim := func(id string) ClaimState {
		st, err := s.Claim(ctx, id, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	handle := func(id string) {
		if st := claim(id); st != Claimed {
			t.Fatalf("claim %s: %v", id, st)
		}
		s.Done(ctx, id, true)
	}
	if claim("a") != Claimed || claim("a") != InProgress {
		t.Error("a second claim of an id being handled is not InProgress")
	}
	s.Done(ctx, "a", false) // released
	if claim("a") != Claimed {
		t.Error("a released claim cannot be claimed again")
	}
	s.Done(ctx, "a", true)
	if claim("a") != Handled {
		t.Error("a handled id is not Handled")
	}
	now = now.Add(30 * time.Minute)
	handle("b")
	if claim("x") != Claimed {
		t.Error("x")
	}
	now = now.Add(10 * time.Minute) // x's claim expires
	if claim("x") != Claimed {
		t.Error("an expired claim is still in progress")
	}
	s.Done(ctx, "x", false)
	now = now.Add(21 * time.Minute) // a is 61 minutes old
	if claim("a") != Claimed || claim("b") != Handled {
		t.Error("a should have expired, b not")
	}
	s.Done(ctx, "a", false)
	handle("c")
	handle("d")
	handle("e") // over the cap of 3: b, the oldest, goes
	if claim("b") != Claimed || claim("c") != Handled || claim("d") != Handled || claim("e") != Handled {
		t.Error("cap: b should have been dropped, c d e kept")
	}
	if len(s.at) > 3 || len(s.order)-s.head > 3 {
		t.Errorf("holding %d ids, %d in order", len(s.at), len(s.order)-s.head)
	}

	// Many ids over a long time stay within the cap, and the queue is
	// compacted; expired claims are swept.
	for i := range 10_000 {
		now = now.Add(time.Second)
		handle(strconv.Itoa(i))
		claim("abandoned-" + strconv.Itoa(i))
	}
	if len(s.at) != 3 || cap(s.order) > 64 {
		t.Errorf("holding %d ids, order cap %d", len(s.at), cap(s.order))
	}
	if len(s.claims) > 2*600+64 {
		t.Errorf("holding %d claims; those older than their 10m are swept", len(s.claims))
	}

	// Claims are atomic: of goroutines claiming one id together, one wins
	// (run with -race).
	c := newMemorySeenStore(time.Hour, 100, time.Now)
	for i := range 200 {
		id := strconv.Itoa(i)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if st, _ := c.Claim(ctx, id, time.Minute); st == Claimed {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("id %s claimed %d times", id, wins.Load())
		}
		c.Done(ctx, id, true)
	}
	if len(c.at) != 100 || len(c.claims) != 0 {
		t.Errorf("holding %d ids and %d claims, want the cap of 100 and none", len(c.at), len(c.claims))
	}
}

func TestWebhookSeenKeep(t *testing.T) {
	// The default memory keeps ids for a day, or the tolerance when longer.
	for _, tt := range []struct {
		tolerance time.Duration
		want      time.Duration
	}{{0, 24 * time.Hour}, {time.Hour, 24 * time.Hour}, {48 * time.Hour, 48 * time.Hour}} {
		h := newWebhookHandler(webhookSpec{scheme: "none", tolerance: tt.tolerance}, "", nil, testHandlers{}.decode).(*webhookHandler)
		if got := h.opts.Seen.(*memorySeenStore).keep; got != tt.want {
			t.Errorf("tolerance %v: keep %v, want %v", tt.tolerance, got, tt.want)
		}
	}
}

func TestWebhookCall(t *testing.T) {
	ev := WebhookEvent[json.RawMessage]{ID: "1", Type: "t", Time: webhookNow, Header: http.Header{"A": {"b"}}, Payload: json.RawMessage(`{"amount": 7}`)}
	var raw WebhookEvent[json.RawMessage]
	call, err := webhookCall(ev, func(_ context.Context, e WebhookEvent[json.RawMessage]) error { raw = e; return nil })
	if err != nil || call(context.Background()) != nil || string(raw.Payload) != `{"amount": 7}` || raw.ID != "1" || raw.Type != "t" || !raw.Time.Equal(webhookNow) || raw.Header.Get("A") != "b" {
		t.Errorf("raw: %+v, %v", raw, err)
	}
	var typed WebhookEvent[testSentEvent]
	call, err = webhookCall(ev, func(_ context.Context, e WebhookEvent[testSentEvent]) error {
		typed = e
		return errors.New("handler says no")
	})
	if err != nil || call(context.Background()) == nil || typed.Payload.Amount != 7 {
		t.Errorf("typed: %+v, %v", typed, err)
	}
	if call, err := webhookCall[testSentEvent](ev, nil); call != nil || err != nil {
		t.Errorf("nil handler: %v, %v", call != nil, err)
	}

	for _, payload := range []string{`{"amount":"secret-ish value"}`, `[1]`, `"text"`} {
		ev.Payload = json.RawMessage(payload)
		_, err := webhookCall(ev, func(context.Context, WebhookEvent[testSentEvent]) error { return nil })
		if !errors.Is(err, errWebhookDecode) {
			t.Errorf("%s: err %v, want %v", payload, err, errWebhookDecode)
			continue
		}
		assertNoLeak(t, "decode error", err.Error(), "secret-ish value", payload)
	}
	// A type with its own decoding, whose error would quote the value.
	type timed struct {
		At time.Time `json:"at"`
	}
	ev.Payload = json.RawMessage(`{"at":"not-a-time-but-private"}`)
	_, err = webhookCall(ev, func(context.Context, WebhookEvent[timed]) error { return nil })
	if !errors.Is(err, errWebhookDecode) {
		t.Errorf("time: %v", err)
	} else {
		assertNoLeak(t, "decode error", err.Error(), "not-a-time-but-private")
	}
}

func TestWebhookSignedParts(t *testing.T) {
	for _, tt := range []struct{ template, want string }{
		{"{body}", "B{id}"},
		{"{id}.{timestamp}.{body}", "I.T.B{id}"},
		{"v0:{timestamp}:{body}", "v0:T:B{id}"},
		{"{x}{body}{", "{x}B{id}{"},
		{"plain", "plain"},
	} {
		var b strings.Builder
		for _, p := range webhookSignedParts(tt.template, []byte("B{id}"), "T", "I") {
			b.Write(p)
		}
		if b.String() != tt.want {
			t.Errorf("%q: %q, want %q", tt.template, b.String(), tt.want)
		}
	}
}

func TestWebhookText(t *testing.T) {
	doc := []byte(`{"a":{"b":"x","n":12345678901234567890,"o":{},"z":null},"t":true}`)
	for _, tt := range []struct {
		path, want string
		ok         bool
	}{
		{"a.b", "x", true}, {"a.n", "12345678901234567890", true}, {"a.o", "", false},
		{"a.z", "", false}, {"t", "", false}, {"a.b.c", "", false}, {"missing", "", false},
	} {
		if got, _, ok := jsonText(doc, tt.path); got != tt.want || ok != tt.ok {
			t.Errorf("%s: %q %v, want %q %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWebhookErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{errWebhookSignature, "webhook: signature does not match"},
		{errWebhookTimestamp, "webhook: timestamp outside tolerance"},
		{errWebhookNoSignature, "webhook: signature missing"},
		{errWebhookTooLarge, "webhook: body larger than MaxBodyBytes"},
	} {
		if tt.err.Error() != tt.want {
			t.Errorf("%q, want %q", tt.err, tt.want)
		}
	}
	err := &webhookError{status: errWebhookReadBody.status, msg: errWebhookReadBody.msg, err: io.ErrUnexpectedEOF}
	if !errors.Is(err, errWebhookReadBody) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errWebhookDecode) {
		t.Errorf("errors.Is on %v", err)
	}
}
