package openapi

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A $ref that names a component of another kind than its place wants (a
// request body that is `$ref: "#/components/responses/Ok"`, a parameter
// that names a schema, a schema that names a parameter of an operation)
// makes kin-openapi refuse the whole document. These are repaired before
// kin loads it. The kind of a place, and of the place a $ref names, is
// known from the structure of the document (pointerKind); a $ref whose
// target's kind the structure does not tell is left alone.
//
//   - a $ref whose chain of $refs ends at a component of the wanted kind
//     is pointed at that component;
//   - a response where a request body belongs, or the other way round, is
//     read with its content (and description): one component of the wanted
//     kind is added per target, and every $ref to the target is pointed at
//     it, so the target is never copied once per $ref. A parameter where a
//     header belongs is read the same way as a header;
//   - otherwise (or when the chain runs into a loop) the piece is dropped:
//     the parameter (which becomes an empty object, so the indices of the
//     others stay those of the document), the response, the request body,
//     the header, the path item, the callback; a schema becomes an empty
//     schema (any JSON value), as a $ref that does not resolve does.
//
// Each repair is a warning. Swagger 2.0 documents get the same rules with
// their sections (definitions, parameters, responses) and no conversions.
//
// Decisions are taken on the document as it is and applied after the
// walk, so that no decision depends on the order of the others.

// fixRefKinds repairs the $refs to components of the wrong kind in the
// document being repaired.
func (p *repairer) fixRefKinds() {
	root, ok := p.root.(map[string]any)
	if !ok {
		return
	}
	r := &refKinds{p: p, root: root, memo: map[string]chainEnd{}, synth: map[string]string{}, pending: map[string]map[string]any{}}
	r.document()
	for _, f := range r.apply {
		f()
	}
	r.addPending()
}

type refKinds struct {
	p       *repairer
	root    map[string]any
	memo    map[string]chainEnd       // by hop key: where the chain of $refs from that component ends
	synth   map[string]string         // by target key + "\x00" + wanted kind: the $ref of the added component
	pending map[string]map[string]any // by kind, by name: the components to add
	apply   []func()
}

// Kinds are the section names of OpenAPI 3 components.
const (
	kSchema      = "schemas"
	kParameter   = "parameters"
	kRequestBody = "requestBodies"
	kResponse    = "responses"
	kHeader      = "headers"
	kPathItem    = "pathItems"
	kCallback    = "callbacks"
	kLink        = "links"
	kSecurity    = "securitySchemes"
)

// v2Sections maps the Swagger 2.0 sections $refs name to kinds.
var v2Sections = map[string]string{"definitions": kSchema, "parameters": kParameter, "responses": kResponse}

var kindLabels = map[string]string{
	kSchema: "schema", kParameter: "parameter", kRequestBody: "request body",
	kResponse: "response", kHeader: "header", kPathItem: "path item",
	kCallback: "callback", kLink: "link", kSecurity: "security scheme", "examples": "example",
	kOperation: "operation", kMediaType: "media type", kCollection: "map or list of components",
}

// kindLabel is "a response", "an example", "a \"foo\" component".
func kindLabel(kind string) string {
	l, ok := kindLabels[kind]
	if !ok {
		return fmt.Sprintf("a %q component", kind)
	}
	if strings.ContainsRune("aeiou", rune(l[0])) {
		return "an " + l
	}
	return "a " + l
}

// maxRefDepth bounds the walk on hostile nesting.
const maxRefDepth = 1000

// hop is one place of the document a $ref names.
type hop struct {
	kind string // of the place: "schemas", "responses", ... (see pointerKind)
	ptr  string // its JSON pointer, "/components/responses/Ok"
	name string // its last token, "Ok"
	ref  string // the $ref that named it
	obj  any    // the value there, nil when there is none
}

func (h hop) key() string { return h.ptr }

// chainEnd is where a chain of $refs ends.
type chainEnd struct {
	loop    bool   // the chain runs into a loop
	kind    string // the kind of last; for a loop, its kind when uniform
	uniform bool   // every hop of the chain is of kind
	last    hop    // the place that is not a $ref to another one (not for a loop)
	suffix  hop    // the first hop of the longest tail of hops of kind (not for a loop)
}

// parseRef reads an internal $ref to a place whose kind pointerKind
// knows: a component, #/components/<kind>/<name> (Swagger 2.0:
// #/definitions/<name>, ...), or a place inside paths or components
// (#/paths/~1a/get/parameters/0).
func (r *refKinds) parseRef(s string) (hop, bool) {
	if !strings.HasPrefix(s, "#/") {
		return hop{}, false
	}
	frag := s[1:]
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	toks := strings.Split(frag[1:], "/")
	for i := range toks {
		toks[i] = ptrUnescape(toks[i])
	}
	kind := r.pointerKind(toks)
	if kind == "" {
		return hop{}, false
	}
	h := hop{kind: kind, name: toks[len(toks)-1], ref: s}
	var b strings.Builder
	for _, t := range toks {
		b.WriteString("/" + ptrEscape(t))
	}
	h.ptr = b.String()
	h.obj, _ = resolveTokens(r.root, toks)
	return h, true
}

// resolveTokens follows unescaped pointer tokens in v.
func resolveTokens(v any, toks []string) (any, bool) {
	for _, tok := range toks {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Kinds of places that are no component section.
const (
	kOperation  = "operation"
	kMediaType  = "mediaTypes"
	kCollection = "collection" // a map or list of places: #/components/schemas, #/paths, .../parameters
)

// Schema keywords whose values are a schema, or a list of schemas.
var (
	schemaSubs = map[string]bool{"items": true, "additionalProperties": true, "not": true, "if": true, "then": true, "else": true,
		"contains": true, "propertyNames": true, "unevaluatedItems": true, "unevaluatedProperties": true, "additionalItems": true, "contentSchema": true}
	schemaLists = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
)

// pointerKind is the kind of the place that the pointer toks (unescaped
// tokens) names, as the structure of the document tells: a section of
// components ("schemas", "parameters", ...) for a component or a place
// of that kind inside paths or components, kOperation, kMediaType,
// kCollection; "" when the structure does not tell (a key kin-openapi
// keeps as an extension, a keyword that holds no schema).
func (r *refKinds) pointerKind(toks []string) string {
	state := "" // the document
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		// name skips the token after t (a name or an index) and moves to
		// kind; without one, t is a map or list of places of that kind.
		name := func(kind string) bool {
			if i+1 >= len(toks) {
				state = kCollection
				return true
			}
			i++
			state = kind
			return true
		}
		ok := true
		switch state {
		case "":
			switch {
			case t == "paths" || t == "webhooks" && !r.p.swagger:
				ok = name(kPathItem)
			case t == "components" && !r.p.swagger:
				if i+2 >= len(toks) {
					return kCollection
				}
				state = toks[i+1]
				i += 2
			case r.p.swagger && v2Sections[t] != "":
				ok = name(v2Sections[t])
			default:
				ok = false
			}
		case kPathItem:
			switch {
			case t == "parameters":
				ok = name(kParameter)
			case slices.Contains(refMethods, t):
				state = kOperation
			default:
				ok = false
			}
		case kOperation:
			switch t {
			case "parameters":
				ok = name(kParameter)
			case "requestBody":
				state = kRequestBody
			case "responses":
				ok = name(kResponse)
			case "callbacks":
				ok = name(kCallback)
			default:
				ok = false
			}
		case kCallback:
			state = kPathItem // t is the callback's expression
		case kParameter, kHeader, kRequestBody, kResponse, kMediaType:
			switch {
			case t == "schema" && state != kRequestBody:
				state = kSchema
			case t == "items" && state == kParameter: // Swagger 2.0
				state = kSchema
			case t == "content" && state != kMediaType:
				ok = name(kMediaType)
			case t == "headers" && state == kResponse:
				ok = name(kHeader)
			case t == "links" && state == kResponse:
				ok = name(kLink)
			case t == "encoding" && state == kMediaType:
				switch {
				case i+3 < len(toks) && toks[i+2] == "headers":
					state = kHeader
					i += 3
				case i+1 >= len(toks) || i+3 == len(toks) && toks[i+2] == "headers":
					return kCollection
				default:
					ok = false
				}
			default:
				ok = false
			}
		case kSchema:
			switch {
			case schemaNameMaps[t] || schemaLists[t]:
				ok = name(kSchema)
			case schemaSubs[t]:
			default:
				ok = false
			}
		default:
			// links, security schemes, sections the import does not read
			ok = false
		}
		if !ok {
			return ""
		}
	}
	return state
}

// sectionMap is the map of the components of kind; nil when there is
// none. ok is false when it, or components, is not a map.
func (r *refKinds) sectionMap(kind string) (sec map[string]any, ok bool) {
	var v any
	if r.p.swagger {
		for s, k := range v2Sections {
			if k == kind {
				v = r.root[s]
			}
		}
	} else {
		c, isMap := r.root["components"].(map[string]any)
		if !isMap {
			return nil, r.root["components"] == nil
		}
		v = c[kind]
	}
	if v == nil {
		return nil, true
	}
	sec, ok = v.(map[string]any)
	return sec, ok
}

// follow is where the chain of $refs from h ends. Every hop is computed
// once (memo), without recursion, so long chains and loops cost linear
// time.
func (r *refKinds) follow(h0 hop) chainEnd {
	var path []hop
	var onPath map[string]int // allocated when the chain has a second hop
	cur := h0
	var end chainEnd
	for {
		k := cur.key()
		if e, ok := r.memo[k]; ok {
			end = e
			break
		}
		if i, ok := onPath[k]; ok {
			cycle := path[i:]
			end = chainEnd{loop: true, kind: cycle[0].kind, uniform: true}
			for _, h := range cycle {
				if h.kind != end.kind {
					end.uniform = false
				}
			}
			for _, h := range cycle {
				r.memo[h.key()] = end
			}
			path = path[:i]
			break
		}
		next, ok := r.next(cur)
		if !ok {
			end = chainEnd{kind: cur.kind, uniform: true, last: cur, suffix: cur}
			r.memo[k] = end
			break
		}
		if onPath == nil {
			onPath = map[string]int{}
		}
		onPath[k] = len(path)
		path = append(path, cur)
		cur = next
	}
	for i := len(path) - 1; i >= 0; i-- {
		h := path[i]
		if end.uniform && h.kind == end.kind {
			end.suffix = h
		} else {
			end.uniform = false
		}
		r.memo[h.key()] = end
	}
	return end
}

// next is the place that the value at h is a $ref to.
func (r *refKinds) next(h hop) (hop, bool) {
	m, ok := h.obj.(map[string]any)
	if !ok {
		return hop{}, false
	}
	s, ok := m["$ref"].(string)
	if !ok {
		return hop{}, false
	}
	return r.parseRef(s)
}

// check decides what becomes of the $ref of m, at ptr, a place where a
// component of kind want belongs; drop removes the piece (not used for
// schemas, which are emptied). It reports whether the piece stays.
func (r *refKinds) check(m map[string]any, ptr, want string, drop func()) bool {
	s, ok := m["$ref"].(string)
	if !ok {
		return true
	}
	h0, ok := r.parseRef(s)
	if !ok {
		return true
	}
	e := r.follow(h0)
	if e.uniform && e.kind == want {
		return true
	}
	if h0.kind == want {
		// The component h0 is itself repaired where it is defined; only
		// when it is dropped must this piece go too.
		if want == kSchema || !r.fails(e, want) {
			return true
		}
		r.fail(m, ptr, want, drop, fmt.Sprintf("$ref %q names %s that is dropped (see %s)", s, kindLabel(want), "#"+h0.ptr))
		return false
	}
	switch {
	case e.loop:
		r.fail(m, ptr, want, drop, fmt.Sprintf("$ref %q leads into a loop of $refs", s))
		return false
	case e.last.kind == want:
		ref := e.suffix.ref
		r.later(func() { m["$ref"] = ref })
		r.p.warn(ptr, "$ref %q names %s, not %s; followed to %q", s, kindLabel(h0.kind), kindLabel(want), ref)
		return true
	}
	what := "names " + kindLabel(h0.kind)
	if e.last.key() != h0.key() {
		what = fmt.Sprintf("leads to %s (%q)", kindLabel(e.last.kind), e.last.ref)
	}
	if ref, how, ok := r.synthetic(e.last, want); ok {
		r.later(func() { m["$ref"] = ref })
		r.p.warn(ptr, "$ref %q %s, not %s; %s", s, what, kindLabel(want), how)
		return true
	}
	r.fail(m, ptr, want, drop, fmt.Sprintf("$ref %q %s, not %s", s, what, kindLabel(want)))
	return false
}

// fails reports whether a $ref with chain end e cannot be repaired into a
// component of kind want.
func (r *refKinds) fails(e chainEnd, want string) bool {
	if e.uniform && e.kind == want {
		return false
	}
	if e.loop {
		return true
	}
	if e.last.kind == want {
		return false
	}
	_, ok := convertKinds(e.last, want)
	if !ok {
		return true
	}
	_, ok = r.sectionMap(want)
	return !ok || r.p.swagger
}

// fail drops the piece at ptr (a schema is emptied) with a warning.
func (r *refKinds) fail(m map[string]any, ptr, want string, drop func(), why string) {
	if want == kSchema || drop == nil {
		r.later(func() { clear(m) })
		r.p.warn(ptr, "%s; replaced by an empty schema (any JSON value)", why)
		return
	}
	r.later(drop)
	r.p.warn(ptr, "%s; %s dropped", why, strings.SplitN(kindLabel(want), " ", 2)[1])
}

func (r *refKinds) later(f func()) { r.apply = append(r.apply, f) }

// convertKinds is the component of kind want that reads the component h
// of another kind; ok is false when its shape does not fit. The values
// are shared, not copied.
func convertKinds(h hop, want string) (map[string]any, bool) {
	obj, ok := h.obj.(map[string]any)
	if !ok || obj["$ref"] != nil {
		return nil, false
	}
	switch {
	case h.kind == kResponse && want == kRequestBody:
		v := map[string]any{}
		if c, ok := obj["content"]; ok {
			v["content"] = c
		}
		if d, ok := obj["description"].(string); ok {
			v["description"] = d
		}
		return v, true
	case h.kind == kRequestBody && want == kResponse:
		d, _ := obj["description"].(string)
		v := map[string]any{"description": d}
		if c, ok := obj["content"]; ok {
			v["content"] = c
		}
		return v, true
	case h.kind == kParameter && want == kHeader:
		v := make(map[string]any, len(obj))
		for k, x := range obj {
			if k != "name" && k != "in" {
				v[k] = x
			}
		}
		return v, true
	}
	return nil, false
}

// synthetic is the $ref of the component of kind want added to read the
// component h; one is added per h and want.
func (r *refKinds) synthetic(h hop, want string) (ref, how string, ok bool) {
	if r.p.swagger {
		return "", "", false
	}
	how = "read as " + kindLabel(want) + " with its content"
	if want == kHeader {
		how = "read as a header"
	}
	key := h.key() + "\x00" + want
	if ref, ok := r.synth[key]; ok {
		return ref, how, true
	}
	v, ok := convertKinds(h, want)
	if !ok {
		return "", "", false
	}
	sec, ok := r.sectionMap(want)
	if !ok {
		return "", "", false
	}
	pend := r.pending[want]
	if pend == nil {
		pend = map[string]any{}
		r.pending[want] = pend
	}
	taken := func(n string) bool {
		_, a := sec[n]
		_, b := pend[n]
		return a || b
	}
	name := h.name
	if taken(name) {
		base := h.name + "_" + strings.ReplaceAll(kindLabels[want], " ", "")
		name = base
		for i := 2; taken(name); i++ {
			name = base + strconv.Itoa(i)
		}
	}
	pend[name] = v
	ref = (&url.URL{Fragment: "/components/" + want + "/" + ptrEscape(name)}).String()
	r.synth[key] = ref
	return ref, how, true
}

// addPending adds the components synthetic made.
func (r *refKinds) addPending() {
	if len(r.pending) == 0 {
		return
	}
	comps, _ := r.root["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		r.root["components"] = comps
	}
	for kind, add := range r.pending {
		sec, _ := comps[kind].(map[string]any)
		if sec == nil {
			sec = map[string]any{}
			comps[kind] = sec
		}
		maps.Copy(sec, add)
	}
}

// eachNamed calls f on each value of the map v (a map of names), in name
// order, with the value's pointer and a function that deletes it.
func eachNamed(v any, ptr string, f func(v any, ptr string, drop func())) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		f(m[k], ptr+"/"+ptrEscape(k), func() { delete(m, k) })
	}
}

// document walks the places whose kind the structure of the document
// tells.
func (r *refKinds) document() {
	const d = 0
	pathItem := func(v any, ptr string, drop func()) { r.pathItem(v, ptr, drop, d) }
	eachNamed(r.root["paths"], "#/paths", pathItem)
	if r.p.swagger {
		eachNamed(r.root["definitions"], "#/definitions", func(v any, ptr string, _ func()) { r.schema(v, ptr, d) })
		eachNamed(r.root["parameters"], "#/parameters", func(v any, ptr string, drop func()) { r.parameter(v, ptr, drop, d) })
		eachNamed(r.root["responses"], "#/responses", func(v any, ptr string, drop func()) { r.response(v, ptr, drop, d) })
		return
	}
	eachNamed(r.root["webhooks"], "#/webhooks", pathItem)
	comps, _ := r.root["components"].(map[string]any)
	c := "#/components/"
	eachNamed(comps[kSchema], c+kSchema, func(v any, ptr string, _ func()) { r.schema(v, ptr, d) })
	eachNamed(comps[kParameter], c+kParameter, func(v any, ptr string, drop func()) { r.parameter(v, ptr, drop, d) })
	eachNamed(comps[kRequestBody], c+kRequestBody, func(v any, ptr string, drop func()) { r.requestBody(v, ptr, drop, d) })
	eachNamed(comps[kResponse], c+kResponse, func(v any, ptr string, drop func()) { r.response(v, ptr, drop, d) })
	eachNamed(comps[kHeader], c+kHeader, func(v any, ptr string, drop func()) { r.header(v, ptr, drop, d) })
	eachNamed(comps[kPathItem], c+kPathItem, pathItem)
	eachNamed(comps[kCallback], c+kCallback, func(v any, ptr string, drop func()) { r.callback(v, ptr, drop, d) })
	eachNamed(comps[kLink], c+kLink, func(v any, ptr string, drop func()) { r.only(v, ptr, kLink, drop) })
	eachNamed(comps[kSecurity], c+kSecurity, func(v any, ptr string, drop func()) { r.only(v, ptr, kSecurity, drop) })
}

// only checks the $ref of a component whose insides hold no $refs the
// import reads.
func (r *refKinds) only(v any, ptr, kind string, drop func()) {
	if m, ok := v.(map[string]any); ok {
		r.check(m, ptr, kind, drop)
	}
}

var refMethods = []string{"delete", "get", "head", "options", "patch", "post", "put", "query", "trace"}

func (r *refKinds) pathItem(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || depth > maxRefDepth || !r.check(m, ptr, kPathItem, drop) {
		return
	}
	r.parameters(m["parameters"], ptr+"/parameters", depth)
	for _, meth := range refMethods {
		op, ok := m[meth].(map[string]any)
		if !ok {
			continue
		}
		optr := ptr + "/" + meth
		r.parameters(op["parameters"], optr+"/parameters", depth)
		if rb, ok := op["requestBody"]; ok {
			r.requestBody(rb, optr+"/requestBody", func() { delete(op, "requestBody") }, depth)
		}
		eachNamed(op["responses"], optr+"/responses", func(v any, ptr string, drop func()) { r.response(v, ptr, drop, depth) })
		eachNamed(op["callbacks"], optr+"/callbacks", func(v any, ptr string, drop func()) { r.callback(v, ptr, drop, depth+1) })
	}
}

func (r *refKinds) callback(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || depth > maxRefDepth || !r.check(m, ptr, kCallback, drop) {
		return
	}
	eachNamed(m, ptr, func(v any, ptr string, drop func()) { r.pathItem(v, ptr, drop, depth+1) })
}

// parameters walks a parameter list; a dropped one becomes an empty
// object, which keeps the indices the import's warnings name.
func (r *refKinds) parameters(v any, ptr string, depth int) {
	list, ok := v.([]any)
	if !ok {
		return
	}
	for i, e := range list {
		if _, isMap := e.(map[string]any); !isMap {
			// null or a scalar in the list: kin refuses the whole
			// document for it; the import drops that one entry.
			r.p.warn(ptr+"/"+strconv.Itoa(i), "parameter is not an object; dropped")
			list[i] = map[string]any{}
			continue
		}
		r.parameter(e, ptr+"/"+strconv.Itoa(i), func() { list[i] = map[string]any{} }, depth)
	}
}

func (r *refKinds) parameter(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || !r.check(m, ptr, kParameter, drop) {
		return
	}
	r.schema(m["schema"], ptr+"/schema", depth+1)
	r.schema(m["items"], ptr+"/items", depth+1) // Swagger 2.0
	r.content(m["content"], ptr+"/content", depth)
}

func (r *refKinds) requestBody(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || !r.check(m, ptr, kRequestBody, drop) {
		return
	}
	r.content(m["content"], ptr+"/content", depth)
}

func (r *refKinds) response(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || !r.check(m, ptr, kResponse, drop) {
		return
	}
	r.schema(m["schema"], ptr+"/schema", depth+1) // Swagger 2.0
	eachNamed(m["headers"], ptr+"/headers", func(v any, ptr string, drop func()) { r.header(v, ptr, drop, depth) })
	r.content(m["content"], ptr+"/content", depth)
	eachNamed(m["links"], ptr+"/links", func(v any, ptr string, drop func()) { r.only(v, ptr, kLink, drop) })
}

func (r *refKinds) header(v any, ptr string, drop func(), depth int) {
	m, ok := v.(map[string]any)
	if !ok || !r.check(m, ptr, kHeader, drop) {
		return
	}
	r.schema(m["schema"], ptr+"/schema", depth+1)
	r.content(m["content"], ptr+"/content", depth)
}

// content walks a map of media types.
func (r *refKinds) content(v any, ptr string, depth int) {
	eachNamed(v, ptr, func(v any, ptr string, _ func()) {
		mt, ok := v.(map[string]any)
		if !ok {
			return
		}
		r.schema(mt["schema"], ptr+"/schema", depth+1)
		eachNamed(mt["encoding"], ptr+"/encoding", func(v any, ptr string, _ func()) {
			if enc, ok := v.(map[string]any); ok {
				eachNamed(enc["headers"], ptr+"/headers", func(v any, ptr string, drop func()) { r.header(v, ptr, drop, depth) })
			}
		})
	})
}

// schemaNameMaps are the schema keywords whose values map names to
// schemas; schemaData are those whose values are data or hold no schemas.
var (
	schemaNameMaps = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true}
	schemaData     = map[string]bool{"default": true, "enum": true, "const": true, "example": true, "examples": true,
		"discriminator": true, "xml": true, "externalDocs": true}
)

// schema walks a schema: every $ref in it is a place for a schema.
func (r *refKinds) schema(v any, ptr string, depth int) {
	m, ok := v.(map[string]any)
	if !ok || depth > maxRefDepth || !r.check(m, ptr, kSchema, nil) {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if schemaData[k] || strings.HasPrefix(k, "x-") {
			continue
		}
		kptr := ptr + "/" + ptrEscape(k)
		switch c := m[k].(type) {
		case map[string]any:
			if schemaNameMaps[k] {
				eachNamed(c, kptr, func(v any, ptr string, _ func()) { r.schema(v, ptr, depth+1) })
			} else {
				r.schema(c, kptr, depth+1)
			}
		case []any:
			for i, e := range c {
				r.schema(e, kptr+"/"+strconv.Itoa(i), depth+1)
			}
		}
	}
}
