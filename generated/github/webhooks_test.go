package github

// Behaviour tests of the generated webhook handler with GitHub's own
// documented example and a push delivery.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const hookSecret = "It's a Secret to Everybody"

func githubDelivery(event, id, body, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/github", strings.NewReader(body))
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", id)
	r.Header.Set("X-Hub-Signature-256", signature)
	return r
}

func sign(body string) string {
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// GitHub's "Validating webhook deliveries" example: this secret, this
// payload and this signature.
func TestWebhookGitHubDocumentedExample(t *testing.T) {
	r := githubDelivery("ping", "d1", "Hello, World!", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
	body, err := VerifyWebhook(r, hookSecret, nil)
	if err != nil || string(body) != "Hello, World!" {
		t.Fatalf("VerifyWebhook = %q, %v", body, err)
	}
}

func TestWebhookPush(t *testing.T) {
	var got WebhookEvent[PushEvent]
	h := NewWebhookHandler(hookSecret, WebhookHandlers{
		OnPush: func(_ context.Context, ev WebhookEvent[PushEvent]) error {
			got = ev
			return nil
		},
	}, nil)
	body := `{"ref":"refs/heads/main","before":"a1","after":"b2","commits":[{"id":"b2","message":"Fix it"}]}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, githubDelivery("push", "72d3162e", body, sign(body)))
	if w.Code != http.StatusOK || got.ID != "72d3162e" || got.Type != "push" || got.Payload.After != "b2" || len(got.Payload.Commits) != 1 {
		t.Fatalf("answered %d, OnPush got %+v", w.Code, got)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, githubDelivery("push", "72d3162f", body, sign(body+" ")))
	if w.Code != http.StatusUnauthorized {
		t.Errorf("a signature of other bytes answered %d, want 401", w.Code)
	}
}
