package templates

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WebhookEvent is one verified event of a delivery, its payload decoded into T.
type WebhookEvent[T any] struct {
	ID      string      // the event's id; "" when the scheme gives none
	Type    string      // the value at eventType
	Time    time.Time   // the signed timestamp; zero when none is signed
	Header  http.Header // the delivery's headers
	Payload T           // the event (the whole body, or one element of batch)
}

// WebhookOptions adjust a webhook handler; nil or a zero field keeps the spec's value.
type WebhookOptions struct {
	MaxBodyBytes int64            // 0: the spec's maxBodyBytes
	Tolerance    time.Duration    // 0: the spec's tolerance
	Now          func() time.Time // nil: time.Now
	Seen         SeenStore        // nil: in memory, each id kept for max(Tolerance, 24h)
	OldSecrets   []string         // also accepted, while a secret is being rotated
	ClaimTTL     time.Duration    // 0: 5m; how long a claim lasts, and the handler's deadline
}

// ClaimState is what SeenStore.Claim found.
type ClaimState int

const (
	Claimed    ClaimState = iota // this delivery handles the event
	Handled                      // already handled: acknowledged with 200
	InProgress                   // being handled by another delivery right now: 409
)

// SeenStore claims the ids of events before they are handled and remembers
// those handled, so that a redelivery, or copies arriving together, are
// handled once. Ids come as "<connector>/<event id>", so one store can serve
// several connectors. The default keeps them in memory, which protects one
// process; several replicas need a shared store (a database: one
// conditional insert with a claimed-at time; Redis: SET NX with an expiry).
type SeenStore interface {
	// Claim reserves id for handling, for at most ttl.
	Claim(ctx context.Context, id string, ttl time.Duration) (ClaimState, error)
	// Done ends a claim: ok keeps the id as handled (redeliveries are
	// acknowledged); !ok releases it, so the retry is handled.
	Done(ctx context.Context, id string, ok bool) error
}

// webhookSpec is how the service signs and shapes its deliveries: the spec's
// webhooks section with the scheme's preset already filled in by the
// generator. Only the header formats that differ per scheme are decided here,
// by scheme name.
type webhookSpec struct {
	scheme       string        // standard github stripe slack shopify hmac header field none
	idHeader     string        // holds {id}, the delivery's id
	tolerance    time.Duration // 0: 5m
	maxBodyBytes int64         // 0: 1 MiB
	eventType    string        // dot path into each event, or header:NAME
	eventID      string        // the same; "": the value of idHeader
	connector    string        // the connector's name: claimed ids are "<connector>/<id>"
	//conngen:if webhook-header webhook-hmac

	header string // the header holding the signature (scheme header: the secret)
	//conngen:end
	//conngen:if webhook-header webhook-field webhook-hmac

	prefix string // stripped from the value first, e.g. "sha256=" (not standard, stripe)
	//conngen:end
	//conngen:if webhook-hmac

	algorithm       string // sha1 sha256 sha512; "": sha256
	encoding        string // hex base64; "": hex
	signed          string // the signed bytes: a template over {body} {timestamp} {id}; "": {body}
	timestampHeader string // holds {timestamp} in Unix seconds (stripe: the header's t=)
	//conngen:end
	//conngen:if webhook-field

	field string // scheme field: dot path of the expected value in the body
	//conngen:end
	//conngen:if webhook-batch

	batch string // dot path of the list of events; "": the body is one event
	//conngen:end
	//conngen:if challenge-okta challenge-slack challenge-dropbox challenge-zoom

	challenge string // okta slack dropbox zoom, or ""
	//conngen:end
}

const (
	defaultWebhookMaxBodyBytes = 1 << 20
	defaultWebhookTolerance    = 5 * time.Minute
	defaultWebhookClaimTTL     = 5 * time.Minute
	// A service redelivers for about a day, and one whose redeliveries keep
	// their timestamp may do so for as long as the tolerance admits them.
	minWebhookSeenKeep = 24 * time.Hour
	maxWebhookSeenIDs  = 100_000
)

// webhookError is a refused delivery with the status the handler answers. Its
// message never holds the secret, a signature or any of the body.
type webhookError struct {
	status int
	msg    string
	err    error // the cause, for errors.Is and errors.As
}

func (e *webhookError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *webhookError) Unwrap() error { return e.err }

// Is makes a refusal with a cause match its sentinel: errors.Is(err,
// errWebhookDecode) holds whichever field failed to decode.
func (e *webhookError) Is(target error) bool {
	t, ok := target.(*webhookError)
	return ok && t.status == e.status && t.msg == e.msg
}

// The refusals, each answered with its status. verifyWebhook returns those of
// the first groups (a read error wrapping its cause); the handler the others.
var (
	errWebhookTooLarge = &webhookError{status: http.StatusRequestEntityTooLarge, msg: "webhook: body larger than MaxBodyBytes"}
	errWebhookReadBody = &webhookError{status: http.StatusBadRequest, msg: "webhook: reading body failed"}
	// A handler without a usable secret or scheme fails closed, with a 5xx so
	// the service retries once the configuration is fixed.
	errWebhookNoSecret = &webhookError{status: http.StatusInternalServerError, msg: "webhook: no signing secret configured"}
	errWebhookScheme   = &webhookError{status: http.StatusInternalServerError, msg: "webhook: unsupported signature configuration"}

	errWebhookMethod     = &webhookError{status: http.StatusMethodNotAllowed, msg: "webhook: method not allowed"}
	errWebhookNotJSON    = &webhookError{status: http.StatusBadRequest, msg: "webhook: body is not JSON"}
	errWebhookDecode     = &webhookError{status: http.StatusBadRequest, msg: "webhook: an event does not decode into its type"}
	errWebhookSeen       = &webhookError{status: http.StatusInternalServerError, msg: "webhook: seen store failed"}
	errWebhookInProgress = &webhookError{status: http.StatusConflict, msg: "webhook: event being handled by another delivery; retry later"}
	errWebhookHandler    = &webhookError{status: http.StatusInternalServerError, msg: "webhook: handler failed"}
	errWebhookPanic      = &webhookError{status: http.StatusInternalServerError, msg: "webhook: handler panicked"}
)

//conngen:if webhook-header webhook-field webhook-hmac

var (
	errWebhookNoSignature = &webhookError{status: http.StatusUnauthorized, msg: "webhook: signature missing"}
	errWebhookSignature   = &webhookError{status: http.StatusUnauthorized, msg: "webhook: signature does not match"}
)

//conngen:end

//conngen:if webhook-hmac

var (
	errWebhookNoTimestamp = &webhookError{status: http.StatusUnauthorized, msg: "webhook: timestamp missing or not a Unix time"}
	errWebhookTimestamp   = &webhookError{status: http.StatusUnauthorized, msg: "webhook: timestamp outside tolerance"}
	errWebhookNoID        = &webhookError{status: http.StatusUnauthorized, msg: "webhook: signed delivery id missing"}
)

//conngen:end

//conngen:if webhook-standard

var errWebhookBadSecret = &webhookError{status: http.StatusInternalServerError, msg: "webhook: signing secret not usable: a whsec_ secret is base64 after its prefix"}

//conngen:end

//conngen:if webhook-batch

var errWebhookBatch = &webhookError{status: http.StatusBadRequest, msg: "webhook: no list of events at the batch path"}

//conngen:end

// webhookSettings resolves every default of opts once, so a handler's
// behaviour cannot change under it when the caller later edits opts.
func webhookSettings(ws webhookSpec, opts *WebhookOptions) WebhookOptions {
	var o WebhookOptions
	if opts != nil {
		o = *opts
		o.OldSecrets = slices.Clone(o.OldSecrets)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = cmp.Or(max(ws.maxBodyBytes, 0), defaultWebhookMaxBodyBytes)
	}
	if o.Tolerance <= 0 {
		o.Tolerance = cmp.Or(max(ws.tolerance, 0), defaultWebhookTolerance)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClaimTTL <= 0 {
		o.ClaimTTL = defaultWebhookClaimTTL
	}
	return o
}

// verifyWebhook reads r's body (at most MaxBodyBytes of it) and checks its
// signature and timestamp. It returns the body only when they hold.
func verifyWebhook(ws webhookSpec, r *http.Request, secret string, opts *WebhookOptions) ([]byte, error) {
	d, err := ws.verify(r, secret, webhookSettings(ws, opts))
	if err != nil {
		return nil, err
	}
	return d.body, nil
}

// webhookDelivery is a verified request body.
type webhookDelivery struct {
	body   []byte
	time   time.Time // the signed timestamp; zero when none is signed
	secret string    // the secret it was verified with: zoom's challenge answer is keyed with it
}

func (ws webhookSpec) verify(r *http.Request, secret string, o WebhookOptions) (webhookDelivery, error) {
	body, err := readWebhookBody(r, o.MaxBodyBytes)
	if err != nil {
		return webhookDelivery{}, err
	}
	if ws.scheme == "none" {
		return webhookDelivery{body: body, secret: secret}, nil
	}
	// An empty secret is skipped: anyone can compute an HMAC keyed with it.
	var secrets []string
	for _, s := range append([]string{secret}, o.OldSecrets...) {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return webhookDelivery{}, errWebhookNoSecret
	}
	//conngen:if webhook-standard
	if ws.scheme == "standard" {
		// A whsec_ secret that does not decode is a configuration error, not
		// a wrong signature: answering 401 would hide it behind the sender.
		for _, s := range secrets {
			if _, err := standardWebhookKey(s); err != nil {
				return webhookDelivery{}, errWebhookBadSecret
			}
		}
	}
	//conngen:end
	switch ws.scheme {
	//conngen:if webhook-header webhook-field
	case "header", "field":
		var got string
		//conngen:if webhook-header
		if ws.scheme == "header" {
			got = r.Header.Get(ws.header)
		}
		//conngen:end
		//conngen:if webhook-field
		if ws.scheme == "field" {
			got, _, _ = jsonText(body, ws.field)
		}
		//conngen:end
		if got == "" {
			return webhookDelivery{}, errWebhookNoSignature
		}
		if value, ok := strings.CutPrefix(got, ws.prefix); ok {
			for _, s := range secrets {
				if webhookSecretEqual(value, s) {
					return webhookDelivery{body: body, secret: s}, nil
				}
			}
		}
		return webhookDelivery{}, errWebhookSignature
	//conngen:end
	//conngen:if webhook-hmac
	case "standard", "stripe", "github", "slack", "shopify", "hmac":
		return ws.verifyHMAC(r, body, secrets, o)
		//conngen:end
	}
	return webhookDelivery{}, errWebhookScheme
}

// readWebhookBody reads the body before anything else looks at the request,
// and never more than limit+1 bytes of it: one byte past the limit is enough
// to know a body is too large.
func readWebhookBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errWebhookTooLarge
	}
	if r.Body == nil {
		return []byte{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, min(limit, math.MaxInt64-1)+1))
	var tooLarge *http.MaxBytesError // a limit set by the caller's own middleware
	switch {
	case errors.As(err, &tooLarge):
		return nil, errWebhookTooLarge
	case err != nil:
		return nil, &webhookError{status: errWebhookReadBody.status, msg: errWebhookReadBody.msg, err: err}
	case int64(len(body)) > limit:
		return nil, errWebhookTooLarge
	}
	return body, nil
}

//conngen:if webhook-hmac

// verifyHMAC checks the schemes whose signature is an HMAC of the signed
// template. A header may carry several signatures (the service signing with
// an old and a new secret); any one matching any secret is enough.
func (ws webhookSpec) verifyHMAC(r *http.Request, body []byte, secrets []string, o WebhookOptions) (webhookDelivery, error) {
	newHash := webhookHash(ws.algorithm)
	if newHash == nil || ws.encoding != "" && ws.encoding != "hex" && ws.encoding != "base64" {
		return webhookDelivery{}, errWebhookScheme
	}
	value := ws.headerValue(r.Header, ws.header)
	var sigs []string
	var timestamp string
	switch ws.scheme {
	//conngen:if webhook-standard
	case "standard": // "v1,<sig> v1,<sig>"; other versions (v1a: asymmetric) are not ours to check
		for _, entry := range strings.Fields(value) {
			if sig, ok := strings.CutPrefix(entry, "v1,"); ok {
				sigs = append(sigs, sig)
			}
		}
	//conngen:end
	//conngen:if webhook-stripe
	case "stripe": // "t=<ts>,v1=<sig>,v1=<sig>,v0=<test sig>"
		for kv := range strings.SplitSeq(value, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			switch {
			case k == "t" && timestamp == "":
				timestamp = v
			case k == "v1":
				sigs = append(sigs, v)
			}
		}
	//conngen:end
	default:
		if sig, ok := strings.CutPrefix(strings.TrimSpace(value), ws.prefix); ok && sig != "" {
			sigs = []string{sig}
		}
	}
	var want [][]byte
	for _, sig := range sigs {
		if b, err := webhookDecodeSignature(ws.encoding, sig); err == nil && len(b) > 0 {
			want = append(want, b)
		}
	}
	if len(want) == 0 {
		return webhookDelivery{}, errWebhookNoSignature
	}

	signed := cmp.Or(ws.signed, "{body}")
	var at time.Time
	timed := strings.Contains(signed, "{timestamp}")
	if timed {
		if ws.scheme != "stripe" {
			timestamp = ws.headerValue(r.Header, ws.timestampHeader)
		}
		sec, err := strconv.ParseInt(timestamp, 10, 64)
		if err != nil {
			return webhookDelivery{}, errWebhookNoTimestamp
		}
		at = time.Unix(sec, 0)
	}
	var id string
	if ws.idHeader != "" {
		id = ws.headerValue(r.Header, ws.idHeader)
	}
	if id == "" && strings.Contains(signed, "{id}") {
		return webhookDelivery{}, errWebhookNoID
	}

	parts := webhookSignedParts(signed, body, timestamp, id)
	matched := ""
	for _, s := range secrets {
		key := []byte(s)
		//conngen:if webhook-standard
		if ws.scheme == "standard" {
			key, _ = standardWebhookKey(s) // verify checked that it decodes
		}
		//conngen:end
		mac := hmac.New(newHash, key)
		for _, p := range parts {
			mac.Write(p)
		}
		sum := mac.Sum(nil)
		if slices.ContainsFunc(want, func(w []byte) bool { return hmac.Equal(sum, w) }) {
			matched = s
			break
		}
	}
	if matched == "" {
		return webhookDelivery{}, errWebhookSignature
	}
	// Checked after the signature, so "outside tolerance" is only ever said
	// of a genuine delivery: it then means a clock is off, or a replay.
	if timed {
		if age := o.Now().Sub(at); age > o.Tolerance || age < -o.Tolerance {
			return webhookDelivery{}, errWebhookTimestamp
		}
	}
	return webhookDelivery{body: body, time: at, secret: matched}, nil
}

//conngen:if webhook-standard

// standardWebhookKey is the HMAC key of a Standard Webhooks secret: the
// base64 after "whsec_", or the secret itself without that prefix. A secret
// that decodes to nothing is refused too: anyone can compute an HMAC keyed
// with it.
func standardWebhookKey(secret string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err == nil && len(key) == 0 {
		err = errors.New("empty key")
	}
	return key, err
}

//conngen:end

func webhookHash(algorithm string) func() hash.Hash {
	switch algorithm {
	//conngen:if webhook-sha1
	case "sha1":
		return sha1.New
	//conngen:end
	case "sha256", "":
		return sha256.New
	//conngen:if webhook-sha512
	case "sha512":
		return sha512.New
		//conngen:end
	}
	return nil
}

func webhookDecodeSignature(encoding, sig string) ([]byte, error) {
	//conngen:if webhook-base64
	if encoding == "base64" {
		return base64.StdEncoding.DecodeString(sig)
	}
	//conngen:end
	return hex.DecodeString(sig)
}

// webhookSignedParts expands the signed template into the pieces the HMAC is
// written with, so the body is not copied. Substituted values are never
// scanned again: a body containing "{id}" stays as it is.
func webhookSignedParts(template string, body []byte, timestamp, id string) [][]byte {
	var parts [][]byte
	for template != "" {
		i := strings.IndexByte(template, '{')
		if i < 0 {
			break
		}
		rest := template[i:]
		var value []byte
		var name string
		switch {
		case strings.HasPrefix(rest, "{body}"):
			value, name = body, "{body}"
		case strings.HasPrefix(rest, "{timestamp}"):
			value, name = []byte(timestamp), "{timestamp}"
		case strings.HasPrefix(rest, "{id}"):
			value, name = []byte(id), "{id}"
		default: // a literal brace
			parts = append(parts, []byte(template[:i+1]))
			template = template[i+1:]
			continue
		}
		parts = append(parts, []byte(template[:i]), value)
		template = rest[len(name):]
	}
	return append(parts, []byte(template))
}

//conngen:end

//conngen:if webhook-header webhook-field

// webhookSecretEqual compares in constant time. Hashing both sides first
// keeps the comparison from revealing the secret's length as well.
func webhookSecretEqual(got, secret string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

//conngen:end

// headerValue reads header name of a delivery. Svix, which signs the
// Standard Webhooks way for Resend, Clerk and others, sends its own names
// (svix-id, svix-timestamp, svix-signature): for the standard scheme they
// stand in for the webhook-* ones, as Svix's own libraries read them.
func (ws webhookSpec) headerValue(h http.Header, name string) string {
	v := h.Get(name)
	//conngen:if webhook-standard
	if v == "" && ws.scheme == "standard" {
		if rest, ok := strings.CutPrefix(strings.ToLower(name), "webhook-"); ok {
			v = h.Get("svix-" + rest)
		}
	}
	//conngen:end
	return v
}

// webhookValue reads an event's type or id: header:NAME, or a dot path into
// the event; "" when absent.
func (ws webhookSpec) webhookValue(event json.RawMessage, h http.Header, where string) string {
	if name, ok := strings.CutPrefix(where, "header:"); ok {
		return ws.headerValue(h, name)
	}
	if where == "" {
		return ""
	}
	s, _, _ := jsonText(event, where)
	return s
}

// events splits a verified JSON delivery into its events.
func (ws webhookSpec) events(d webhookDelivery, h http.Header) ([]WebhookEvent[json.RawMessage], error) {
	raws := []json.RawMessage{d.body}
	//conngen:if webhook-batch
	if ws.batch != "" {
		list, ok := jsonAt(d.body, ws.batch)
		raws = nil
		if !ok || json.Unmarshal(list, &raws) != nil {
			return nil, errWebhookBatch
		}
	}
	//conngen:end
	var deliveryID string
	if ws.idHeader != "" {
		deliveryID = ws.headerValue(h, ws.idHeader)
	}
	events := make([]WebhookEvent[json.RawMessage], len(raws))
	for i, raw := range raws {
		id := deliveryID
		if ws.eventID != "" {
			id = ws.webhookValue(raw, h, ws.eventID)
		}
		events[i] = WebhookEvent[json.RawMessage]{ID: id, Type: ws.webhookValue(raw, h, ws.eventType), Time: d.time, Header: h, Payload: raw}
	}
	return events, nil
}

// webhookCall decodes ev's payload into the handler's type and returns the
// call to make; nil when fn is nil, as a nil handler acknowledges its events
// without looking at them. The error says which type failed and where, never
// what the payload held.
func webhookCall[T any](ev WebhookEvent[json.RawMessage], fn func(context.Context, WebhookEvent[T]) error) (func(context.Context) error, error) {
	if fn == nil {
		return nil, nil
	}
	typed := WebhookEvent[T]{ID: ev.ID, Type: ev.Type, Time: ev.Time, Header: ev.Header}
	if raw, ok := any(&typed.Payload).(*json.RawMessage); ok {
		*raw = ev.Payload
	} else if err := json.Unmarshal(ev.Payload, &typed.Payload); err != nil {
		cause := errors.New("the payload does not fit its type")
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) { // its text names the field and the Go type, not the value
			cause = typeErr
		}
		return nil, &webhookError{status: errWebhookDecode.status, msg: errWebhookDecode.msg, err: cause}
	}
	return func(ctx context.Context) error { return fn(ctx, typed) }, nil
}

// webhookHandler serves deliveries; the status it answers is read by the
// service, so the order of its checks follows the contract's table.
type webhookHandler struct {
	spec   webhookSpec
	secret string
	opts   WebhookOptions // resolved, Seen included
	decode func(WebhookEvent[json.RawMessage]) (func(context.Context) error, error)
}

// newWebhookHandler serves ws's deliveries. decode is the connector's switch
// from event type to typed handler. Without opts.Seen the handler keeps its
// own memory of handled ids.
func newWebhookHandler(ws webhookSpec, secret string, opts *WebhookOptions, decode func(WebhookEvent[json.RawMessage]) (func(context.Context) error, error)) http.Handler {
	o := webhookSettings(ws, opts)
	if o.Seen == nil {
		o.Seen = newMemorySeenStore(max(o.Tolerance, minWebhookSeenKeep), maxWebhookSeenIDs, o.Now)
	}
	return &webhookHandler{spec: ws, secret: secret, opts: o, decode: decode}
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	//conngen:if challenge-okta challenge-dropbox
	if h.answerGetChallenge(w, r) {
		return
	}
	//conngen:end
	if r.Method != http.MethodPost {
		allow := http.MethodPost
		//conngen:if challenge-okta challenge-dropbox
		if h.spec.challenge == "okta" || h.spec.challenge == "dropbox" {
			allow += ", " + http.MethodGet
		}
		//conngen:end
		w.Header().Set("Allow", allow)
		refuseWebhook(w, errWebhookMethod)
		return
	}
	d, err := h.spec.verify(r, h.secret, h.opts)
	if err != nil {
		refuseWebhook(w, err)
		return
	}
	if !json.Valid(d.body) {
		refuseWebhook(w, errWebhookNotJSON)
		return
	}
	//conngen:if challenge-slack challenge-zoom
	if h.answerPostChallenge(w, d) {
		return
	}
	//conngen:end
	events, err := h.spec.events(d, r.Header)
	if err != nil {
		refuseWebhook(w, err)
		return
	}

	// Every event is decoded before any handler runs: a delivery is refused
	// whole or handled whole, never half.
	calls := make([]webhookCallFor, 0, len(events))
	for _, ev := range events {
		call, err := h.decode(ev)
		if err != nil {
			refuseWebhook(w, err)
			return
		}
		if call != nil {
			calls = append(calls, webhookCallFor{ev.ID, call})
		}
	}
	h.handle(w, r.Context(), calls)
}

// perDelivery reports whether an event's id is the delivery's, shared by
// every event of a batch, rather than read from each event.
func (ws webhookSpec) perDelivery() bool {
	return ws.eventID == "" || strings.HasPrefix(ws.eventID, "header:")
}

// webhookCallFor is one event's handler call, with the event's id.
type webhookCallFor struct {
	id   string
	call func(context.Context) error
}

// handle claims the events' ids, runs the handlers of those not handled
// before, in batch order, and ends each claim: kept once all of its
// id's events succeeded, released when one fails, so the service's retry
// redoes exactly what did not succeed.
func (h *webhookHandler) handle(w http.ResponseWriter, ctx context.Context, calls []webhookCallFor) {
	// An id read from each event that repeats inside the batch is one
	// event sent twice: it is handled once. A delivery's id shared by the
	// batch is claimed once, for all of its events.
	if !h.spec.perDelivery() {
		first := make(map[string]bool, len(calls))
		kept := calls[:0]
		for _, c := range calls {
			if c.id != "" {
				if first[c.id] {
					continue
				}
				first[c.id] = true
			}
			kept = append(kept, c)
		}
		calls = kept
	}
	var ids []string
	listed := make(map[string]bool, len(calls))
	for _, c := range calls {
		if c.id != "" && !listed[c.id] {
			listed[c.id] = true
			ids = append(ids, c.id)
		}
	}
	// Claimed in sorted order, so two deliveries sharing ids cannot each
	// hold one the other waits for: the first to claim the lowest wins.
	slices.Sort(ids)

	store, ttl := h.opts.Seen, h.opts.ClaimTTL
	// Claims are ended even when the sender has gone: an unended claim
	// would make the retry wait for its expiry.
	endCtx := context.WithoutCancel(ctx)
	claimed := map[string]bool{} // claimed here and not yet ended
	handled := map[string]bool{} // handled by an earlier delivery
	release := func() {
		for id := range claimed {
			store.Done(endCtx, h.claimKey(id), false)
		}
	}
	for _, id := range ids {
		state, err := store.Claim(ctx, h.claimKey(id), ttl)
		switch {
		case err != nil:
			release()
			refuseWebhook(w, errWebhookSeen)
			return
		case state == Claimed:
			claimed[id] = true
		case state == Handled:
			handled[id] = true
		case state == InProgress:
			release()
			refuseWebhook(w, errWebhookInProgress)
			return
		default:
			release()
			refuseWebhook(w, errWebhookSeen)
			return
		}
	}

	todo := calls[:0]
	for _, c := range calls {
		if !handled[c.id] {
			todo = append(todo, c)
		}
	}
	last := make(map[string]int, len(todo))
	for i, c := range todo {
		last[c.id] = i
	}
	// No handler outlives its claim: once the claim may have expired,
	// another delivery may be handling the same event.
	hctx, cancel := context.WithTimeout(ctx, ttl)
	defer cancel()
	for i, c := range todo {
		if err := runWebhookCall(hctx, c.call); err != nil {
			release()
			refuseWebhook(w, err)
			return
		}
		if c.id != "" && last[c.id] == i {
			delete(claimed, c.id)
			if err := store.Done(endCtx, h.claimKey(c.id), true); err != nil {
				// Not known to be kept: the service must deliver it again.
				release()
				refuseWebhook(w, errWebhookSeen)
				return
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// claimKey is the id an event is claimed as, so one store serves several
// connectors.
func (h *webhookHandler) claimKey(id string) string {
	return h.spec.connector + "/" + id
}

// runWebhookCall runs a handler; a panic is a failure like an error, so its
// claim is released and the service retries.
func runWebhookCall(ctx context.Context, call func(context.Context) error) (err error) {
	defer func() {
		if recover() != nil {
			err = errWebhookPanic
		}
	}()
	if call(ctx) != nil {
		return errWebhookHandler
	}
	return nil
}

// refuseWebhook answers with err's status and message, which hold no secret,
// signature or body.
func refuseWebhook(w http.ResponseWriter, err error) {
	status, msg := http.StatusBadRequest, "webhook: bad request"
	var we *webhookError
	if errors.As(err, &we) {
		status, msg = we.status, we.msg
	}
	http.Error(w, msg, status)
}

//conngen:if challenge-okta challenge-dropbox

// answerGetChallenge answers the endpoint checks that come as GETs. They are
// not signed; the answer only echoes what the request holds.
func (h *webhookHandler) answerGetChallenge(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	switch h.spec.challenge {
	//conngen:if challenge-okta
	case "okta":
		const name = "X-Okta-Verification-Challenge"
		if len(r.Header.Values(name)) == 0 {
			return false
		}
		writeWebhookJSON(w, struct {
			Verification string `json:"verification"`
		}{r.Header.Get(name)})
		return true
	//conngen:end
	//conngen:if challenge-dropbox
	case "dropbox":
		q := r.URL.Query()
		if !q.Has("challenge") {
			return false
		}
		// The value is echoed as is, so it must not be read as HTML.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		io.WriteString(w, q.Get("challenge"))
		return true
		//conngen:end
	}
	return false
}

//conngen:end

//conngen:if challenge-slack challenge-zoom

// answerPostChallenge answers the endpoint checks that come as verified POSTs.
func (h *webhookHandler) answerPostChallenge(w http.ResponseWriter, d webhookDelivery) bool {
	switch h.spec.challenge {
	//conngen:if challenge-slack
	case "slack":
		var m struct {
			Type      string `json:"type"`
			Challenge string `json:"challenge"`
		}
		if json.Unmarshal(d.body, &m) != nil || m.Type != "url_verification" {
			return false
		}
		writeWebhookJSON(w, struct {
			Challenge string `json:"challenge"`
		}{m.Challenge})
		return true
	//conngen:end
	//conngen:if challenge-zoom
	case "zoom":
		var m struct {
			Event   string `json:"event"`
			Payload struct {
				PlainToken string `json:"plainToken"`
			} `json:"payload"`
		}
		if json.Unmarshal(d.body, &m) != nil || m.Event != "endpoint.url_validation" {
			return false
		}
		mac := hmac.New(sha256.New, []byte(d.secret))
		mac.Write([]byte(m.Payload.PlainToken))
		writeWebhookJSON(w, struct {
			PlainToken     string `json:"plainToken"`
			EncryptedToken string `json:"encryptedToken"`
		}{m.Payload.PlainToken, hex.EncodeToString(mac.Sum(nil))})
		return true
		//conngen:end
	}
	return false
}

//conngen:end

//conngen:if challenge-okta challenge-slack challenge-zoom

func writeWebhookJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v) // only structs of strings: cannot fail
	if err != nil {
		http.Error(w, "webhook: encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

//conngen:end

// memorySeenStore is the SeenStore of a handler given none: atomic within
// one process. Its memory is bounded: a handled id is forgotten after keep,
// and beyond maxIDs the oldest ids are dropped first (a redelivery that
// late is handled again, which beats running out of memory); a claim ends
// with Done or at its expiry.
type memorySeenStore struct {
	keep   time.Duration
	maxIDs int
	now    func() time.Time

	mu        sync.Mutex
	at        map[string]time.Time // when each handled id was remembered
	order     []string             // the handled ids in the order remembered; order[head:] are live
	head      int
	claims    map[string]time.Time // the ids being handled, with when each claim expires
	sweepFrom int                  // len(claims) at which expired claims are swept next
}

func newMemorySeenStore(keep time.Duration, maxIDs int, now func() time.Time) *memorySeenStore {
	return &memorySeenStore{keep: keep, maxIDs: maxIDs, now: now, at: make(map[string]time.Time), claims: make(map[string]time.Time)}
}

func (s *memorySeenStore) Claim(_ context.Context, id string, ttl time.Duration) (ClaimState, error) {
	if ttl <= 0 {
		ttl = defaultWebhookClaimTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.forget(now)
	if at, ok := s.at[id]; ok && now.Sub(at) < s.keep {
		return Handled, nil
	}
	if until, ok := s.claims[id]; ok && now.Before(until) {
		return InProgress, nil
	}
	if len(s.claims) >= s.sweepFrom {
		for k, until := range s.claims {
			if !now.Before(until) {
				delete(s.claims, k)
			}
		}
		s.sweepFrom = max(64, 2*len(s.claims))
	}
	s.claims[id] = now.Add(ttl)
	return Claimed, nil
}

func (s *memorySeenStore) Done(_ context.Context, id string, ok bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.claims, id)
	if !ok {
		return nil
	}
	now := s.now()
	s.forget(now)
	if _, ok := s.at[id]; ok {
		return nil
	}
	s.at[id] = now
	s.order = append(s.order, id)
	for len(s.at) > s.maxIDs {
		s.drop()
	}
	return nil
}

// forget drops the ids remembered longer than keep ago.
func (s *memorySeenStore) forget(now time.Time) {
	for s.head < len(s.order) && now.Sub(s.at[s.order[s.head]]) >= s.keep {
		s.drop()
	}
}

// drop forgets the oldest id, compacting order once half of it is dead.
func (s *memorySeenStore) drop() {
	delete(s.at, s.order[s.head])
	s.head++
	if s.head > len(s.order)/2 {
		s.order = slices.Delete(s.order, 0, s.head)
		s.head = 0
	}
}
