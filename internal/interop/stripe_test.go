package interop

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/conngen/conngen/generated/stripe"
)

const (
	stripeSecret    = "whsec_conngenInteropStripeSigningSecret01"
	stripeOldSecret = "whsec_conngenInteropStripeSigningSecret00"
)

// stripeEvent is a payment_intent.succeeded event as Stripe sends it, with
// the API version stripe-go expects, so its ConstructEvent takes it whole.
func stripeEvent(created time.Time) []byte {
	return fmt.Appendf(nil, `{"id":"evt_3InteropEvt0001","object":"event","api_version":%q,"created":%d,"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"payment_intent.succeeded","data":{"object":{"id":"pi_3InteropPi0001","object":"payment_intent","amount":2000,"amount_received":2000,"currency":"usd","created":%d,"livemode":false,"metadata":{"order":"A-17"},"payment_method_types":["card"],"status":"succeeded"}}}`,
		stripego.APIVersion, created.Unix(), created.Unix())
}

// stripeHandler is the generated handler recording the payment_intent.succeeded
// events it is given; any other event fails the test.
func stripeHandler(t *testing.T, secret string, opts *stripe.WebhookOptions) (http.Handler, *[]stripe.WebhookEvent[stripe.PaymentIntentEvent]) {
	var got []stripe.WebhookEvent[stripe.PaymentIntentEvent]
	h := stripe.NewWebhookHandler(secret, stripe.WebhookHandlers{
		OnPaymentIntentSucceeded: func(_ context.Context, ev stripe.WebhookEvent[stripe.PaymentIntentEvent]) error {
			got = append(got, ev)
			return nil
		},
		OnOther: func(_ context.Context, ev stripe.WebhookEvent[json.RawMessage]) error {
			t.Errorf("OnOther called for %q", ev.Type)
			return nil
		},
	}, opts)
	return h, &got
}

// stripeVerify is stripe-go's own verifier, run on what the server received.
func stripeVerify(secret string) func(r *http.Request) error {
	return func(r *http.Request) error {
		body, err := readAll(r)
		if err != nil {
			return err
		}
		_, err = webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret)
		return err
	}
}

func checkPaymentIntentSucceeded(t *testing.T, got []stripe.WebhookEvent[stripe.PaymentIntentEvent], signedAt time.Time) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("OnPaymentIntentSucceeded called %d times, want 1", len(got))
	}
	ev := got[0]
	if ev.ID != "evt_3InteropEvt0001" || ev.Type != "payment_intent.succeeded" {
		t.Errorf("event ID, Type = %q, %q", ev.ID, ev.Type)
	}
	if ev.Time.Unix() != signedAt.Unix() {
		t.Errorf("event Time = %v, want the signed timestamp %v", ev.Time, signedAt)
	}
	p := ev.Payload
	if p.ID != ev.ID || p.Type != ev.Type || p.Created != signedAt.Unix() {
		t.Errorf("payload id, type, created = %q, %q, %d", p.ID, p.Type, p.Created)
	}
	pi := p.Data.Object
	if pi.ID != "pi_3InteropPi0001" || pi.Object != stripe.PaymentIntentObjectPaymentIntent || pi.Amount != 2000 ||
		pi.Currency != "usd" || pi.Status != "succeeded" || pi.Metadata["order"] != "A-17" {
		t.Errorf("payment intent = %+v", pi)
	}
	if pi.AmountReceived == nil || *pi.AmountReceived != 2000 {
		t.Errorf("payment intent amount_received = %v", pi.AmountReceived)
	}
}

// A delivery signed by stripe-go's webhook.GenerateTestSignedPayload is
// handled; the same delivery with its body changed is refused with 401.
func TestStripeLibrarySignedDeliveryIsHandled(t *testing.T) {
	now := time.Now()
	body := stripeEvent(now)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: stripeSecret, Timestamp: now})

	h, got := stripeHandler(t, stripeSecret, nil)
	srv, lib := serve(t, stripeVerify(stripeSecret), h)
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Stripe-Signature": {signed.Header}}

	status, answer, _ := post(t, srv, signed.Payload, header)
	if err := lib.last(t); err != nil {
		t.Fatalf("stripe-go refused its own signed payload: %v", err)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, answer)
	}
	checkPaymentIntentSucceeded(t, *got, now)

	tampered := tamper(t, signed.Payload, `"amount":2000`, `"amount":1`)
	status, _, _ = post(t, srv, tampered, header)
	if !errors.Is(lib.last(t), webhook.ErrNoValidSignature) {
		t.Errorf("stripe-go on the tampered body: %v, want ErrNoValidSignature", lib.last(t))
	}
	if status != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", status)
	}
	if len(*got) != 1 {
		t.Errorf("handler called for a tampered body")
	}
}

// stripeSign signs the Stripe way: Stripe-Signature t=<ts>,v1=<hex HMAC-SHA256
// of "<ts>.<body>">, one v1 per secret (Stripe sends two while a secret rolls).
func stripeSign(at time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	header := "t=" + ts
	for _, s := range secrets {
		header += ",v1=" + hex.EncodeToString(hmacSHA256([]byte(s), ts, ".", string(body)))
	}
	return header
}

// What a test signs the Stripe way, stripe-go's webhook.ConstructEvent
// accepts, and so does the generated handler, byte for byte the same
// request; with two v1 signatures (a rolled secret) as well.
func TestStripeConstructEventAcceptsOurSigning(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secrets []string // signed with
		opts    *stripe.WebhookOptions
	}{
		{"one signature", []string{stripeSecret}, nil},
		{"rolled secret, new handler", []string{stripeOldSecret, stripeSecret}, nil},
		{"rolled secret, old signature only", []string{stripeOldSecret}, &stripe.WebhookOptions{OldSecrets: []string{stripeOldSecret}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			body := stripeEvent(now)
			sig := stripeSign(now, body, tc.secrets...)

			verifyWith := tc.secrets[len(tc.secrets)-1] // the secret the library is given
			ev, err := webhook.ConstructEvent(body, sig, verifyWith)
			if err != nil {
				t.Fatalf("stripe-go ConstructEvent: %v", err)
			}
			if ev.ID != "evt_3InteropEvt0001" || ev.Type != stripego.EventTypePaymentIntentSucceeded || ev.Data == nil || ev.Data.Object["id"] != "pi_3InteropPi0001" {
				t.Errorf("stripe-go event = %q %q %v", ev.ID, ev.Type, ev.Data)
			}

			h, got := stripeHandler(t, stripeSecret, tc.opts)
			srv, lib := serve(t, stripeVerify(verifyWith), h)
			status, answer, _ := post(t, srv, body, http.Header{"Content-Type": {"application/json"}, "Stripe-Signature": {sig}})
			if err := lib.last(t); err != nil {
				t.Errorf("stripe-go on the received request: %v", err)
			}
			if status != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", status, answer)
			}
			checkPaymentIntentSucceeded(t, *got, now)
		})
	}
}
