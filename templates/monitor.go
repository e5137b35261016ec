package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Cursor is where a monitor stands, JSON-serializable.
type Cursor struct {
	Started bool   `json:"started"`
	Since   string `json:"since,omitempty"` // the newest since.field value seen, as the API writes it
	// IDs: with since, the ids handed over at Since (with since.tiebreak, the
	// tiebreak value of the last one handed over there); without since, every
	// id the last poll listed. Never capped: a cap would hand records over
	// again, forever.
	IDs []string `json:"ids,omitempty"`
}

// CursorStore keeps monitors' cursors between runs, each under its own key.
type CursorStore interface {
	Load(ctx context.Context, key string) (Cursor, error) // zero Cursor when the key is unknown
	Save(ctx context.Context, key string, cur Cursor) error
}

// monitorDefaultInterval is the poll interval when neither the caller nor
// the spec gives one.
const monitorDefaultInterval = time.Minute

// monitorSpec is a spec's monitor, as the generator fills it in.
type monitorSpec struct {
	id          string        // dot path of a record's unique id (string or number in JSON)
	sinceField  string        // dot path of its change time or sequence number; "" without since
	sinceFormat string        // rfc3339 | unix | unixMillis | number
	oldestFirst bool          // the action lists records oldest first; false: newest first
	tiebreak    string        // dot path of the value the service sorts ties by; "" none
	interval    time.Duration // default poll interval
}

// monitorStep is one new record and the cursor to save once it is handed over.
type monitorStep[T any] struct {
	record T
	cursor Cursor
}

// monitorRecord is a listed record with its id and since value read.
type monitorRecord[T any] struct {
	id        string
	pos       int    // its place in the listing
	sinceText string // as the API wrote it
	since     monitorSince
	tie       string // its tiebreak value, with since.tiebreak
	isNew     bool
	record    T // decoded only when new
}

// pollMonitor runs one poll: list yields every record of every page (raw JSON, in the order
// the API lists them) for the since value to send ("" when none: first poll, or no since);
// it returns the new records oldest first, each with the cursor after it, and the cursor for next time.
//
// A zero cur returns no records and a started cursor at the current newest
// record; Cursor{Started: true} makes everything listed new. Records that
// share a since value are handed over oldest first by the listing's order
// (newest-first listings reversed), or by their tiebreak value, so the
// order is the same in every poll: after a crash only records handed over
// but not yet saved come again, and first. Each step's cursor covers
// exactly the records up to and including its own. Errors name paths,
// never a record's content.
func pollMonitor[T any](ctx context.Context, ms monitorSpec, cur Cursor, list func(ctx context.Context, since string) iter.Seq2[json.RawMessage, error]) ([]monitorStep[T], Cursor, error) {
	withSince := ms.sinceField != ""
	var curSince monitorSince
	if withSince {
		switch ms.sinceFormat {
		case "rfc3339", "unix", "unixMillis", "number":
		default:
			return nil, cur, fmt.Errorf("monitor: unknown since format %q", ms.sinceFormat)
		}
		if cur.Since != "" {
			var ok bool
			if curSince, ok = parseMonitorSince(ms.sinceFormat, cur.Since); !ok {
				return nil, cur, fmt.Errorf("monitor: the cursor's since is not %s", ms.sinceFormat)
			}
		}
	}
	send := ""
	if cur.Started && withSince {
		send = cur.Since
	}
	// With a tiebreak the cursor holds the last value handed over at Since;
	// a cursor holding several ids was saved without one, and is read as
	// the ids it lists.
	byTie := withSince && ms.tiebreak != ""
	lastTie, hasLastTie := "", false
	if byTie && len(cur.IDs) == 1 {
		lastTie, hasLastTie = cur.IDs[0], true
	}
	known := make(map[string]bool, len(cur.IDs))
	if !hasLastTie {
		for _, id := range cur.IDs {
			known[id] = true
		}
	}
	var (
		listed []monitorRecord[T] // every record once, in listed order
		seen   = map[string]bool{}
		n      int
	)
	for raw, err := range list(ctx, send) {
		if err != nil {
			return nil, cur, err
		}
		n++
		id, _, ok := jsonText(raw, ms.id)
		if !ok || id == "" {
			return nil, cur, fmt.Errorf("monitor: record %d has no id at %q", n, ms.id)
		}
		r := monitorRecord[T]{id: id, pos: n, isNew: cur.Started}
		dedup := id
		if withSince {
			text, isNumber, ok := jsonText(raw, ms.sinceField)
			if ok {
				r.since, ok = parseMonitorSince(ms.sinceFormat, text)
				ok = ok && !(isNumber && ms.sinceFormat == "rfc3339")
			}
			if !ok {
				return nil, cur, fmt.Errorf("monitor: record %d: the value at %q is missing or not %s", n, ms.sinceField, ms.sinceFormat)
			}
			r.sinceText = text
			if byTie {
				if r.tie, _, ok = jsonText(raw, ms.tiebreak); !ok || r.tie == "" {
					return nil, cur, fmt.Errorf("monitor: record %d has no tiebreak value at %q", n, ms.tiebreak)
				}
			}
			dedup += "\x00" + text // an updated record listed twice in one poll is new twice
			if r.isNew && cur.Since != "" {
				switch c := r.since.compare(curSince); {
				case c != 0:
					r.isNew = c > 0
				case hasLastTie:
					r.isNew = compareMonitorTies(r.tie, lastTie) > 0
				default:
					r.isNew = !known[id]
				}
			}
		} else if r.isNew {
			r.isNew = !known[id]
		}
		if seen[dedup] {
			continue // listed again by pages that shifted while they were read
		}
		seen[dedup] = true
		if r.isNew {
			if err := json.Unmarshal(raw, &r.record); err != nil {
				return nil, cur, fmt.Errorf("monitor: decode record %d: %w", n, err)
			}
		}
		listed = append(listed, r)
	}
	switch {
	case !withSince:
		steps, next := monitorListedSteps(listed)
		if !cur.Started {
			return nil, next, nil // the baseline: everything listed is known
		}
		return steps, next, nil
	case !cur.Started:
		return nil, monitorBaseline(ms, listed), nil
	default:
		steps := monitorSinceSteps(ms, cur, curSince, listed)
		if len(steps) == 0 {
			return nil, cloneCursor(cur), nil
		}
		return steps, steps[len(steps)-1].cursor, nil
	}
}

// monitorHandover orders records as they are handed over: by since value,
// ties by tiebreak value, or oldest first by the listing's order.
func monitorHandover[T any](ms monitorSpec) func(a, b monitorRecord[T]) int {
	return func(a, b monitorRecord[T]) int {
		if c := a.since.compare(b.since); c != 0 {
			return c
		}
		if ms.tiebreak != "" {
			if c := compareMonitorTies(a.tie, b.tie); c != 0 {
				return c
			}
		}
		if ms.oldestFirst {
			return a.pos - b.pos
		}
		return b.pos - a.pos
	}
}

// monitorBaseline is the first poll's cursor, with since: at the newest
// record listed, holding every id there (or the greatest tiebreak value).
func monitorBaseline[T any](ms monitorSpec, listed []monitorRecord[T]) Cursor {
	if len(listed) == 0 {
		return Cursor{Started: true}
	}
	newest := slices.MaxFunc(listed, func(a, b monitorRecord[T]) int { return a.since.compare(b.since) })
	next := Cursor{Started: true, Since: newest.sinceText}
	var group []monitorRecord[T]
	for _, r := range listed {
		if r.since.compare(newest.since) == 0 {
			group = append(group, r)
		}
	}
	slices.SortFunc(group, monitorHandover[T](ms))
	if ms.tiebreak != "" {
		next.IDs = []string{group[len(group)-1].tie}
		return next
	}
	in := make(map[string]bool, len(group))
	for _, r := range group {
		if !in[r.id] {
			in[r.id] = true
			next.IDs = append(next.IDs, r.id)
		}
	}
	return next
}

// monitorSinceSteps sorts the new records oldest first and gives each the
// cursor after it: its since value and the ids handed over at that value
// (the cursor's own too, when the value is the cursor's), or with a
// tiebreak just its own tiebreak value. The steps of one since value share
// one backing array, so a tie group of any size costs memory in proportion.
func monitorSinceSteps[T any](ms monitorSpec, cur Cursor, curSince monitorSince, listed []monitorRecord[T]) []monitorStep[T] {
	var fresh []monitorRecord[T]
	for _, r := range listed {
		if r.isNew {
			fresh = append(fresh, r)
		}
	}
	slices.SortFunc(fresh, monitorHandover[T](ms))
	steps := make([]monitorStep[T], len(fresh))
	var group []string // the ids at the current since value
	var in map[string]bool
	for i, r := range fresh {
		if ms.tiebreak != "" {
			steps[i] = monitorStep[T]{record: r.record, cursor: Cursor{Started: true, Since: r.sinceText, IDs: []string{r.tie}}}
			continue
		}
		if i == 0 || r.since.compare(fresh[i-1].since) != 0 {
			group, in = nil, map[string]bool{}
			if cur.Since != "" && r.since.compare(curSince) == 0 {
				for _, id := range cur.IDs {
					if !in[id] {
						in[id] = true
						group = append(group, id)
					}
				}
			}
		}
		if !in[r.id] {
			in[r.id] = true
			group = append(group, r.id)
		}
		steps[i] = monitorStep[T]{record: r.record, cursor: Cursor{Started: true, Since: r.sinceText, IDs: group[:len(group):len(group)]}}
	}
	return steps
}

// monitorListedSteps gives each new record, in listed order, the cursor
// after it, without since, and the cursor for next time: every id listed
// (listed is deduplicated by id). The ids are kept old ones first, then the
// new ones in the order handed over, so each step's cursor is a prefix of
// one array: the ids known before plus those handed over so far.
func monitorListedSteps[T any](listed []monitorRecord[T]) ([]monitorStep[T], Cursor) {
	var ids []string
	if len(listed) > 0 {
		ids = make([]string, 0, len(listed))
	}
	for _, r := range listed {
		if !r.isNew {
			ids = append(ids, r.id)
		}
	}
	var steps []monitorStep[T]
	for _, r := range listed {
		if r.isNew {
			ids = append(ids, r.id)
			steps = append(steps, monitorStep[T]{record: r.record, cursor: Cursor{Started: true, IDs: ids[:len(ids):len(ids)]}})
		}
	}
	return steps, Cursor{Started: true, IDs: ids}
}

// compareMonitorTies compares tiebreak values: as numbers when both are,
// else as text.
func compareMonitorTies(a, b string) int {
	if monitorNumberRE.MatchString(a) && monitorNumberRE.MatchString(b) {
		x, okA := new(big.Rat).SetString(a)
		y, okB := new(big.Rat).SetString(b)
		if okA && okB {
			return x.Cmp(y)
		}
	}
	return strings.Compare(a, b)
}

func cloneCursor(c Cursor) Cursor {
	c.IDs = slices.Clone(c.IDs)
	return c
}

func cursorsEqual(a, b Cursor) bool {
	return a.Started == b.Started && a.Since == b.Since && slices.Equal(a.IDs, b.IDs)
}

// watchMonitor: loads the cursor from store under key, polls every interval (0: ms.interval) until ctx ends or the loop stops, yields each new record once, saving its step's cursor after the consumer's yield returns; a failed poll yields (zero, err) and the loop goes on from the same cursor; a failed Save yields (zero, err) too.
//
// A failed Load yields (zero, err) and is tried again after the interval:
// starting from a zero cursor instead would silently skip records. A save
// that follows a handover is made even when ctx has just ended, so the
// record is not handed over again; the loop ends without an error when ctx
// ends.
func watchMonitor[T any](ctx context.Context, ms monitorSpec, store CursorStore, key string, interval time.Duration, poll func(context.Context, Cursor) ([]monitorStep[T], Cursor, error)) iter.Seq2[T, error] {
	if interval <= 0 {
		interval = ms.interval
	}
	if interval <= 0 {
		interval = monitorDefaultInterval
	}
	return func(yield func(T, error) bool) {
		var zero T
		if store == nil {
			yield(zero, errors.New("monitor: nil CursorStore"))
			return
		}
		saveCtx := context.WithoutCancel(ctx)
		var cur, saved Cursor
		loaded := false
		for {
			start := time.Now()
			if !loaded {
				c, err := store.Load(ctx, key)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					if !yield(zero, err) {
						return
					}
				} else {
					cur, saved, loaded = c, c, true
				}
			}
			if loaded {
				steps, next, err := poll(ctx, cur)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					if !yield(zero, err) {
						return
					}
				} else {
					for _, s := range steps {
						if ctx.Err() != nil {
							return
						}
						more := yield(s.record, nil)
						err := store.Save(saveCtx, key, s.cursor)
						if !more {
							return
						}
						if err == nil {
							saved = s.cursor
						} else if !yield(zero, err) {
							return
						}
					}
					cur = next
					if !cursorsEqual(next, saved) {
						// The first poll's baseline, or the ids listed without since.
						if err := store.Save(saveCtx, key, next); err == nil {
							saved = next
						} else if !yield(zero, err) {
							return
						}
					}
				}
			}
			if d := interval - time.Since(start); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			} else if ctx.Err() != nil {
				return
			}
		}
	}
}

// monitorSince is a since value made comparable: a time for rfc3339, an
// exact number for the others.
type monitorSince struct {
	t time.Time
	n *big.Rat
}

func (a monitorSince) compare(b monitorSince) int {
	if a.n != nil && b.n != nil {
		return a.n.Cmp(b.n)
	}
	return a.t.Compare(b.t)
}

// monitorNumberRE is a decimal number, as JSON or a numeric string writes
// it; the exponent is bounded so a value cannot make a huge big.Rat.
var monitorNumberRE = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$`)

// parseMonitorSince parses a since value in the spec's format. rfc3339
// takes fractional seconds or none, and the lower-case t and z RFC 3339
// allows.
func parseMonitorSince(format, s string) (monitorSince, bool) {
	switch format {
	case "rfc3339":
		t, err := time.Parse(time.RFC3339, strings.ToUpper(s))
		return monitorSince{t: t}, err == nil
	case "unix", "unixMillis", "number":
		if !monitorNumberRE.MatchString(s) {
			return monitorSince{}, false
		}
		n, ok := new(big.Rat).SetString(s)
		return monitorSince{n: n}, ok
	}
	return monitorSince{}, false
}

// monitorRecords are the records of a poll's steps, for Poll<Name>.
func monitorRecords[T any](steps []monitorStep[T]) []T {
	records := make([]T, len(steps))
	for i, s := range steps {
		records[i] = s.record
	}
	return records
}

//conngen:if monitorpage

// monitorPage lists the records of an action that is not paginated: the
// list at the dot path items of its one answer ("" the answer itself).
func monitorPage(ctx context.Context, c *Client, req Request, items string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		var body json.RawMessage
		if _, _, err := c.callInto(ctx, req, &body); err != nil {
			yield(nil, err)
			return
		}
		list, ok := jsonAt(body, items)
		if !ok {
			yield(nil, fmt.Errorf("monitor: the response has no list at %q", items))
			return
		}
		var records []json.RawMessage
		if err := json.Unmarshal(list, &records); err != nil {
			yield(nil, fmt.Errorf("monitor: the response's %q is not a list", items))
			return
		}
		for _, r := range records {
			if !yield(r, nil) {
				return
			}
		}
	}
}

//conngen:end

// monitorFail is a listing that fails at once with err.
func monitorFail(err error) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) { yield(nil, err) }
}
