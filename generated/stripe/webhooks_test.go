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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// claimLog is a SeenStore shared by replicas, as a user writes one: it
// records what it is asked and holds claims and handled ids in a map.
type claimLog struct {
	mu      sync.Mutex
	state   map[string]ClaimState
	claimed []string
}

func (s *claimLog) Claim(_ context.Context, id string, _ time.Duration) (ClaimState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claimed = append(s.claimed, id)
	if st, ok := s.state[id]; ok {
		if st == Claimed {
			return InProgress, nil
		}
		return st, nil
	}
	s.state[id] = Claimed
	return Claimed, nil
}

func (s *claimLog) Done(_ context.Context, id string, ok bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.state[id] = Handled
	} else {
		delete(s.state, id)
	}
	return nil
}

// TestWebhookReplicasHandleOnce: two replicas sharing a SeenStore get the
// same payment event at the same moment; it is handled once, the other copy
// answered 409, and the redelivery after it 200.
func TestWebhookReplicasHandleOnce(t *testing.T) {
	store := &claimLog{state: map[string]ClaimState{}}
	entered, release := make(chan struct{}), make(chan struct{})
	var handled atomic.Int32
	handlers := WebhookHandlers{OnPaymentIntentSucceeded: func(ctx context.Context, ev WebhookEvent[PaymentIntentEvent]) error {
		handled.Add(1)
		close(entered)
		<-release
		return nil
	}}
	opts := &WebhookOptions{Seen: store}
	replicaA, replicaB := NewWebhookHandler(endpointSecret, handlers, opts), NewWebhookHandler(endpointSecret, handlers, opts)
	now := time.Now()
	a := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		replicaA.ServeHTTP(a, stripeDelivery(now, succeeded, endpointSecret))
	}()
	<-entered
	b := httptest.NewRecorder()
	replicaB.ServeHTTP(b, stripeDelivery(now, succeeded, endpointSecret))
	if b.Code != http.StatusConflict {
		t.Errorf("the copy while the first is handled: %d, want 409", b.Code)
	}
	close(release)
	<-done
	if a.Code != http.StatusOK {
		t.Errorf("the first copy: %d, want 200", a.Code)
	}
	c := httptest.NewRecorder()
	replicaB.ServeHTTP(c, stripeDelivery(now, succeeded, endpointSecret))
	if c.Code != http.StatusOK || handled.Load() != 1 {
		t.Errorf("redelivery: %d, handled %d times; want 200 and once", c.Code, handled.Load())
	}
	if want := []string{"stripe/evt_1", "stripe/evt_1", "stripe/evt_1"}; !slices.Equal(store.claimed, want) {
		t.Errorf("claimed %q, want %q", store.claimed, want)
	}
}
