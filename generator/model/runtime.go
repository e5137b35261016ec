package model

import (
	"slices"
)

// Runtime is the part of templates/ a connector carries: the files the
// emitter copies, and the pieces it keeps in them (the blocks a template
// marks //conngen:if NAME … //conngen:end). It is decided here, from what
// the connector uses, so that a connector carries no runtime code it
// never calls (staticcheck's U1000 finds nothing in the goldens).
type Runtime struct {
	Files  []string // template file names, runtime.go and invoke.go first
	Pieces []string // piece names, sorted
}

// The pieces a template can mark. Every name here is used by some
// template, and every name a template uses is here (emit's TestPieces).
const (
	PieceActions        = "actions"        // call and Invoke's input checks: a connector with actions
	PieceDiscriminator  = "discriminator"  // unions told apart by a property (union.go)
	PieceRevoke         = "revoke"         // Client.revoke and the ended connection (revoke.go)
	PieceRateLimit      = "ratelimit"      // Client.limiter (ratelimit.go)
	PieceActionAuth     = "actionauth"     // actions with their own auth
	PieceParams         = "params"         // formatValue: a param's value as text
	PieceFormatParam    = "formatparam"    // formatParam: a value of any type as text (formatList, multipart parts)
	PieceSetText        = "set-text"       // setText: one string query or header value (WriteOne)
	PieceSetInt         = "set-int"        // setInt
	PieceSetFloat       = "set-float"      // setFloat
	PieceSetBool        = "set-bool"       // setBool
	PieceSetTime        = "set-time"       // setTime
	PieceFormatList     = "formatlist"     // list params with explode: false
	PieceGuardRedirects = "guardredirects" // credentials in headers net/http does not drop
	PieceRedacted       = "redacted"       // a secret Config field
	PieceJSONAt         = "jsonat"         // a value at a dot path of a JSON document
	PieceJSONText       = "jsontext"       // the text at a dot path
	PieceForm           = "form"           // form-encoded bodies (encode.go)
	PieceMultipart      = "multipart"      // multipart bodies (encode.go)
	PieceTokenParams    = "tokenparams"    // extra token request parameters (oauth2.go)
	PieceAuthCode       = "authcode"       // AuthCodeURL and Exchange: the authorization-code grant (oauth2.go)
	PieceMonitorPage    = "monitorpage"    // a monitor over an action that is not paginated
	PieceSchemaPack     = "schemapack"     // the registry's schemas compressed (PackSchemas)
	PieceInputReader    = "input-reader"   // an Input string that is a raw body (io.Reader)
	PieceBaseURLVars    = "baseurlvars"    // expandBaseURL (ExpandBaseURL)
	PieceEscapePath     = "escapepath"     // a value as one path segment
	PieceSchemaBuild    = "schemabuild"    // builtSchema: schemas assembled from pieces (not SchemasWhole)
	PieceStream         = "stream"         // CustomActionStream and bodies handed over unread: a spec that streams a response
	PieceNoRedirect     = "noredirect"     // withoutRedirects: actions whose documented answer is a redirect (revoke.go uses it too)

	// Invoke's input checker checks only the keywords some Input schema
	// (with its $defs) uses: checkPieces.
	PieceCheckEnum         = "check-enum"
	PieceCheckAlternatives = "check-alternatives" // oneOf, anyOf
	PieceCheckAllOf        = "check-allof"
	PieceCheckItems        = "check-items" // items, minItems, maxItems
	PieceCheckLengths      = "check-lengths"
	PieceCheckPattern      = "check-pattern"
	PieceCheckBounds       = "check-bounds" // minimum, maximum
	PieceCheckExtra        = "check-extra"  // additionalProperties as a schema
	PieceCheckLimits       = "check-limits" // depth and work bounds: Inputs that recurse or have alternatives
	PieceCheckSchema       = "check-schema" // the schema interpreter (schemacheck.go)

	// The compiled input check's helpers (check.go), each kept where a
	// compiled check calls it.
	PieceCompiledKind     = "compiled-kind"
	PieceCompiledObject   = "compiled-object"
	PieceCompiledRequired = "compiled-required"
	PieceCompiledField    = "compiled-field"  // field: one key, by its object's table
	PieceCompiledFields   = "compiled-fields" // fields: every key of an object whose table says all
	PieceCompiledItems    = "compiled-items"
	PieceCompiledCount    = "compiled-count"
	PieceCompiledLength   = "compiled-length"
	PieceCompiledPattern  = "compiled-pattern"
	PieceCompiledBetween  = "compiled-between"
	PieceCompiledEnum     = "compiled-enum"

	PieceWebhookHeader   = "webhook-header"   // a secret sent in a header
	PieceWebhookField    = "webhook-field"    // a secret sent in the body
	PieceWebhookHMAC     = "webhook-hmac"     // every HMAC scheme
	PieceWebhookStandard = "webhook-standard" // Standard Webhooks (and Svix's headers)
	PieceWebhookStripe   = "webhook-stripe"   // Stripe's t=,v1= header
	PieceWebhookSHA1     = "webhook-sha1"
	PieceWebhookSHA512   = "webhook-sha512"
	PieceWebhookBase64   = "webhook-base64" // base64-encoded signatures
	PieceWebhookBatch    = "webhook-batch"  // several events in one delivery
	PieceChallengeOkta   = "challenge-okta"
	PieceChallengeSlack  = "challenge-slack"
	PieceChallengeDrop   = "challenge-dropbox"
	PieceChallengeZoom   = "challenge-zoom"
)

// Pieces lists every piece name, sorted.
func Pieces() []string {
	p := []string{PieceActions, PieceDiscriminator, PieceRevoke, PieceRateLimit, PieceActionAuth, PieceParams, PieceFormatParam, PieceSetText, PieceSetInt, PieceSetFloat, PieceSetBool, PieceSetTime, PieceFormatList,
		PieceGuardRedirects, PieceRedacted, PieceJSONAt, PieceJSONText, PieceForm, PieceMultipart,
		PieceTokenParams, PieceAuthCode, PieceMonitorPage, PieceSchemaPack, PieceInputReader, PieceBaseURLVars, PieceEscapePath, PieceSchemaBuild, PieceStream, PieceNoRedirect,
		PieceCheckEnum, PieceCheckAlternatives, PieceCheckAllOf, PieceCheckItems, PieceCheckLengths,
		PieceCheckPattern, PieceCheckBounds, PieceCheckExtra, PieceCheckLimits, PieceCheckSchema,
		PieceCompiledKind, PieceCompiledObject, PieceCompiledRequired, PieceCompiledField, PieceCompiledFields, PieceCompiledItems, PieceCompiledCount,
		PieceCompiledLength, PieceCompiledPattern, PieceCompiledBetween, PieceCompiledEnum,
		PieceWebhookHeader, PieceWebhookField, PieceWebhookHMAC, PieceWebhookStandard, PieceWebhookStripe,
		PieceWebhookSHA1, PieceWebhookSHA512, PieceWebhookBase64, PieceWebhookBatch,
		PieceChallengeOkta, PieceChallengeSlack, PieceChallengeDrop, PieceChallengeZoom}
	slices.Sort(p)
	return p
}

// pieceNeeds are the pieces each piece calls into.
var pieceNeeds = map[string][]string{
	PieceJSONText:     {PieceJSONAt},
	PieceFormatParam:  {PieceParams},
	PieceBaseURLVars:  {PieceEscapePath},
	PieceFormatList:   {PieceFormatParam},
	PieceMultipart:    {PieceFormatParam},
	PieceMonitorPage:  {PieceJSONAt},
	PieceWebhookBatch: {PieceJSONAt},
	// Alternatives that recurse could take time exponential in the depth.
	PieceCheckAlternatives: {PieceCheckLimits},
	PieceCompiledPattern:   {PieceCheckPattern}, // inputPattern
	PieceCompiledEnum:      {PieceCheckEnum},    // jsonEqual
	PieceCompiledObject:    {PieceCompiledKind},
	PieceCompiledField:     {PieceCompiledKind},
	PieceCompiledFields:    {PieceCompiledField},
}

// WithNeeds is names with every piece they call into (pieceNeeds),
// sorted: the sets of pieces a connector can carry.
func WithNeeds(names ...string) []string {
	var out []string
	var add func(names []string)
	add = func(names []string) {
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
				add(pieceNeeds[n])
			}
		}
	}
	add(names)
	slices.Sort(out)
	return out
}

// checkPieces are the input checker's pieces by the schema keyword that
// needs them (schemaKeywords).
var checkPieces = map[string]string{
	"enum":                 PieceCheckEnum,
	"oneOf":                PieceCheckAlternatives,
	"anyOf":                PieceCheckAlternatives,
	"allOf":                PieceCheckAllOf,
	"items":                PieceCheckItems,
	"minItems":             PieceCheckItems,
	"maxItems":             PieceCheckItems,
	"minLength":            PieceCheckLengths,
	"maxLength":            PieceCheckLengths,
	"pattern":              PieceCheckPattern,
	"minimum":              PieceCheckBounds,
	"maximum":              PieceCheckBounds,
	"additionalProperties": PieceCheckExtra, // only as a schema: false is always checked
}

// runtime decides c.Runtime and c.SecretHeaders, once everything else is
// resolved.
func (b *builder) runtime() {
	c := b.c
	c.SecretHeaders = slices.Clone(c.Auth.SecretHeaders)
	for _, a := range c.Actions {
		if a.Auth == nil {
			continue
		}
		for _, h := range a.Auth.SecretHeaders {
			if !slices.Contains(c.SecretHeaders, h) {
				c.SecretHeaders = append(c.SecretHeaders, h)
			}
		}
	}

	files := []string{"runtime.go", "invoke.go"}
	pieces := map[string]bool{}
	var on func(names ...string)
	on = func(names ...string) {
		for _, n := range names {
			pieces[n] = true
			on(pieceNeeds[n]...)
		}
	}
	if c.NeedsPaginate {
		files = append(files, "paginate.go")
		on(PieceJSONText)
	}
	if c.NeedsEncode {
		files = append(files, "encode.go")
	}
	if c.NeedsQuery {
		files = append(files, "query.go")
	}
	if c.RateLimit != nil {
		files = append(files, "ratelimit.go")
		on(PieceRateLimit)
	}
	if c.Auth.Type == "oauth2" {
		files = append(files, "oauth2.go")
		if c.Auth.Grant == "authorizationCode" {
			on(PieceAuthCode)
		}
		if len(c.Auth.TokenParams) > 0 && c.Auth.Grant != "clientCredentials" { // client credentials send them as EndpointParams
			on(PieceTokenParams)
		}
	}
	if c.HasRevoke() {
		files = append(files, "revoke.go")
		on(PieceRevoke)
	}
	if c.NeedsUnion {
		files = append(files, "union.go")
	}
	if w := c.Webhooks; w != nil {
		files = append(files, "webhook.go")
		b.webhookPieces(w, on)
	}
	if len(c.Monitors) > 0 {
		files = append(files, "monitor.go", "cursorfile.go")
		on(PieceJSONText)
		for _, m := range c.Monitors {
			if m.Action.Paginate == nil {
				on(PieceMonitorPage)
			}
		}
	}
	if c.NeedsStream {
		files = append(files, "stream.go")
		on(PieceStream)
	}
	if c.NeedsSSE {
		files = append(files, "sse.go")
	}
	if len(c.SecretHeaders) > 0 {
		on(PieceGuardRedirects)
	}
	if slices.ContainsFunc(c.ConfigFields, func(f ConfigField) bool { return f.Secret }) {
		on(PieceRedacted)
	}
	if len(c.Actions) > 0 {
		on(PieceActions)
	}
	c.ExpandBaseURL = slices.ContainsFunc(c.Conn, func(p *ConnParam) bool { return !p.Secret })
	if c.ExpandBaseURL {
		on(PieceBaseURLVars)
	}
	switch {
	case c.InputChecks != nil:
		files = append(files, "check.go")
		for _, f := range c.InputChecks {
			f.Check.helpers(on)
		}
	case len(c.Registry) > 0:
		files = append(files, "schemacheck.go")
		on(PieceCheckSchema)
		for k := range c.inputKeywords {
			if p, ok := checkPieces[k]; ok {
				on(p)
			}
		}
		if c.inputRecursive {
			on(PieceCheckLimits)
		}
	}
	for _, e := range c.Registry {
		for _, f := range e.Fields {
			if f.Reader {
				on(PieceInputReader)
			}
		}
	}
	if c.PackSchemas {
		on(PieceSchemaPack)
	}
	if len(c.Registry) > 0 && !c.SchemasWhole {
		on(PieceSchemaBuild)
	}
	for _, t := range c.Types {
		if t.Discriminator != "" {
			on(PieceDiscriminator)
		}
	}
	for _, a := range c.Actions {
		if a.Auth != nil {
			on(PieceActionAuth)
		}
		if a.Redirect {
			on(PieceNoRedirect)
		}
		for _, p := range a.Params {
			w := p.Writing()
			switch w {
			case WritePath:
				on(PieceEscapePath)
			case WriteList:
				on(PieceFormatList)
			case WriteOne:
				if _, piece, ok := p.Setter(); ok {
					on(piece)
				}
			}
			if p.Text() == TextOther && (w == WritePath || w == WriteEach || w == WriteOne) {
				on(PieceFormatParam)
			}
		}
		if bd := a.Body; bd != nil {
			switch bd.ContentType {
			case "application/x-www-form-urlencoded":
				on(PieceForm)
			case "multipart/form-data":
				on(PieceMultipart)
			}
		}
	}
	c.Runtime = Runtime{Files: files}
	for n := range pieces {
		c.Runtime.Pieces = append(c.Runtime.Pieces, n)
	}
	slices.Sort(c.Runtime.Pieces)
}

// webhookPieces are the parts of webhook.go that w's scheme and challenge
// use. The settings of the parts left out are cleared, since webhookSpec
// has no fields for them then.
func (b *builder) webhookPieces(w *Webhooks, on func(...string)) {
	on(PieceJSONText) // event types and ids at dot paths
	hmac := slices.Contains([]string{"standard", "stripe", "github", "slack", "shopify", "hmac"}, w.Scheme)
	if w.Scheme != "header" && !hmac {
		w.Header = ""
	}
	if w.Scheme != "header" && w.Scheme != "field" && !hmac {
		w.Prefix = ""
	}
	if !hmac {
		w.Algorithm, w.Encoding, w.Signed, w.TimestampHeader = "", "", "", ""
	}
	if w.Scheme != "field" {
		w.Field = ""
	}
	switch w.Scheme {
	case "header":
		on(PieceWebhookHeader)
	case "field":
		on(PieceWebhookField)
	}
	if hmac {
		on(PieceWebhookHMAC)
		switch w.Scheme {
		case "standard":
			on(PieceWebhookStandard)
		case "stripe":
			on(PieceWebhookStripe)
		}
		switch w.Algorithm {
		case "sha1":
			on(PieceWebhookSHA1)
		case "sha512":
			on(PieceWebhookSHA512)
		}
		if w.Encoding == "base64" {
			on(PieceWebhookBase64)
		}
	}
	if w.Batch != "" {
		on(PieceWebhookBatch)
	}
	switch w.Challenge {
	case "okta":
		on(PieceChallengeOkta)
	case "slack":
		on(PieceChallengeSlack)
	case "dropbox":
		on(PieceChallengeDrop)
	case "zoom":
		on(PieceChallengeZoom)
	}
}
