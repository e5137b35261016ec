package openapi

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// actions maps the kept operations to actions.
//
// Names: the operationId in lowerCamelCase ("repos/list-for-org" ->
// reposListForOrg, "GetUser" -> getUser), else method + path ("get
// /pets/{id}" -> getPetsId); a name already taken after Go naming, one of
// the connector's own methods, or one that is another's name + "All" gets
// the next free number (getPets2, getPets3, ...) in emission order (paths
// sorted, then GET PUT POST DELETE OPTIONS HEAD PATCH).
func (c *converter) actions() {
	names := &actionNames{used: map[string]bool{}}
	for _, o := range c.ops {
		if !o.kept {
			continue
		}
		a := c.action(o, names)
		c.actionPtrs[a.Name] = o.ptr
		c.s.Actions = append(c.s.Actions, a)
	}
}

func (c *converter) action(o *operation, names *actionNames) spec.Action {
	op := o.op
	want := lowerCamel(op.OperationID)
	if want == "" {
		want = lowerCamel(strings.ToLower(o.method) + " " + strings.NewReplacer("{", " ", "}", " ").Replace(o.clean))
	}
	if want == "" {
		want = strings.ToLower(o.method)
	}
	a := spec.Action{
		Name:        names.unique(want),
		Title:       truncate(oneLine(op.Summary), 200),
		Description: shortText(op.Description),
		Method:      o.method,
		Path:        o.clean,
		Scopes:      c.actionScopes(o),
	}
	var note string
	if a.Auth, note = c.otherAuth(o); note != "" {
		c.w.add(o.ptr+"/security", "%s", note)
	}
	// An action with its own auth says so in its doc comment already.
	if note != "" && a.Auth == nil {
		if a.Description != "" {
			a.Description += "\n\n"
		}
		a.Description += note
	}
	a.Params = c.params(o)
	a.Body = c.body(o)
	var respSchema *openapi3.Schema
	var respHeaders openapi3.Headers
	a.Response, respSchema, respHeaders = c.response(o)
	c.streams(o, &a)
	c.accept(o, &a)
	if a.Method == "GET" && (a.Response == nil || !a.Response.Redirect) {
		a.Paginate = c.detectPagination(&a, respSchema, respHeaders)
	}
	return a
}

// params merges path-item and operation parameters (the operation's win),
// keeps path, query and header ones, and makes every {x} of the path have
// exactly one required path parameter.
func (c *converter) params(o *operation) []spec.Param {
	type src struct {
		p   *openapi3.Parameter
		ptr string
	}
	var list []src
	index := map[string]int{}
	add := func(refs openapi3.Parameters, base string) {
		for i, r := range refs {
			ptr := base + "/parameters/" + strconv.Itoa(i)
			if r == nil || r.Value == nil || r.Value.Name == "" {
				c.w.add(ptr, "parameter without a name; dropped")
				continue
			}
			key := strings.ToLower(r.Value.In) + " " + r.Value.Name
			if strings.EqualFold(r.Value.In, "header") {
				key = strings.ToLower(key)
			}
			if ix, ok := index[key]; ok {
				list[ix] = src{r.Value, ptr}
				continue
			}
			index[key] = len(list)
			list = append(list, src{r.Value, ptr})
		}
	}
	add(o.item.Parameters, "#/paths/"+ptrEscape(o.path))
	add(o.op.Parameters, o.ptr)

	inPath := map[string]bool{}
	var pathNames []string
	for _, m := range placeholderRE.FindAllStringSubmatch(o.clean, -1) {
		if !inPath[m[1]] {
			inPath[m[1]] = true
			pathNames = append(pathNames, m[1])
		}
	}
	var out []spec.Param
	have := map[string]bool{}
	for _, s := range list {
		p := s.p
		in := strings.ToLower(p.In)
		switch in {
		case "path":
			if !inPath[p.Name] {
				c.w.add(s.ptr, "path parameter %s is not in the path; dropped", p.Name)
				continue
			}
			if have[p.Name] {
				continue
			}
			have[p.Name] = true
		case "query":
		case "header":
			if strings.EqualFold(p.Name, "Accept") {
				o.accept = p // sent as the action's response.accept (c.accept)
				continue
			}
			if reason := c.skipHeader(p.Name); reason != "" {
				c.w.add(s.ptr, "header parameter %s dropped: %s", p.Name, reason)
				continue
			}
		case "cookie":
			c.w.add(s.ptr, "cookie parameter %s not supported; dropped", p.Name)
			continue
		default:
			c.w.add(s.ptr, "parameter %s in %q not supported; dropped", p.Name, p.In)
			continue
		}
		sp := spec.Param{
			Name:        p.Name,
			In:          in,
			Required:    p.Required || in == "path",
			Description: shortText(p.Description),
		}
		if sp.Description == "" && p.Schema != nil && p.Schema.Value != nil {
			sp.Description = shortText(p.Schema.Value.Description)
		}
		if in == "query" && c.queryObject(p, s.ptr, &sp) {
			out = append(out, sp)
			continue
		}
		sp.Schema = c.paramSchema(p, s.ptr)
		if in == "query" && sp.Schema != nil && sp.Schema.Type == "array" {
			switch p.Style {
			case "", "form":
				if p.Explode != nil && !*p.Explode {
					f := false
					sp.Explode = &f
				}
			default:
				c.w.add(s.ptr, "style %s not supported; values sent as repeated parameters", p.Style)
			}
		}
		out = append(out, sp)
	}
	for _, kv := range o.fixedQuery {
		if _, dup := index["query "+kv[0]]; dup || kv[0] == "" {
			continue
		}
		index["query "+kv[0]] = -1
		out = append(out, spec.Param{Name: kv[0], In: "query", Required: true,
			Schema: &spec.Schema{Type: "string", Enum: []any{kv[1]}, Default: kv[1]}})
	}
	for _, n := range pathNames {
		if !have[n] {
			c.w.add(o.ptr, "path parameter %s is not declared; added as a string", n)
			out = append(out, spec.Param{Name: n, In: "path", Required: true, Schema: &spec.Schema{Type: "string"}})
		}
	}
	return out
}

// queryObject maps a query parameter whose schema is an object (any
// style but spaceDelimited and pipeDelimited), or a deepObject list, to a
// parameter with its whole schema and its style and explode, which the
// connector encodes (k1=v1&k2=v2; name=k1,v1,k2,v2; name[k1]=v1). It
// reports false for anything else.
func (c *converter) queryObject(p *openapi3.Parameter, ptr string, sp *spec.Param) bool {
	r := p.Schema
	if r == nil {
		for _, mt := range slices.Sorted(maps.Keys(p.Content)) {
			if m := p.Content[mt]; m != nil && m.Schema != nil {
				if contentClass(mt) == ctJSON {
					return false // JSON text in the query: sent as a string
				}
				r = m.Schema
				break
			}
		}
	}
	if r == nil || r.Value == nil {
		return false
	}
	object := objectSchema(r.Value, 0)
	switch p.Style {
	case "", "form":
		if !object {
			return false
		}
		if p.Explode != nil && !*p.Explode {
			sp.Explode = new(false)
		}
	case "deepObject":
		if t, _, _ := schemaType(r.Value); !object && t != "array" {
			return false
		}
		sp.Style = spec.StyleDeepObject
	default:
		return false
	}
	sp.Schema = c.schemaRef(r, ptr+"/schema")
	return true
}

// objectSchema reports whether v is an object: typed so, or untyped with
// properties or additionalProperties, or an allOf of objects.
func objectSchema(v *openapi3.Schema, depth int) bool {
	if v == nil || depth > 8 {
		return false
	}
	t, _, several := schemaType(v)
	switch {
	case len(several) > 0:
		return false
	case t == "object":
		return len(v.OneOf)+len(v.AnyOf) == 0
	case t != "":
		return false
	case len(v.OneOf)+len(v.AnyOf) > 0:
		return false
	case len(v.Properties) > 0 || v.AdditionalProperties.Schema != nil || v.AdditionalProperties.Has != nil:
		return true
	}
	if len(v.AllOf) == 0 {
		return false
	}
	for _, part := range v.AllOf {
		if part == nil || !objectSchema(part.Value, depth+1) {
			return false
		}
	}
	return true
}

// accept gives the action the Accept its answer needs: a required Accept
// header parameter's fixed value (its default, or its only enum value),
// else the media types of the 2xx answers the action reads — the streamed
// ones for a stream, the JSON ones, or, with none, the others, or
// text/event-stream when that is all there is — unless
// that is application/json alone, which every connector sends anyway.
// An optional Accept parameter, or one of free value, is dropped.
func (c *converter) accept(o *operation, a *spec.Action) {
	if p := o.accept; p != nil {
		if v := fixedValue(p); v != "" && p.Required {
			if a.Response == nil {
				a.Response = &spec.Response{}
			}
			a.Response.Accept = []string{v}
			return
		}
		c.w.add(o.ptr+"/parameters", "header parameter %s dropped: the connector sets Accept from the media types of the answer", p.Name)
	}
	if o.op.Responses == nil || a.Response != nil && a.Response.Redirect {
		return
	}
	stream := a.Response != nil && a.Response.Stream
	var read, json, other []string
	sse := false
	for code, r := range o.op.Responses.Map() {
		if n, err := strconv.Atoi(code); (err != nil || n < 200 || n > 299) && !strings.EqualFold(code, "2XX") {
			continue
		}
		if r == nil || r.Value == nil {
			continue
		}
		for mt, m := range r.Value.Content {
			t := strings.TrimSpace(mt)
			if bareType(t) == "text/event-stream" {
				sse = true
				continue
			}
			if !spec.IsMediaRange(t) {
				continue
			}
			switch {
			case stream && binaryResponse(t, m):
				read = append(read, t)
			case contentClass(t) == ctJSON:
				json = append(json, t)
			default:
				other = append(other, t)
			}
		}
	}
	if !stream {
		read = json
		if len(read) == 0 {
			read = other
		}
		if len(read) == 0 && sse {
			// Only events: the plain method reads the stream whole.
			read = []string{"text/event-stream"}
		}
	}
	slices.Sort(read)
	read = slices.Compact(read)
	if len(read) == 0 || slices.ContainsFunc(read, func(t string) bool { return bareType(t) == spec.ContentJSON }) {
		return // application/json is what the connector sends by default
	}
	if a.Response == nil {
		a.Response = &spec.Response{}
	}
	a.Response.Accept = read
}

// fixedValue is a parameter's one value: its default, or its only enum
// value; "" when it has none or several.
func fixedValue(p *openapi3.Parameter) string {
	if p.Schema == nil || p.Schema.Value == nil {
		return ""
	}
	v := p.Schema.Value
	if s, ok := v.Default.(string); ok && s != "" {
		return s
	}
	if len(v.Enum) == 1 {
		if s, ok := v.Enum[0].(string); ok {
			return s
		}
	}
	return ""
}

// skipHeader says why a header parameter is not kept, "" when it is: the
// connector sets Content-Type itself (and Accept, see accept), and the auth header.
func (c *converter) skipHeader(name string) string {
	switch {
	case strings.EqualFold(name, "Content-Type"):
		return "the connector sets Content-Type"
	case strings.EqualFold(name, "Accept"):
		return "the connector sets Accept"
	}
	a := c.s.Auth
	switch a.Type {
	case spec.AuthNone:
		return ""
	case spec.AuthAPIKey:
		if a.In == "header" && strings.EqualFold(name, a.Name) {
			return "it duplicates the auth header"
		}
	case spec.AuthBearer:
		h := a.Header
		if h == "" {
			h = "Authorization"
		}
		if strings.EqualFold(name, h) {
			return "it duplicates the auth header"
		}
	default:
		if strings.EqualFold(name, "Authorization") {
			return "it duplicates the auth header"
		}
	}
	return ""
}

// paramSchema is a parameter's schema made simple: scalars and arrays of
// scalars; anything else (objects, deepObject, compositions) is sent as a
// string, with a warning.
func (c *converter) paramSchema(p *openapi3.Parameter, ptr string) *spec.Schema {
	r := p.Schema
	if r == nil {
		for _, mt := range slices.Sorted(maps.Keys(p.Content)) {
			if m := p.Content[mt]; m != nil && m.Schema != nil {
				r = m.Schema
				break
			}
		}
	}
	if p.Style == "deepObject" {
		// Not an object or a list in the query (queryObject takes those).
		c.w.add(ptr+"/schema", "schema of parameter %s"+StringParamWarning, p.Name)
		return &spec.Schema{Type: "string"}
	}
	if r == nil || r.Value == nil {
		return &spec.Schema{Type: "string"}
	}
	s := c.simpleSchema(r.Value, 0, ptr+"/schema")
	if s == nil {
		c.w.add(ptr+"/schema", "schema of parameter %s"+StringParamWarning, p.Name)
		return &spec.Schema{Type: "string"}
	}
	return s
}

// simpleSchema converts a scalar or array-of-scalars schema inline; nil
// when the schema is something else.
func (c *converter) simpleSchema(v *openapi3.Schema, depth int, ptr string) *spec.Schema {
	if depth > 8 {
		return nil
	}
	typ, _, several := schemaType(v)
	if len(several) > 0 {
		for _, t := range several {
			if t == "object" || t == "array" {
				return nil
			}
		}
		return &spec.Schema{Type: "string"} // a scalar of several types
	}
	if typ == "" {
		// allOf: [$ref: Enum] and the like
		for _, list := range []openapi3.SchemaRefs{v.AllOf, v.OneOf, v.AnyOf} {
			if len(list) == 1 && list[0] != nil && list[0].Value != nil {
				return c.simpleSchema(list[0].Value, depth+1, ptr)
			}
		}
		// oneOf/anyOf of scalars: sent as a string
		for _, list := range []openapi3.SchemaRefs{v.OneOf, v.AnyOf} {
			if len(list) < 2 {
				continue
			}
			scalars := true
			for _, r := range list {
				t := ""
				if r != nil && r.Value != nil {
					t, _, _ = schemaType(r.Value)
				}
				if t != "string" && t != "integer" && t != "number" && t != "boolean" {
					scalars = false
				}
			}
			if scalars {
				return &spec.Schema{Type: "string"}
			}
		}
		if len(v.Enum) > 0 {
			if vals, _, ok := convEnum(v.Enum, ""); ok && len(vals) > 0 {
				if t := enumType(vals); t != "" {
					return c.simpleSchema(&openapi3.Schema{Type: &openapi3.Types{t}, Enum: v.Enum, Default: v.Default}, depth+1, ptr)
				}
			}
		}
		if len(v.Properties) == 0 && v.Items == nil && len(v.AllOf)+len(v.OneOf)+len(v.AnyOf) == 0 {
			return &spec.Schema{Type: "string"}
		}
		return nil
	}
	switch typ {
	case "string", "integer", "number", "boolean":
		if len(v.OneOf)+len(v.AnyOf) > 0 {
			// A scalar listing its values as alternatives (3.1 consts) is
			// one enum once converted.
			if s := c.schema(v, ptr); len(s.Enum) > 0 && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf)+len(s.Properties) == 0 && s.Items == nil {
				return s
			}
		}
		s := c.schema(&openapi3.Schema{
			Type: &openapi3.Types{typ}, Format: v.Format, Enum: v.Enum, Const: v.Const, Default: v.Default,
			Min: v.Min, Max: v.Max, MinLength: v.MinLength, MaxLength: v.MaxLength, Pattern: v.Pattern,
		}, ptr)
		return s
	case "array":
		if v.Items == nil || v.Items.Value == nil {
			return &spec.Schema{Type: "array", Items: &spec.Schema{Type: "string"}}
		}
		it := c.simpleSchema(v.Items.Value, depth+1, ptr+"/items")
		if it == nil || it.Type == "array" {
			return nil
		}
		return &spec.Schema{Type: "array", Items: it}
	}
	return nil
}

// Content type classes, in order of preference for request bodies.
const (
	ctJSON = iota
	ctForm
	ctMultipart
	ctBinary
	ctOther
)

func contentClass(mt string) int {
	m := bareType(mt)
	switch {
	case m == "application/json" || strings.HasSuffix(m, "+json") || strings.HasSuffix(m, "/json"):
		return ctJSON
	case m == "application/x-www-form-urlencoded":
		return ctForm
	case strings.HasPrefix(m, "multipart/"):
		return ctMultipart
	case m == "application/octet-stream":
		return ctBinary
	}
	return ctOther
}

// body maps the request body: application/json (or any +json) is
// preferred, then form, then multipart, then octet-stream (a Swagger 2.0
// formData body is always a form); any other type (text/plain,
// application/xml, ...) is raw bytes sent with that type, and a wildcard
// or invalid one is sent as octet-stream, with a warning.
func (c *converter) body(o *operation) *spec.Body {
	rb := o.op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	ptr := o.ptr + "/requestBody"
	if len(rb.Value.Content) == 0 {
		c.w.add(ptr, "request body without content; dropped")
		return nil
	}
	best, bestClass := "", ctOther+1
	rank := func(cl int) int {
		// Swagger 2.0 formData parameters can only be sent as a form, even
		// when consumes also lists JSON (for the operation's other inputs).
		if c.doc.swagger && (cl == ctForm || cl == ctMultipart) {
			return cl - ctMultipart - 1
		}
		return cl
	}
	for _, mt := range slices.Sorted(maps.Keys(rb.Value.Content)) {
		cl := contentClass(mt)
		if cl == ctOther && isWildcard(mt) && structured(rb.Value.Content[mt]) {
			cl = ctJSON // */* with an object schema: JSON is what the server takes
		}
		if bestClass > ctOther || rank(cl) < rank(bestClass) {
			best, bestClass = mt, cl
		}
	}
	b := &spec.Body{Required: rb.Value.Required, Description: shortText(rb.Value.Description)}
	mptr := ptr + "/content/" + ptrEscape(best)
	media := rb.Value.Content[best]
	switch bestClass {
	case ctJSON:
		b.ContentType = spec.ContentJSON
	case ctForm:
		b.ContentType = spec.ContentForm
	case ctMultipart:
		b.ContentType = spec.ContentMultipart
	default:
		b.ContentType = spec.ContentBinary
		if bestClass == ctOther {
			if mt := mediaType(best); mt != "" && !isWildcard(mt) {
				b.ContentType = mt // raw bytes, sent with their own type
			} else {
				c.w.add(mptr, "content type %s not supported; the body is sent as application/octet-stream", best)
			}
		}
		b.Schema = &spec.Schema{Type: "string", Format: "binary"}
		return b
	}
	if media != nil && media.Schema != nil {
		b.Schema = c.schemaRef(media.Schema, mptr+"/schema")
	}
	return b
}

// StringParamWarning ends the warning on a parameter the connector cannot
// encode (an object in the path or a header, an array of objects, a union,
// deepObject on a scalar): the action takes its text as a string.
// internal/e2e looks for it. Objects in the query are encoded (queryObject).
const StringParamWarning = " is not a scalar or an array of scalars; sent as a string"

// NoSuccessWarning is the warning on an operation that declares responses,
// none of them 2xx or default: the connector returns every answer the
// document lists as an *APIError (Twilio's media redirect, a test
// document's error-only operations). internal/e2e looks for it.
const NoSuccessWarning = "no 2xx or default response: the action returns every answer the document lists as an *APIError"

// response maps the lowest 2xx response with a JSON (or +json, or */*)
// content; without one the action has no response schema.
func (c *converter) response(o *operation) (*spec.Response, *openapi3.Schema, openapi3.Headers) {
	if o.op.Responses == nil {
		return nil, nil, nil
	}
	type cand struct {
		code string
		rank float64
	}
	var cands []cand
	for code := range o.op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			cands = append(cands, cand{code, float64(n)})
		} else if strings.EqualFold(code, "2XX") {
			cands = append(cands, cand{code, 299.5})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].rank < cands[j].rank })
	if len(cands) == 0 && o.op.Responses.Len() > 0 && o.op.Responses.Default() == nil {
		c.w.add(o.ptr+"/responses", "%s", NoSuccessWarning)
		for code := range o.op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil && n >= 300 && n < 400 || strings.EqualFold(code, "3XX") {
				// The documented answer is a redirect: not followed, it
				// comes back as an *APIError with its Location.
				return &spec.Response{Redirect: true}, nil, nil
			}
		}
	}
	var firstHeaders openapi3.Headers
	for i, cd := range cands {
		r := o.op.Responses.Value(cd.code)
		if r == nil || r.Value == nil {
			continue
		}
		if i == 0 {
			firstHeaders = r.Value.Headers
		}
		for _, mt := range slices.Sorted(maps.Keys(r.Value.Content)) {
			m := r.Value.Content[mt]
			if m == nil || m.Schema == nil {
				continue
			}
			if contentClass(mt) != ctJSON && strings.TrimSpace(mt) != "*/*" {
				continue
			}
			ptr := o.ptr + "/responses/" + ptrEscape(cd.code) + "/content/" + ptrEscape(mt) + "/schema"
			if c.doc.swagger {
				ptr = o.ptr + "/responses/" + ptrEscape(cd.code) + "/schema"
			}
			if isWildcard(mt) && !structured(m) {
				// Any media type and a string, number or untyped schema:
				// the body is that text itself, not its JSON encoding
				// (Kubernetes' proxy and exec answers), so the action
				// returns the bytes.
				return &spec.Response{Schema: &spec.Schema{Type: "string", Format: "binary"}}, m.Schema.Value, r.Value.Headers
			}
			return &spec.Response{Schema: c.schemaRef(m.Schema, ptr)}, m.Schema.Value, r.Value.Headers
		}
	}
	return nil, nil, firstHeaders
}

func isWildcard(mt string) bool {
	m := strings.TrimSpace(mt)
	return m == "*/*" || m == "application/*"
}

// structured reports whether a media type's schema is an object, an array
// or a composition: something JSON carries and raw bytes do not.
func structured(m *openapi3.MediaType) bool {
	if m == nil || m.Schema == nil || m.Schema.Value == nil {
		return false
	}
	v := m.Schema.Value
	t, _, _ := schemaType(v)
	return t == "object" || t == "array" || len(v.Properties) > 0 || len(v.AllOf)+len(v.OneOf)+len(v.AnyOf) > 0
}

// bareType is mt lower-cased, without parameters.
func bareType(mt string) string {
	m := strings.ToLower(strings.TrimSpace(mt))
	if i := strings.Index(m, ";"); i >= 0 {
		m = strings.TrimSpace(m[:i])
	}
	return m
}

// mediaType is bareType(mt) when it is a valid type/subtype; "" otherwise.
func mediaType(mt string) string {
	if m := bareType(mt); spec.IsMediaType(m) {
		return m
	}
	return ""
}
