package interop

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	gogithub "github.com/google/go-github/v84/github"

	"github.com/conngen/conngen/generated/github"
)

const githubSecret = "conngen-interop-github-webhook-secret"

const githubDelivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"

// githubPush is a push event as GitHub posts it (trimmed).
const githubPush = `{"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c","created":false,"deleted":false,"forced":false,"repository":{"id":1296269,"node_id":"MDEwOlJlcG9zaXRvcnkxMjk2MjY5","name":"Hello-World","full_name":"octocat/Hello-World","owner":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false},"private":false,"html_url":"https://github.com/octocat/Hello-World","url":"https://api.github.com/repos/octocat/Hello-World"},"sender":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false},"commits":[{"id":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c","message":"Update README.md","url":"https://github.com/octocat/Hello-World/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"}]}`

// githubSign signs the GitHub way: X-Hub-Signature-256 sha256=<hex
// HMAC-SHA256 of the body>, with the event and delivery headers.
func githubSign(secret, event string, body []byte) http.Header {
	return http.Header{
		"Content-Type":        {"application/json"},
		"User-Agent":          {"GitHub-Hookshot/044aadd"},
		"X-Github-Event":      {event},
		"X-Github-Delivery":   {githubDelivery},
		"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(hmacSHA256([]byte(secret), string(body)))},
	}
}

// What a test signs the GitHub way, go-github's ValidatePayload accepts (and
// ParseWebHook reads as a *PushEvent), and the generated handler hands to
// OnPush, the same request bytes; a changed body both refuse.
func TestGitHubValidatePayloadAndHandlerAcceptSameRequest(t *testing.T) {
	body := []byte(githubPush)
	var libEvents []*gogithub.PushEvent
	verify := func(r *http.Request) error {
		payload, err := gogithub.ValidatePayload(r, []byte(githubSecret))
		if err != nil {
			return err
		}
		ev, err := gogithub.ParseWebHook(gogithub.WebHookType(r), payload)
		if err != nil {
			return err
		}
		if push, ok := ev.(*gogithub.PushEvent); ok {
			libEvents = append(libEvents, push)
		}
		return nil
	}

	var got []github.WebhookEvent[github.PushEvent]
	h := github.NewWebhookHandler(githubSecret, github.WebhookHandlers{
		OnPush: func(_ context.Context, ev github.WebhookEvent[github.PushEvent]) error {
			got = append(got, ev)
			return nil
		},
		OnOther: func(_ context.Context, ev github.WebhookEvent[json.RawMessage]) error {
			t.Errorf("OnOther called for %q", ev.Type)
			return nil
		},
	}, nil)
	srv, verdict := serve(t, verify, h)

	header := githubSign(githubSecret, "push", body)
	status, answer, _ := post(t, srv, body, header)
	if err := verdict.last(t); err != nil {
		t.Fatalf("go-github ValidatePayload refused the request: %v", err)
	}
	if len(libEvents) != 1 || libEvents[0].GetRef() != "refs/heads/main" || libEvents[0].GetRepo().GetFullName() != "octocat/Hello-World" {
		t.Errorf("go-github read %d push events: %v", len(libEvents), libEvents)
	}
	if status != http.StatusOK {
		t.Fatalf("status %d (%s), want 200", status, answer)
	}
	if len(got) != 1 {
		t.Fatalf("OnPush called %d times, want 1", len(got))
	}
	ev := got[0]
	if ev.ID != githubDelivery || ev.Type != "push" || !ev.Time.IsZero() {
		t.Errorf("event ID, Type, Time = %q, %q, %v", ev.ID, ev.Type, ev.Time)
	}
	p := ev.Payload
	if p.Ref != "refs/heads/main" || p.After != "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c" || p.Repository == nil ||
		p.Repository.FullName != "octocat/Hello-World" || p.Repository.Owner.Login != "octocat" ||
		len(p.Commits) != 1 || p.Commits[0].Message == nil || *p.Commits[0].Message != "Update README.md" {
		t.Errorf("payload = %+v", p)
	}

	tampered := tamper(t, body, "refs/heads/main", "refs/heads/evil")
	status, _, _ = post(t, srv, tampered, header)
	if verdict.last(t) == nil {
		t.Error("go-github accepted the tampered body")
	}
	if status != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", status)
	}
	if len(got) != 1 {
		t.Error("handler called for a tampered body")
	}
}
