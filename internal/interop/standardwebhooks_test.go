package interop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/conngen/conngen/generated/resend"
)

// The whsec_ secrets Resend (through Svix) hands out: the prefix, then the
// base64 of the HMAC key.
var (
	standardKey       = []byte("conngen interop: standard webhooks key 01")
	standardOldKey    = []byte("conngen interop: standard webhooks key 00")
	standardSecret    = "whsec_" + base64.StdEncoding.EncodeToString(standardKey)
	standardOldSecret = "whsec_" + base64.StdEncoding.EncodeToString(standardOldKey)
)

const standardMsgID = "msg_2yZwUhtgs5Ai8T9yRQJXA"

// emailDelivered is an email.delivered event as Resend sends it.
func emailDelivered(at time.Time) []byte {
	return fmt.Appendf(nil, `{"type":"email.delivered","created_at":%q,"data":{"email_id":"4ef9a417-02e9-4d39-ad75-9611e0fcc33c","from":"Acme <onboarding@resend.dev>","to":["delivered@resend.dev"],"subject":"Sending this example","created_at":%q,"tags":{"category":"confirm_email"}}}`,
		at.UTC().Format(time.RFC3339Nano), at.UTC().Format(time.RFC3339Nano))
}

// signer and verifier are what both Go libraries offer.
type standardLibrary struct {
	name   string
	sign   func(secret, id string, at time.Time, body []byte) (string, error)
	verify func(secret string, body []byte, h http.Header) error
}

var standardLibraries = []standardLibrary{
	{
		name: "standard-webhooks",
		sign: func(secret, id string, at time.Time, body []byte) (string, error) {
			wh, err := standardwebhooks.NewWebhook(secret)
			if err != nil {
				return "", err
			}
			return wh.Sign(id, at, body)
		},
		verify: func(secret string, body []byte, h http.Header) error {
			wh, err := standardwebhooks.NewWebhook(secret)
			if err != nil {
				return err
			}
			return wh.Verify(body, h)
		},
	},
	{
		name: "svix",
		sign: func(secret, id string, at time.Time, body []byte) (string, error) {
			wh, err := svix.NewWebhook(secret)
			if err != nil {
				return "", err
			}
			return wh.Sign(id, at, body)
		},
		verify: func(secret string, body []byte, h http.Header) error {
			wh, err := svix.NewWebhook(secret)
			if err != nil {
				return err
			}
			return wh.Verify(body, h)
		},
	},
}

// resendHandler is the generated handler recording the email.delivered
// events it is given; any other event fails the test.
func resendHandler(t *testing.T, secret string, opts *resend.WebhookOptions) (http.Handler, *[]resend.WebhookEvent[resend.EmailEvent]) {
	var got []resend.WebhookEvent[resend.EmailEvent]
	h := resend.NewWebhookHandler(secret, resend.WebhookHandlers{
		OnEmailDelivered: func(_ context.Context, ev resend.WebhookEvent[resend.EmailEvent]) error {
			got = append(got, ev)
			return nil
		},
		OnOther: func(_ context.Context, ev resend.WebhookEvent[json.RawMessage]) error {
			t.Errorf("OnOther called for %q", ev.Type)
			return nil
		},
	}, opts)
	return h, &got
}

func (lib standardLibrary) verifyRequest(secret string) func(r *http.Request) error {
	return func(r *http.Request) error {
		body, err := readAll(r)
		if err != nil {
			return err
		}
		return lib.verify(secret, body, r.Header)
	}
}

func checkEmailDelivered(t *testing.T, got []resend.WebhookEvent[resend.EmailEvent], id string, at time.Time) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("OnEmailDelivered called %d times, want 1", len(got))
	}
	ev := got[0]
	if ev.ID != id || ev.Type != "email.delivered" {
		t.Errorf("event ID, Type = %q, %q; want %q, email.delivered", ev.ID, ev.Type, id)
	}
	if ev.Time.Unix() != at.Unix() {
		t.Errorf("event Time = %v, want the signed timestamp %v", ev.Time, at)
	}
	p := ev.Payload
	if p.Type != "email.delivered" || !p.CreatedAt.Equal(at) || p.Data.EmailID != "4ef9a417-02e9-4d39-ad75-9611e0fcc33c" ||
		p.Data.Subject == nil || *p.Data.Subject != "Sending this example" || len(p.Data.To) != 1 || p.Data.Tags["category"] != "confirm_email" {
		t.Errorf("payload = %+v", p)
	}
}

// standardHeader is a delivery's headers under the Standard Webhooks names.
func standardHeader(id string, at time.Time, signature string) http.Header {
	return http.Header{
		"Content-Type":      {"application/json"},
		"Webhook-Id":        {id},
		"Webhook-Timestamp": {strconv.FormatInt(at.Unix(), 10)},
		"Webhook-Signature": {signature},
	}
}

// A delivery signed by each library's Webhook.Sign with a whsec_ secret is
// handled (OnEmailDelivered); the same delivery with its body changed is
// refused with 401, as the library refuses it.
func TestStandardWebhooksLibrarySignedDeliveryIsHandled(t *testing.T) {
	for _, lib := range standardLibraries {
		t.Run(lib.name, func(t *testing.T) {
			now := time.Now().Truncate(time.Millisecond)
			body := emailDelivered(now)
			sig, err := lib.sign(standardSecret, standardMsgID, now, body)
			if err != nil {
				t.Fatal(err)
			}
			h, got := resendHandler(t, standardSecret, nil)
			srv, verdict := serve(t, lib.verifyRequest(standardSecret), h)
			header := standardHeader(standardMsgID, now, sig)

			status, answer, _ := post(t, srv, body, header)
			if err := verdict.last(t); err != nil {
				t.Fatalf("%s refused its own signature: %v", lib.name, err)
			}
			if status != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", status, answer)
			}
			checkEmailDelivered(t, *got, standardMsgID, now)

			tampered := tamper(t, body, `delivered@resend.dev`, `attacker@example.com`)
			status, _, _ = post(t, srv, tampered, header)
			if verdict.last(t) == nil {
				t.Errorf("%s accepted the tampered body", lib.name)
			}
			if status != http.StatusUnauthorized {
				t.Errorf("tampered body: status %d, want 401", status)
			}
			if len(*got) != 1 {
				t.Errorf("handler called for a tampered body")
			}
		})
	}
}

// standardSign signs the Standard Webhooks way: v1,<base64 HMAC-SHA256 of
// "<id>.<ts>.<body>"> keyed with the base64-decoded secret, space-separated
// when there are several keys.
func standardSign(id string, at time.Time, body []byte, keys ...[]byte) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	var sig string
	for i, k := range keys {
		if i > 0 {
			sig += " "
		}
		sig += "v1," + base64.StdEncoding.EncodeToString(hmacSHA256(k, id, ".", ts, ".", string(body)))
	}
	return sig
}

// What a test signs the Standard Webhooks way, both libraries' Verify
// accepts and so does the generated handler, the same request bytes; with
// several signatures (a secret being rotated) as well.
func TestStandardWebhooksVerifyAcceptsOurSigning(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys [][]byte
	}{
		{"one signature", [][]byte{standardKey}},
		{"rotating secret", [][]byte{standardOldKey, standardKey}},
	} {
		for _, lib := range standardLibraries {
			t.Run(tc.name+"/"+lib.name, func(t *testing.T) {
				now := time.Now().Truncate(time.Millisecond)
				body := emailDelivered(now)
				header := standardHeader(standardMsgID, now, standardSign(standardMsgID, now, body, tc.keys...))
				if err := lib.verify(standardSecret, body, header); err != nil {
					t.Fatalf("%s Verify: %v", lib.name, err)
				}
				h, got := resendHandler(t, standardSecret, nil)
				srv, verdict := serve(t, lib.verifyRequest(standardSecret), h)
				status, answer, _ := post(t, srv, body, header)
				if err := verdict.last(t); err != nil {
					t.Errorf("%s on the received request: %v", lib.name, err)
				}
				if status != http.StatusOK {
					t.Fatalf("status %d (%s), want 200", status, answer)
				}
				checkEmailDelivered(t, *got, standardMsgID, now)
			})
		}
	}
	// While the secret rotates, the handler holding the old one among
	// OldSecrets takes a delivery signed with the old key alone.
	t.Run("old secret via OldSecrets", func(t *testing.T) {
		now := time.Now().Truncate(time.Millisecond)
		body := emailDelivered(now)
		header := standardHeader(standardMsgID, now, standardSign(standardMsgID, now, body, standardOldKey))
		for _, lib := range standardLibraries {
			if err := lib.verify(standardOldSecret, body, header); err != nil {
				t.Fatalf("%s Verify with the old secret: %v", lib.name, err)
			}
		}
		h, got := resendHandler(t, standardSecret, &resend.WebhookOptions{OldSecrets: []string{standardOldSecret}})
		srv, _ := serve(t, nil, h)
		if status, answer, _ := post(t, srv, body, header); status != http.StatusOK {
			t.Fatalf("status %d (%s), want 200", status, answer)
		}
		checkEmailDelivered(t, *got, standardMsgID, now)
	})
}

// Resend's deliveries, sent through Svix, carry the svix-id, svix-timestamp
// and svix-signature header names (Svix's library reads those first, then
// the webhook-* names). The generated handler takes them as well.
func TestResendSvixHeaderNames(t *testing.T) {
	now := time.Now().Truncate(time.Millisecond)
	body := emailDelivered(now)
	wh, err := svix.NewWebhook(standardSecret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(standardMsgID, now, body)
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{
		"Content-Type":   {"application/json"},
		"Svix-Id":        {standardMsgID},
		"Svix-Timestamp": {strconv.FormatInt(now.Unix(), 10)},
		"Svix-Signature": {sig},
	}
	h, got := resendHandler(t, standardSecret, nil)
	srv, verdict := serve(t, standardLibraries[1].verifyRequest(standardSecret), h)
	status, answer, _ := post(t, srv, body, header)
	if err := verdict.last(t); err != nil {
		t.Fatalf("svix refused its own signature under svix-* headers: %v", err)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, answer)
	}
	checkEmailDelivered(t, *got, standardMsgID, now)
}
