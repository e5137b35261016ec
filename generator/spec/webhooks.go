package spec

import "time"

// Webhooks is what the service sends: the deliveries a connector receives
// and how each proves where it came from (docs/spec.md, "webhooks").
type Webhooks struct {
	Signature    *Signature `yaml:"signature"`
	MaxBodyBytes int        `yaml:"maxBodyBytes,omitempty"` // default DefaultMaxWebhookBytes
	// EventType and EventID say where an event's type and id are: a dot
	// path into its JSON, or header:NAME. The signature presets set them.
	EventType string `yaml:"eventType,omitempty"`
	EventID   string `yaml:"eventID,omitempty"`
	// Batch is the dot path of a list of events in one delivery.
	Batch string `yaml:"batch,omitempty"`
	// Challenge is the service's endpoint-verification handshake.
	Challenge string         `yaml:"challenge,omitempty"`
	Events    []WebhookEvent `yaml:"events,omitempty"`
}

// Signature says how a delivery is signed. Scheme names a preset (or hmac,
// header, field, none); the other fields, when given, override it.
type Signature struct {
	Scheme          string  `yaml:"scheme"`
	Header          string  `yaml:"header,omitempty"`
	Algorithm       string  `yaml:"algorithm,omitempty"` // sha1 | sha256 | sha512
	Encoding        string  `yaml:"encoding,omitempty"`  // hex | base64
	Prefix          *string `yaml:"prefix,omitempty"`    // stripped from the header value first
	Signed          string  `yaml:"signed,omitempty"`    // template over {body}, {timestamp}, {id}
	TimestampHeader string  `yaml:"timestampHeader,omitempty"`
	IDHeader        string  `yaml:"idHeader,omitempty"`
	Tolerance       string  `yaml:"tolerance,omitempty"` // Go duration
	Field           string  `yaml:"field,omitempty"`     // scheme field: dot path of the secret in the body
}

// WebhookEvent is one kind of event the service sends.
type WebhookEvent struct {
	Name        string  `yaml:"name"`
	Type        string  `yaml:"type"`
	Description string  `yaml:"description,omitempty"`
	Schema      *Schema `yaml:"schema,omitempty"`
}

// Signature schemes.
const (
	SchemeStandard = "standard"
	SchemeGitHub   = "github"
	SchemeStripe   = "stripe"
	SchemeSlack    = "slack"
	SchemeShopify  = "shopify"
	SchemeHMAC     = "hmac"
	SchemeHeader   = "header"
	SchemeField    = "field"
	SchemeNone     = "none"
)

// SignatureSchemes lists every scheme, presets first.
var SignatureSchemes = []string{SchemeStandard, SchemeGitHub, SchemeStripe, SchemeSlack, SchemeShopify,
	SchemeHMAC, SchemeHeader, SchemeField, SchemeNone}

// Challenges are the endpoint-verification handshakes conngen answers.
var Challenges = []string{"okta", "slack", "dropbox", "zoom"}

// DefaultMaxWebhookBytes caps a delivery's body when the spec says nothing.
const DefaultMaxWebhookBytes = 1 << 20

// DefaultWebhookTolerance is how far a signed timestamp may be from now.
const DefaultWebhookTolerance = 5 * time.Minute

// webhookPreset is a preset scheme's signature and where its events keep
// their type and id.
type webhookPreset struct {
	sig                Signature
	eventType, eventID string
}

func str(s string) *string { return &s }

// presets are the contract's table: every preset is hmac with these
// fields filled in.
var presets = map[string]webhookPreset{
	SchemeStandard: {Signature{Header: "webhook-signature", Algorithm: "sha256", Encoding: "base64", Prefix: str(""),
		Signed: "{id}.{timestamp}.{body}", TimestampHeader: "webhook-timestamp", IDHeader: "webhook-id"}, "type", "header:webhook-id"},
	SchemeGitHub: {Signature{Header: "X-Hub-Signature-256", Algorithm: "sha256", Encoding: "hex", Prefix: str("sha256="),
		Signed: "{body}"}, "header:X-GitHub-Event", "header:X-GitHub-Delivery"},
	SchemeStripe: {Signature{Header: "Stripe-Signature", Algorithm: "sha256", Encoding: "hex", Prefix: str(""),
		Signed: "{timestamp}.{body}"}, "type", "id"},
	SchemeSlack: {Signature{Header: "X-Slack-Signature", Algorithm: "sha256", Encoding: "hex", Prefix: str("v0="),
		Signed: "v0:{timestamp}:{body}", TimestampHeader: "X-Slack-Request-Timestamp"}, "event.type", "event_id"},
	SchemeShopify: {Signature{Header: "X-Shopify-Hmac-Sha256", Algorithm: "sha256", Encoding: "base64", Prefix: str(""),
		Signed: "{body}"}, "header:X-Shopify-Topic", "header:X-Shopify-Webhook-Id"},
}

// Resolved is w with its scheme's preset filled in where the spec leaves
// a field empty: the values the generated handler uses.
func (w *Webhooks) Resolved() Webhooks {
	out := *w
	sig := Signature{}
	if w.Signature != nil {
		sig = *w.Signature
	}
	if p, ok := presets[sig.Scheme]; ok {
		fill := func(v *string, def string) {
			if *v == "" {
				*v = def
			}
		}
		fill(&sig.Header, p.sig.Header)
		fill(&sig.Algorithm, p.sig.Algorithm)
		fill(&sig.Encoding, p.sig.Encoding)
		fill(&sig.Signed, p.sig.Signed)
		fill(&sig.TimestampHeader, p.sig.TimestampHeader)
		fill(&sig.IDHeader, p.sig.IDHeader)
		if sig.Prefix == nil {
			sig.Prefix = p.sig.Prefix
		}
		fill(&out.EventType, p.eventType)
		fill(&out.EventID, p.eventID)
	}
	if out.EventType == "" {
		out.EventType = "type"
	}
	if sig.Scheme == SchemeHMAC {
		if sig.Algorithm == "" {
			sig.Algorithm = "sha256"
		}
		if sig.Encoding == "" {
			sig.Encoding = "hex"
		}
		if sig.Signed == "" {
			sig.Signed = "{body}"
		}
	}
	if out.MaxBodyBytes == 0 {
		out.MaxBodyBytes = DefaultMaxWebhookBytes
	}
	out.Signature = &sig
	return out
}

// SignsTimestamp reports whether a resolved signature covers a timestamp:
// its signed bytes name {timestamp} (stripe carries it in its header).
func (s *Signature) SignsTimestamp() bool {
	return s != nil && containsPlaceholder(s.Signed, "timestamp")
}

func containsPlaceholder(text, name string) bool {
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if m[1] == name {
			return true
		}
	}
	return false
}
