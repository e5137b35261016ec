package emit

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"
	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generator/model"
)

// fieldType is the Go type of a credential field.
func fieldType(k model.FieldKind) jen.Code {
	switch k {
	case model.FieldToken:
		return jen.Op("*").Qual(oauth2Path, "Token")
	case model.FieldOnToken:
		return jen.Func().Params(jen.Op("*").Qual(oauth2Path, "Token"))
	}
	return jen.String()
}

func genClient(f *jen.File, c *model.Connector) {
	pkgDoc := "Package " + c.Name + " is a connector for " + c.Title + "."
	if d := strings.Join(comment(c.Description), "\n"); d != "" {
		pkgDoc += "\n\n" + d
	}
	if c.DocsURL != "" {
		pkgDoc += "\n\nAPI documentation: " + c.DocsURL
	}
	f.PackageComment("// " + strings.Join(comment(pkgDoc), "\n// "))

	f.Comment("DefaultBaseURL is the service's address; {placeholders} are filled from connection parameters.")
	f.Const().Id("DefaultBaseURL").Op("=").Lit(c.DefaultBaseURL)

	genConfig(f, c)
	genNew(f, c)
	if c.Auth.Type == "oauth2" {
		genOAuth2Helpers(f, c)
	}
	if c.HasRevoke() {
		genRevokeError(f, c)
	}
}

func genConfig(f *jen.File, c *model.Connector) {
	f.Comment("Config is what New needs to create a Client: credentials and connection parameters.")
	f.Type().Id("Config").StructFunc(func(g *jen.Group) {
		g.Comment("BaseURL overrides DefaultBaseURL, for tests and proxies.")
		g.Id("BaseURL").String()
		g.Comment("HTTPClient carries every request the connector makes, token requests included; nil means http.DefaultClient.")
		g.Id("HTTPClient").Op("*").Qual("net/http", "Client")
		for _, a := range c.AuthFields {
			g.Line()
			g.Comment(a.Doc)
			g.Id(a.GoName).Add(fieldType(a.Kind))
		}
		for _, p := range c.Conn {
			g.Line()
			lines := []string{p.Description}
			if p.Required {
				lines = append(lines, "Required.")
			}
			if p.Default != "" {
				lines = append(lines, "Default "+quote(p.Default)+".")
			}
			if len(p.Enum) > 0 {
				lines = append(lines, "One of "+quoteList(p.Enum)+".")
			}
			if p.Secret {
				lines = append(lines, "Secret: never printed.")
			}
			doc(g, p.GoName, strings.TrimSpace(strings.Join(lines, " ")))
			g.Id(p.GoName).String()
		}
	})

	// String keeps secrets out of logs: %v, %+v and %#v all print it.
	var format []string
	var args []jen.Code
	format = append(format, "BaseURL:%q")
	args = append(args, jen.Id("cfg").Dot("BaseURL"))
	addField := func(name string, secret bool, isPtr bool) {
		if secret {
			format = append(format, name+":%s")
			set := jen.Id("cfg").Dot(name).Op("!=").Lit("")
			if isPtr {
				set = jen.Id("cfg").Dot(name).Op("!=").Nil()
			}
			args = append(args, jen.Id("redacted").Call(set))
			return
		}
		format = append(format, name+":%q")
		args = append(args, jen.Id("cfg").Dot(name))
	}
	for _, a := range c.AuthFields {
		if a.Kind == model.FieldOnToken {
			continue
		}
		addField(a.GoName, a.Secret, a.Kind == model.FieldToken)
	}
	for _, p := range c.Conn {
		addField(p.GoName, p.Secret, false)
	}
	f.Comment("String describes cfg with every secret redacted, so a Config can be logged.")
	f.Func().Params(jen.Id("cfg").Id("Config")).Id("String").Params().String().Block(
		jen.Return(jen.Qual("fmt", "Sprintf").Call(append([]jen.Code{jen.Lit(c.Name + ".Config{" + strings.Join(format, " ") + "}")}, args...)...)),
	)
	f.Comment("GoString is String, so %#v redacts secrets too.")
	f.Func().Params(jen.Id("cfg").Id("Config")).Id("GoString").Params().String().Block(
		jen.Return(jen.Id("cfg").Dot("String").Call()),
	)
}

// quote is s as a Go string literal, the text jen.Lit(s) renders;
// strconv.Quote directly, because jen's GoString runs go/format on every
// fragment (3% of generating a large connector).
func quote(s string) string { return strconv.Quote(s) }

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quote(x)
	}
	return strings.Join(q, ", ")
}

func errorsNew(c *model.Connector, msg string) jen.Code {
	return jen.Qual("errors", "New").Call(jen.Lit(c.Name + ": " + msg))
}

func genNew(f *jen.File, c *model.Connector) {
	// A package-level value, which the compiler lays out as data: in New,
	// its slices were allocated, and typed, by code in every connector.
	f.Comment("specRetry is the spec's retry policy, which every Client follows.")
	f.Var().Id("specRetry").Op("=").Id("retryPolicy").Values(jen.Dict{
		jen.Id("maxAttempts"): jen.Lit(c.Retry.MaxAttempts),
		jen.Id("statuses"):    intList(c.Retry.Statuses),
		jen.Id("methods"):     stringList(c.Retry.Methods),
		jen.Id("maxWait"):     duration(c.Retry.MaxWait),
	})
	f.Comment("New checks cfg and returns a Client. The error names each missing required field.")
	f.Func().Id("New").Params(jen.Id("cfg").Id("Config")).Params(jen.Op("*").Id("Client"), jen.Error()).BlockFunc(func(g *jen.Group) {
		for _, p := range c.Conn {
			if p.Default != "" {
				g.If(jen.Id("cfg").Dot(p.GoName).Op("==").Lit("")).Block(jen.Id("cfg").Dot(p.GoName).Op("=").Lit(p.Default))
			}
		}
		var required []jen.Code
		check := func(name string, isPtr bool, onlyInBaseURL bool) {
			empty := jen.Id("cfg").Dot(name).Op("==").Lit("")
			if isPtr {
				empty = jen.Id("cfg").Dot(name).Op("==").Nil()
			}
			if onlyInBaseURL {
				// Config.BaseURL replaces the URL this parameter fills.
				empty = empty.Op("&&").Id("cfg").Dot("BaseURL").Op("==").Lit("")
			}
			required = append(required, jen.If(empty).Block(
				jen.Id("missing").Op("=").Append(jen.Id("missing"), jen.Lit(name))))
		}
		for _, a := range c.AuthFields {
			if a.Required {
				check(a.GoName, a.Kind == model.FieldToken, false)
			}
		}
		for _, p := range c.Conn {
			if p.Required && p.Default == "" {
				check(p.GoName, false, p.OnlyInBaseURL)
			}
		}
		if len(required) > 0 {
			g.Var().Id("missing").Index().String()
			for _, r := range required {
				g.Add(r)
			}
			g.If(jen.Len(jen.Id("missing")).Op(">").Lit(0)).Block(
				jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(
					jen.Lit(c.Name+": missing required config: ").Op("+").Qual("strings", "Join").Call(jen.Id("missing"), jen.Lit(", ")))),
			)
		}
		for _, p := range c.Conn {
			if len(p.Enum) == 0 {
				continue
			}
			cases := []jen.Code{jen.Lit("")}
			for _, e := range p.Enum {
				cases = append(cases, jen.Lit(e))
			}
			g.Switch(jen.Id("cfg").Dot(p.GoName)).Block(
				jen.Case(cases...),
				jen.Default().Block(jen.Return(jen.Nil(), errorsNew(c, "Config."+p.GoName+" must be one of "+quoteList(p.Enum)))),
			)
		}
		g.Id("base").Op(":=").Id("cfg").Dot("BaseURL")
		g.If(jen.Id("base").Op("==").Lit("")).Block(jen.Id("base").Op("=").Id("DefaultBaseURL"))
		// Secrets never fill the base URL, which errors and logs show: a
		// Config.BaseURL naming one fails as an unknown placeholder.
		if c.ExpandBaseURL {
			vars := jen.Map(jen.String()).String().Values(jen.DictFunc(func(d jen.Dict) {
				for _, p := range c.Conn {
					if !p.Secret {
						d[jen.Lit(p.Name)] = jen.Id("cfg").Dot(p.GoName)
					}
				}
			}))
			g.List(jen.Id("u"), jen.Err()).Op(":=").Id("expandBaseURL").Call(jen.Id("base"), vars)
		} else {
			g.List(jen.Id("u"), jen.Err()).Op(":=").Id("parseBaseURL").Call(jen.Id("base"))
		}
		g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit(c.Name+": %w"), jen.Err())))
		g.Id("hc").Op(":=").Id("cfg").Dot("HTTPClient")
		g.If(jen.Id("hc").Op("==").Nil()).Block(jen.Id("hc").Op("=").Qual("net/http", "DefaultClient"))
		if hs := c.SecretHeaders; len(hs) > 0 {
			args := []jen.Code{jen.Id("hc")}
			for _, h := range hs {
				args = append(args, jen.Lit(h))
			}
			g.Id("hc").Op("=").Id("guardRedirects").Call(args...)
		}

		g.Id("c").Op(":=").Op("&").Id("Client").Values(jen.DictFunc(func(d jen.Dict) {
			d[jen.Id("name")] = jen.Lit(c.Name)
			d[jen.Id("baseURL")] = jen.Id("u")
			d[jen.Id("httpClient")] = jen.Id("hc")
			// The User-Agent rides with the default headers, which every
			// request shares without copying.
			d[jen.Id("headers")] = jen.Qual("net/http", "Header").Values(jen.DictFunc(func(h jen.Dict) {
				ua := c.UserAgent
				for _, kv := range c.Headers {
					if k := http.CanonicalHeaderKey(kv.Key); k == "User-Agent" {
						ua = kv.Value // the spec's own wins
					} else {
						h[jen.Lit(k)] = jen.Values(jen.Lit(kv.Value))
					}
				}
				h[jen.Lit("User-Agent")] = jen.Values(jen.Lit(ua))
			}))
			d[jen.Id("retry")] = jen.Id("specRetry")
			if p := c.Ping; p != nil {
				d[jen.Id("ping")] = jen.Id("pingSpec").Values(jen.Dict{
					jen.Id("method"): jen.Lit(p.Method),
					jen.Id("path"):   jen.Lit(p.Path),
					jen.Id("expect"): intList(p.Expect),
				})
			}
			if rl := c.RateLimit; rl != nil {
				d[jen.Id("limiter")] = jen.Id("newRateLimiter").Call(jen.Lit(rl.RequestsPerSecond), jen.Lit(rl.Burst))
			}
		}))
		genAuthorize(g, c)
		genActionAuth(g, c)
		g.Return(jen.Id("c"), jen.Nil())
	})
}

func duration(d time.Duration) jen.Code {
	switch {
	case d%time.Second == 0:
		return jen.Lit(int(d/time.Second)).Op("*").Qual("time", "Second")
	case d%time.Millisecond == 0:
		return jen.Lit(int(d/time.Millisecond)).Op("*").Qual("time", "Millisecond")
	}
	return jen.Qual("time", "Duration").Call(jen.Lit(int64(d)))
}

// templateValue renders a custom auth template as a string expression.
func templateValue(t model.Template) jen.Code {
	if len(t.Parts) == 0 {
		return jen.Lit("")
	}
	var e *jen.Statement
	for _, p := range t.Parts {
		part := jen.Lit(p.Literal)
		if p.Param != nil {
			part = jen.Id("cfg").Dot(p.Param.GoName)
		}
		if e == nil {
			e = jen.Add(part)
		} else {
			e = e.Op("+").Add(part)
		}
	}
	return e
}

func credential(prefix, field string) jen.Code {
	if prefix == "" {
		return jen.Id("cfg").Dot(field)
	}
	return jen.Lit(prefix).Op("+").Id("cfg").Dot(field)
}

func setQuery(key string, val jen.Code) []jen.Code {
	return []jen.Code{
		jen.Id("q").Op(":=").Id("r").Dot("URL").Dot("Query").Call(),
		jen.Id("q").Dot("Set").Call(jen.Lit(key), val),
		jen.Id("r").Dot("URL").Dot("RawQuery").Op("=").Id("q").Dot("Encode").Call(),
	}
}

// customAuth is the body of an authorize func that sets custom auth's
// headers and query parameters.
func customAuth(a model.Auth) []jen.Code {
	var body []jen.Code
	for _, h := range a.CustomHeaders {
		body = append(body, jen.Id("r").Dot("Header").Dot("Set").Call(jen.Lit(h.Key), templateValue(h)))
	}
	if len(a.CustomQuery) > 0 {
		body = append(body, jen.Id("q").Op(":=").Id("r").Dot("URL").Dot("Query").Call())
		for _, q := range a.CustomQuery {
			body = append(body, jen.Id("q").Dot("Set").Call(jen.Lit(q.Key), templateValue(q)))
		}
		body = append(body, jen.Id("r").Dot("URL").Dot("RawQuery").Op("=").Id("q").Dot("Encode").Call())
	}
	return body
}

// genActionAuth fills Client.actionAuth for the actions with their own
// auth. A connection parameter that New does not require is checked when
// the action runs, so the error names what is missing.
func genActionAuth(g *jen.Group, c *model.Connector) {
	var own []*model.Action
	for _, a := range c.Actions {
		if a.Auth != nil {
			own = append(own, a)
		}
	}
	if len(own) == 0 {
		return
	}
	g.Id("c").Dot("actionAuth").Op("=").Map(jen.String()).Func().Params(jen.Op("*").Qual("net/http", "Request")).Error().Values(jen.DictFunc(func(d jen.Dict) {
		for _, a := range own {
			if a.Auth.Type != "custom" {
				d[jen.Lit(a.Name)] = jen.Nil() // type none: no credentials
				continue
			}
			var body []jen.Code
			for _, p := range a.Auth.Params() {
				if !p.Required {
					body = append(body, jen.If(jen.Id("cfg").Dot(p.GoName).Op("==").Lit("")).Block(
						jen.Return(jen.Qual("errors", "New").Call(jen.Lit(a.GoName+" needs Config."+p.GoName))),
					))
				}
			}
			body = append(body, customAuth(*a.Auth)...)
			body = append(body, jen.Return(jen.Nil()))
			d[jen.Lit(a.Name)] = jen.Func().Params(jen.Id("r").Op("*").Qual("net/http", "Request")).Error().Block(body...)
		}
	}))
}

func genAuthorize(g *jen.Group, c *model.Connector) {
	a := c.Auth
	authorize := func(body ...jen.Code) {
		body = append(body, jen.Return(jen.Nil()))
		g.Id("c").Dot("authorize").Op("=").Func().Params(jen.Id("r").Op("*").Qual("net/http", "Request")).Error().Block(body...)
	}
	switch a.Type {
	case "basic":
		authorize(jen.Id("r").Dot("SetBasicAuth").Call(jen.Id("cfg").Dot("Username"), jen.Id("cfg").Dot("Password")))
	case "bearer":
		authorize(jen.Id("r").Dot("Header").Dot("Set").Call(jen.Lit(a.Key), credential(a.Prefix, "AccessToken")))
	case "apiKey":
		val := credential(a.Prefix, "APIKey")
		switch a.In {
		case "header":
			authorize(jen.Id("r").Dot("Header").Dot("Set").Call(jen.Lit(a.Key), val))
		case "query":
			authorize(setQuery(a.Key, val)...)
		case "cookie":
			authorize(jen.Id("r").Dot("AddCookie").Call(jen.Op("&").Qual("net/http", "Cookie").Values(jen.Dict{
				jen.Id("Name"): jen.Lit(a.Key), jen.Id("Value"): val})))
		}
	case "custom":
		authorize(customAuth(a)...)
	case "oauth2":
		g.Comment("Token requests go through the same HTTP client as every call.")
		if a.Grant == "clientCredentials" {
			g.Id("ctx").Op(":=").Qual("context", "WithValue").Call(jen.Qual("context", "Background").Call(), jen.Qual(oauth2Path, "HTTPClient"), jen.Id("hc"))
			oc := a.OAuth2Config("", "", "")
			g.Id("cc").Op(":=").Op("&").Qual(ccPath, "Config").Values(jen.DictFunc(func(d jen.Dict) {
				d[jen.Id("ClientID")] = jen.Id("cfg").Dot("ClientID")
				d[jen.Id("ClientSecret")] = jen.Id("cfg").Dot("ClientSecret")
				d[jen.Id("TokenURL")] = jen.Lit(oc.Endpoint.TokenURL)
				if len(oc.Scopes) > 0 {
					d[jen.Id("Scopes")] = stringList(oc.Scopes)
				}
				if len(a.TokenParams) > 0 {
					d[jen.Id("EndpointParams")] = jen.Id("oauth2TokenParams")
				}
				d[jen.Id("AuthStyle")] = authStyle(oc.Endpoint.AuthStyle)
			}))
			g.Comment("The clientcredentials source caches its token until it expires.")
			setBearerAuth(g, c, jen.Id("notifyTokens").Call(jen.Id("cc").Dot("TokenSource").Call(jen.Id("ctx")), jen.Id("cfg").Dot("OnToken"), jen.Nil()), jen.Nil())
			return
		}
		g.Id("ctx").Op(":=").Qual("context", "WithValue").Call(jen.Qual("context", "Background").Call(), jen.Qual(oauth2Path, "HTTPClient"), tokenClient(a, jen.Id("hc")))
		g.Id("oc").Op(":=").Id("OAuth2Config").Call(jen.Id("cfg"))
		if a.RefreshURL != "" {
			g.Id("oc").Dot("Endpoint").Dot("TokenURL").Op("=").Lit(a.RefreshURL)
		}
		setBearerAuth(g, c, jen.Id("notifyTokens").Call(jen.Id("oc").Dot("TokenSource").Call(jen.Id("ctx"), jen.Id("cfg").Dot("Token")), jen.Id("cfg").Dot("OnToken"), jen.Id("cfg").Dot("Token")), jen.Id("cfg").Dot("Token"))
	}
}

func tokenParams(a model.Auth) jen.Code {
	return jen.Qual("net/url", "Values").Values(jen.DictFunc(func(d jen.Dict) {
		for _, kv := range a.TokenParams {
			d[jen.Lit(kv.Key)] = jen.Values(jen.Lit(kv.Value))
		}
	}))
}

func tokenClient(a model.Auth, hc jen.Code) jen.Code {
	if len(a.TokenParams) == 0 {
		return hc
	}
	return jen.Id("tokenHTTPClient").Call(hc, jen.Id("oauth2TokenParams"))
}

// authStyle names an x/oauth2 AuthStyle that model.Auth.OAuth2Config chose.
func authStyle(s oauth2.AuthStyle) jen.Code {
	if s == oauth2.AuthStyleInParams {
		return jen.Qual(oauth2Path, "AuthStyleInParams")
	}
	return jen.Qual(oauth2Path, "AuthStyleInHeader")
}

func genOAuth2Helpers(f *jen.File, c *model.Connector) {
	a := c.Auth
	code := a.Grant == "authorizationCode"
	if code {
		f.Comment("OAuth2Config is the OAuth2 client of the connector. It needs no token, so it serves the")
		f.Comment("authorize step; AuthCodeURL and Exchange (oauth2.go) wrap it with the spec's options.")
		if a.PKCE {
			f.Comment("The service expects PKCE: pass a verifier from oauth2.GenerateVerifier to both.")
		}
	} else {
		f.Comment("OAuth2Config describes the connector's OAuth2 client: the token endpoint, scopes and")
		f.Comment("client authentication. New fetches and caches client-credentials tokens by itself.")
	}
	cfg := a.OAuth2Config("", "", "")
	f.Func().Id("OAuth2Config").Params(jen.Id("cfg").Id("Config")).Op("*").Qual(oauth2Path, "Config").Block(
		jen.Return(jen.Op("&").Qual(oauth2Path, "Config").Values(jen.DictFunc(func(d jen.Dict) {
			d[jen.Id("ClientID")] = jen.Id("cfg").Dot("ClientID")
			d[jen.Id("ClientSecret")] = jen.Id("cfg").Dot("ClientSecret")
			endpoint := jen.Dict{
				jen.Id("TokenURL"):  jen.Lit(cfg.Endpoint.TokenURL),
				jen.Id("AuthStyle"): authStyle(cfg.Endpoint.AuthStyle),
			}
			if code {
				d[jen.Id("RedirectURL")] = jen.Id("cfg").Dot("RedirectURL")
				endpoint[jen.Id("AuthURL")] = jen.Lit(cfg.Endpoint.AuthURL)
			}
			d[jen.Id("Endpoint")] = jen.Qual(oauth2Path, "Endpoint").Values(endpoint)
			if len(cfg.Scopes) > 0 {
				d[jen.Id("Scopes")] = stringList(cfg.Scopes)
			}
		}))),
	)
	if len(a.TokenParams) > 0 {
		f.Comment("oauth2TokenParams are the spec's auth.tokenParams, sent with every token request.")
		f.Var().Id("oauth2TokenParams").Op("=").Add(tokenParams(a))
	}
}
