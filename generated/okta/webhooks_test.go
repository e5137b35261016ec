package okta

// Behaviour tests of the generated event hook handler: Okta's one-time
// verification GET, batches of System Log events, and the Authorization
// header as the shared secret.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const hookSecret = "okta-hook-s3cret"

func hookDelivery(auth, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/okta", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

const batch = `{"eventType":"com.okta.event_hook","data":{"events":[
 {"uuid":"e1","eventType":"user.lifecycle.create","published":"2026-11-30T10:00:00Z","target":[{"id":"00u1","type":"User"}]},
 {"uuid":"e2","eventType":"group.user_membership.add","published":"2026-11-30T10:00:01Z"},
 {"uuid":"e3","eventType":"user.session.start","published":"2026-11-30T10:00:02Z"}]}}`

func TestEventHookVerificationChallenge(t *testing.T) {
	h := NewWebhookHandler(hookSecret, WebhookHandlers{}, nil)
	r := httptest.NewRequest(http.MethodGet, "/hooks/okta", nil)
	r.Header.Set("X-Okta-Verification-Challenge", "chal-123")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil || got["verification"] != "chal-123" {
		t.Fatalf("challenge answered %d %s, want 200 {\"verification\":\"chal-123\"}", w.Code, w.Body)
	}
}

func TestEventHookBatch(t *testing.T) {
	var order []string
	h := NewWebhookHandler(hookSecret, WebhookHandlers{
		OnUserCreated: func(_ context.Context, ev WebhookEvent[LogEvent]) error {
			order = append(order, ev.ID+":"+ev.Payload.EventType+":"+*ev.Payload.Target[0].ID)
			return nil
		},
		OnGroupMemberAdded: func(_ context.Context, ev WebhookEvent[LogEvent]) error {
			order = append(order, ev.ID+":"+ev.Type)
			return nil
		},
		OnOther: func(_ context.Context, ev WebhookEvent[json.RawMessage]) error {
			order = append(order, ev.ID+":other")
			return nil
		},
	}, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hookDelivery(hookSecret, batch))
	want := "e1:user.lifecycle.create:00u1 e2:group.user_membership.add e3:other"
	if w.Code != http.StatusOK || strings.Join(order, " ") != want {
		t.Fatalf("answered %d, handlers saw %q; want 200 and %q", w.Code, order, want)
	}
	for _, auth := range []string{"", "wrong", hookSecret + "x"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, hookDelivery(auth, batch))
		if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), hookSecret) {
			t.Errorf("Authorization %q answered %d %q, want 401 without the secret", auth, w.Code, w.Body)
		}
	}
}
