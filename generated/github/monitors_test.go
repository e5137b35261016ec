package github

// Behaviour tests of the generated monitor over a loopback server that
// behaves as GitHub's issues list does: since filters with >=, pages are
// linked with Link headers, newest first.

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

// issueFeed serves /repos/o/r/issues from a list the test changes.
type issueFeed struct {
	mu     sync.Mutex
	issues map[int]time.Time // number -> updated_at
	sinces []string          // the since parameter of every first-page request
}

func (f *issueFeed) set(number int, updated time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issues[number] = updated
}

func (f *issueFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	since := r.URL.Query().Get("since")
	page := r.URL.Query().Get("page")
	if page == "" {
		f.sinces = append(f.sinces, since)
		page = "1"
	}
	var list []int
	for n, at := range f.issues {
		if t, err := time.Parse(time.RFC3339, since); since == "" || err == nil && !at.Before(t) {
			list = append(list, n)
		}
	}
	// Newest first, two to a page.
	for i := range list {
		for j := i + 1; j < len(list); j++ {
			if f.issues[list[j]].After(f.issues[list[i]]) || f.issues[list[j]].Equal(f.issues[list[i]]) && list[j] > list[i] {
				list[i], list[j] = list[j], list[i]
			}
		}
	}
	var p int
	fmt.Sscan(page, &p)
	from, to := (p-1)*2, min(p*2, len(list))
	if to < len(list) {
		q := r.URL.Query()
		q.Set("page", fmt.Sprint(p+1))
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?%s>; rel="next"`, r.Host, r.URL.Path, q.Encode()))
	}
	var items []string
	for _, n := range list[min(from, to):to] {
		items = append(items, strings.Replace(ghIssueJSON(n, fmt.Sprint("issue ", n)),
			`"updated_at":"2011-04-22T13:33:48Z"`, `"updated_at":"`+f.issues[n].UTC().Format(time.RFC3339)+`"`, 1))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "["+strings.Join(items, ",")+"]")
}

func numbers(issues []Issue) []int {
	var out []int
	for _, is := range issues {
		out = append(out, is.Number)
	}
	return out
}

func TestMonitorUpdatedIssues(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	feed := &issueFeed{issues: map[int]time.Time{1: t0, 2: t0.Add(time.Minute), 3: t0.Add(2 * time.Minute)}}
	srv := testutil.NewServer(t, feed.ServeHTTP)
	c := ghClient(t, srv)
	ctx := context.Background()
	params := ListRepoIssuesParams{Owner: "o", Repo: "r"}

	// The first poll sets the baseline and returns nothing.
	got, cur, err := c.PollUpdatedIssues(ctx, params, Cursor{})
	if err != nil || len(got) != 0 || !cur.Started || cur.Since != "2026-11-30T10:02:00Z" {
		t.Fatalf("first poll = %v, %+v, %v; want nothing and a cursor at the newest issue", numbers(got), cur, err)
	}
	// New and updated issues come oldest first across pages, a tie in the
	// listing's reverse (GitHub lists newest first: 5 before 1, so 1 comes
	// first); the boundary issue (since is >=) is not yielded again.
	feed.set(4, t0.Add(3*time.Minute))
	feed.set(1, t0.Add(4*time.Minute))
	feed.set(5, t0.Add(4*time.Minute))
	got, cur, err = c.PollUpdatedIssues(ctx, params, cur)
	if err != nil || fmt.Sprint(numbers(got)) != "[4 1 5]" {
		t.Fatalf("second poll = %v, %v; want [4 1 5]", numbers(got), err)
	}
	if last := feed.sinces[len(feed.sinces)-1]; last != "2026-11-30T10:02:00Z" {
		t.Errorf("since sent = %q, want the cursor's", last)
	}
	got, _, err = c.PollUpdatedIssues(ctx, params, cur)
	if err != nil || len(got) != 0 {
		t.Errorf("third poll = %v, %v; want nothing new", numbers(got), err)
	}
	// Backfill reads what exists.
	got, _, err = c.PollUpdatedIssues(ctx, params, Cursor{Started: true})
	if err != nil || fmt.Sprint(numbers(got)) != "[2 3 4 1 5]" {
		t.Errorf("backfill = %v, %v; want every issue oldest first", numbers(got), err)
	}
}

func TestMonitorWatchResumesFromFile(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	feed := &issueFeed{issues: map[int]time.Time{1: t0}}
	srv := testutil.NewServer(t, feed.ServeHTTP)
	c := ghClient(t, srv)
	store := FileCursorStore(filepath.Join(t.TempDir(), "cursors.json"))
	params := ListRepoIssuesParams{Owner: "o", Repo: "r"}
	ctx := context.Background()
	if _, cur, err := c.PollUpdatedIssues(ctx, params, Cursor{}); err != nil || store.Save(ctx, "o/r", cur) != nil {
		t.Fatal(err)
	}
	feed.set(2, t0.Add(time.Minute))
	feed.set(3, t0.Add(2*time.Minute))
	var seen []int
	for is, err := range c.WatchUpdatedIssues(ctx, params, store, "o/r", time.Millisecond) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, is.Number)
		break // stop after the first: its cursor is saved
	}
	for is, err := range c.WatchUpdatedIssues(ctx, params, store, "o/r", time.Millisecond) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, is.Number)
		break
	}
	if fmt.Sprint(seen) != "[2 3]" {
		t.Errorf("two watches that each stop after one record saw %v, want [2 3]", seen)
	}
}
