package slack

// Behaviour tests of the generated Events API handler: requests signed
// with the app's signing secret, the url_verification handshake, and
// dispatch on the inner event's type.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

func slackRequest(ts time.Time, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	mac.Write([]byte("v0:" + t + ":" + body))
	r.Header.Set("X-Slack-Request-Timestamp", t)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

func TestURLVerification(t *testing.T) {
	h := NewWebhookHandler(signingSecret, WebhookHandlers{}, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, slackRequest(time.Now(), `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil || got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification answered %d %s", w.Code, w.Body)
	}
	// The handshake is verified like any request.
	r := slackRequest(time.Now(), `{"challenge":"x","type":"url_verification"}`)
	r.Header.Set("X-Slack-Signature", "v0=00")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned url_verification answered %d, want 401", w.Code)
	}
}

func TestEventCallback(t *testing.T) {
	var got WebhookEvent[EventCallback]
	h := NewWebhookHandler(signingSecret, WebhookHandlers{
		OnAppMention: func(_ context.Context, ev WebhookEvent[EventCallback]) error {
			got = ev
			return nil
		},
	}, nil)
	body := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event_time":1764496800,"event":{"type":"app_mention","user":"U1","text":"<@U0> hi","channel":"C1","ts":"1764496800.000100"}}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, slackRequest(time.Now(), body))
	if w.Code != http.StatusOK || got.ID != "Ev1" || got.Type != "app_mention" || got.Payload.Event.Text == nil || *got.Payload.Event.Text != "<@U0> hi" {
		t.Fatalf("answered %d, OnAppMention got %+v", w.Code, got)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, slackRequest(time.Now().Add(-10*time.Minute), body))
	if w.Code != http.StatusUnauthorized {
		t.Errorf("a request signed 10 minutes ago answered %d, want 401 (Slack's replay window is 5 minutes)", w.Code)
	}
}
