package model

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// SchemaDialect is the JSON Schema dialect of every Input and Output.
const SchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// Entry is an action as data (docs/using.md, "Actions as data"): what Actions() says of
// it and how Invoke decodes its input.
type Entry struct {
	Action   *Action
	ReadOnly bool // GET, HEAD or OPTIONS

	// Input and Output are JSON Schemas without their $defs: the
	// top-level keywords, each a JSON object text ending before its
	// closing brace is written. Defs names the schemas under $defs (keys
	// of Connector.Defs), sorted.
	Input, Output         string
	InputDefs, OutputDefs []*Def
	// OutputObject: Output describes a JSON object (MCP's outputSchema).
	OutputObject bool
	// InputRefs and OutputRefs are the named schemas Input and Output
	// refer to themselves (their defs are these and what they lead to).
	InputRefs, OutputRefs []*Def
	// InputPiece and OutputPiece number Input and Output among
	// Connector.SchemaPieces: the defs come first (Def.Index), then the
	// actions' Inputs and Outputs, each distinct one once.
	InputPiece, OutputPiece int

	Fields []*InputField // the input object's keys: params in spec order, then "body"

	InvokeFunc string // Go name of the function that decodes and calls
	CheckFunc  string // Go name of the compiled check of Input (Connector.InputChecks), or ""
}

// InputField is one key of an action's input object.
type InputField struct {
	Key      string // the param's spec name, or "body"
	GoName   string // the Params field it fills
	Required bool
	Reader   bool // a raw body (io.Reader): the input is a string
}

// Def is a named schema under $defs.
type Def struct {
	Name  string // the $defs key: the schema's Go type name
	JSON  string // `"Name":{...}`
	Index int    // its place in Connector.Defs and among the schema pieces
	Refs  []*Def // the named schemas it refers to itself, by Index

	keywords map[string]bool // the schema keywords it uses (schemaKeywords)
}

// PackSchemasOver is the size of schema text (Connector.Defs and every
// Input and Output, each once) above which the registry carries it
// compressed (Connector.PackSchemas). A variable so tests can pack small
// connectors.
var PackSchemasOver = 64 << 10

// WholeSchemasUnder is the size of every distinct whole Input and Output
// schema ($defs included) together under which the registry carries them
// whole (Connector.SchemasWhole): a small connector then needs no code to
// assemble them. A variable so tests can assemble a small connector's.
var WholeSchemasUnder = 32 << 10

// ConfigField is a Config field that conngen call and mcp fill from the
// environment variable Env or --set.
type ConfigField struct {
	GoName string
	Env    string
	Secret bool
	Token  bool // *oauth2.Token, read from a token JSON file
}

// EnvName is the environment variable of a Config field: connector name and
// Go field name in upper snake case, a run of capitals kept together
// (APIKey → API_KEY, XRequestID → X_REQUEST_ID).
func EnvName(connector, field string) string {
	return upperSnake(connector) + "_" + upperSnake(field)
}

func upperSnake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
			continue
		}
		if i > 0 && unicode.IsUpper(r) && b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return strings.TrimSuffix(b.String(), "_")
}

// registry describes every action as data, after the types are declared.
func (b *builder) registry() {
	c := b.c
	c.AuthFields = authFields(c.Auth)
	c.ConfigFields = b.configFields()
	w := &schemaWriter{b: b, defs: map[string]*Def{}, deps: map[string][]string{}}
	c.inputKeywords = map[string]bool{}
	used := names.NewSet()
	var inRefs, outRefsAll [][]string
	for i, a := range b.s.Actions {
		act := c.Actions[i]
		e := &Entry{Action: act, ReadOnly: act.Method == "GET" || act.Method == "HEAD" || act.Method == "OPTIONS"}
		e.InvokeFunc = b.ids.Unique("invoke" + used.Unique(act.GoName))

		// Input: one property per param under its spec name, the body under "body".
		props := map[string]any{}
		var required []string
		var refs []string
		keys := map[string]bool{}
		if act.Body != nil {
			keys["body"] = true
		}
		for j, p := range a.Params {
			prm := act.Params[j]
			if keys[p.Name] && (p.Name != "body" || act.Body == nil) {
				b.warnf("action %s: parameter %q appears twice; Invoke sets the first", a.Name, p.Name)
				continue
			}
			if p.Name == "body" && act.Body != nil {
				b.warnf("action %s: parameter \"body\" has the body's input key; Invoke cannot set it", a.Name)
				continue
			}
			keys[p.Name] = true
			var s map[string]any
			switch {
			case prm.Elem == String && !isStringSchema(b, p.Schema):
				s = map[string]any{"type": "string"} // typed as string by the model
			case prm.QueryStyle != "" && prm.Elem.Kind == Map && prm.Elem.Elem == String:
				// A free-form object param is a map[string]string.
				s = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
			default:
				s = w.convert(p.Schema, 0, &refs)
			}
			if p.Schema == nil {
				s = map[string]any{"type": "string"}
			}
			if d := strings.TrimSpace(p.Description); d != "" {
				s["description"] = d
			}
			props[p.Name] = s
			if prm.Required {
				required = append(required, p.Name)
			}
			e.Fields = append(e.Fields, &InputField{Key: p.Name, GoName: prm.GoName, Required: prm.Required})
		}
		if body := act.Body; body != nil {
			var s map[string]any
			reader := body.Type == Reader
			if reader {
				s = map[string]any{"type": "string", "contentMediaType": body.ContentType}
			} else {
				s = w.convert(a.Body.Schema, 0, &refs)
			}
			if d := strings.TrimSpace(body.Description); d != "" {
				s["description"] = d
			}
			props["body"] = s
			if body.Required {
				required = append(required, "body")
			}
			e.Fields = append(e.Fields, &InputField{Key: "body", GoName: body.GoName, Required: body.Required, Reader: reader})
		}
		in := map[string]any{"$schema": SchemaDialect, "type": "object", "properties": props, "additionalProperties": false}
		schemaKeywords(in, c.inputKeywords)
		if t := strings.TrimSpace(a.Title); t != "" {
			in["title"] = t
		}
		if len(required) > 0 {
			in["required"] = required
		}
		e.Input = open(in)
		inRefs = append(inRefs, refs)

		// Output: the 2xx body.
		var outRefs []string
		out := map[string]any{}
		switch {
		case a.Response != nil && a.Response.Stream:
			out = map[string]any{"type": "string", "description": "The response body: text, or base64 when binary."}
		case a.Response != nil && a.Response.Schema != nil:
			out = w.convert(a.Response.Schema, 0, &outRefs)
			if t, ok := b.target(a.Response.Schema); ok && t != nil {
				switch cl, _ := b.classify(t); cl {
				case cStruct, cMap, cAnyMap:
					e.OutputObject = true
				}
			}
			if e.OutputObject && out["type"] == nil {
				out["type"] = "object"
			}
			if typ, ok := out["type"].([]any); ok && slices.Contains(typ, any("null")) {
				e.OutputObject = false
			}
		}
		out["$schema"] = SchemaDialect
		e.Output = open(out)
		outRefsAll = append(outRefsAll, outRefs)
		c.Registry = append(c.Registry, e)
	}
	closures := w.closures()
	for i, e := range c.Registry {
		e.InputDefs, e.OutputDefs = closures.of(inRefs[i]), closures.of(outRefsAll[i])
	}
	for _, k := range slices.Sorted(maps.Keys(w.defs)) {
		c.Defs = append(c.Defs, w.defs[k])
	}
	slices.SortFunc(c.Defs, func(a, b *Def) int { return strings.Compare(a.Name, b.Name) })
	size := 0
	for i, d := range c.Defs {
		d.Index = i
		size += len(d.JSON)
	}
	for name, d := range w.defs {
		d.Refs = w.direct(w.deps[name])
	}
	for _, d := range c.Defs {
		c.SchemaPieces = append(c.SchemaPieces, SchemaPiece{Text: d.JSON, Refs: d.Refs})
	}
	// Each action's Input and Output, the same text with the same refs
	// once (many of a large API's actions answer with the same type).
	seen := map[string]int{}
	piece := func(text string, refs []*Def) int {
		key := text
		for _, r := range refs {
			key += "\x00" + r.Name
		}
		if i, ok := seen[key]; ok {
			return i
		}
		seen[key] = len(c.SchemaPieces)
		c.SchemaPieces = append(c.SchemaPieces, SchemaPiece{Text: text, Refs: refs})
		size += len(text)
		return seen[key]
	}
	inputDef := make([]bool, len(c.Defs)) // the named schemas some Input leads to
	for i, e := range c.Registry {
		e.InputRefs, e.OutputRefs = w.direct(inRefs[i]), w.direct(outRefsAll[i])
		e.InputPiece, e.OutputPiece = piece(e.Input, e.InputRefs), piece(e.Output, e.OutputRefs)
		for _, d := range e.InputDefs {
			inputDef[d.Index] = true
		}
	}
	for _, d := range c.Defs {
		if inputDef[d.Index] {
			maps.Copy(c.inputKeywords, d.keywords)
		}
	}
	c.inputRecursive = recursive(c.Defs, inputDef)
	c.PackSchemas = size > PackSchemasOver
	if !c.PackSchemas {
		c.wholeSchemas()
	}
	b.compileChecks()
}

// wholeSchemas makes the schema pieces the whole schemas, each distinct
// one once, when they are small together (WholeSchemasUnder).
func (c *Connector) wholeSchemas() {
	var texts []string
	index := map[string]int{}
	size := 0
	whole := func(text string) int {
		if i, ok := index[text]; ok {
			return i
		}
		index[text] = len(texts)
		texts = append(texts, text)
		size += len(text)
		return index[text]
	}
	in, out := make([]int, len(c.Registry)), make([]int, len(c.Registry))
	for i, e := range c.Registry {
		in[i], out[i] = whole(e.InputSchema()), whole(e.OutputSchema())
		if size >= WholeSchemasUnder {
			return
		}
	}
	c.SchemasWhole = true
	c.SchemaPieces = c.SchemaPieces[:0]
	for _, t := range texts {
		c.SchemaPieces = append(c.SchemaPieces, SchemaPiece{Text: t})
	}
	for i, e := range c.Registry {
		e.InputPiece, e.OutputPiece = in[i], out[i]
	}
}

// SchemaPiece is one piece of the registry's schemas: a named schema
// (`"Name":{...}`) or an action's Input or Output without its $defs and
// closing brace, with the named schemas it refers to itself.
type SchemaPiece struct {
	Text string
	Refs []*Def
}

// direct is the defs of refs, each once, by Index.
func (w *schemaWriter) direct(refs []string) []*Def {
	var out []*Def
	for _, r := range refs {
		if d := w.defs[r]; d != nil && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Def) int { return a.Index - b.Index })
	return out
}

// isStringSchema reports whether s is typed string (so a param of Go type
// string was not coerced).
func isStringSchema(b *builder, s *spec.Schema) bool {
	t, ok := b.target(s)
	if !ok || t == nil {
		return false
	}
	cl, _ := b.classify(t)
	return cl == cString || cl == cEnum
}

// open marshals v and drops the final brace, so $defs can be appended.
func open(v map[string]any) string {
	s := marshal(v)
	return s[:len(s)-1]
}

func marshal(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// schemaWriter converts spec schemas into JSON Schema, each named schema
// once, as a $defs entry keyed by its Go type name.
type schemaWriter struct {
	b    *builder
	defs map[string]*Def     // spec schema name -> def
	deps map[string][]string // spec schema name -> the names its def refers to
}

const maxSchemaDepth = 64

// convert is s as JSON Schema; refs collects the named schemas it refers to.
func (w *schemaWriter) convert(s *spec.Schema, depth int, refs *[]string) map[string]any {
	out := map[string]any{}
	if s == nil || depth > maxSchemaDepth {
		return out
	}
	if s.Ref != "" {
		name := s.RefName()
		if w.b.named[name] == nil {
			return out
		}
		*refs = append(*refs, name)
		w.def(name)
		out["$ref"] = "#/$defs/" + w.b.schemaNames[name]
	}
	if s.Type != "" {
		out["type"] = s.Type
	}
	if s.Format != "" {
		out["format"] = s.Format
	}
	if d := strings.TrimSpace(s.Description); d != "" {
		out["description"] = d
	}
	// A property no struct tag can name has no field in the Go type (see
	// declareStruct), so Invoke's checker must not take it as declared.
	if props := map[string]any{}; len(s.Properties) > 0 {
		for _, p := range s.Properties {
			if validJSONName(p.Name) {
				props[p.Name] = w.convert(p.Schema, depth+1, refs)
			}
		}
		if len(props) > 0 {
			out["properties"] = props
		}
	}
	if req := slices.DeleteFunc(slices.Clone(s.Required), func(n string) bool { return !validJSONName(n) }); len(req) > 0 {
		out["required"] = req
	}
	if s.Items != nil {
		out["items"] = w.convert(s.Items, depth+1, refs)
	}
	if len(s.Enum) > 0 {
		enum := slices.Clone(s.Enum)
		if s.Nullable && !slices.Contains(enum, nil) {
			enum = append(enum, nil)
		}
		out["enum"] = enum
	}
	if ap := s.AdditionalProperties; ap != nil {
		switch {
		case ap.Schema == nil && !ap.Allowed:
			out["additionalProperties"] = false
		case ap.Schema != nil && w.holdsExtras(s):
			out["additionalProperties"] = w.convert(ap.Schema, depth+1, refs)
		}
		// additionalProperties: true is never written: a schema without
		// properties allows more keys anyway, and one with properties
		// becomes a struct, which could not carry them.
	}
	if s.Default != nil {
		out["default"] = s.Default
	}
	num := func(k string, v *float64) {
		if v != nil {
			out[k] = *v
		}
	}
	num("minimum", s.Minimum)
	num("maximum", s.Maximum)
	count := func(k string, v *int) {
		if v != nil {
			out[k] = *v
		}
	}
	count("minLength", s.MinLength)
	count("maxLength", s.MaxLength)
	count("minItems", s.MinItems)
	count("maxItems", s.MaxItems)
	if s.Pattern != "" {
		out["pattern"] = s.Pattern
	}
	list := func(k string, ss []*spec.Schema) {
		if len(ss) == 0 {
			return
		}
		var l []any
		for _, x := range ss {
			l = append(l, w.convert(x, depth+1, refs))
		}
		out[k] = l
	}
	list("allOf", s.AllOf)
	list("oneOf", s.OneOf)
	list("anyOf", s.AnyOf)
	w.pinTags(s, out)
	if s.Nullable {
		switch t := out["type"].(type) {
		case string:
			out["type"] = []any{t, "null"}
		case nil:
			if s.Ref != "" || len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) > 0 {
				inner := out
				outer := map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
				if d, ok := inner["description"]; ok {
					outer["description"] = d
					delete(inner, "description")
				}
				out = outer
			}
		}
	}
	return out
}

// holdsExtras reports whether the Go type of s keeps keys its properties
// do not declare. A map or json.RawMessage does; a struct (and a union of
// structs) has no room for them, so encoding/json would drop them
// silently. For those the Input schema does not say more keys are
// allowed, and Invoke refuses them as the typed method cannot send them.
func (w *schemaWriter) holdsExtras(s *spec.Schema) bool {
	t, ok := w.b.target(s)
	if !ok || t == nil {
		return true // json.RawMessage
	}
	cl, _ := w.b.classify(t)
	return cl != cStruct && cl != cUnion
}

// pinTags makes each alternative of a union told apart by a discriminator
// hold its own tag, where its schema does not already: the union decodes a
// value as the alternative its tag names, so a value that fits one
// alternative's schema but carries another's tag would otherwise pass
// Invoke's checker and be sent as the other.
func (w *schemaWriter) pinTags(s *spec.Schema, out map[string]any) {
	vs, ok := w.b.variants(s)
	if !ok || len(vs) == 0 || vs[0].tag == "" {
		return
	}
	prop := vs[0].prop
	for _, k := range []string{"oneOf", "anyOf"} {
		alts, _ := out[k].([]any)
		src := s.OneOf
		if k == "anyOf" {
			src = s.AnyOf
		}
		for i, a := range alts {
			alt, _ := a.(map[string]any)
			for _, v := range vs {
				if alt == nil || i >= len(src) || v.schema != src[i] {
					continue
				}
				if t, ok := w.b.target(v.schema); ok && t != nil {
					props, _, _ := w.b.collectProps(t)
					if p, ok := w.b.target(props.Get(prop)); ok && p != nil && len(p.Enum) == 1 && p.Enum[0] == any(v.tag) {
						continue // pinned by its own enum
					}
				}
				props, _ := alt["properties"].(map[string]any)
				if props == nil {
					props = map[string]any{}
					alt["properties"] = props
				}
				props[prop] = map[string]any{"enum": []any{v.tag}}
			}
		}
	}
}

// recursive reports whether a named schema in among (by Index) leads
// back to itself through refs. among is closed under refs (a closure), so
// every cycle it reaches is inside it.
func recursive(defs []*Def, among []bool) bool {
	const (
		unvisited = iota
		open
		done
	)
	state := make([]int, len(defs))
	var cycle func(d *Def) bool
	cycle = func(d *Def) bool {
		state[d.Index] = open
		for _, r := range d.Refs {
			if state[r.Index] == open || state[r.Index] == unvisited && cycle(r) {
				return true
			}
		}
		state[d.Index] = done
		return false
	}
	for _, d := range defs {
		if among[d.Index] && state[d.Index] == unvisited && cycle(d) {
			return true
		}
	}
	return false
}

// schemaKeywords adds to into the keywords schema s uses, in it and in the
// schemas inside it (not those its $refs name): additionalProperties only
// where it is a schema.
func schemaKeywords(s map[string]any, into map[string]bool) {
	for k, v := range s {
		sub, isSchema := v.(map[string]any)
		switch k {
		case "properties":
			for _, p := range sub {
				if p, ok := p.(map[string]any); ok {
					schemaKeywords(p, into)
				}
			}
		case "items", "additionalProperties":
			if isSchema {
				schemaKeywords(sub, into)
			} else if k == "additionalProperties" {
				continue
			}
		case "allOf", "oneOf", "anyOf":
			for _, a := range v.([]any) {
				if a, ok := a.(map[string]any); ok {
					schemaKeywords(a, into)
				}
			}
		}
		into[k] = true
	}
}

// def converts the named schema once.
func (w *schemaWriter) def(name string) {
	if _, ok := w.defs[name]; ok {
		return
	}
	goName := w.b.schemaNames[name]
	d := &Def{Name: goName}
	w.defs[name] = d // before converting: recursion ends here
	var refs []string
	s := w.convert(w.b.named[name], 0, &refs)
	d.JSON = marshal(goName) + ":" + marshal(s)
	d.keywords = map[string]bool{}
	schemaKeywords(s, d.keywords)
	w.deps[name] = refs
}

// schemaClosures answers which named schemas a set of refs leads to. The
// schemas that lead to one another (a strongly connected part of w.deps:
// a recursive family) lead to the same schemas, so the graph is walked
// part by part and each distinct answer is built and sorted once: in a
// document whose thousands of schemas all refer to one another, every
// action's closure is the same slice, not a walk and a sort each.
type schemaClosures struct {
	w     *schemaWriter
	part  map[string]int    // schema name -> its part
	names [][]string        // each part's schema names
	next  [][]int           // each part's successor parts
	memo  map[string][]*Def // sorted reachable parts -> the closure
}

// closures splits the named schemas into their strongly connected parts
// (Tarjan's algorithm), once every schema is converted.
func (w *schemaWriter) closures() *schemaClosures {
	sc := &schemaClosures{w: w, part: map[string]int{}, memo: map[string][]*Def{}}
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var visit func(n string)
	visit = func(n string) {
		index[n] = len(index)
		low[n] = index[n]
		stack = append(stack, n)
		onStack[n] = true
		for _, r := range w.deps[n] {
			if _, seen := index[r]; !seen {
				visit(r)
				low[n] = min(low[n], low[r])
			} else if onStack[r] {
				low[n] = min(low[n], index[r])
			}
		}
		if low[n] != index[n] {
			return
		}
		p := len(sc.names)
		var members []string
		for {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[m] = false
			sc.part[m] = p
			members = append(members, m)
			if m == n {
				break
			}
		}
		sc.names = append(sc.names, members)
	}
	for _, n := range slices.Sorted(maps.Keys(w.deps)) {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	sc.next = make([][]int, len(sc.names))
	for p, members := range sc.names {
		for _, m := range members {
			for _, r := range w.deps[m] {
				if q := sc.part[r]; q != p && !slices.Contains(sc.next[p], q) {
					sc.next[p] = append(sc.next[p], q)
				}
			}
		}
	}
	return sc
}

// of is every named schema refs lead to, sorted by $defs key.
func (sc *schemaClosures) of(refs []string) []*Def {
	seen := map[int]bool{}
	var walk func(p int)
	walk = func(p int) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, q := range sc.next[p] {
			walk(q)
		}
	}
	for _, r := range refs {
		if p, ok := sc.part[r]; ok {
			walk(p)
		}
	}
	parts := slices.Sorted(maps.Keys(seen))
	var key strings.Builder
	for _, p := range parts {
		key.WriteString(strconv.Itoa(p))
		key.WriteByte(',')
	}
	if out, ok := sc.memo[key.String()]; ok {
		return out
	}
	var out []*Def
	for _, p := range parts {
		for _, n := range sc.names[p] {
			out = append(out, sc.w.defs[n])
		}
	}
	slices.SortFunc(out, func(a, b *Def) int { return strings.Compare(a.Name, b.Name) })
	sc.memo[key.String()] = out
	return out
}

// InputSchema is the whole Input schema as Actions() returns it, $defs
// included, for tools that read the registry without building the package.
func (e *Entry) InputSchema() string { return wholeSchema(e.Input, e.InputDefs) }

// OutputSchema is the whole Output schema, as InputSchema.
func (e *Entry) OutputSchema() string { return wholeSchema(e.Output, e.OutputDefs) }

func wholeSchema(open string, defs []*Def) string {
	if len(defs) == 0 {
		return open + "}"
	}
	var b strings.Builder
	b.WriteString(open)
	b.WriteString(`,"$defs":{`)
	for i, d := range defs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.JSON)
	}
	b.WriteString("}}")
	return b.String()
}
