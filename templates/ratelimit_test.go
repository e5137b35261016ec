package templates

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRateLimiterBurstThenWait(t *testing.T) {
	l := newRateLimiter(100, 3)
	ctx := t.Context()
	start := time.Now()
	for range 3 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 5*time.Millisecond {
		t.Errorf("burst of 3 took %v, want no wait", d)
	}
	for range 2 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Two more tokens at 100/s: about 20ms.
	if d := time.Since(start); d < 15*time.Millisecond || d > time.Second {
		t.Errorf("5 waits took %v, want about 20ms", d)
	}
}

func TestRateLimiterConcurrent(t *testing.T) {
	l := newRateLimiter(200, 0) // burst defaults to 1
	if l.burst != 1 {
		t.Errorf("burst %v, want 1", l.burst)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := l.Wait(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// The first is free, nine more at 200/s: about 45ms.
	if d := time.Since(start); d < 35*time.Millisecond || d > 2*time.Second {
		t.Errorf("10 waits took %v, want about 45ms", d)
	}
}

func TestRateLimiterCancel(t *testing.T) {
	l := newRateLimiter(0.1, 1)
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled wait returned after %v", d)
	}
	if l.tokens < -0.01 {
		t.Errorf("cancelled reservation not returned: tokens %v", l.tokens)
	}
	done, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if err := newRateLimiter(1, 1).Wait(done); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: err = %v", err)
	}
}

func TestRateLimiterInClient(t *testing.T) {
	c, reqs := recordingClient(t, nil, func(c *Client) { c.limiter = newRateLimiter(0.001, 1) })
	if _, err := c.httpHelper(t.Context(), Request{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.httpHelper(ctx, Request{})
	if !errors.Is(err, context.DeadlineExceeded) || len(reqs()) != 1 {
		t.Errorf("err = %v after %d requests", err, len(reqs()))
	}
}
