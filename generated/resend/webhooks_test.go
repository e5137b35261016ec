package resend

// Behaviour tests of the generated webhook handler: deliveries signed the
// Standard Webhooks way (as Svix signs Resend's) reach the typed handlers.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var whKey = []byte("resend-test-signing-key-0123456789")
var whSecret = "whsec_" + base64.StdEncoding.EncodeToString(whKey)

// delivery is a POST signed as Svix signs it.
func delivery(id string, ts time.Time, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/resend", strings.NewReader(body))
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, whKey)
	mac.Write([]byte(id + "." + t + "." + body))
	r.Header.Set("webhook-id", id)
	r.Header.Set("webhook-timestamp", t)
	r.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return r
}

const bounced = `{"type":"email.bounced","created_at":"2026-11-30T10:00:00Z","data":{"email_id":"em_1","to":["a@example.com"],"bounce":{"message":"mailbox full","type":"Transient"}}}`

func TestWebhookTypedDelivery(t *testing.T) {
	var got []WebhookEvent[EmailEvent]
	var other []string
	h := NewWebhookHandler(whSecret, WebhookHandlers{
		OnEmailBounced: func(_ context.Context, ev WebhookEvent[EmailEvent]) error {
			got = append(got, ev)
			return nil
		},
		OnOther: func(_ context.Context, ev WebhookEvent[json.RawMessage]) error {
			other = append(other, ev.Type)
			return nil
		},
	}, nil)
	send := func(r *http.Request) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	now := time.Now()
	if code := send(delivery("msg_1", now, bounced)); code != http.StatusOK {
		t.Fatalf("signed delivery answered %d, want 200", code)
	}
	if len(got) != 1 || got[0].ID != "msg_1" || got[0].Type != "email.bounced" ||
		got[0].Payload.Data.EmailID != "em_1" || got[0].Payload.Data.Bounce.Message == nil || got[0].Time.Unix() != now.Unix() {
		t.Fatalf("OnEmailBounced got %+v", got)
	}
	// A redelivery of a handled id is acknowledged without a second call.
	if code := send(delivery("msg_1", now, bounced)); code != http.StatusOK || len(got) != 1 {
		t.Errorf("redelivery: %d and %d calls, want 200 and 1", code, len(got))
	}
	// A type no field handles goes to OnOther; a nil field acknowledges.
	send(delivery("msg_2", now, `{"type":"contact.created","data":{}}`))
	send(delivery("msg_3", now, `{"type":"email.opened","created_at":"2026-11-30T10:00:00Z","data":{"email_id":"em_2"}}`))
	if len(other) != 1 || other[0] != "contact.created" {
		t.Errorf("OnOther got %q, want contact.created alone", other)
	}
	// The event must fit its type: created_at is a date-time.
	if code := send(delivery("msg_4", now, `{"type":"email.bounced","created_at":7,"data":{"email_id":"x"}}`)); code != http.StatusBadRequest {
		t.Errorf("ill-typed event answered %d, want 400", code)
	}
	// Tampered, stale, unsigned.
	r := delivery("msg_5", now, bounced)
	r.Body = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Replace(bounced, "em_1", "em_9", 1))).Body
	if code := send(r); code != http.StatusUnauthorized {
		t.Errorf("tampered body answered %d, want 401", code)
	}
	if code := send(delivery("msg_6", now.Add(-time.Hour), bounced)); code != http.StatusUnauthorized {
		t.Errorf("hour-old timestamp answered %d, want 401", code)
	}
	r = delivery("msg_7", now, bounced)
	r.Header.Del("webhook-signature")
	if code := send(r); code != http.StatusUnauthorized {
		t.Errorf("unsigned delivery answered %d, want 401", code)
	}
	if len(got) != 1 {
		t.Errorf("refused deliveries reached the handler: %d calls", len(got))
	}
}

func TestWebhookHandlerErrorIsRetried(t *testing.T) {
	calls := 0
	h := NewWebhookHandler(whSecret, WebhookHandlers{
		OnEmailBounced: func(context.Context, WebhookEvent[EmailEvent]) error {
			calls++
			if calls == 1 {
				return errors.New("database down")
			}
			return nil
		},
	}, nil)
	for i, want := range []int{http.StatusInternalServerError, http.StatusOK, http.StatusOK} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, delivery("msg_r", time.Now(), bounced))
		if w.Code != want {
			t.Errorf("delivery %d answered %d, want %d", i+1, w.Code, want)
		}
	}
	if calls != 2 {
		t.Errorf("handler called %d times, want 2: once failing, once on the retry, not on the redelivery", calls)
	}
}

func TestVerifyWebhook(t *testing.T) {
	body, err := VerifyWebhook(delivery("msg_v", time.Now(), bounced), whSecret, nil)
	if err != nil || string(body) != bounced {
		t.Fatalf("VerifyWebhook = %q, %v", body, err)
	}
	_, err = VerifyWebhook(delivery("msg_v", time.Now(), bounced), "whsec_"+base64.StdEncoding.EncodeToString([]byte("another key")), nil)
	if err == nil {
		t.Fatal("a wrong secret verified")
	}
	if strings.Contains(err.Error(), whSecret) || strings.Contains(err.Error(), "em_1") {
		t.Errorf("error %q shows the secret or the body", err)
	}
}

// Resend's deliveries come from Svix with Svix's header names.
func TestWebhookSvixHeaderNames(t *testing.T) {
	var got string
	h := NewWebhookHandler(whSecret, WebhookHandlers{
		OnEmailBounced: func(_ context.Context, ev WebhookEvent[EmailEvent]) error {
			got = ev.ID
			return nil
		},
	}, nil)
	r := delivery("msg_svix", time.Now(), bounced)
	for _, k := range []string{"id", "timestamp", "signature"} {
		r.Header.Set("svix-"+k, r.Header.Get("webhook-"+k))
		r.Header.Del("webhook-" + k)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || got != "msg_svix" {
		t.Fatalf("svix-* delivery answered %d, handler saw id %q; want 200 and msg_svix", w.Code, got)
	}
}
