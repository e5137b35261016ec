package openapi

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Preference ranks of mapped schemes, best first.
const (
	rankOAuth2Code = iota
	rankOAuth2Client
	rankBearer
	rankAPIKeyHeader
	rankAPIKeyQuery
	rankBasic
	rankAPIKeyCookie
)

type authCandidate struct {
	name  string
	auth  spec.Auth
	rank  int
	ok    bool // maps to an auth type other than none
	count int  // operations whose effective security lists the scheme
	warns []Warning
}

// chooseAuth picks the security scheme that becomes auth.
//
// The rule: the scheme named by Options.Auth (--auth NAME) when given;
// else, among the schemes that map to an auth type, the one that the most
// operations list in their effective security requirement (the
// operation's `security`, else the document's global `security`); ties go
// to the preferred kind — oauth2 authorizationCode > oauth2
// clientCredentials > bearer > apiKey in header > apiKey in query > basic >
// apiKey in cookie — then to the first name in alphabetical order. Declared
// schemes that no operation lists still count (with zero operations).
//
// Mapping: oauth2 with an authorizationCode flow -> oauth2
// authorizationCode (preferred over clientCredentials when both are
// declared); clientCredentials -> oauth2 clientCredentials; implicit or
// password flows only -> bearer (the user supplies a token), with a
// warning. Relative OAuth URLs are resolved against the first server URL;
// an OAuth URL that is still not absolute makes the scheme bearer, with a
// warning. auth.scopes is the sorted union of the scopes the scheme
// declares in all its flows; an action's scopes are those of the first
// requirement of its effective security that lists the scheme, kept when
// declared. apiKey -> apiKey with its in and name (when the header is
// Authorization and the description suggests a prefix such as "Bearer " or
// "Bot ", the prefix is left "" — the user includes it in the key — with a
// warning). http basic -> basic, http bearer -> bearer, openIdConnect ->
// bearer with a warning; other http schemes (digest, ...) and mutualTLS are
// not supported (warning) and never chosen unless --auth names them, in
// which case auth is none. No scheme: auth none.
func (c *converter) chooseAuth() {
	c.s.Auth = spec.Auth{Type: spec.AuthNone}
	var comps openapi3.SecuritySchemes
	if c.t.Components != nil {
		comps = c.t.Components.SecuritySchemes
	}
	if len(comps) == 0 {
		if c.opts.Auth != "" {
			c.optErrs = append(c.optErrs, OptionError{Option: "auth", Value: c.opts.Auth, Msg: "the document declares no security schemes"})
		}
		return
	}
	if len(c.ops) == 0 && c.opts.Auth == "" {
		// A webhooks-only document (Adyen's) declares the schemes its
		// deliveries carry; the connector calls nothing they could
		// authenticate, and a ping would fail.
		c.w.add("#/components/securitySchemes", "no operations to call: auth none (pass --auth NAME to keep a scheme; a scheme the webhooks carry belongs in webhooks.signature)")
		return
	}
	counts := map[string]int{}
	for _, o := range c.ops {
		seen := map[string]bool{}
		for _, req := range o.security {
			for name := range req {
				if !seen[name] {
					seen[name] = true
					counts[name]++
				}
			}
		}
	}
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	sort.Strings(names)
	var cands []*authCandidate
	byName := map[string]*authCandidate{}
	for _, n := range names {
		ref := comps[n]
		if ref == nil || ref.Value == nil {
			continue
		}
		cand := c.mapScheme(n, ref.Value)
		cand.count = counts[n]
		cands = append(cands, cand)
		byName[n] = cand
	}
	c.schemes = map[string]spec.Auth{}
	for n, cand := range byName {
		c.schemes[n] = cand.auth
	}
	var chosen *authCandidate
	if c.opts.Auth != "" {
		chosen = byName[c.opts.Auth]
		if chosen == nil {
			c.optErrs = append(c.optErrs, OptionError{Option: "auth", Value: c.opts.Auth, Msg: "no such security scheme", Known: spec.Closest(c.opts.Auth, names, 0)})
		}
	}
	if chosen == nil {
		var ok []*authCandidate
		for _, cand := range cands {
			if cand.ok {
				ok = append(ok, cand)
			}
		}
		sort.SliceStable(ok, func(i, j int) bool {
			a, b := ok[i], ok[j]
			if a.count != b.count {
				return a.count > b.count
			}
			if a.rank != b.rank {
				return a.rank < b.rank
			}
			return a.name < b.name
		})
		if len(ok) > 0 {
			chosen = ok[0]
		}
	}
	for _, cand := range cands {
		ptr := c.schemePtr(cand.name)
		if cand == chosen {
			for _, w := range cand.warns {
				c.w.list = append(c.w.list, w)
			}
			continue
		}
		if chosen != nil {
			c.w.add(ptr, "not used: a connector has one auth scheme; using %s", chosen.name)
		} else {
			for _, w := range cand.warns {
				c.w.list = append(c.w.list, w)
			}
		}
	}
	if chosen == nil {
		return
	}
	c.s.Auth = chosen.auth
	if chosen.auth.Type != spec.AuthNone {
		c.scheme = chosen.name
		c.authSet = []string{chosen.name}
		c.combineAuth()
	}
	c.authScopes = map[string]bool{}
	for _, s := range chosen.auth.Scopes {
		c.authScopes[s] = true
	}
}

// schemePtr is the JSON pointer of the security scheme name.
func (c *converter) schemePtr(name string) string {
	if c.doc.swagger {
		return "#/securityDefinitions/" + ptrEscape(name)
	}
	return "#/components/securitySchemes/" + ptrEscape(name)
}

var prefixHint = regexp.MustCompile(`(?i)\b(bearer|bot|token|ssws)\b`)

var prefixWords = map[string]string{"bearer": "Bearer ", "bot": "Bot ", "token": "Token ", "ssws": "SSWS "}

// mapScheme maps one security scheme to an auth candidate.
func (c *converter) mapScheme(name string, ss *openapi3.SecurityScheme) *authCandidate {
	ptr := c.schemePtr(name)
	cand := &authCandidate{name: name, ok: true}
	warn := func(format string, args ...any) {
		w := &warnings{}
		w.add(ptr, format, args...)
		cand.warns = append(cand.warns, w.list...)
	}
	bearer := func() {
		cand.auth = spec.Auth{Type: spec.AuthBearer}
		cand.rank = rankBearer
	}
	switch strings.ToLower(ss.Type) {
	case "apikey":
		in := strings.ToLower(ss.In)
		cand.auth = spec.Auth{Type: spec.AuthAPIKey, In: in, Name: ss.Name}
		switch in {
		case "header":
			cand.rank = rankAPIKeyHeader
		case "query":
			cand.rank = rankAPIKeyQuery
		case "cookie":
			cand.rank = rankAPIKeyCookie
		default:
			warn("apiKey in %q not supported; using header", ss.In)
			cand.auth.In = "header"
			cand.rank = rankAPIKeyHeader
		}
		if cand.auth.Name == "" {
			warn("apiKey scheme has no name; using Authorization")
			cand.auth.Name = "Authorization"
		}
		if cand.auth.In == "header" && strings.EqualFold(cand.auth.Name, "Authorization") {
			empty := ""
			cand.auth.Prefix = &empty
			if m := prefixHint.FindString(ss.Description); m != "" {
				warn("apiKey in the Authorization header: the description suggests a %q prefix; the key is sent as is, so include the prefix in it", prefixWords[strings.ToLower(m)])
			}
		}
	case "http":
		switch strings.ToLower(ss.Scheme) {
		case "basic":
			cand.auth = spec.Auth{Type: spec.AuthBasic}
			cand.rank = rankBasic
		case "bearer":
			bearer()
		default:
			warn("http scheme %q not supported", ss.Scheme)
			cand.ok = false
			cand.auth = spec.Auth{Type: spec.AuthNone}
		}
	case "openidconnect":
		warn("openIdConnect not supported; mapped to bearer (the user supplies a token)")
		bearer()
	case "oauth2":
		c.mapOAuth2(cand, ss, ptr, warn, bearer)
	default:
		warn("security scheme type %q not supported", ss.Type)
		cand.ok = false
		cand.auth = spec.Auth{Type: spec.AuthNone}
	}
	return cand
}

func (c *converter) mapOAuth2(cand *authCandidate, ss *openapi3.SecurityScheme, ptr string, warn func(string, ...any), bearer func()) {
	f := ss.Flows
	if f == nil {
		warn("oauth2 scheme without flows; mapped to bearer")
		bearer()
		return
	}
	scopeSet := map[string]bool{}
	for _, fl := range []*openapi3.OAuthFlow{f.AuthorizationCode, f.ClientCredentials, f.Implicit, f.Password} {
		if fl != nil {
			for s := range fl.Scopes {
				scopeSet[s] = true
			}
		}
	}
	scopes := make([]string, 0, len(scopeSet))
	for s := range scopeSet {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			warn("scope %q has white space; dropped", s)
			continue
		}
		scopes = append(scopes, s)
	}
	sort.Strings(scopes)
	if len(scopes) == 0 {
		scopes = nil
	}
	try := func(fl *openapi3.OAuthFlow, grant, flowName string) bool {
		if fl == nil {
			return false
		}
		fptr := ptr + "/flows/" + flowName
		tok, ok := c.oauthURL(fl.TokenURL)
		if !ok {
			warn("%s flow: tokenUrl %q is not an absolute http(s) URL; flow not used", flowName, fl.TokenURL)
			return false
		}
		a := spec.Auth{Type: spec.AuthOAuth2, Grant: grant, TokenURL: tok, Scopes: scopes}
		if grant == spec.GrantAuthorizationCode {
			au, ok := c.oauthURL(fl.AuthorizationURL)
			if !ok {
				warn("%s flow: authorizationUrl %q is not an absolute http(s) URL; flow not used", flowName, fl.AuthorizationURL)
				return false
			}
			a.AuthorizeURL = au
		}
		if fl.RefreshURL != "" {
			if r, ok := c.oauthURL(fl.RefreshURL); ok && r != tok {
				a.RefreshURL = r
			} else if !ok {
				c.w.add(fptr+"/refreshUrl", "refreshUrl %q is not an absolute http(s) URL; dropped", fl.RefreshURL)
			}
		}
		cand.auth = a
		return true
	}
	switch {
	case try(f.AuthorizationCode, spec.GrantAuthorizationCode, "authorizationCode"):
		cand.rank = rankOAuth2Code
	case try(f.ClientCredentials, spec.GrantClientCredentials, "clientCredentials"):
		cand.rank = rankOAuth2Client
	case f.Implicit != nil:
		warn("oauth2 implicit flow not supported; mapped to bearer (the user supplies a token)")
		bearer()
	case f.Password != nil:
		warn("oauth2 password flow not supported; mapped to bearer (the user supplies a token)")
		bearer()
	default:
		warn("oauth2 scheme without a usable flow; mapped to bearer")
		bearer()
	}
}

// oauthURL resolves a possibly relative OAuth URL against the first
// server URL; ok is false when the result is not absolute http(s) or
// still holds a placeholder.
func (c *converter) oauthURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if !isAbsHTTP(s) && c.serverURL != "" {
		base, err := url.Parse(c.serverURL)
		ref, err2 := url.Parse(s)
		if err == nil && err2 == nil {
			if !strings.HasSuffix(base.Path, "/") && !strings.HasPrefix(s, "/") {
				base.Path += "/"
			}
			s = base.ResolveReference(ref).String()
		}
	}
	if !isAbsHTTP(s) || strings.ContainsAny(s, "{}") {
		return s, false
	}
	return s, true
}

// actionScopes are the declared scopes of the first requirement of the
// operation's effective security that lists the chosen scheme.
func (c *converter) actionScopes(o *operation) []string {
	if c.s.Auth.Type != spec.AuthOAuth2 || c.scheme == "" {
		return nil
	}
	for _, req := range o.security {
		scopes, ok := req[c.scheme]
		if !ok {
			continue
		}
		var out []string
		for _, s := range scopes {
			if !c.authScopes[s] {
				c.w.add(o.ptr+"/security", "scope %q is not declared by %s; dropped", s, c.scheme)
				continue
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// authenticated reports whether one requirement of the operation's
// effective security asks for nothing but what the connector's auth sends.
func (c *converter) authenticated(o *operation) bool {
	for _, req := range o.security {
		if len(req) > 0 && c.covered(req) {
			return true
		}
	}
	return false
}

// covered reports whether the connector's auth sends every scheme of req.
func (c *converter) covered(req openapi3.SecurityRequirement) bool {
	for name := range req {
		if !slices.Contains(c.authSet, name) {
			return false
		}
	}
	return true
}

// combineAuth makes the connector's auth custom when the chosen scheme is
// asked for together with others (Trello-style: an app key and a user
// token, both in the query) more often than alone, and every scheme of
// that requirement can be a template: each credential becomes a required
// secret connection parameter.
func (c *converter) combineAuth() {
	counts := map[string]int{}
	reqs := map[string][]string{}
	for _, o := range c.ops {
		seen := map[string]bool{}
		for _, req := range o.security {
			if _, ok := req[c.scheme]; !ok {
				continue
			}
			names := slices.Sorted(maps.Keys(req))
			key := strings.Join(names, " ")
			if !seen[key] {
				seen[key] = true
				counts[key]++
				reqs[key] = names
			}
		}
	}
	keys := slices.Sorted(maps.Keys(counts))
	sort.SliceStable(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return len(reqs[keys[i]]) < len(reqs[keys[j]]) // on a tie, alone wins
	})
	for _, k := range keys {
		if len(reqs[k]) == 1 {
			return // the chosen scheme alone is asked for at least as often
		}
		if auth := c.templateAuth(reqs[k], true); auth != nil {
			c.w.add(c.schemePtr(c.scheme), "asked for together with %s; auth is custom, sending all of them from connection parameters",
				strings.Join(slices.DeleteFunc(slices.Clone(reqs[k]), func(n string) bool { return n == c.scheme }), " and "))
			c.s.Auth = *auth
			c.authSet = reqs[k]
			return
		}
	}
}

// otherAuth handles an operation that the connector's auth does not
// authorize: no requirement of its effective security asks for just what
// the connector sends (Swagger Petstore's getInventory takes an api_key
// header while the connector holds the petstore_auth token; Discord's
// /users/@me/... operations take a user's OAuth2 token, not the bot token).
// An operation that also takes no credential gets auth none. When one of
// its requirements asks only for API keys, bearer tokens and OAuth2
// schemes other than the connector's (an organisation-level OAuth2
// endpoint in a personal-token API), the action gets its own auth: those
// credentials, from secret connection parameters (one per scheme,
// optional in New); an OAuth2 scheme's is an access token the caller
// obtains elsewhere, sent as Authorization: Bearer. Otherwise the action is kept with the
// connector's auth, since the connector can still send it: when the chosen
// scheme is an API key sent as the whole Authorization header, a key of
// "Bearer " + a token of the other scheme is what that scheme sends. The
// note, for the warning and the description, says which; it is "" for an
// operation that the connector's auth authorizes, or that needs no auth.
func (c *converter) otherAuth(o *operation) (auth *spec.Auth, note string) {
	if c.scheme == "" || len(o.security) == 0 || c.authenticated(o) {
		return nil, ""
	}
	bearer, optional := false, false
	for _, req := range o.security {
		if len(req) == 0 {
			optional = true // {}: no auth needed
		}
		for name := range req {
			if t := c.schemes[name].Type; t == spec.AuthOAuth2 || t == spec.AuthBearer {
				bearer = true // sends "Authorization: Bearer <token>"
			}
		}
	}
	if optional {
		// The operation takes no credential, and the connector's is not
		// among those it takes: send none rather than one it did not ask
		// for (Prism refuses a stray Authorization header).
		return &spec.Auth{Type: spec.AuthNone}, ""
	}
	var alts []string
	for _, req := range o.security {
		alts = append(alts, strings.Join(slices.Sorted(maps.Keys(req)), " and "))
	}
	note = fmt.Sprintf("Auth: the document accepts only %s here, not %s, which the connector authenticates with.", strings.Join(alts, " or "), strings.Join(c.authSet, " and "))
	for _, req := range o.security {
		names := slices.Sorted(maps.Keys(req))
		if _, own := req[c.scheme]; own && c.s.Auth.Type != spec.AuthCustom {
			continue // the connector's credential is a Config field, not a parameter
		}
		if auth := c.templateAuth(names, false); auth != nil {
			var sends []string
			for _, n := range names {
				p := c.credParams[n]
				if c.schemes[n].Type == spec.AuthOAuth2 {
					// The connector runs no flow for it: the caller brings
					// an access token obtained elsewhere.
					sends = append(sends, fmt.Sprintf("%s (Config.%s) as an access token of the OAuth2 scheme %s, in Authorization: Bearer", p, goName(p), n))
					continue
				}
				sends = append(sends, fmt.Sprintf("%s (Config.%s) as %s", p, goName(p), n))
			}
			return auth, note + " The action sends the connection parameter " + strings.Join(sends, " and ") + " instead."
		}
	}
	a := c.s.Auth
	if bearer && a.Type == spec.AuthAPIKey && a.In == spec.InHeader && strings.EqualFold(a.Name, "Authorization") && (a.Prefix == nil || *a.Prefix == "") {
		note += " The key is sent as the Authorization header as it is, so " + BearerKeyHint + "."
	}
	return nil, note
}

// templateAuth maps a requirement (scheme names, sorted) to custom auth
// whose credentials are secret connection parameters, added on first use
// (required when the connector's auth uses them). nil when a scheme's
// credential cannot be a template (basic; the connector's own OAuth2
// scheme, whose flow it runs), or when two schemes would set the same
// header. Another OAuth2 scheme's access token is sent as a bearer token.
func (c *converter) templateAuth(names []string, required bool) *spec.Auth {
	// Check first, so that a requirement that cannot be mapped adds no
	// connection parameter.
	headers := map[string]bool{}
	for _, name := range names {
		sch := c.schemes[name]
		if !templatable(sch) && !(sch.Type == spec.AuthOAuth2 && name != c.scheme) {
			// The chosen OAuth2 scheme's flow is the connector's to run;
			// another OAuth2 scheme's access token is a bearer credential.
			return nil
		}
		h := http.CanonicalHeaderKey(credentialHeader(sch))
		if sch.Type == spec.AuthAPIKey && sch.In == spec.InQuery {
			h = "?" + sch.Name // a query parameter
		}
		if headers[h] && h != "Cookie" {
			return nil
		}
		headers[h] = true
	}
	auth := &spec.Auth{Type: spec.AuthCustom}
	var cookies []string
	for _, name := range names {
		sch := c.schemes[name]
		p := "{" + c.credParam(name, required) + "}"
		switch {
		case sch.Type == spec.AuthBearer:
			auth.Headers = put(auth.Headers, credentialHeader(sch), ptrOr(sch.Prefix, "Bearer ")+p)
		case sch.Type == spec.AuthOAuth2:
			auth.Headers = put(auth.Headers, "Authorization", "Bearer "+p)
		case sch.In == spec.InHeader:
			auth.Headers = put(auth.Headers, sch.Name, ptrOr(sch.Prefix, "")+p)
		case sch.In == spec.InQuery:
			auth.Query = put(auth.Query, sch.Name, p)
		case sch.In == spec.InCookie:
			cookies = append(cookies, sch.Name+"="+p)
		}
	}
	if len(cookies) > 0 {
		auth.Headers = put(auth.Headers, "Cookie", strings.Join(cookies, "; "))
	}
	return auth
}

// credentialHeader is the header a templatable scheme's credential goes in.
func credentialHeader(a spec.Auth) string {
	switch {
	case a.Type == spec.AuthOAuth2:
		return "Authorization"
	case a.Type == spec.AuthBearer:
		return cmp.Or(a.Header, "Authorization")
	case a.In == spec.InCookie:
		return "Cookie"
	}
	return a.Name
}

func put(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// templatable reports whether a scheme's credential can be a custom auth
// template: an API key (header, query or cookie) or a bearer token.
func templatable(a spec.Auth) bool {
	switch a.Type {
	case spec.AuthBearer:
		return true
	case spec.AuthAPIKey:
		return a.In == spec.InHeader || a.In == spec.InQuery || a.In == spec.InCookie
	}
	return false
}

func ptrOr(p *string, def string) string {
	if p != nil {
		return *p
	}
	return def
}

// credParam is the secret connection parameter holding the credential of
// the scheme, added on first use.
func (c *converter) credParam(scheme string, required bool) string {
	if param, ok := c.credParams[scheme]; ok {
		return param
	}
	base := connParamName(cmp.Or(lowerCamel(scheme), "credential"))
	param := base
	for i := 2; c.connParamTaken(param); i++ {
		param = base + strconv.Itoa(i)
	}
	if c.credParams == nil {
		c.credParams = map[string]string{}
	}
	c.credParams[scheme] = param
	sch := c.schemes[scheme]
	where := "header " + credentialHeader(sch)
	switch sch.In {
	case spec.InQuery:
		where = "query parameter " + sch.Name
	case spec.InCookie:
		where = "cookie " + sch.Name
	}
	desc := fmt.Sprintf("Credential of the %s security scheme (%s), for the actions that accept only it.", scheme, where)
	if sch.Type == spec.AuthOAuth2 {
		desc = fmt.Sprintf("Access token of the %s OAuth2 security scheme (sent as Authorization: Bearer), for the actions that accept only it; the connector does not run that scheme's flow.", scheme)
	}
	if required {
		desc = fmt.Sprintf("Credential of the %s security scheme (%s).", scheme, where)
	}
	c.s.Connection = append(c.s.Connection, spec.ConnParam{Name: param, Description: desc, Required: required, Secret: true})
	return param
}

// connParamTaken reports whether a connection parameter already has the
// name, or one that Go-names the same.
func (c *converter) connParamTaken(name string) bool {
	for _, p := range c.s.Connection {
		if foldKey(p.Name) == foldKey(name) || sepFold(p.Name) == sepFold(name) {
			return true
		}
	}
	return false
}

// BearerKeyHint ends the description of an action that the connector's
// API key (the whole Authorization header) does not authorize while a
// bearer token does; internal/e2e looks for it to call such actions with
// a bearer key.
const BearerKeyHint = `a Client whose APIKey is "Bearer " followed by an access token of that scheme can call it`
