package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conngen/conngen/generator/names"
)

var (
	signatureAlgorithms = []string{"sha1", "sha256", "sha512"}
	signatureEncodings  = []string{"hex", "base64"}
	signedPlaceholders  = []string{"body", "timestamp", "id"}
)

// checkWebhooks validates the webhooks block, presets resolved, so that
// a field the preset fills is never reported missing.
func (v *validator) checkWebhooks() {
	w := v.s.Webhooks
	if w == nil {
		return
	}
	if w.Signature == nil {
		v.errorf("webhooks.signature", "required: how a delivery proves it came from the service, e.g. {scheme: standard}")
	} else {
		v.checkSignature(w)
	}
	if w.MaxBodyBytes < 0 {
		v.errorf("webhooks.maxBodyBytes", "must not be negative")
	}
	r := w.Resolved()
	v.checkEventPath("webhooks.eventType", r.EventType)
	v.checkEventPath("webhooks.eventID", r.EventID)
	if w.Batch != "" && !dotPath(w.Batch) {
		v.errorf("webhooks.batch", "must be a dot path into the delivery's JSON, e.g. data.events")
	}
	if w.Challenge != "" && !slices.Contains(Challenges, w.Challenge) {
		v.errorf("webhooks.challenge", "unknown challenge %q: want one of %s", w.Challenge, strings.Join(Challenges, " "))
	}
	types := map[string]string{}
	goNames := map[string]string{"OnOther": "the handler of every other event"}
	for i, e := range w.Events {
		p := fmt.Sprintf("webhooks.events[%d]", i)
		switch {
		case e.Name == "":
			v.errorf(p+".name", "required")
		case !actionNamePattern.MatchString(e.Name):
			v.errorf(p+".name", "must start with a letter and hold only letters, digits and _")
		default:
			g := "On" + names.Go(e.Name)
			if other, ok := goNames[g]; ok {
				v.errorf(p+".name", "handler field %s collides with %s", g, other)
			}
			goNames[g] = "event " + e.Name
		}
		if e.Type == "" {
			v.errorf(p+".type", "required: the value at eventType that marks this event")
		} else if other, ok := types[e.Type]; ok {
			v.errorf(p+".type", "duplicate type %q: event %s has it too", e.Type, other)
		} else {
			types[e.Type] = e.Name
		}
		v.checkSchema(p+".schema", e.Schema)
	}
}

func (v *validator) checkSignature(w *Webhooks) {
	const p = "webhooks.signature"
	sig := w.Signature
	switch {
	case sig.Scheme == "":
		v.errorf(p+".scheme", "required: one of %s", strings.Join(SignatureSchemes, " "))
		return
	case !slices.Contains(SignatureSchemes, sig.Scheme):
		v.errorf(p+".scheme", "unknown scheme %q: want one of %s", sig.Scheme, strings.Join(SignatureSchemes, " "))
		return
	case sig.Scheme == SchemeNone:
		v.warnf(p+".scheme", "none: deliveries are not verified; anyone who knows the URL can send events")
		return
	}
	if sig.Algorithm != "" && !slices.Contains(signatureAlgorithms, sig.Algorithm) {
		v.errorf(p+".algorithm", "unknown algorithm %q: want one of %s", sig.Algorithm, strings.Join(signatureAlgorithms, " "))
	}
	if sig.Encoding != "" && !slices.Contains(signatureEncodings, sig.Encoding) {
		v.errorf(p+".encoding", "unknown encoding %q: want one of %s", sig.Encoding, strings.Join(signatureEncodings, " "))
	}
	if sig.Tolerance != "" {
		if d, err := time.ParseDuration(sig.Tolerance); err != nil || d <= 0 {
			v.errorf(p+".tolerance", "must be a positive Go duration such as 5m")
		}
	}
	r := w.Resolved().Signature
	switch sig.Scheme {
	case SchemeHeader:
		if r.Header == "" {
			v.errorf(p+".header", "required for scheme header: the header whose value is the secret")
		}
		return
	case SchemeField:
		if r.Field == "" {
			v.errorf(p+".field", "required for scheme field: the dot path of the secret in the body")
		} else if !dotPath(r.Field) {
			v.errorf(p+".field", "must be a dot path into the delivery's JSON")
		}
		return
	}
	if r.Header == "" {
		v.errorf(p+".header", "required for scheme %s: the header holding the signature", sig.Scheme)
	} else if !headerName(r.Header) {
		v.errorf(p+".header", "not a valid header name")
	}
	for _, m := range placeholder.FindAllStringSubmatch(r.Signed, -1) {
		if !slices.Contains(signedPlaceholders, m[1]) {
			v.errorf(p+".signed", "unknown placeholder {%s}: want {body}, {timestamp} or {id}", m[1])
		}
	}
	if !containsPlaceholder(r.Signed, "body") {
		v.errorf(p+".signed", "must contain {body}: a signature that does not cover the body proves nothing about it")
	}
	// Stripe carries the timestamp in its signature header (t=...).
	if containsPlaceholder(r.Signed, "timestamp") && r.TimestampHeader == "" && sig.Scheme != SchemeStripe {
		v.errorf(p+".signed", "{timestamp} needs timestampHeader: the header holding the delivery's Unix time")
	}
	if containsPlaceholder(r.Signed, "id") && r.IDHeader == "" {
		v.errorf(p+".signed", "{id} needs idHeader: the header holding the delivery's id")
	}
	for field, h := range map[string]string{"timestampHeader": sig.TimestampHeader, "idHeader": sig.IDHeader} {
		if h != "" && !headerName(h) {
			v.errorf(p+"."+field, "not a valid header name")
		}
	}
}

// checkEventPath checks where an event's type or id is: a dot path, or
// header:NAME.
func (v *validator) checkEventPath(path, val string) {
	if val == "" {
		return
	}
	if h, ok := strings.CutPrefix(val, "header:"); ok {
		if !headerName(h) {
			v.errorf(path, "header:%s is not a valid header name", h)
		}
		return
	}
	if !dotPath(val) {
		v.errorf(path, "must be a dot path into the event's JSON (type, event.type) or header:NAME")
	}
}

// dotPath reports whether p is a dot path of non-empty names.
func dotPath(p string) bool {
	if p == "" {
		return false
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" || strings.ContainsAny(seg, " \t\r\n") {
			return false
		}
	}
	return true
}

// headerName reports whether h is an HTTP header name.
func headerName(h string) bool { return headerNamePattern.MatchString(h) }
