package interop

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/conngen/conngen/generated/slack"
)

const slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackMessage is an event_callback carrying a message event, as the
// Events API posts it.
const slackMessage = `{"token":"XXYYZZ","team_id":"T0001","api_app_id":"A0001","event":{"type":"message","channel":"C2147483705","user":"U2147483697","text":"Hello world","ts":"1355517523.000005","event_ts":"1355517523.000005"},"type":"event_callback","authed_users":["U2147483697"],"event_id":"Ev0PV52K21","event_time":1355517523}`

// slackChallenge is the url_verification request Slack sends when the
// Request URL is set.
const slackChallenge = `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`

// slackSign signs the Slack way: X-Slack-Signature v0=<hex HMAC-SHA256 of
// "v0:<ts>:<body>">, with X-Slack-Request-Timestamp <ts>.
func slackSign(secret string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	return http.Header{
		"Content-Type":              {"application/json"},
		"X-Slack-Request-Timestamp": {ts},
		"X-Slack-Signature":         {"v0=" + hex.EncodeToString(hmacSHA256([]byte(secret), "v0:", ts, ":", string(body)))},
	}
}

// slackVerify is slack-go's SecretsVerifier, run on what the server received.
func slackVerify(r *http.Request) error {
	body, err := readAll(r)
	if err != nil {
		return err
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, slackSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

// What a test signs the Slack way, slack-go's SecretsVerifier accepts and the
// generated handler handles (OnMessage), the same request bytes; a changed
// body both refuse.
func TestSlackSecretsVerifierAndHandlerAcceptSameRequest(t *testing.T) {
	body := []byte(slackMessage)
	// The test's event is one slack-go reads as a message callback.
	parsed, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil || parsed.Type != slackevents.CallbackEvent || parsed.InnerEvent.Type != "message" {
		t.Fatalf("slackevents.ParseEvent = %+v, %v", parsed, err)
	}

	var got []slack.WebhookEvent[slack.EventCallback]
	h := slack.NewWebhookHandler(slackSecret, slack.WebhookHandlers{
		OnMessage: func(_ context.Context, ev slack.WebhookEvent[slack.EventCallback]) error {
			got = append(got, ev)
			return nil
		},
		OnOther: func(_ context.Context, ev slack.WebhookEvent[json.RawMessage]) error {
			t.Errorf("OnOther called for %q", ev.Type)
			return nil
		},
	}, nil)
	srv, verdict := serve(t, slackVerify, h)

	now := time.Now()
	header := slackSign(slackSecret, now, body)
	status, answer, _ := post(t, srv, body, header)
	if err := verdict.last(t); err != nil {
		t.Fatalf("slack-go SecretsVerifier refused the request: %v", err)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, answer)
	}
	if len(got) != 1 {
		t.Fatalf("OnMessage called %d times, want 1", len(got))
	}
	ev := got[0]
	if ev.ID != "Ev0PV52K21" || ev.Type != "message" || ev.Time.Unix() != now.Unix() {
		t.Errorf("event ID, Type, Time = %q, %q, %v", ev.ID, ev.Type, ev.Time)
	}
	p := ev.Payload
	if p.Type != "event_callback" || p.EventID != ev.ID || p.Event.Type != "message" ||
		p.Event.Text == nil || *p.Event.Text != "Hello world" || p.Event.Channel == nil || *p.Event.Channel != "C2147483705" {
		t.Errorf("payload = %+v", p)
	}

	tampered := tamper(t, body, "Hello world", "Hello there")
	status, _, _ = post(t, srv, tampered, header)
	if verdict.last(t) == nil {
		t.Error("slack-go accepted the tampered body")
	}
	if status != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", status)
	}
	if len(got) != 1 {
		t.Error("handler called for a tampered body")
	}
}

// The url_verification request, signed the Slack way, is one slack-go reads
// as such and accepts; the generated handler answers {"challenge": ...}
// (which slack-go's ChallengeResponse decodes) without calling a handler.
// Unsigned, it is refused.
func TestSlackURLVerificationChallenge(t *testing.T) {
	body := []byte(slackChallenge)
	parsed, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil || parsed.Type != slackevents.URLVerification {
		t.Fatalf("slackevents.ParseEvent = %+v, %v", parsed, err)
	}
	want := parsed.Data.(*slackevents.EventsAPIURLVerificationEvent).Challenge

	h := slack.NewWebhookHandler(slackSecret, slack.WebhookHandlers{
		OnOther: func(_ context.Context, ev slack.WebhookEvent[json.RawMessage]) error {
			t.Errorf("handler called for the challenge (%q)", ev.Type)
			return nil
		},
	}, nil)
	srv, verdict := serve(t, slackVerify, h)

	status, answer, respHeader := post(t, srv, body, slackSign(slackSecret, time.Now(), body))
	if err := verdict.last(t); err != nil {
		t.Fatalf("slack-go SecretsVerifier refused the challenge: %v", err)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, answer)
	}
	if ct := respHeader.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var resp slackevents.ChallengeResponse
	if err := json.Unmarshal(answer, &resp); err != nil || resp.Challenge != want {
		t.Errorf("answer %s (%v), want {\"challenge\":%q}", answer, err, want)
	}

	status, _, _ = post(t, srv, body, http.Header{"Content-Type": {"application/json"}})
	if verdict.last(t) == nil {
		t.Error("slack-go accepted an unsigned challenge")
	}
	if status != http.StatusUnauthorized {
		t.Errorf("unsigned challenge: status %d, want 401", status)
	}
}
