package spec

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/templates"
)

var (
	namePattern       = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	actionNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	identPattern      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	schemaNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)
	placeholder       = regexp.MustCompile(`\{([^{}]*)\}`)
	headerNamePattern = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// Methods a request may use.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// Formats of the schema subset.
// url, hostname, ipv4 and ipv6 extend the contract's list: strings in Go,
// kept so that readers (and the end-to-end driver) know what to send.
var Formats = []string{"date-time", "date", "int32", "int64", "float", "double", "uuid", "uri", "email", "byte", "binary",
	"url", "hostname", "ipv4", "ipv6"}

// Types of the schema subset.
var Types = []string{"string", "integer", "number", "boolean", "object", "array"}

// RevokeMethod is the Client method that a spec with auth.revokeURL gets
// (templates/revoke.go); only such a spec's actions may not take its name,
// so an API's own revoke endpoint keeps its name elsewhere.
const RevokeMethod = "Revoke"

// ReservedMethods returns the Go names an action may not take in any
// connector: every exported method the runtime in templates/ declares on
// Client (read from its sources) but Revoke, Invoke, which the emitter
// declares, and the package's exported functions.
var ReservedMethods = sync.OnceValue(func() []string {
	r := slices.Concat(templates.Names().ClientMethods,
		[]string{"Invoke", "New", "OAuth2Config", "AuthCodeURL", "Exchange", "Ptr"})
	r = slices.DeleteFunc(r, func(m string) bool { return m == RevokeMethod })
	slices.Sort(r)
	return slices.Compact(r)
})

// ConfigFields are the fixed fields of the generated Config; connection
// parameters may not take these Go names.
var ConfigFields = []string{"BaseURL", "HTTPClient", "Username", "Password", "AccessToken", "APIKey",
	"ClientID", "ClientSecret", "RedirectURL", "Token", "OnToken", "String", "GoString"}

// Defaults from the contract.
var (
	DefaultRetryStatuses = []int{429, 502, 503, 504}
	DefaultRetryMethods  = []string{"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
	DefaultMaxAttempts   = 3
	DefaultMaxWait       = 30 * time.Second
)

type validator struct {
	*decoder
	s        *Spec
	connByID map[string]bool
	schemas  map[string]bool // the schema names, built on first use
	// methods are the Client's method names so far (Go name → what has
	// it), for the checks of later blocks that add methods.
	methods map[string]string
}

// hasSchema reports whether the spec declares a schema called name. A set,
// not a scan of s.Schemas: every $ref asks, and a large spec has
// thousands of both.
func (v *validator) hasSchema(name string) bool {
	if v.schemas == nil {
		v.schemas = make(map[string]bool, len(v.s.Schemas))
		for _, ns := range v.s.Schemas {
			v.schemas[ns.Name] = true
		}
	}
	return v.schemas[name]
}

func (v *validator) validate() {
	s := v.s
	if s.Conngen == 0 {
		v.errorf("conngen", "required: the spec format number, 1")
	} else if s.Conngen != Format {
		v.errorf("conngen", "unsupported format %d; this conngen reads format %d", s.Conngen, Format)
	}
	switch {
	case s.Name == "":
		v.errorf("name", "required")
	case !namePattern.MatchString(s.Name):
		v.errorf("name", "must be a Go package name: a lower-case letter, then lower-case letters and digits")
	case isGoKeyword(s.Name) || s.Name == "main":
		v.errorf("name", "%q cannot be a package name", s.Name)
	}
	if s.DocsURL != "" {
		v.checkURL("docsURL", s.DocsURL)
	}
	if s.SupportEmail != "" && !strings.Contains(s.SupportEmail, "@") {
		v.errorf("supportEmail", "not an e-mail address")
	}
	v.checkConnection()
	if s.BaseURL == "" {
		v.errorf("baseURL", "required")
	} else {
		v.checkTemplateURL("baseURL", s.BaseURL)
		for _, m := range placeholder.FindAllStringSubmatch(s.BaseURL, -1) {
			for _, c := range s.Connection {
				if c.Name == m[1] && c.Secret {
					// URLs appear in error messages; secrets must not.
					v.errorf("baseURL", "placeholder {%s} names a secret connection parameter; secrets belong in auth headers or query", m[1])
				}
			}
		}
	}
	v.checkAuth("auth", s.Auth, authTypes)
	v.checkHeaders("headers", s.Headers)
	v.checkRetry()
	if rl := s.RateLimit; rl != nil {
		if rl.RequestsPerSecond <= 0 {
			v.errorf("rateLimit.requestsPerSecond", "must be greater than 0")
		}
		if rl.Burst < 0 {
			v.errorf("rateLimit.burst", "must not be negative")
		}
	}
	v.checkPing()
	v.checkSchemas()
	v.checkActions()
	v.checkWebhooks()
	v.checkMonitors()
}

func isGoKeyword(s string) bool {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
		"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
		"return", "select", "struct", "switch", "type", "var":
		return true
	}
	return false
}

func (v *validator) checkURL(path, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errorf(path, "must be an absolute http or https URL")
		return
	}
	if strings.ContainsAny(raw, "{}") {
		v.errorf(path, "placeholders are allowed only in baseURL and custom auth")
	}
}

// checkTemplateURL checks a URL whose {placeholders} name connection params.
func (v *validator) checkTemplateURL(path, raw string) {
	v.checkPlaceholders(path, raw)
	filled := placeholder.ReplaceAllString(raw, "x")
	u, err := url.Parse(filled)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errorf(path, "must be an absolute http or https URL")
		return
	}
	if u.RawQuery != "" || u.Fragment != "" {
		v.errorf(path, "must not have a query or fragment")
	}
}

func (v *validator) checkPlaceholders(path, text string) {
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !v.connByID[m[1]] {
			v.errorf(path, "placeholder {%s} names no connection parameter", m[1])
		}
	}
}

func (v *validator) checkConnection() {
	v.connByID = map[string]bool{}
	goNames := map[string]string{}
	for _, f := range ConfigFields {
		goNames[f] = "the Config field " + f
	}
	for i, c := range v.s.Connection {
		p := fmt.Sprintf("connection[%d]", i)
		if c.Name == "" {
			v.errorf(p+".name", "required")
			continue
		}
		if !identPattern.MatchString(c.Name) {
			v.errorf(p+".name", "must be a letter followed by letters, digits or _")
			continue
		}
		if v.connByID[c.Name] {
			v.errorf(p+".name", "duplicate connection parameter %q", c.Name)
			continue
		}
		v.connByID[c.Name] = true
		g := names.Go(c.Name)
		if other, ok := goNames[g]; ok {
			v.errorf(p+".name", "Go name %s collides with %s", g, other)
		}
		goNames[g] = "connection parameter " + c.Name
		seenValue := map[string]bool{}
		for j, e := range c.Enum {
			if seenValue[e] {
				v.errorf(fmt.Sprintf("%s.enum[%d]", p, j), "duplicate value %q", e)
			}
			seenValue[e] = true
		}
		if c.Default != "" && len(c.Enum) > 0 && !slices.Contains(c.Enum, c.Default) {
			v.errorf(p+".default", "not one of enum")
		}
		if c.Secret && c.Default != "" {
			v.errorf(p+".default", "a secret parameter cannot have a default: it would be written into generated source")
		}
	}
}

// authFields lists, per auth type, the auth fields it uses.
var authFields = map[string][]string{
	AuthNone:   {},
	AuthBasic:  {},
	AuthBearer: {"header", "prefix"},
	AuthAPIKey: {"in", "name", "prefix"},
	AuthOAuth2: {"grant", "authorizeURL", "tokenURL", "refreshURL", "scopes", "scopeSeparator", "pkce", "clientAuth", "authorizeParams", "tokenParams", "revokeURL"},
	AuthCustom: {"headers", "query"},
}

// authTypes are the auth types of a connector; actionAuthTypes those an
// action may override it with (the others need Config fields of their own).
var (
	authTypes       = []string{AuthNone, AuthBasic, AuthBearer, AuthAPIKey, AuthOAuth2, AuthCustom}
	actionAuthTypes = []string{AuthNone, AuthCustom}
)

// checkAuth checks the auth a at path, whose type must be one of types.
func (v *validator) checkAuth(path string, a Auth, types []string) {
	want := "one of " + strings.Join(types, ", ")
	if a.Type == "" {
		v.errorf(path+".type", "required: %s", want)
		return
	}
	used, ok := authFields[a.Type]
	if !ok {
		v.errorf(path+".type", "unknown auth type %q: want %s", a.Type, want)
		return
	}
	if !slices.Contains(types, a.Type) {
		v.errorf(path+".type", "auth type %s is for the connector; an action's auth is %s", a.Type, want)
		return
	}
	set := map[string]bool{
		"grant": a.Grant != "", "authorizeURL": a.AuthorizeURL != "", "tokenURL": a.TokenURL != "",
		"refreshURL": a.RefreshURL != "", "scopes": len(a.Scopes) > 0, "scopeSeparator": a.ScopeSeparator != nil,
		"pkce": a.PKCE, "clientAuth": a.ClientAuth != "", "authorizeParams": a.AuthorizeParams != nil,
		"tokenParams": a.TokenParams != nil, "revokeURL": a.RevokeURL != "", "in": a.In != "", "name": a.Name != "", "prefix": a.Prefix != nil,
		"header": a.Header != "", "headers": a.Headers != nil, "query": a.Query != nil,
	}
	var extra []string
	for f, isSet := range set {
		if isSet && !slices.Contains(used, f) {
			extra = append(extra, f)
		}
	}
	sort.Strings(extra)
	for _, f := range extra {
		v.errorf(path+"."+f, "not used by auth type %s", a.Type)
	}
	switch a.Type {
	case AuthBearer:
		if a.Header != "" && !headerNamePattern.MatchString(a.Header) {
			v.errorf(path+".header", "not a valid header name")
		}
		v.checkHeaderValue(path+".prefix", a.Prefix)
	case AuthAPIKey:
		switch a.In {
		case "":
			v.errorf(path+".in", "required for apiKey: header, query or cookie")
		case InHeader, InQuery, InCookie:
		default:
			v.errorf(path+".in", "must be header, query or cookie")
		}
		if a.Name == "" {
			v.errorf(path+".name", "required for apiKey: the header, query or cookie name")
		} else if a.In != InQuery && !headerNamePattern.MatchString(a.Name) {
			v.errorf(path+".name", "not a valid %s name", a.In)
		}
		v.checkHeaderValue(path+".prefix", a.Prefix)
	case AuthOAuth2:
		switch a.Grant {
		case "":
			v.errorf(path+".grant", "required for oauth2: authorizationCode or clientCredentials")
		case GrantAuthorizationCode:
			if a.AuthorizeURL == "" {
				v.errorf(path+".authorizeURL", "required for the authorizationCode grant")
			}
		case GrantClientCredentials:
			if a.AuthorizeURL != "" {
				v.errorf(path+".authorizeURL", "not used by the clientCredentials grant")
			}
			if a.PKCE {
				v.errorf(path+".pkce", "not used by the clientCredentials grant")
			}
			if len(a.AuthorizeParams) > 0 {
				v.errorf(path+".authorizeParams", "not used by the clientCredentials grant")
			}
		default:
			v.errorf(path+".grant", "must be authorizationCode or clientCredentials")
		}
		if a.AuthorizeURL != "" {
			v.checkURL(path+".authorizeURL", a.AuthorizeURL)
		}
		if a.TokenURL == "" {
			v.errorf(path+".tokenURL", "required for oauth2")
		} else {
			v.checkURL(path+".tokenURL", a.TokenURL)
		}
		if a.RefreshURL != "" {
			v.checkURL(path+".refreshURL", a.RefreshURL)
		}
		if a.RevokeURL != "" {
			v.checkURL(path+".revokeURL", a.RevokeURL)
		}
		if a.ClientAuth != "" && a.ClientAuth != "header" && a.ClientAuth != "body" {
			v.errorf(path+".clientAuth", "must be header or body")
		}
		for i, sc := range a.Scopes {
			if sc == "" || strings.ContainsAny(sc, " \t\r\n") {
				v.errorf(fmt.Sprintf("%s.scopes[%d]", path, i), "a scope must be non-empty and have no white space")
			}
		}
	case AuthCustom:
		if len(a.Headers) == 0 && len(a.Query) == 0 {
			v.errorf(path, "custom auth needs headers or query")
		}
		v.checkHeaders(path+".headers", a.Headers)
		for _, k := range slices.Sorted(maps.Keys(a.Headers)) {
			v.checkPlaceholders(path+".headers."+k, a.Headers[k])
		}
		for _, k := range slices.Sorted(maps.Keys(a.Query)) {
			if k == "" {
				v.errorf(path+".query", "empty query parameter name")
			}
			v.checkPlaceholders(path+".query."+k, a.Query[k])
		}
	}
}

func (v *validator) checkHeaderValue(path string, val *string) {
	if val != nil && strings.ContainsAny(*val, "\r\n\x00") {
		v.errorf(path, "must not contain line breaks")
	}
}

func (v *validator) checkHeaders(path string, h map[string]string) {
	canonical := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if other, dup := canonical[http.CanonicalHeaderKey(k)]; dup {
			v.errorf(join(path, k), "the same header as %q (header names ignore case)", other)
		}
		canonical[http.CanonicalHeaderKey(k)] = k
		if !headerNamePattern.MatchString(k) {
			v.errorf(join(path, k), "not a valid header name")
		}
		val := h[k]
		v.checkHeaderValue(join(path, k), &val)
	}
}

// checkMethod accepts a method in any case; the model writes it upper-case.
func (v *validator) checkMethod(path, m string) {
	if !slices.Contains(Methods, strings.ToUpper(m)) {
		v.errorf(path, "must be one of %s", strings.Join(Methods, " "))
	}
}

func (v *validator) checkStatus(path string, code int) {
	if code < 100 || code > 599 {
		v.errorf(path, "not an HTTP status code")
	}
}

func (v *validator) checkRetry() {
	r := v.s.Retry
	if r == nil {
		return
	}
	if r.MaxAttempts != nil && (*r.MaxAttempts < 1 || *r.MaxAttempts > 100) {
		v.errorf("retry.maxAttempts", "must be between 1 and 100")
	}
	for i, c := range r.Statuses {
		v.checkStatus(fmt.Sprintf("retry.statuses[%d]", i), c)
	}
	for i, m := range r.Methods {
		v.checkMethod(fmt.Sprintf("retry.methods[%d]", i), m)
	}
	if r.MaxWait != "" {
		if d, err := time.ParseDuration(r.MaxWait); err != nil || d <= 0 {
			v.errorf("retry.maxWait", "must be a positive duration such as 30s")
		}
	}
}

func (v *validator) checkPing() {
	p := v.s.Ping
	if p == nil {
		if v.s.Auth.Type != AuthNone && v.s.Auth.Type != "" {
			v.errorf("ping", "required unless auth.type is none: the smallest authenticated call, e.g. {path: /me}")
		}
		return
	}
	if p.Method != "" {
		v.checkMethod("ping.method", p.Method)
	}
	if p.Path == "" {
		v.errorf("ping.path", "required")
	} else {
		v.checkRelativePath("ping.path", p.Path, true)
	}
	for i, c := range p.Expect {
		v.checkStatus(fmt.Sprintf("ping.expect[%d]", i), c)
	}
}

// checkRelativePath checks a path relative to baseURL. A ping path may
// carry a fixed query string; an action path may not.
func (v *validator) checkRelativePath(path, p string, queryOK bool) {
	if !strings.HasPrefix(p, "/") {
		v.errorf(path, "must start with /")
		return
	}
	if strings.ContainsAny(p, "#\r\n\t ") || strings.HasPrefix(p, "//") {
		v.errorf(path, "must be a plain path without spaces, fragment or leading //")
	}
	if strings.Contains(p, "?") && !queryOK {
		v.errorf(path, "must not carry a query string: declare query params instead")
	}
	if queryOK && strings.ContainsAny(p, "{}") {
		v.errorf(path, "must not have placeholders")
	}
}

func (v *validator) checkSchemas() {
	// Go-name collisions between schemas ("user" and "User") are resolved
	// by the model with numbered names, so they are not errors here.
	for _, ns := range v.s.Schemas {
		p := join("schemas", ns.Name)
		if !schemaNamePattern.MatchString(ns.Name) {
			v.errorf(p, "schema names must be letters, digits, _, . or -, starting with a letter or _")
		}
		v.checkSchema(p, ns.Schema)
	}
}

func (v *validator) checkSchema(path string, s *Schema) {
	if s == nil {
		return
	}
	if s.Ref != "" {
		name := s.RefName()
		if name == "" {
			v.errorf(path+".$ref", "must be %s<Name>", RefPrefix)
		} else if !v.hasSchema(name) {
			v.errorf(path+".$ref", "no schema named %q", name)
		}
	}
	if s.Type != "" && !slices.Contains(Types, s.Type) {
		v.errorf(path+".type", "unknown type %q: want one of %s", s.Type, strings.Join(Types, " "))
	}
	if s.Format != "" && !slices.Contains(Formats, s.Format) {
		v.errorf(path+".format", "unknown format %q: want one of %s", s.Format, strings.Join(Formats, " "))
	}
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			// Go's regexp lacks look-around; a pattern is documentation here.
			v.warnf(path+".pattern", "not a Go regular expression")
		}
	}
	for _, ns := range s.Properties {
		v.checkSchema(join(path+".properties", ns.Name), ns.Schema)
	}
	var declared map[string]bool
	if len(s.Required) > 0 && len(s.Properties) > 0 && len(s.AllOf) == 0 {
		declared = make(map[string]bool, len(s.Properties))
		for _, ns := range s.Properties {
			declared[ns.Name] = true
		}
	}
	for i, r := range s.Required {
		if declared != nil && !declared[r] {
			v.errorf(fmt.Sprintf("%s.required[%d]", path, i), "names no property")
		}
	}
	v.checkSchema(path+".items", s.Items)
	if s.AdditionalProperties != nil {
		v.checkSchema(path+".additionalProperties", s.AdditionalProperties.Schema)
	}
	if d := s.Discriminator; d != nil {
		if d.PropertyName == "" {
			v.errorf(path+".discriminator.propertyName", "required")
		}
		if len(s.OneOf)+len(s.AnyOf) == 0 {
			v.errorf(path+".discriminator", "only with oneOf or anyOf")
		}
		for _, k := range slices.Sorted(maps.Keys(d.Mapping)) {
			ref := &Schema{Ref: d.Mapping[k]}
			if name := ref.RefName(); name == "" || !v.hasSchema(name) {
				v.errorf(path+".discriminator.mapping."+k, "must be %s<Name> of a schema", RefPrefix)
			}
		}
	}
	for _, kw := range []string{"allOf", "oneOf", "anyOf"} {
		list := map[string][]*Schema{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf}[kw]
		for i, c := range list {
			v.checkSchema(fmt.Sprintf("%s.%s[%d]", path, kw, i), c)
		}
	}
}

func (v *validator) checkActions() {
	if len(v.s.Actions) == 0 {
		v.warnf("actions", "no actions: the connector has only AuthPing and CustomAction")
	}
	goNames := map[string]string{}
	for _, r := range ReservedMethods() {
		goNames[r] = "the connector's own " + r
	}
	if v.s.Auth.Type == AuthOAuth2 && v.s.Auth.RevokeURL != "" {
		goNames[RevokeMethod] = "the connector's own " + RevokeMethod + " (auth.revokeURL)"
	}
	for i, a := range v.s.Actions {
		p := fmt.Sprintf("actions[%d]", i)
		if a.Name == "" {
			v.errorf(p+".name", "required")
		} else if !actionNamePattern.MatchString(a.Name) {
			v.errorf(p+".name", "must be a letter followed by letters, digits or _ (lowerCamelCase)")
		} else {
			g := names.Go(a.Name)
			if other, ok := goNames[g]; ok {
				v.errorf(p+".name", "Go name %s collides with %s", g, other)
			}
			goNames[g] = "action " + a.Name
		}
		v.checkAction(p, a)
	}
	// Iterator methods of paginated actions share the namespace.
	for i, a := range v.s.Actions {
		if a.Paginate == nil || a.Name == "" {
			continue
		}
		g := names.Go(a.Name) + "All"
		if other, ok := goNames[g]; ok {
			v.errorf(fmt.Sprintf("actions[%d].paginate", i), "iterator %s collides with %s", g, other)
		}
		goNames[g] = "the iterator of action " + a.Name
	}
	v.checkEventsNames(goNames)
	v.methods = goNames
}

func (v *validator) checkAction(p string, a Action) {
	if a.Method == "" {
		v.errorf(p+".method", "required")
	} else {
		v.checkMethod(p+".method", a.Method)
	}
	if a.Path == "" {
		v.errorf(p+".path", "required")
	} else {
		v.checkRelativePath(p+".path", a.Path, false)
	}
	if a.Auth != nil {
		v.checkAuth(p+".auth", *a.Auth, actionAuthTypes)
	}
	for i, sc := range a.Scopes {
		if !slices.Contains(v.s.Auth.Scopes, sc) {
			v.errorf(fmt.Sprintf("%s.scopes[%d]", p, i), "scope %q is not in auth.scopes", sc)
		}
	}
	inPath := map[string]int{}
	for _, m := range placeholder.FindAllStringSubmatch(a.Path, -1) {
		inPath[m[1]]++
	}
	for name, n := range inPath {
		if n > 1 {
			v.errorf(p+".path", "placeholder {%s} appears %d times", name, n)
		}
	}
	seen := map[string]bool{}
	pathParams := map[string]int{}
	queryParams := map[string]bool{}
	for i, prm := range a.Params {
		pp := fmt.Sprintf("%s.params[%d]", p, i)
		if prm.Name == "" {
			v.errorf(pp+".name", "required")
		}
		key := prm.In + " " + prm.Name
		if seen[key] {
			v.errorf(pp+".name", "duplicate %s parameter %q", prm.In, prm.Name)
		}
		seen[key] = true
		switch prm.In {
		case InPath:
			pathParams[prm.Name]++
			if inPath[prm.Name] == 0 {
				v.errorf(pp+".name", "path parameter {%s} does not appear in the path", prm.Name)
			}
		case InQuery:
			queryParams[prm.Name] = true
		case InHeader:
			if !headerNamePattern.MatchString(prm.Name) {
				v.errorf(pp+".name", "not a valid header name")
			}
		case "":
			v.errorf(pp+".in", "required: path, query or header")
		default:
			v.errorf(pp+".in", "must be path, query or header")
		}
		if prm.Explode != nil && prm.In != InQuery {
			v.errorf(pp+".explode", "only for query parameters")
		}
		v.checkStyle(pp, prm)
		v.checkSchema(pp+".schema", prm.Schema)
	}
	for _, name := range slices.Sorted(maps.Keys(inPath)) {
		if pathParams[name] == 0 {
			v.errorf(p+".path", "placeholder {%s} has no parameter with in: path", name)
		}
	}
	if b := a.Body; b != nil {
		if b.ContentType != "" && !IsMediaType(b.ContentType) {
			v.errorf(p+".body.contentType", "must be a media type such as %s, %s, %s or %s", ContentJSON, ContentForm, ContentMultipart, ContentBinary)
		}
		switch b.FormArrays {
		case "", "repeat", "brackets", "indexed":
			if b.FormArrays != "" && b.ContentType != ContentForm {
				v.errorf(p+".body.formArrays", "only for %s bodies", ContentForm)
			}
		default:
			v.errorf(p+".body.formArrays", "must be repeat, brackets or indexed")
		}
		v.checkSchema(p+".body.schema", b.Schema)
	}
	if r := a.Response; r != nil {
		v.checkSchema(p+".response.schema", r.Schema)
		for i, mt := range r.Accept {
			if !mediaRangePattern.MatchString(mt) {
				v.errorf(fmt.Sprintf("%s.response.accept[%d]", p, i), "must be a media type or range such as application/json, image/png or image/*")
			}
		}
	}
	if pg := a.Paginate; pg != nil {
		v.checkPaginate(p+".paginate", pg, queryParams)
	}
	v.checkStream(p, a)
}

func (v *validator) checkPaginate(p string, pg *Paginate, query map[string]bool) {
	need := map[string][]string{
		PageOffset:     {"offset"},
		PagePage:       {"page"},
		PageCursor:     {"cursor", "nextCursor"},
		PageNextURL:    {"next"},
		PageLinkHeader: {},
	}
	req, ok := need[pg.Style]
	if !ok {
		v.errorf(p+".style", "must be one of offset, page, cursor, nextURL, linkHeader")
		return
	}
	vals := map[string]string{"limit": pg.Limit, "offset": pg.Offset, "page": pg.Page, "cursor": pg.Cursor, "nextCursor": pg.NextCursor, "next": pg.Next}
	for _, f := range req {
		if vals[f] == "" {
			v.errorf(p+"."+f, "required for style %s", pg.Style)
		}
	}
	for _, f := range []string{"limit", "offset", "page", "cursor"} {
		if vals[f] != "" && !query[vals[f]] {
			v.errorf(p+"."+f, "names no query parameter of the action: %q", vals[f])
		}
	}
	used := map[string]string{}
	for _, f := range []string{"limit", "offset", "page", "cursor"} {
		if q := vals[f]; q != "" {
			if other, dup := used[q]; dup {
				v.errorf(p+"."+f, "names the same query parameter as paginate.%s", other)
			}
			used[q] = f
		}
	}
	if pg.Style == PageOffset && pg.Page != "" || pg.Style == PagePage && pg.Offset != "" {
		v.errorf(p, "offset and page belong to different styles")
	}
}

// mediaRangePattern is what an Accept entry may be: a media type, or a
// range with * (image/*, */*), with parameters, on one line, no comma.
var mediaRangePattern = regexp.MustCompile(`^(\*/\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*))( *; *[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n,]*"|[A-Za-z0-9!#$&^_.+-]+))*$`)

// checkStyle checks a param's style: query params only, form or
// deepObject, and deepObject only for objects and lists (OpenAPI defines
// it for objects; lists are written name[0]=v, as Stripe reads them), and
// always exploded.
func (v *validator) checkStyle(pp string, prm Param) {
	if prm.Style == "" {
		return
	}
	switch {
	case prm.In != InQuery:
		v.errorf(pp+".style", "only for query parameters")
	case prm.Style != StyleForm && prm.Style != StyleDeepObject:
		v.errorf(pp+".style", "must be form or deepObject")
	case prm.Style == StyleDeepObject:
		if prm.Explode != nil && !*prm.Explode {
			v.errorf(pp+".explode", "explode: false is not defined for style deepObject")
		}
		if t := v.followRefs(prm.Schema); t == nil || t.Type == "string" || t.Type == "integer" || t.Type == "number" || t.Type == "boolean" {
			v.errorf(pp+".style", "deepObject is for object and array schemas")
		}
	}
}

// followRefs follows s's $ref chain to a schema that is not a reference;
// nil when there is none (no schema, a dangling or looping reference).
func (v *validator) followRefs(s *Schema) *Schema {
	for i := 0; s != nil && s.Ref != "" && i < 100; i++ {
		s = v.s.Schemas.Get(s.RefName())
	}
	if s != nil && s.Ref != "" {
		return nil
	}
	return s
}

// IsMediaRange reports whether mt is an entry response.accept takes: a
// media type or a range such as image/*, with parameters.
func IsMediaRange(mt string) bool { return mediaRangePattern.MatchString(mt) }

var mediaTypePattern = regexp.MustCompile("^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")

// IsMediaType reports whether ct is a plain type/subtype in lower case.
// Bodies of JSON types (application/json, anything +json) are JSON-encoded,
// form and multipart types are encoded from their struct, and any other
// type is raw bytes from an io.Reader, sent with that Content-Type.
func IsMediaType(ct string) bool { return mediaTypePattern.MatchString(ct) }

// IsJSON reports whether a body of type ct is JSON-encoded.
func IsJSON(ct string) bool {
	return ct == "" || ct == ContentJSON || strings.HasSuffix(ct, "+json")
}
