package templates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// monRecord is the record type the tests decode into.
type monRecord struct {
	ID string `json:"id"`
}

// monRec is a listed record: {"id": id, "at": at}, at left out when nil.
func monRec(id string, at any) json.RawMessage {
	m := map[string]any{"id": id}
	if at != nil {
		m["at"] = at
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// monList lists recs whatever the since value, recording each since sent.
func monList(sent *[]string, recs ...json.RawMessage) func(context.Context, string) iter.Seq2[json.RawMessage, error] {
	return func(_ context.Context, since string) iter.Seq2[json.RawMessage, error] {
		if sent != nil {
			*sent = append(*sent, since)
		}
		return func(yield func(json.RawMessage, error) bool) {
			for _, r := range recs {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

func monIDs[T any](steps []monitorStep[T], id func(T) string) []string {
	out := []string{}
	for _, s := range steps {
		out = append(out, id(s.record))
	}
	return out
}

func recIDs(steps []monitorStep[monRecord]) []string {
	return monIDs(steps, func(r monRecord) string { return r.ID })
}

var (
	monSince       = monitorSpec{id: "id", sinceField: "at", sinceFormat: "rfc3339", interval: time.Hour}
	monNoSince     = monitorSpec{id: "id", interval: time.Hour}
	monOldestFirst = monitorSpec{id: "id", sinceField: "at", sinceFormat: "rfc3339", oldestFirst: true, interval: time.Hour}
	monByID        = monitorSpec{id: "id", sinceField: "at", sinceFormat: "rfc3339", tiebreak: "id", interval: time.Hour}
)

func monPoll(t *testing.T, ms monitorSpec, cur Cursor, recs ...json.RawMessage) ([]monitorStep[monRecord], Cursor) {
	t.Helper()
	steps, next, err := pollMonitor[monRecord](context.Background(), ms, cur, monList(nil, recs...))
	if err != nil {
		t.Fatalf("pollMonitor: %v", err)
	}
	return steps, next
}

func wantCursor(t *testing.T, got, want Cursor) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cursor = %+v, want %+v", got, want)
	}
}

func wantIDs(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestPollMonitorFirstPollBaseline(t *testing.T) {
	listing := []json.RawMessage{
		monRec("c", "2024-05-01T10:00:03Z"), monRec("d", "2024-05-01T10:00:03.000Z"),
		monRec("b", "2024-05-01T10:00:02Z"), monRec("a", "2024-05-01T10:00:01Z"),
	}
	var sent []string
	steps, next, err := pollMonitor[monRecord](context.Background(), monSince, Cursor{}, monList(&sent, listing...))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 0 {
		t.Errorf("first poll returned %q, want nothing", recIDs(steps))
	}
	// The listing is newest first, so of the tie d is the older.
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:03Z", IDs: []string{"d", "c"}})
	if !slices.Equal(sent, []string{""}) {
		t.Errorf("since sent = %q, want one empty", sent)
	}
	// The next poll from there: only what came after.
	steps, next = monPoll(t, monSince, next, append([]json.RawMessage{monRec("e", "2024-05-01T10:00:04Z")}, listing...)...)
	wantIDs(t, recIDs(steps), []string{"e"})
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:04Z", IDs: []string{"e"}})

	_, next = monPoll(t, monNoSince, Cursor{}, listing...)
	wantCursor(t, next, Cursor{Started: true, IDs: []string{"c", "d", "b", "a"}})

	for _, ms := range []monitorSpec{monSince, monNoSince} {
		steps, next = monPoll(t, ms, Cursor{})
		if len(steps) != 0 {
			t.Errorf("empty listing returned records")
		}
		wantCursor(t, next, Cursor{Started: true})
		// From a started empty cursor everything is new.
		steps, _ = monPoll(t, ms, next, monRec("x", "2024-05-01T10:00:00Z"))
		wantIDs(t, recIDs(steps), []string{"x"})
	}
}

func TestPollMonitorBackfill(t *testing.T) {
	var sent []string
	listing := []json.RawMessage{monRec("b", "2024-05-01T10:00:02Z"), monRec("c", "2024-05-01T10:00:03Z"), monRec("a", "2024-05-01T10:00:01Z")}
	steps, next, err := pollMonitor[monRecord](context.Background(), monSince, Cursor{Started: true}, monList(&sent, listing...))
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, recIDs(steps), []string{"a", "b", "c"})
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:03Z", IDs: []string{"c"}})
	if !slices.Equal(sent, []string{""}) {
		t.Errorf("since sent = %q", sent)
	}
	steps, next = monPoll(t, monNoSince, Cursor{Started: true}, listing...)
	wantIDs(t, recIDs(steps), []string{"b", "c", "a"})
	wantCursor(t, next, Cursor{Started: true, IDs: []string{"b", "c", "a"}})
}

func TestPollMonitorSinceFormats(t *testing.T) {
	tests := []struct {
		name, format string
		cur          Cursor
		listing      []json.RawMessage
		want         []string // new ids, in order
		next         Cursor
	}{
		{
			name: "rfc3339 with and without fractions", format: "rfc3339",
			cur: Cursor{Started: true, Since: "2024-05-01T10:00:00.5Z", IDs: []string{"a"}},
			listing: []json.RawMessage{
				monRec("e", "2024-05-01T10:00:01Z"),
				monRec("d", "2024-05-01T10:00:00.999999999Z"),
				monRec("c", "2024-05-01T10:00:00.50Z"), // equal to the cursor, not yet seen
				monRec("a", "2024-05-01T10:00:00.500Z"),
				monRec("b", "2024-05-01T10:00:00Z"),
				monRec("x", "2024-05-01T10:00:00.4999Z"),
			},
			want: []string{"c", "d", "e"},
			next: Cursor{Started: true, Since: "2024-05-01T10:00:01Z", IDs: []string{"e"}},
		},
		{
			name: "rfc3339 offsets compared as times", format: "rfc3339",
			cur: Cursor{Started: true, Since: "2024-05-01T10:00:00Z", IDs: []string{"a"}},
			listing: []json.RawMessage{
				monRec("b", "2024-05-01T12:00:00+02:00"), // the cursor's instant
				monRec("c", "2024-05-01T09:30:00-01:00"), // 10:30Z
				monRec("d", "2024-05-01T11:59:59+02:00"), // 09:59:59Z: old
				monRec("e", "2024-05-01t10:15:00z"),      // lower case, as RFC 3339 allows
			},
			want: []string{"b", "e", "c"},
			next: Cursor{Started: true, Since: "2024-05-01T09:30:00-01:00", IDs: []string{"c"}},
		},
		{
			name: "unix seconds as numbers and strings", format: "unix",
			cur: Cursor{Started: true, Since: "1700000000", IDs: []string{"a"}},
			listing: []json.RawMessage{
				monRec("d", json.Number("1700000010")),
				monRec("c", "999999999"),               // shorter but older: numeric, not text, order
				monRec("b", json.Number("1700000000")), // at the cursor
				monRec("a", "1700000000"),
				monRec("e", "1700000009.5"),
			},
			want: []string{"b", "e", "d"},
			next: Cursor{Started: true, Since: "1700000010", IDs: []string{"d"}},
		},
		{
			name: "unix milliseconds", format: "unixMillis",
			cur: Cursor{Started: true, Since: "1700000000000"},
			listing: []json.RawMessage{
				monRec("c", json.Number("1700000000002")),
				monRec("b", "1700000000001"),
				monRec("a", json.Number("1700000000000")),
				monRec("z", json.Number("170000000000")),
			},
			want: []string{"a", "b", "c"},
			next: Cursor{Started: true, Since: "1700000000002", IDs: []string{"c"}},
		},
		{
			name: "numbers beyond float64 precision", format: "number",
			cur: Cursor{Started: true, Since: "9007199254740992", IDs: []string{"a"}},
			listing: []json.RawMessage{
				monRec("a", json.Number("9007199254740992")),
				monRec("b", json.Number("9007199254740993")),
				monRec("c", "18446744073709551617"),
				monRec("d", json.Number("1e2")),
				monRec("e", json.Number("9.007199254740993e15")),
			},
			want: []string{"e", "b", "c"}, // b and e tie: e, listed after b, is older
			next: Cursor{Started: true, Since: "18446744073709551617", IDs: []string{"c"}},
		},
		{
			name: "negative and fractional numbers", format: "number",
			cur: Cursor{Started: true, Since: "-1.5"},
			listing: []json.RawMessage{
				monRec("a", json.Number("-2")), monRec("b", "-1.25"), monRec("c", json.Number("0")), monRec("d", "10"), monRec("e", "9.75"),
			},
			want: []string{"b", "c", "e", "d"},
			next: Cursor{Started: true, Since: "10", IDs: []string{"d"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := monitorSpec{id: "id", sinceField: "at", sinceFormat: tt.format}
			steps, next := monPoll(t, ms, tt.cur, tt.listing...)
			wantIDs(t, recIDs(steps), tt.want)
			wantCursor(t, next, tt.next)
		})
	}
}

// Servers that filter with >= send the boundary again: it is not new twice.
func TestPollMonitorTiesAtBoundary(t *testing.T) {
	cur := Cursor{Started: true, Since: "2024-05-01T10:00:02Z", IDs: []string{"a"}}
	steps, next := monPoll(t, monSince, cur,
		monRec("a", "2024-05-01T10:00:02Z"), monRec("b", "2024-05-01T10:00:02Z"))
	wantIDs(t, recIDs(steps), []string{"b"})
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:02Z", IDs: []string{"a", "b"}})

	// Polled again with nothing new: nothing, and the same cursor.
	steps, again := monPoll(t, monSince, next,
		monRec("b", "2024-05-01T10:00:02Z"), monRec("a", "2024-05-01T10:00:02Z"))
	wantIDs(t, recIDs(steps), []string{})
	wantCursor(t, again, next)

	// A newer record moves the cursor on; the ids are those at the new time.
	steps, next = monPoll(t, monSince, next,
		monRec("a", "2024-05-01T10:00:02Z"), monRec("c", "2024-05-01T10:00:02Z"),
		monRec("d", "2024-05-01T10:00:03Z"), monRec("b", "2024-05-01T10:00:02Z"), monRec("e", "2024-05-01T10:00:03Z"))
	// Ties oldest first: the listing is newest first, so e (listed after d) is older.
	wantIDs(t, recIDs(steps), []string{"c", "e", "d"})
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:03Z", IDs: []string{"e", "d"}})
	wantCursor(t, steps[0].cursor, Cursor{Started: true, Since: "2024-05-01T10:00:02Z", IDs: []string{"a", "b", "c"}})
	wantCursor(t, steps[1].cursor, Cursor{Started: true, Since: "2024-05-01T10:00:03Z", IDs: []string{"e"}})
}

func TestPollMonitorUpdatedRecordComesAgain(t *testing.T) {
	cur := Cursor{Started: true, Since: "2024-05-01T10:00:02Z", IDs: []string{"a"}}
	steps, next := monPoll(t, monSince, cur,
		monRec("b", "2024-05-01T10:00:01Z"), monRec("a", "2024-05-01T10:05:00Z"))
	wantIDs(t, recIDs(steps), []string{"a"})
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:05:00Z", IDs: []string{"a"}})
	// An update seen in one listing twice (it changed while pages were read)
	// comes once per time, oldest first; a plain repeat comes once.
	steps, _ = monPoll(t, monSince, Cursor{Started: true},
		monRec("a", "2024-05-01T10:06:00Z"), monRec("b", "2024-05-01T10:00:01Z"),
		monRec("b", "2024-05-01T10:00:01Z"), monRec("a", "2024-05-01T10:05:00Z"))
	wantIDs(t, recIDs(steps), []string{"b", "a", "a"})
	steps, _ = monPoll(t, monNoSince, Cursor{Started: true}, monRec("a", nil), monRec("b", nil), monRec("a", nil))
	wantIDs(t, recIDs(steps), []string{"a", "b"})
}

func TestPollMonitorOrderOldestFirst(t *testing.T) {
	// Newest first, as most APIs list: ties come in the listing's reverse,
	// the order they were created in.
	listing := []json.RawMessage{
		monRec("f", "2024-05-03T00:00:00Z"), monRec("e", "2024-05-02T00:00:00Z"), monRec("d2", "2024-05-02T00:00:00Z"),
		monRec("c", "2024-05-01T12:00:00Z"), monRec("a2", "2024-05-01T00:00:00Z"), monRec("a1", "2024-05-01T00:00:00Z"),
	}
	steps, _ := monPoll(t, monSince, Cursor{Started: true}, listing...)
	wantIDs(t, recIDs(steps), []string{"a1", "a2", "c", "d2", "e", "f"})
	// since.order: oldestFirst: ties in the listing's order.
	slices.Reverse(listing)
	oldestFirst := monSince
	oldestFirst.oldestFirst = true
	steps, _ = monPoll(t, oldestFirst, Cursor{Started: true}, listing...)
	wantIDs(t, recIDs(steps), []string{"a1", "a2", "c", "d2", "e", "f"})
	// Without since: the listed order.
	steps, _ = monPoll(t, monNoSince, Cursor{Started: true}, monRec("z", nil), monRec("a", nil), monRec("m", nil))
	wantIDs(t, recIDs(steps), []string{"z", "a", "m"})
}

func TestPollMonitorWithoutSince(t *testing.T) {
	var sent []string
	cur := Cursor{Started: true, Since: "left over", IDs: []string{"a", "b", "gone"}}
	steps, next, err := pollMonitor[monRecord](context.Background(), monNoSince, cur,
		monList(&sent, monRec("c", nil), monRec("a", nil), monRec("d", nil), monRec("b", nil)))
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, recIDs(steps), []string{"c", "d"})
	// Every id listed: those known before, then the new ones as handed over.
	wantCursor(t, next, Cursor{Started: true, IDs: []string{"a", "b", "c", "d"}})
	// After c, d is not yet handed over: its id must not be in the cursor.
	wantCursor(t, steps[0].cursor, Cursor{Started: true, IDs: []string{"a", "b", "c"}})
	wantCursor(t, steps[1].cursor, next)
	if !slices.Equal(sent, []string{""}) {
		t.Errorf("since sent without since = %q, want empty", sent)
	}
	// Numeric ids keep their literal text.
	_, next = monPoll(t, monNoSince, Cursor{}, json.RawMessage(`{"id": 12345678901234567890}`), json.RawMessage(`{"id": 7}`)) // a baseline decodes nothing
	wantCursor(t, next, Cursor{Started: true, IDs: []string{"12345678901234567890", "7"}})
	raw, _, err := pollMonitor[json.RawMessage](context.Background(), monNoSince, next,
		monList(nil, json.RawMessage(`{"id": 7}`), json.RawMessage(`{"id": 8}`)))
	if err != nil || len(raw) != 1 || string(raw[0].record) != `{"id": 8}` {
		t.Errorf("numeric ids: %d new records, %v; want only 8", len(raw), err)
	}
}

func TestPollMonitorSinceSent(t *testing.T) {
	tests := []struct {
		ms   monitorSpec
		cur  Cursor
		want string
	}{
		{monSince, Cursor{}, ""},
		{monSince, Cursor{Since: "2024-05-01T10:00:00Z"}, ""}, // not started: a baseline lists everything
		{monSince, Cursor{Started: true}, ""},
		{monSince, Cursor{Started: true, Since: "2024-05-01T10:00:00.25+02:00"}, "2024-05-01T10:00:00.25+02:00"},
		{monNoSince, Cursor{Started: true, Since: "2024-05-01T10:00:00Z"}, ""},
	}
	for _, tt := range tests {
		var sent []string
		if _, _, err := pollMonitor[monRecord](context.Background(), tt.ms, tt.cur, monList(&sent)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sent, []string{tt.want}) {
			t.Errorf("%+v: since sent = %q, want %q", tt.cur, sent, tt.want)
		}
	}
}

// TestPollMonitorTiesUncapped: any number of records may share one since
// value; once handed over none comes again, and none is skipped. Without
// since, the cursor holds every id of the last poll.
func TestPollMonitorTiesUncapped(t *testing.T) {
	const n = 100_000
	same := make([]json.RawMessage, n)
	distinct := make([]json.RawMessage, n)
	for i := range n {
		// Listed newest first: r99999 first.
		same[i] = monRec(fmt.Sprint("r", n-1-i), "2024-05-01T10:00:00Z")
		distinct[i] = monRec(fmt.Sprint("r", n-1-i), nil)
	}
	for _, ms := range []monitorSpec{monSince, monNoSince} {
		recs := same
		if ms.sinceField == "" {
			recs = distinct
		}
		steps, next := monPoll(t, ms, Cursor{Started: true}, recs...)
		if len(steps) != n || len(next.IDs) != n {
			t.Fatalf("since %q: %d records, %d ids in the cursor; want %d of each", ms.sinceField, len(steps), len(next.IDs), n)
		}
		if again, _ := monPoll(t, ms, next, recs...); len(again) != 0 {
			t.Errorf("since %q: %d records yielded again after the last save", ms.sinceField, len(again))
		}
		all := recIDs(steps)
		for _, k := range []int{0, 999, 1000, 50_000, n - 2} {
			rest, _ := monPoll(t, ms, steps[k].cursor, recs...)
			if got := recIDs(rest); !slices.Equal(got, all[k+1:]) {
				t.Fatalf("since %q: resumed after %d: %d records, want %d", ms.sinceField, k, len(got), n-k-1)
			}
		}
		if _, base := monPoll(t, ms, Cursor{}, recs...); len(base.IDs) != n {
			t.Errorf("since %q: baseline holds %d ids, want %d", ms.sinceField, len(base.IDs), n)
		}
	}
	// A cursor from an earlier version, its ids capped at 1,000, still loads
	// and grows: the new tie is handed over, the 1,200 old ones are not.
	old := Cursor{Started: true, Since: "2024-05-01T10:00:00Z", IDs: make([]string, 1200)}
	listing := []json.RawMessage{monRec("new", "2024-05-01T10:00:00Z")}
	for i := range old.IDs {
		old.IDs[i] = fmt.Sprint("old", i)
		listing = append(listing, monRec(old.IDs[i], "2024-05-01T10:00:00Z"))
	}
	steps, next := monPoll(t, monSince, old, listing...)
	if !slices.Equal(recIDs(steps), []string{"new"}) || len(next.IDs) != 1201 {
		t.Errorf("earlier cursor: %q handed over, %d ids kept", recIDs(steps), len(next.IDs))
	}
}

// TestPollMonitorTiesStableAcrossPolls: records joining a tie group between
// polls come after those already there, so a record handed over before a
// crash, and not saved, comes again first.
func TestPollMonitorTiesStableAcrossPolls(t *testing.T) {
	at := "2024-05-01T10:00:00Z"
	for _, oldestFirst := range []bool{false, true} {
		ms := monSince
		ms.oldestFirst = oldestFirst
		listing := func(ids ...string) []json.RawMessage { // ids oldest first
			var recs []json.RawMessage
			for _, id := range ids {
				recs = append(recs, monRec(id, at))
			}
			if !oldestFirst {
				slices.Reverse(recs)
			}
			return recs
		}
		steps, _ := monPoll(t, ms, Cursor{Started: true}, listing("a", "b", "c")...)
		wantIDs(t, recIDs(steps), []string{"a", "b", "c"})
		// Saved after a; b handed over, then a crash. d and e arrive at the
		// same time.
		rest, next := monPoll(t, ms, steps[0].cursor, listing("a", "b", "c", "d", "e")...)
		wantIDs(t, recIDs(rest), []string{"b", "c", "d", "e"})
		wantCursor(t, next, Cursor{Started: true, Since: at, IDs: []string{"a", "b", "c", "d", "e"}})
	}
}

// TestPollMonitorTiebreak: with since.tiebreak the cursor keeps one value,
// the last handed over at its since value, compared as a number when both
// are numbers.
func TestPollMonitorTiebreak(t *testing.T) {
	ms := monSince
	ms.tiebreak = "seq"
	rec := func(id string, seq int, at string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"id":%q,"seq":%d,"at":%q}`, id, seq, at))
	}
	t1, t2 := "2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z"
	steps, next := monPoll(t, ms, Cursor{Started: true}, rec("x", 10, t1), rec("y", 9, t1), rec("z", 8, t1), rec("w", 2, "2024-05-01T09:00:00Z"))
	wantIDs(t, recIDs(steps), []string{"w", "z", "y", "x"})
	wantCursor(t, next, Cursor{Started: true, Since: t1, IDs: []string{"10"}})
	wantCursor(t, steps[2].cursor, Cursor{Started: true, Since: t1, IDs: []string{"9"}})
	// Resumed after y (9): x (10) and the new v (11) at the same time, then u.
	rest, next := monPoll(t, ms, steps[2].cursor, rec("u", 1, t2), rec("v", 11, t1), rec("x", 10, t1), rec("y", 9, t1), rec("z", 8, t1))
	wantIDs(t, recIDs(rest), []string{"x", "v", "u"})
	wantCursor(t, next, Cursor{Started: true, Since: t2, IDs: []string{"1"}})
	_, base := monPoll(t, ms, Cursor{}, rec("x", 10, t1), rec("y", 9, t1))
	wantCursor(t, base, Cursor{Started: true, Since: t1, IDs: []string{"10"}})
	// A cursor saved before the spec had a tiebreak holds ids: read as ids.
	rest, _ = monPoll(t, ms, Cursor{Started: true, Since: t1, IDs: []string{"x", "z"}}, rec("x", 10, t1), rec("y", 9, t1), rec("z", 8, t1))
	wantIDs(t, recIDs(rest), []string{"y"})
	if _, _, err := pollMonitor[monRecord](context.Background(), ms, Cursor{Started: true}, monList(nil, monRec("a", t1))); err == nil || !strings.Contains(err.Error(), `no tiebreak value at "seq"`) {
		t.Errorf("record without a tiebreak value: %v", err)
	}
}

// Resuming from any step's cursor gives exactly the records after it: a
// save after each handover neither skips nor repeats.
func TestPollMonitorResumeFromEveryStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for round := range 40 {
		n := 1 + rng.IntN(20)
		var listing []json.RawMessage
		times := map[string]time.Time{}
		for i := range n {
			at := base.Add(time.Duration(rng.IntN(6)) * 500 * time.Millisecond)
			id := fmt.Sprint("r", i)
			times[id] = at
			listing = append(listing, monRec(id, at.Format(time.RFC3339Nano)))
		}
		rng.Shuffle(len(listing), func(i, j int) { listing[i], listing[j] = listing[j], listing[i] })
		// A server that filters with >=, and one that ignores since.
		filtering := func(_ context.Context, since string) iter.Seq2[json.RawMessage, error] {
			return func(yield func(json.RawMessage, error) bool) {
				s, _ := time.Parse(time.RFC3339, since)
				for _, raw := range listing {
					var r struct{ ID, At string }
					json.Unmarshal(raw, &r)
					if since == "" || !times[r.ID].Before(s) {
						if !yield(raw, nil) {
							return
						}
					}
				}
			}
		}
		for _, ms := range []monitorSpec{monSince, monNoSince, monOldestFirst, monByID} {
			for _, list := range []func(context.Context, string) iter.Seq2[json.RawMessage, error]{monList(nil, listing...), filtering} {
				start := Cursor{Started: true}
				if rng.IntN(2) == 0 {
					// Start from the middle of a first backfill.
					first, _, err := pollMonitor[monRecord](context.Background(), ms, start, list)
					if err != nil {
						t.Fatal(err)
					}
					start = first[rng.IntN(len(first))].cursor
				}
				steps, next, err := pollMonitor[monRecord](context.Background(), ms, start, list)
				if err != nil {
					t.Fatal(err)
				}
				all := recIDs(steps)
				for k, s := range steps {
					rest, _, err := pollMonitor[monRecord](context.Background(), ms, s.cursor, list)
					if err != nil {
						t.Fatal(err)
					}
					if got := recIDs(rest); !slices.Equal(got, all[k+1:]) {
						t.Fatalf("round %d, since %q: resumed after %d of %q: got %q", round, ms.sinceField, k, all, got)
					}
				}
				if rest, _, _ := pollMonitor[monRecord](context.Background(), ms, next, list); len(rest) != 0 {
					t.Fatalf("round %d: the final cursor gives %q again", round, recIDs(rest))
				}
				if ms.sinceField != "" {
					for k := 1; k < len(steps); k++ {
						if times[all[k]].Before(times[all[k-1]]) {
							t.Fatalf("round %d: %q not oldest first", round, all)
						}
					}
				}
			}
		}
	}
}

func TestPollMonitorErrors(t *testing.T) {
	secret := "s3cr3t-record-content"
	listErr := errors.New("listing failed")
	tests := []struct {
		name    string
		ms      monitorSpec
		cur     Cursor
		listing []json.RawMessage
		list    func(context.Context, string) iter.Seq2[json.RawMessage, error]
		want    string // in the message
		is      error
	}{
		{name: "missing id", ms: monSince, cur: Cursor{Started: true},
			listing: []json.RawMessage{monRec("a", "2024-05-01T10:00:00Z"), json.RawMessage(`{"at":"2024-05-01T10:00:00Z","name":"` + secret + `"}`)},
			want:    `record 2 has no id at "id"`},
		{name: "missing id on a baseline", ms: monNoSince,
			listing: []json.RawMessage{json.RawMessage(`{"name":"` + secret + `"}`)}, want: `no id at "id"`},
		{name: "id of another type", ms: monitorSpec{id: "meta.id"},
			listing: []json.RawMessage{json.RawMessage(`{"meta":{"id":{"x":"` + secret + `"}}}`)}, want: `no id at "meta.id"`},
		{name: "null id", ms: monNoSince, listing: []json.RawMessage{json.RawMessage(`{"id":null}`)}, want: `no id at "id"`},
		{name: "empty id", ms: monNoSince, listing: []json.RawMessage{json.RawMessage(`{"id":""}`)}, want: `no id at "id"`},
		{name: "record not an object", ms: monNoSince, listing: []json.RawMessage{json.RawMessage(`"` + secret + `"`)}, want: `no id at "id"`},
		{name: "bad rfc3339", ms: monSince, cur: Cursor{Started: true},
			listing: []json.RawMessage{monRec("a", "1 May 2024 "+secret)}, want: `record 1: the value at "at" is missing or not rfc3339`},
		{name: "rfc3339 as a number", ms: monSince, listing: []json.RawMessage{monRec("a", 1714557600)}, want: `not rfc3339`},
		{name: "missing since", ms: monSince, listing: []json.RawMessage{monRec("a", nil)}, want: `the value at "at" is missing`},
		{name: "bad number", ms: monitorSpec{id: "id", sinceField: "at", sinceFormat: "unix"},
			listing: []json.RawMessage{monRec("a", secret)}, want: `not unix`},
		{name: "hex number", ms: monitorSpec{id: "id", sinceField: "at", sinceFormat: "number"},
			listing: []json.RawMessage{monRec("a", "0x10")}, want: `not number`},
		{name: "boolean since", ms: monitorSpec{id: "id", sinceField: "at", sinceFormat: "unixMillis"},
			listing: []json.RawMessage{json.RawMessage(`{"id":"a","at":true}`)}, want: `not unixMillis`},
		{name: "unknown format", ms: monitorSpec{id: "id", sinceField: "at", sinceFormat: "iso"}, want: `unknown since format "iso"`},
		{name: "bad cursor since", ms: monSince, cur: Cursor{Started: true, Since: "yesterday"}, want: `cursor's since is not rfc3339`},
		{name: "list error", ms: monSince, cur: Cursor{Started: true}, is: listErr,
			list: func(context.Context, string) iter.Seq2[json.RawMessage, error] {
				return func(yield func(json.RawMessage, error) bool) {
					if yield(monRec("a", "2024-05-01T10:00:00Z"), nil) {
						yield(nil, listErr)
					}
				}
			}},
		{name: "decode error", ms: monNoSince, cur: Cursor{Started: true},
			listing: []json.RawMessage{json.RawMessage(`{"id":"a"}`), json.RawMessage(`{"id":2}`)}, want: "decode record 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := tt.list
			if list == nil {
				list = monList(nil, tt.listing...)
			}
			steps, next, err := pollMonitor[monRecord](context.Background(), tt.ms, tt.cur, list)
			if err == nil {
				t.Fatalf("no error; records %q", recIDs(steps))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows the record's content", err)
			}
			if steps != nil || !reflect.DeepEqual(next, tt.cur) {
				t.Errorf("on error: steps %v, cursor %+v; want none and the cursor given", steps, next)
			}
		})
	}
}

func TestPollMonitorDotPathsAndRawRecords(t *testing.T) {
	ms := monitorSpec{id: "meta.id", sinceField: "meta.changed.at", sinceFormat: "number"}
	steps, next, err := pollMonitor[json.RawMessage](context.Background(), ms, Cursor{Started: true, Since: "5", IDs: []string{"x"}},
		monList(nil,
			json.RawMessage(`{"meta":{"id":"x","changed":{"at":5}},"v":1}`),
			json.RawMessage(`{"meta":{"id":"y","changed":{"at":"5"}},"v":2}`),
			json.RawMessage(`{"meta":{"id":3,"changed":{"at":6}},"v":3}`)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, string(s.record))
	}
	want := []string{`{"meta":{"id":"y","changed":{"at":"5"}},"v":2}`, `{"meta":{"id":3,"changed":{"at":6}},"v":3}`}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	wantCursor(t, next, Cursor{Started: true, Since: "6", IDs: []string{"3"}})
}

// monFeed is a service listing records newest first, perPage a page, with
// ?since= filtering by >= (as many do) and ?page=. Records may be added
// while it serves.
type monFeed struct {
	mu      sync.Mutex
	recs    []monFeedRecord // oldest first; times never decrease
	perPage int
	reqs    []string // since|before of each request
	next    int
	at      time.Time
}

type monFeedRecord struct {
	ID string `json:"id"`
	At string `json:"updated_at"`
}

func (f *monFeed) add(n int, tick time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at = f.at.Add(tick)
	for range n {
		f.next++
		f.recs = append(f.recs, monFeedRecord{ID: fmt.Sprintf("r%05d", f.next), At: f.at.Format(time.RFC3339Nano)})
	}
}

func (f *monFeed) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.recs {
		out = append(out, r.ID)
	}
	return out
}

// oldestFirst is the order a monitor yields the records from the from'th
// on: by time, ties in the order they were added.
func (f *monFeed) oldestFirst(from int) []string {
	f.mu.Lock()
	recs := slices.Clone(f.recs[from:])
	f.mu.Unlock()
	slices.SortStableFunc(recs, func(a, b monFeedRecord) int {
		ta, _ := time.Parse(time.RFC3339, a.At)
		tb, _ := time.Parse(time.RFC3339, b.At)
		return ta.Compare(tb)
	})
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func (f *monFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since time.Time
	var err error
	if s := q.Get("since"); s != "" {
		if since, err = time.Parse(time.RFC3339, s); err != nil {
			http.Error(w, "bad since", http.StatusBadRequest)
			return
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, q.Get("since")+"|"+q.Get("before"))
	// Keyset pages, newest first: records added while a listing is read
	// shift nothing; they come first in the next listing.
	before := len(f.recs)
	if b := q.Get("before"); b != "" {
		if before, err = strconv.Atoi(b); err != nil || before < 0 || before > len(f.recs) {
			f.mu.Unlock()
			http.Error(w, "bad before", http.StatusBadRequest)
			return
		}
	}
	var page []monFeedRecord
	next := ""
	for i := before - 1; i >= 0; i-- {
		at, _ := time.Parse(time.RFC3339, f.recs[i].At)
		if at.Before(since) {
			break // older ones are older still
		}
		if len(page) == f.perPage {
			next = strconv.Itoa(i + 1)
			break
		}
		page = append(page, f.recs[i])
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": page, "next": next})
}

// monHTTPList lists every page of a monFeed with real GETs.
func monHTTPList(hc *http.Client, base string) func(context.Context, string) iter.Seq2[json.RawMessage, error] {
	return func(ctx context.Context, since string) iter.Seq2[json.RawMessage, error] {
		return func(yield func(json.RawMessage, error) bool) {
			for before := ""; ; {
				q := url.Values{}
				if since != "" {
					q.Set("since", since)
				}
				if before != "" {
					q.Set("before", before)
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/orders?"+q.Encode(), nil)
				if err != nil {
					yield(nil, err)
					return
				}
				resp, err := hc.Do(req)
				if err != nil {
					yield(nil, err)
					return
				}
				var body struct {
					Data []json.RawMessage `json:"data"`
					Next string            `json:"next"`
				}
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
				if err != nil {
					yield(nil, err)
					return
				}
				for _, raw := range body.Data {
					if !yield(raw, nil) {
						return
					}
				}
				if before = body.Next; before == "" {
					return
				}
			}
		}
	}
}

var monFeedSpec = monitorSpec{id: "id", sinceField: "updated_at", sinceFormat: "rfc3339", interval: time.Hour}

func TestPollMonitorPaging(t *testing.T) {
	feed := &monFeed{perPage: 3, at: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	for range 10 {
		feed.add(2, 250*time.Millisecond) // ties, with and without fractions
	}
	srv := httptest.NewServer(feed)
	defer srv.Close()
	list := monHTTPList(srv.Client(), srv.URL)

	steps, next, err := pollMonitor[monFeedRecord](context.Background(), monFeedSpec, Cursor{Started: true}, list)
	if err != nil {
		t.Fatal(err)
	}
	got := monIDs(steps, func(r monFeedRecord) string { return r.ID })
	wantIDs(t, got, feed.oldestFirst(0))
	if want := []string{"|", "|17", "|14", "|11", "|8", "|5", "|2"}; !slices.Equal(feed.reqs, want) {
		t.Errorf("requests = %q, want %q (every page once)", feed.reqs, want)
	}
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:02.5Z", IDs: []string{"r00019", "r00020"}})

	// The server sends the boundary again (>=): nothing new. Then new pages.
	feed.reqs = nil
	steps, _, err = pollMonitor[monFeedRecord](context.Background(), monFeedSpec, next, list)
	if err != nil || len(steps) != 0 {
		t.Fatalf("second poll: %d records, %v", len(steps), err)
	}
	if want := []string{"2024-05-01T10:00:02.5Z|"}; !slices.Equal(feed.reqs, want) {
		t.Errorf("requests = %q, want %q", feed.reqs, want)
	}
	feed.add(4, 0) // at the boundary time
	feed.add(3, time.Second)
	steps, next, err = pollMonitor[monFeedRecord](context.Background(), monFeedSpec, next, list)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, monIDs(steps, func(r monFeedRecord) string { return r.ID }), feed.oldestFirst(20))
	if want := []string{"r00021", "r00022", "r00023", "r00024", "r00025", "r00026", "r00027"}; !slices.Equal(feed.oldestFirst(20), want) {
		t.Errorf("oldestFirst = %q, want %q", feed.oldestFirst(20), want)
	}
	wantCursor(t, next, Cursor{Started: true, Since: "2024-05-01T10:00:03.5Z", IDs: []string{"r00025", "r00026", "r00027"}})

	// A failing page fails the poll.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "{}", http.StatusBadGateway) })
	if _, _, err := pollMonitor[monFeedRecord](context.Background(), monFeedSpec, next, list); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("failing page: %v", err)
	}
}

// monStore is a CursorStore in memory that records its saves and can fail.
type monStore struct {
	mu        sync.Mutex
	m         map[string]Cursor
	saves     []Cursor
	failLoads int // the next n Loads fail
	failSaves int // the next n Saves fail
}

var errMonStore = errors.New("store unavailable")

func (s *monStore) Load(_ context.Context, key string) (Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLoads > 0 {
		s.failLoads--
		return Cursor{}, errMonStore
	}
	return cloneCursor(s.m[key]), nil
}

func (s *monStore) Save(_ context.Context, key string, cur Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSaves > 0 {
		s.failSaves--
		return errMonStore
	}
	if s.m == nil {
		s.m = map[string]Cursor{}
	}
	s.m[key] = cloneCursor(cur)
	s.saves = append(s.saves, cloneCursor(cur))
	return nil
}

func (s *monStore) get(key string) Cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key]
}

// monPolls counts polls and records the cursor each was given.
type monPolls struct {
	mu      sync.Mutex
	cursors []Cursor
	fail    map[int]error // poll number (from 1) → its error
}

func (p *monPolls) poll(list func(context.Context, string) iter.Seq2[json.RawMessage, error], ms monitorSpec) func(context.Context, Cursor) ([]monitorStep[monRecord], Cursor, error) {
	return func(ctx context.Context, cur Cursor) ([]monitorStep[monRecord], Cursor, error) {
		p.mu.Lock()
		p.cursors = append(p.cursors, cloneCursor(cur))
		err := p.fail[len(p.cursors)]
		p.mu.Unlock()
		if err != nil {
			return nil, Cursor{}, err
		}
		return pollMonitor[monRecord](ctx, ms, cur, list)
	}
}

func (p *monPolls) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cursors)
}

var monWatchListing = []json.RawMessage{
	monRec("c", "2024-05-01T10:00:03Z"), monRec("b", "2024-05-01T10:00:02Z"), monRec("a", "2024-05-01T10:00:01Z"),
}

func TestWatchMonitorSavesAfterEachHandover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := &monStore{m: map[string]Cursor{"k": {Started: true}}}
	polls := &monPolls{}
	steps, _ := monPoll(t, monSince, Cursor{Started: true}, monWatchListing...)
	var got []string
	for rec, err := range watchMonitor(ctx, monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
		if err != nil {
			t.Fatal(err)
		}
		// While the consumer holds record i, the store holds the cursor
		// after record i-1: it is saved once the record is handed over.
		want := Cursor{Started: true}
		if i := len(got); i > 0 {
			want = steps[i-1].cursor
		}
		wantCursor(t, store.get("k"), want)
		got = append(got, rec.ID)
		if len(got) == 3 {
			// Let several more polls find nothing, then end.
			go func() {
				for polls.count() < 6 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
		}
	}
	wantIDs(t, got, []string{"a", "b", "c"})
	wantCursor(t, store.get("k"), steps[2].cursor)
	if len(store.saves) != 3 {
		t.Errorf("saves = %+v, want one per record and none for empty polls", store.saves)
	}
	for _, c := range polls.cursors[1:] {
		wantCursor(t, c, steps[2].cursor)
	}
}

func TestWatchMonitorResumesFromStore(t *testing.T) {
	steps, _ := monPoll(t, monSince, Cursor{Started: true}, monWatchListing...)
	store := &monStore{m: map[string]Cursor{"k": steps[0].cursor, "other": {}}}
	polls := &monPolls{}
	var got []string
	for rec, err := range watchMonitor(context.Background(), monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
		if err != nil {
			t.Fatal(err)
		}
		if got = append(got, rec.ID); len(got) == 2 {
			break
		}
	}
	wantIDs(t, got, []string{"b", "c"})
	wantCursor(t, polls.cursors[0], steps[0].cursor)
	wantCursor(t, store.get("k"), steps[2].cursor)
	wantCursor(t, store.get("other"), Cursor{})
}

func TestWatchMonitorBaselineSaved(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := &monStore{}
	polls := &monPolls{}
	poll := polls.poll(monList(nil, monWatchListing...), monSince)
	go func() {
		for polls.count() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	for rec, err := range watchMonitor(ctx, monSince, store, "k", time.Millisecond, poll) {
		t.Fatalf("a first run yielded %v, %v", rec, err)
	}
	want := Cursor{Started: true, Since: "2024-05-01T10:00:03Z", IDs: []string{"c"}}
	wantCursor(t, store.get("k"), want)
	if len(store.saves) != 1 {
		t.Errorf("saves = %+v, want the baseline once", store.saves)
	}
	wantCursor(t, polls.cursors[0], Cursor{})
	wantCursor(t, polls.cursors[1], want)
}

func TestWatchMonitorPollErrorRetries(t *testing.T) {
	boom := errors.New("poll failed")
	start := Cursor{Started: true, Since: "2024-05-01T10:00:01Z", IDs: []string{"a"}}
	store := &monStore{m: map[string]Cursor{"k": start}}
	polls := &monPolls{fail: map[int]error{1: boom, 2: boom}}
	var got []string
	var errs []error
	for rec, err := range watchMonitor(context.Background(), monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
		if err != nil {
			var zero monRecord
			if rec != zero {
				t.Errorf("error yielded with a record %+v", rec)
			}
			errs = append(errs, err)
			continue
		}
		if got = append(got, rec.ID); len(got) == 2 {
			break
		}
	}
	if len(errs) != 2 || !errors.Is(errs[0], boom) {
		t.Errorf("errors = %v, want the two failed polls", errs)
	}
	wantIDs(t, got, []string{"b", "c"})
	for i, c := range polls.cursors {
		wantCursor(t, c, start) // the failed polls did not move the cursor
		if i == 2 {
			break
		}
	}
	if len(polls.cursors) != 3 {
		t.Errorf("%d polls, want 3", len(polls.cursors))
	}
}

func TestWatchMonitorSaveError(t *testing.T) {
	store := &monStore{m: map[string]Cursor{"k": {Started: true}}, failSaves: 1}
	polls := &monPolls{}
	var got []string
	for rec, err := range watchMonitor(context.Background(), monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
		if err != nil {
			got = append(got, "error: "+err.Error())
			continue
		}
		if got = append(got, rec.ID); len(got) == 4 {
			break
		}
	}
	wantIDs(t, got, []string{"a", "error: " + errMonStore.Error(), "b", "c"})
	steps, _ := monPoll(t, monSince, Cursor{Started: true}, monWatchListing...)
	wantCursor(t, store.get("k"), steps[2].cursor)
}

func TestWatchMonitorLoadError(t *testing.T) {
	store := &monStore{m: map[string]Cursor{"k": {Started: true}}, failLoads: 2}
	polls := &monPolls{}
	var got []string
	for rec, err := range watchMonitor(context.Background(), monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
		if err != nil {
			if polls.count() != 0 {
				t.Errorf("polled without a cursor")
			}
			got = append(got, "load error")
			continue
		}
		if got = append(got, rec.ID); len(got) == 3 {
			break
		}
	}
	wantIDs(t, got, []string{"load error", "load error", "a"})
}

func TestWatchMonitorStops(t *testing.T) {
	t.Run("consumer breaks", func(t *testing.T) {
		store := &monStore{m: map[string]Cursor{"k": {Started: true}}}
		polls := &monPolls{}
		for rec := range watchMonitor(context.Background(), monSince, store, "k", time.Millisecond, polls.poll(monList(nil, monWatchListing...), monSince)) {
			if rec.ID != "a" {
				t.Errorf("first record %q", rec.ID)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
		if n := polls.count(); n != 1 {
			t.Errorf("%d polls after the consumer broke, want 1", n)
		}
		// The record handed over before the break is saved.
		steps, _ := monPoll(t, monSince, Cursor{Started: true}, monWatchListing...)
		wantCursor(t, store.get("k"), steps[0].cursor)
	})
	t.Run("ctx ends while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		store := &monStore{m: map[string]Cursor{"k": {Started: true}}}
		polls := &monPolls{}
		time.AfterFunc(30*time.Millisecond, cancel)
		start := time.Now()
		var got []string
		for rec, err := range watchMonitor(ctx, monSince, store, "k", time.Hour, polls.poll(monList(nil, monWatchListing...), monSince)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec.ID)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v to stop", d)
		}
		wantIDs(t, got, []string{"a", "b", "c"})
	})
	t.Run("ctx ends while the consumer holds a record", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		store := &monStore{m: map[string]Cursor{"k": {Started: true}}}
		polls := &monPolls{}
		var got []string
		for rec, err := range watchMonitor(ctx, monSince, store, "k", time.Hour, polls.poll(monList(nil, monWatchListing...), monSince)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec.ID)
			cancel()
		}
		wantIDs(t, got, []string{"a"})
		// Saved although ctx had ended: a is not handed over again.
		steps, _ := monPoll(t, monSince, Cursor{Started: true}, monWatchListing...)
		wantCursor(t, store.get("k"), steps[0].cursor)
	})
	t.Run("ctx ended before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		polls := &monPolls{}
		for rec, err := range watchMonitor(ctx, monSince, &monStore{}, "k", 0, polls.poll(monList(nil, monWatchListing...), monSince)) {
			t.Errorf("yielded %v, %v", rec, err)
		}
	})
}

func TestWatchMonitorInterval(t *testing.T) {
	for _, tt := range []struct {
		spec, arg, want time.Duration
	}{
		{spec: 30 * time.Millisecond, arg: 0, want: 30 * time.Millisecond},
		{spec: time.Hour, arg: 30 * time.Millisecond, want: 30 * time.Millisecond},
	} {
		ms := monNoSince
		ms.interval = tt.spec
		var times []time.Time
		poll := func(context.Context, Cursor) ([]monitorStep[monRecord], Cursor, error) {
			times = append(times, time.Now())
			if len(times) == 4 {
				return nil, Cursor{}, errors.New("stop")
			}
			return nil, Cursor{Started: true}, nil
		}
		for _, err := range watchMonitor(context.Background(), ms, &monStore{}, "k", tt.arg, poll) {
			if err != nil {
				break
			}
		}
		for i := 1; i < len(times); i++ {
			if d := times[i].Sub(times[i-1]); d < tt.want {
				t.Errorf("spec %v, arg %v: polls %v apart, want %v", tt.spec, tt.arg, d, tt.want)
			}
		}
	}
	for _, err := range watchMonitor[monRecord](context.Background(), monSince, nil, "k", 0, nil) {
		if err == nil || !strings.Contains(err.Error(), "nil CursorStore") {
			t.Errorf("nil store: %v", err)
		}
	}
}

// TestWatchMonitorCrashChild is the process TestWatchMonitorSurvivesKill
// kills: it watches the feed at MONITOR_URL with the cursor file
// MONITOR_FILE, writing "rec <id>" for each record as it is handed over,
// until its stdin closes.
func TestWatchMonitorCrashChild(t *testing.T) {
	if os.Getenv("MONITOR_CHILD") == "" {
		t.Skip("run by TestWatchMonitorSurvivesKill")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	ms := monFeedSpec
	list := monHTTPList(http.DefaultClient, os.Getenv("MONITOR_URL"))
	poll := func(ctx context.Context, cur Cursor) ([]monitorStep[monFeedRecord], Cursor, error) {
		return pollMonitor[monFeedRecord](ctx, ms, cur, list)
	}
	for rec, err := range watchMonitor(ctx, ms, FileCursorStore(os.Getenv("MONITOR_FILE")), "orders", 2*time.Millisecond, poll) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			continue
		}
		fmt.Fprintf(os.Stdout, "rec %s\n", rec.ID) // os.Stdout is unbuffered: one write
	}
}

// A watcher killed with SIGKILL at many points and restarted on the same
// cursor file loses no record; a record comes twice only as the first one
// after a kill, and only when it was the last one before. The slowed feed
// adds records 4 times more slowly, as on a loaded machine: more of them
// join a tie group between two polls, which is where an order that is not
// the same in every poll used to hand a record over again out of place.
func TestWatchMonitorSurvivesKill(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1", "ios", "android":
		t.Skip("needs a unix that can re-exec the test binary")
	}
	if testing.Short() {
		t.Skip("kills a child process 20 times")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	t.Run("feed", func(t *testing.T) { testWatchMonitorSurvivesKill(t, exe, 1) })
	t.Run("slowFeed", func(t *testing.T) { testWatchMonitorSurvivesKill(t, exe, 4) })
}

// testWatchMonitorSurvivesKill runs the kill test with the record adder
// slowed by the factor slow.
func testWatchMonitorSurvivesKill(t *testing.T, exe string, slow int) {
	// Only a bound on a hung run: nothing below waits on time for
	// correctness.
	deadline := time.Now().Add(3 * time.Minute)
	feed := &monFeed{perPage: 4, at: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	feed.add(10, 0) // there before the first run: backfilled
	srv := httptest.NewServer(feed)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "cursors.json")
	if err := FileCursorStore(file).Save(context.Background(), "orders", Cursor{Started: true}); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(20240501, 1))
	stopAdding := make(chan struct{})
	added := make(chan struct{})
	go func() { // the service keeps adding records, a few at a time, ties included
		defer close(added)
		r := rand.New(rand.NewPCG(20240501, 2))
		for len(feed.ids()) < 300 {
			select {
			case <-stopAdding:
				return
			case <-time.After(time.Duration(slow*(2+r.IntN(6))) * time.Millisecond):
			}
			feed.add(1+r.IntN(3), time.Duration(r.IntN(2))*250*time.Millisecond)
		}
	}()
	defer func() {
		select {
		case <-stopAdding:
		default:
			close(stopAdding)
		}
	}()

	var runs [][]string // each run's lines
	// run starts the child and returns its lines once stop says so (given
	// the records printed so far), or without stop once the child has
	// printed everything in all; kill ends it with SIGKILL, else its stdin
	// is closed.
	run := func(stop func(n int) bool, all []string, kill bool) []string {
		t.Helper()
		cmd := exec.Command(exe, "-test.run=^TestWatchMonitorCrashChild$")
		cmd.Env = append(os.Environ(), "MONITOR_CHILD=1", "MONITOR_URL="+srv.URL, "MONITOR_FILE="+file)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var lines []string
		more := make(chan struct{}, 1)
		eof := make(chan struct{})
		go func() {
			defer close(eof)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "rec "); ok {
					mu.Lock()
					lines = append(lines, id)
					mu.Unlock()
					select {
					case more <- struct{}{}:
					default:
					}
				}
			}
		}()
		for {
			mu.Lock()
			n, done := len(lines), stop == nil && monCovers(lines, all)
			mu.Unlock()
			if done || stop != nil && stop(n) {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				<-eof
				cmd.Wait()
				mu.Lock()
				missing := 0
				for _, id := range all {
					if !slices.Contains(lines, id) {
						missing++
					}
				}
				mu.Unlock()
				data, _ := os.ReadFile(file)
				t.Fatalf("run %d timed out; the child printed %d records, %d of %d missing; cursor file %s; stderr:\n%s", len(runs), n, missing, len(all), data, stderr.String())
			}
			select {
			case <-more:
			case <-time.After(50 * time.Millisecond):
			}
		}
		if kill {
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // a random moment after
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		} else {
			stdin.Close()
		}
		<-eof
		err = cmd.Wait()
		if !kill && err != nil {
			t.Errorf("child: %v", err)
		}
		if s := stderr.String(); strings.Contains(s, "error:") {
			t.Errorf("child reported errors:\n%s", s)
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(lines)
	}

	for range 20 {
		target := 1 + rng.IntN(12)
		runs = append(runs, run(func(n int) bool { return n >= target }, nil, true))
	}
	close(stopAdding)
	<-added
	all := feed.ids()
	var rest []string // not delivered before the last kill
	for _, id := range all {
		if !slices.ContainsFunc(runs, func(lines []string) bool { return slices.Contains(lines, id) }) {
			rest = append(rest, id)
		}
	}
	runs = append(runs, run(nil, rest, false))

	delivered := map[string]int{}
	for i, lines := range runs {
		dups := 0
		for j, id := range lines {
			if delivered[id] > 0 {
				// A duplicate is the previous run's last record: handed
				// over, killed before its cursor was saved.
				prev := runs[i-1]
				if dups > 0 || len(prev) == 0 || id != prev[len(prev)-1] {
					t.Errorf("run %d: record %s (line %d) delivered again; the previous run ended with %q", i, id, j, prev[max(0, len(prev)-3):])
				}
				dups++
			}
			delivered[id]++
		}
	}
	var lost []string
	for _, id := range all {
		if delivered[id] == 0 {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d records lost: %q", len(lost), len(all), lost[:min(len(lost), 20)])
	}
	if len(delivered) != len(all) {
		t.Errorf("%d distinct records delivered, the feed has %d", len(delivered), len(all))
	}
	var killed int
	for _, lines := range runs[:len(runs)-1] {
		killed += len(lines)
	}
	t.Logf("%d records, %d delivered before 20 kills, %d duplicates", len(all), killed, func() (n int) {
		for _, c := range delivered {
			n += c - 1
		}
		return n
	}())
}

// monCovers reports whether lines hold every id of all.
func monCovers(lines, all []string) bool {
	seen := make(map[string]bool, len(lines))
	for _, id := range lines {
		seen[id] = true
	}
	for _, id := range all {
		if !seen[id] {
			return false
		}
	}
	return true
}
