package templates

import (
	"context"
	"sync"
	"time"
)

// rateLimiter is a token bucket: burst requests at once, then rps per second.
type rateLimiter struct {
	mu     sync.Mutex
	rps    float64
	burst  float64
	tokens float64 // negative when waiters have reserved future tokens
	last   time.Time
}

func newRateLimiter(rps float64, burst int) *rateLimiter {
	b := float64(max(burst, 1))
	return &rateLimiter{rps: rps, burst: b, tokens: b, last: time.Now()}
}

// Wait blocks until a request may be sent or ctx ends. It reserves a token
// before sleeping, so waiters are served in order without a queue.
func (l *rateLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.rps <= 0 {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rps) - 1
	l.last = now
	d := time.Duration(-l.tokens / l.rps * float64(time.Second))
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens++ // give the reservation back so others need not wait for it
		l.mu.Unlock()
		return ctx.Err()
	}
}
