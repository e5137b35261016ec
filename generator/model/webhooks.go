package model

import (
	"time"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// Webhooks is the resolved webhooks block: the signature with its preset
// filled in, and one handler field per event.
type Webhooks struct {
	Scheme          string
	Header          string
	Algorithm       string
	Encoding        string
	Prefix          string
	Signed          string
	TimestampHeader string
	IDHeader        string
	Field           string
	// Tolerance is how far a signed timestamp may be from now; zero when
	// the scheme signs none.
	Tolerance    time.Duration
	MaxBodyBytes int64
	EventType    string
	EventID      string
	Batch        string
	Challenge    string
	Events       []*WebhookEvent
}

// WebhookEvent is one event the service sends.
type WebhookEvent struct {
	Name        string // spec name
	Type        string // the value at eventType
	Description string
	Field       string  // the WebhookHandlers field, On<Name>
	Payload     *GoType // the payload's Go type
}

// webhooks resolves the spec's webhooks block.
func (b *builder) webhooks(w *spec.Webhooks) *Webhooks {
	r := w.Resolved()
	sig := r.Signature
	out := &Webhooks{Scheme: sig.Scheme, Header: sig.Header, Algorithm: sig.Algorithm, Encoding: sig.Encoding,
		Signed: sig.Signed, TimestampHeader: sig.TimestampHeader, IDHeader: sig.IDHeader, Field: sig.Field,
		MaxBodyBytes: int64(r.MaxBodyBytes), EventType: r.EventType, EventID: r.EventID, Batch: r.Batch, Challenge: r.Challenge}
	if sig.Prefix != nil {
		out.Prefix = *sig.Prefix
	}
	if sig.SignsTimestamp() {
		out.Tolerance = spec.DefaultWebhookTolerance
		if d, err := time.ParseDuration(sig.Tolerance); err == nil && d > 0 {
			out.Tolerance = d
		}
	}
	if out.Scheme == spec.SchemeNone {
		b.warnf("webhooks.signature: scheme none: deliveries are not verified")
	}
	for _, e := range w.Events {
		goName := names.Go(e.Name)
		ev := &WebhookEvent{Name: e.Name, Type: e.Type, Description: e.Description, Field: "On" + goName, Payload: RawJSON}
		if e.Schema != nil {
			ev.Payload = b.typeOf(e.Schema, goName+"Event")
		}
		out.Events = append(out.Events, ev)
	}
	return out
}
