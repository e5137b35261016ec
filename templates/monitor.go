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
	Started bool     `json:"started"`
	Since   string   `json:"since,omitempty"` // the newest since.field value seen, as the API writes it
	IDs     []string `json:"ids,omitempty"`   // with since: the ids seen at Since (at most 1,000); without: the ids the last poll listed
}

// CursorStore keeps monitors' cursors between runs, each under its own key.
type CursorStore interface {
	Load(ctx context.Context, key string) (Cursor, error) // zero Cursor when the key is unknown
	Save(ctx context.Context, key string, cur Cursor) error
}

// monitorMaxIDs caps Cursor.IDs, so a cursor stays small.
const monitorMaxIDs = 1000

// monitorDefaultInterval is the poll interval when neither the caller nor
// the spec gives one.
const monitorDefaultInterval = time.Minute

// monitorSpec is a spec's monitor, as the generator fills it in.
type monitorSpec struct {
	id          string        // dot path of a record's unique id (string or number in JSON)
	sinceField  string        // dot path of its change time or sequence number; "" without since
	sinceFormat string        // rfc3339 | unix | unixMillis | number
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
	sinceText string // as the API wrote it
	since     monitorSince
	isNew     bool
	record    T // decoded only when new
}

// pollMonitor runs one poll: list yields every record of every page (raw JSON, in the order
// the API lists them) for the since value to send ("" when none: first poll, or no since);
// it returns the new records oldest first, each with the cursor after it, and the cursor for next time.
//
// A zero cur returns no records and a started cursor at the current newest
// record; Cursor{Started: true} makes everything listed new. Each step's
// cursor covers exactly the records up to and including its own, so saving
// it once the record is handed over means a restart neither skips a record
// nor repeats more than the last one. Errors name paths, never a record's
// content.
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
	known := make(map[string]bool, len(cur.IDs))
	for _, id := range cur.IDs {
		known[id] = true
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
		r := monitorRecord[T]{id: id, isNew: cur.Started}
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
			dedup += "\x00" + text // an updated record listed twice in one poll is new twice
			if r.isNew && cur.Since != "" {
				c := r.since.compare(curSince)
				r.isNew = c > 0 || c == 0 && !known[id]
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
	case !cur.Started:
		return nil, monitorBaseline(withSince, listed), nil
	case withSince:
		steps := monitorSinceSteps(cur, curSince, listed)
		if len(steps) == 0 {
			return nil, cloneCursor(cur), nil
		}
		return steps, steps[len(steps)-1].cursor, nil
	default:
		return monitorListedSteps(listed), Cursor{Started: true, IDs: monitorFirstIDs(listed)}, nil
	}
}

// monitorBaseline is the first poll's cursor: at the newest record listed.
func monitorBaseline[T any](withSince bool, listed []monitorRecord[T]) Cursor {
	if !withSince {
		return Cursor{Started: true, IDs: monitorFirstIDs(listed)}
	}
	next := Cursor{Started: true}
	var newest monitorSince
	for _, r := range listed {
		c := 1
		if next.Since != "" {
			c = r.since.compare(newest)
		}
		switch {
		case c > 0:
			next.Since, newest, next.IDs = r.sinceText, r.since, []string{r.id}
		case c == 0 && len(next.IDs) < monitorMaxIDs && !slices.Contains(next.IDs, r.id):
			next.IDs = append(next.IDs, r.id)
		}
	}
	return next
}

// monitorSinceSteps sorts the new records oldest first and gives each the
// cursor after it: its since value and the ids handed over at that value
// (the cursor's own too, when the value is the cursor's).
func monitorSinceSteps[T any](cur Cursor, curSince monitorSince, listed []monitorRecord[T]) []monitorStep[T] {
	var fresh []monitorRecord[T]
	for _, r := range listed {
		if r.isNew {
			fresh = append(fresh, r)
		}
	}
	slices.SortStableFunc(fresh, func(a, b monitorRecord[T]) int { return a.since.compare(b.since) })
	steps := make([]monitorStep[T], len(fresh))
	var group []string // the ids at the current since value; steps share its prefixes
	for i, r := range fresh {
		if i == 0 || r.since.compare(fresh[i-1].since) != 0 {
			group = nil
			if cur.Since != "" && r.since.compare(curSince) == 0 {
				group = append(group, cur.IDs[:min(len(cur.IDs), monitorMaxIDs)]...)
			}
		}
		if len(group) < monitorMaxIDs && !slices.Contains(group, r.id) {
			group = append(group, r.id)
		}
		steps[i] = monitorStep[T]{record: r.record, cursor: Cursor{Started: true, Since: r.sinceText, IDs: group[:len(group):len(group)]}}
	}
	return steps
}

// monitorListedSteps gives each new record, in listed order, the cursor
// after it, without since: the ids listed (each once: listed is deduplicated
// by id) less the new ones still to come, at most monitorMaxIDs.
func monitorListedSteps[T any](listed []monitorRecord[T]) []monitorStep[T] {
	ids := make([]string, len(listed))
	for i, r := range listed {
		ids[i] = r.id
	}
	capped := ids[:min(len(ids), monitorMaxIDs):min(len(ids), monitorMaxIDs)]
	var steps []monitorStep[T]
	for p, r := range listed {
		if !r.isNew {
			continue
		}
		after := capped
		if p+1 < len(capped) {
			// Everything up to p is handed over; after it only the old ones.
			after = slices.Clone(ids[:p+1])
			for q := p + 1; q < len(ids) && len(after) < monitorMaxIDs; q++ {
				if !listed[q].isNew {
					after = append(after, ids[q])
				}
			}
		}
		steps = append(steps, monitorStep[T]{record: r.record, cursor: Cursor{Started: true, IDs: after}})
	}
	return steps
}

// monitorFirstIDs is the first monitorMaxIDs ids of a listing deduplicated by id.
func monitorFirstIDs[T any](listed []monitorRecord[T]) []string {
	var ids []string
	for _, r := range listed[:min(len(listed), monitorMaxIDs)] {
		ids = append(ids, r.id)
	}
	return ids
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

// monitorPage lists the records of an action that is not paginated: the
// list at the dot path items of its one answer ("" the answer itself).
func monitorPage(ctx context.Context, c *Client, req Request, items string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		resp, err := call[json.RawMessage](ctx, c, req)
		if err != nil {
			yield(nil, err)
			return
		}
		list, ok := jsonAt(resp.Body, items)
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

// monitorFail is a listing that fails at once with err.
func monitorFail(err error) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) { yield(nil, err) }
}
