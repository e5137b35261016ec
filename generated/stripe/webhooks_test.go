package stripe

// Behaviour tests of the generated webhook handler with deliveries signed
// as Stripe signs them: Stripe-Signature: t=<unix>,v1=<hex HMAC of "t.body">.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const endpointSecret = "whsec_test_5f2a9c0e"

func stripeDelivery(ts time.Time, body string, secrets ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(body))
	header := fmt.Sprintf("t=%d", ts.Unix())
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		fmt.Fprintf(mac, "%d.%s", ts.Unix(), body)
		header += ",v1=" + hex.EncodeToString(mac.Sum(nil))
	}
	r.Header.Set("Stripe-Signature", header+",v0=ignored")
	return r
}

const succeeded = `{"id":"evt_1","type":"payment_intent.succeeded","created":1764496800,"livemode":false,
 "data":{"object":{"id":"pi_1","object":"payment_intent","amount":2000,"currency":"eur","status":"succeeded","created":1764496700,"livemode":false}}}`

func TestWebhookPaymentIntentSucceeded(t *testing.T) {
	var got WebhookEvent[PaymentIntentEvent]
	h := NewWebhookHandler(endpointSecret, WebhookHandlers{
		OnPaymentIntentSucceeded: func(_ context.Context, ev WebhookEvent[PaymentIntentEvent]) error {
			got = ev
			return nil
		},
	}, nil)
	now := time.Now()
	w := httptest.NewRecorder()
	// Any v1 may match: Stripe sends one per active secret while rolling.
	h.ServeHTTP(w, stripeDelivery(now, succeeded, "whsec_other", endpointSecret))
	if w.Code != http.StatusOK || got.ID != "evt_1" || got.Payload.Data.Object.Amount != 2000 ||
		got.Payload.Data.Object.Status != PaymentIntentStatusSucceeded || got.Time.Unix() != now.Unix() {
		t.Fatalf("answered %d, handler got %+v", w.Code, got)
	}
	for name, r := range map[string]*http.Request{
		"future":       stripeDelivery(now.Add(10*time.Minute), succeeded, endpointSecret),
		"stale":        stripeDelivery(now.Add(-10*time.Minute), succeeded, endpointSecret),
		"wrong key":    stripeDelivery(now, succeeded, "whsec_nope"),
		"no v1 at all": stripeDelivery(now, succeeded),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: answered %d, want 401", name, w.Code)
		}
	}
}
