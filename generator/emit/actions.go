package emit

import (
	"net/textproto"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
)

func genActions(f *jen.File, c *model.Connector) {
	for _, a := range c.Actions {
		if a.ParamsType != "" {
			genParams(f, c, a)
		}
		genAction(f, c, a)
		if a.Paginate != nil {
			genIterator(f, a)
		}
		if a.Events != nil {
			genEvents(f, a)
		}
	}
}

// actionDoc is an action's doc comment: what it calls, then the spec's
// own title and description verbatim.
func actionDoc(a *model.Action) []string {
	lines := []string{a.GoName + " calls " + a.Method + " " + a.Path + "."}
	title := strings.TrimSpace(a.Title)
	if title != "" && !strings.ContainsAny(title[len(title)-1:], ".!?") {
		title += "." // a bare title line would be formatted as a heading
	}
	for _, text := range []string{title, a.Description} {
		if ls := comment(text); len(ls) > 0 {
			lines = append(lines, "")
			lines = append(lines, ls...)
		}
	}
	if len(a.Scopes) > 0 {
		lines = append(lines, "", "Scopes: "+strings.Join(a.Scopes, ", ")+".")
	}
	if a.Auth != nil {
		lines = append(lines, "", "Auth: "+ownAuth(a.Auth)+".")
	}
	return append(lines, streamDoc(a)...)
}

// ownAuth says what an action with its own auth sends.
func ownAuth(a *model.Auth) string {
	var fields []string
	for _, p := range a.Params() {
		fields = append(fields, "Config."+p.GoName)
	}
	if len(fields) == 0 {
		return "sends no credentials"
	}
	return "sends " + strings.Join(fields, " and ") + " instead of the connector's credentials"
}

// fieldDoc documents a Params field: the spec's description, then where
// the value goes.
func fieldDoc(g *jen.Group, desc, where string) {
	lines := comment(desc)
	if len(lines) == 0 {
		lines = []string{where + "."}
	} else {
		lines[len(lines)-1] += " (" + where + ")"
	}
	g.Comment("// " + strings.Join(lines, "\n// "))
}

func genParams(f *jen.File, c *model.Connector, a *model.Action) {
	f.Comment(a.ParamsType + " holds the parameters of " + a.GoName + ".")
	f.Comment("Optional parameters are pointers (see Ptr); nil leaves them out.")
	f.Type().Id(a.ParamsType).StructFunc(func(g *jen.Group) {
		for _, p := range a.Params {
			fieldDoc(g, p.Description, p.In+" parameter "+quote(p.Name))
			g.Id(p.GoName).Add(goType(p.Type))
		}
		if b := a.Body; b != nil {
			fieldDoc(g, b.Description, "request body, "+b.ContentType)
			g.Id(b.GoName).Add(goType(b.Type))
		}
	})

	if !a.SharedRequest {
		return // the action's method builds its Request (genAction)
	}
	f.Comment("request builds the Request of " + a.GoName + ".")
	f.Func().Params(jen.Id("p").Op("*").Id(a.ParamsType)).Id("request").Params().Params(jen.Id("Request"), jen.Error()).BlockFunc(func(g *jen.Group) {
		buildRequest(g, c, a, "p", jen.Id("Request").Values())
		g.Return(jen.Id("req"), jen.Nil())
	})
}

// buildRequest writes the statements that build a's Request, as req,
// from the Params in recv; a param that does not fit returns zero (the
// function's first result) and its error. It reports whether it declared
// err in g.
func buildRequest(g *jen.Group, c *model.Connector, a *model.Action, recv string, zero jen.Code) (declaredErr bool) {
	failf := func(format string, args ...jen.Code) jen.Code {
		if len(args) == 0 {
			return jen.Return(zero, jen.Qual("errors", "New").Call(jen.Lit(c.Name+": "+a.GoName+": "+format)))
		}
		return jen.Return(zero, jen.Qual("fmt", "Errorf").Call(append([]jen.Code{jen.Lit(c.Name + ": " + a.GoName + ": " + format)}, args...)...))
	}
	for _, p := range a.Params {
		if p.In == "path" && isStringLike(p.Elem) {
			g.If(jen.Id(recv).Dot(p.GoName).Op("==").Lit("")).Block(failf("path parameter " + p.GoName + " is empty"))
		}
	}
	needQuery, needHeaders := false, false
	for _, p := range a.Params {
		needQuery = needQuery || p.In == "query"
		needHeaders = needHeaders || p.In == "header"
	}
	if b := a.Body; b != nil && b.ContentType != "application/json" {
		needHeaders = true
	}
	g.Id("req").Op(":=").Id("Request").Values(jen.DictFunc(func(d jen.Dict) {
		d[jen.Id("Method")] = jen.Lit(a.Method)
		d[jen.Id("RelativeURL")] = pathExpr(a, recv)
		requestExtras(d, a)
		if needQuery {
			d[jen.Id("Query")] = jen.Qual("net/url", "Values").Values()
		}
		if needHeaders {
			d[jen.Id("Headers")] = jen.Qual("net/http", "Header").Values()
		}
	}))
	for _, p := range a.Params {
		if p.In == "path" {
			continue
		}
		target := jen.Id("req").Dot("Query")
		if p.In == "header" {
			target = jen.Id("req").Dot("Headers")
		}
		field := jen.Id(recv).Dot(p.GoName)
		switch p.Writing() {
		case model.WriteStyle:
			enc := jen.If(jen.Err().Op(":=").Id("encodeQuery").Call(jen.Id("req").Dot("Query"), jen.Lit(p.Name), jen.Lit(p.QueryStyle), jen.Lit(p.Explode), field), jen.Err().Op("!=").Nil()).Block(
				failf("query parameter "+p.Name+": %w", jen.Err()))
			switch {
			case p.IsList:
				g.If(jen.Len(field).Op(">").Lit(0)).Block(enc)
			case p.Type.IsNilable():
				g.If(jen.Add(field).Op("!=").Nil()).Block(enc)
			default:
				g.Add(enc)
			}
		case model.WriteEach:
			g.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Add(field)).Block(
				jen.Add(target).Dot("Add").Call(jen.Lit(p.Name), paramText(p, jen.Id("v"))))
		case model.WriteJoin:
			g.If(jen.Len(field).Op(">").Lit(0)).Block(
				jen.Add(target).Dot("Set").Call(jen.Lit(p.Name), jen.Qual("strings", "Join").Call(field, jen.Lit(","))))
		case model.WriteList:
			g.If(jen.Len(field).Op(">").Lit(0)).Block(
				jen.Add(target).Dot("Set").Call(jen.Lit(p.Name), jen.Id("formatList").Call(field)))
		case model.WriteOne:
			// The set helper skips a nil pointer; a field that is not
			// one is passed by address. A header's key is written as
			// Header.Set would store it.
			key := p.Name
			if p.In == "header" {
				key = textproto.CanonicalMIMEHeaderKey(key)
			}
			set, _, ok := p.Setter()
			switch {
			case !ok && p.Type.Kind == model.Pointer:
				g.If(jen.Add(field).Op("!=").Nil()).Block(
					jen.Add(target).Index(jen.Lit(key)).Op("=").Index().String().Values(paramText(p, jen.Op("*").Add(field))))
			case !ok:
				g.Add(target).Index(jen.Lit(key)).Op("=").Index().String().Values(paramText(p, field))
			default:
				if p.Type.Kind != model.Pointer {
					field = jen.Op("&").Add(field)
				}
				g.Id(set).Call(target, jen.Lit(key), field)
			}
		}
	}
	if b := a.Body; b != nil {
		declaredErr = genBody(g, b, recv, failf)
	}
	return declaredErr
}

func isStringLike(t *model.GoType) bool {
	return t == model.String || (t.Kind == model.Builtin && t.Name == "string") || (t.Kind == model.Named && !t.IsStruct && !t.Nilable)
}

// genBody sets req's body from the Params in recv. It reports whether it
// declared err in g.
func genBody(g *jen.Group, b *model.Body, recv string, failf func(string, ...jen.Code) jen.Code) (declaredErr bool) {
	field := jen.Id(recv).Dot(b.GoName)
	var set []jen.Code
	setType := func(ct jen.Code) jen.Code {
		return jen.Id("req").Dot("Headers").Dot("Set").Call(jen.Lit("Content-Type"), ct)
	}
	switch b.ContentType {
	case "application/x-www-form-urlencoded":
		declaredErr = true
		set = []jen.Code{
			jen.List(jen.Id("data"), jen.Err()).Op(":=").Id("encodeForm").Call(field, jen.Lit(b.FormArrays)),
			jen.If(jen.Err().Op("!=").Nil()).Block(failf("%w", jen.Err())),
			jen.Id("req").Dot("Body").Op("=").Id("data"),
			setType(jen.Lit(b.ContentType)),
		}
	case "multipart/form-data":
		declaredErr = true
		set = []jen.Code{
			jen.List(jen.Id("data"), jen.Id("contentType"), jen.Err()).Op(":=").Id("multipartBody").Call(field),
			jen.If(jen.Err().Op("!=").Nil()).Block(failf("%w", jen.Err())),
			jen.Id("req").Dot("Body").Op("=").Id("data"),
			setType(jen.Id("contentType")),
		}
	default:
		if !spec.IsJSON(b.ContentType) {
			// Raw bytes of their own media type.
			set = []jen.Code{jen.Id("req").Dot("Body").Op("=").Add(field), setType(jen.Lit(b.ContentType))}
			break
		}
		set = []jen.Code{jen.Id("req").Dot("Body").Op("=").Add(field)}
		if t := b.Type; t.Kind == model.Slice && t.Elem.Name == "byte" {
			// The runtime sends []byte as is; a JSON body of bytes is base64.
			declaredErr = true
			set = []jen.Code{
				jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(field),
				jen.If(jen.Err().Op("!=").Nil()).Block(failf("%w", jen.Err())),
				jen.Id("req").Dot("Body").Op("=").Qual("encoding/json", "RawMessage").Call(jen.Id("data")),
			}
		}
		if b.ContentType != "application/json" {
			set = append(set, setType(jen.Lit(b.ContentType)))
		}
	}
	if b.Type.IsNilable() {
		// A nil pointer in an interface is not nil: test before assigning.
		g.If(jen.Add(field).Op("!=").Nil()).Block(set...)
		return false
	}
	for _, s := range set {
		g.Add(s)
	}
	return declaredErr
}

// paramText is the text of v, p's value or an element of it, as
// model.Param.Text says to write it.
func paramText(p *model.Param, v jen.Code) jen.Code {
	switch p.Text() {
	case model.TextString:
		return v
	case model.TextInt:
		if p.Value().Name != "int64" {
			v = jen.Int64().Call(v)
		}
		return jen.Qual("strconv", "FormatInt").Call(v, jen.Lit(10))
	case model.TextFloat32:
		return jen.Qual("strconv", "FormatFloat").Call(jen.Float64().Call(v), jen.LitByte('f'), jen.Lit(-1), jen.Lit(32))
	case model.TextFloat64:
		return jen.Qual("strconv", "FormatFloat").Call(v, jen.LitByte('f'), jen.Lit(-1), jen.Lit(64))
	case model.TextBool:
		return jen.Qual("strconv", "FormatBool").Call(v)
	case model.TextTime:
		return jen.Add(v).Dot("Format").Call(jen.Qual("time", "RFC3339"))
	}
	return jen.Id("formatParam").Call(v)
}

// pathExpr is the action's path with each {param} escaped into one segment.
func pathExpr(a *model.Action, recv string) jen.Code {
	var e *jen.Statement
	for _, s := range a.Segments {
		var part jen.Code = jen.Lit(s.Literal)
		if prm := s.Param; prm != nil {
			part = paramText(prm, jen.Id(recv).Dot(prm.GoName))
			if prm.Writing() == model.WritePath {
				part = jen.Id("escapePath").Call(part)
			}
		}
		if e == nil {
			e = jen.Add(part)
		} else {
			e = e.Op("+").Add(part)
		}
	}
	if e == nil {
		return jen.Lit("")
	}
	return e
}

func responseType(a *model.Action) jen.Code {
	return jen.Op("*").Id("Response").Types(goType(a.Result))
}

// plainRequest is the Request of an action without parameters.
func plainRequest(a *model.Action) jen.Code {
	d := jen.Dict{jen.Id("Method"): jen.Lit(a.Method), jen.Id("RelativeURL"): jen.Lit(a.Path)}
	requestExtras(d, a)
	return jen.Id("Request").Values(d)
}

// requestExtras sets the unexported Request fields of an action: its own
// auth, the Accept its spec gives, and a redirect
// not to follow.
func requestExtras(d jen.Dict, a *model.Action) {
	if a.Auth != nil {
		d[jen.Id("action")] = jen.Lit(a.Name)
	}
	if a.Accept != "" {
		d[jen.Id("accept")] = jen.Lit(a.Accept)
	}
	if a.Redirect {
		d[jen.Id("noRedirect")] = jen.True()
	}
}

func genAction(f *jen.File, c *model.Connector, a *model.Action) {
	f.Comment("// " + strings.Join(actionDoc(a), "\n// "))
	if a.ParamsType == "" {
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(a.GoName).Params(jen.Id("ctx").Qual("context", "Context")).Params(responseType(a), jen.Error()).BlockFunc(func(g *jen.Group) {
			sendAction(g, a, plainRequest(a), false)
		})
		return
	}
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(a.GoName).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("params").Id(a.ParamsType)).Params(responseType(a), jen.Error()).BlockFunc(func(g *jen.Group) {
		if !a.SharedRequest {
			sendAction(g, a, jen.Id("req"), buildRequest(g, c, a, "params", jen.Nil()))
			return
		}
		g.List(jen.Id("req"), jen.Err()).Op(":=").Id("params").Dot("request").Call()
		g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		sendAction(g, a, jen.Id("req"), true)
	})
}

func genIterator(f *jen.File, a *model.Action) {
	p := a.Paginate
	item := goType(p.Item)
	f.Comment(p.Method + " iterates over the items of every page of " + a.GoName + ", fetching")
	f.Comment("pages as the loop needs them; an error ends the sequence.")
	pager := pagerValue(p.Paginate)
	seq := jen.Qual("iter", "Seq2").Types(item, jen.Error())
	if a.ParamsType == "" {
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(p.Method).Params(jen.Id("ctx").Qual("context", "Context")).Add(seq).Block(
			jen.Return(jen.Id("paginate").Types(item).Call(jen.Id("ctx"), jen.Id("c"), plainRequest(a), pager, jen.Nil())),
		)
		return
	}
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(p.Method).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("params").Id(a.ParamsType)).Add(seq).Block(
		jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("params").Dot("request").Call(),
		jen.Return(jen.Id("paginate").Types(item).Call(jen.Id("ctx"), jen.Id("c"), jen.Id("req"), pager, jen.Err())),
	)
}

// pagerValue is the runtime's pager for a paginate block.
func pagerValue(pg spec.Paginate) jen.Code {
	return jen.Id("pager").Values(jen.DictFunc(func(d jen.Dict) {
		for _, kv := range []struct{ k, v string }{
			{"style", pg.Style}, {"items", pg.Items}, {"limit", pg.Limit}, {"offset", pg.Offset},
			{"page", pg.Page}, {"cursor", pg.Cursor}, {"nextCursor", pg.NextCursor}, {"next", pg.Next},
		} {
			if kv.v != "" {
				d[jen.Id(kv.k)] = jen.Lit(kv.v)
			}
		}
	}))
}
