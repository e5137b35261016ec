package model

import (
	"cmp"
	"strings"
	"unicode"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func (b *builder) action(a spec.Action, paramsType string) *Action {
	act := &Action{
		Name: a.Name, GoName: names.Go(a.Name), Title: a.Title, Description: a.Description,
		Method: strings.ToUpper(a.Method), Path: a.Path, ParamsType: paramsType, Scopes: a.Scopes,
	}
	if a.Auth != nil {
		act.Auth = new(b.resolveAuth(*a.Auth))
	}
	fields := names.NewSet()
	if a.Body != nil {
		// The body keeps the name Body; a param called "body" yields.
		fields.Unique("Body")
	}
	byPathName := map[string]*Param{}
	for _, p := range a.Params {
		prm := b.param(act, p, fields)
		act.Params = append(act.Params, prm)
		if p.In == spec.InPath {
			byPathName[p.Name] = prm
		}
	}
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(a.Path, -1) {
		if m[0] > last {
			act.Segments = append(act.Segments, Segment{Literal: a.Path[last:m[0]]})
		}
		act.Segments = append(act.Segments, Segment{Param: byPathName[a.Path[m[2]:m[3]]]})
		last = m[1]
	}
	if last < len(a.Path) {
		act.Segments = append(act.Segments, Segment{Literal: a.Path[last:]})
	}
	if body := a.Body; body != nil {
		act.Body = b.body(act, body)
	}
	act.Result = RawJSON
	if a.Response != nil && a.Response.Schema != nil {
		act.Result = b.typeOf(a.Response.Schema, act.GoName+"Response")
	}
	b.stream(act, a)
	if a.Paginate != nil {
		b.c.NeedsPaginate = true
		act.Paginate = &Pagination{Method: act.GoName + "All", Paginate: *a.Paginate, Item: b.itemType(act, a.Paginate.Items)}
		act.SharedRequest = true
	}
	return act
}

func (b *builder) param(act *Action, p spec.Param, fields *names.Set) *Param {
	prm := &Param{Name: p.Name, In: p.In, GoName: fields.Unique(names.Go(p.Name)),
		Description: p.Description, Required: p.Required || p.In == spec.InPath, Explode: true}
	if p.Explode != nil {
		prm.Explode = *p.Explode
	}
	t := String
	if p.Schema != nil {
		t = b.paramType(p.Schema, 0)
	}
	if p.In == spec.InQuery && p.Schema != nil && (t == nil || p.Style == spec.StyleDeepObject) {
		if ot := b.queryObjectType(act, p, prm.GoName); ot != nil {
			t = ot
			prm.QueryStyle = cmp.Or(p.Style, spec.StyleForm)
			b.c.NeedsQuery = true
		}
	}
	switch {
	case t == nil:
		b.warnf("action %s: parameter %q is not a scalar or a list of scalars; typed as string (pass it serialized)", act.Name, p.Name)
		t = String
	case prm.QueryStyle != "":
		prm.IsList = t.Kind == Slice
	case t.Kind == Slice && p.In == spec.InPath:
		b.warnf("action %s: path parameter %q is a list; typed as string", act.Name, p.Name)
		t = String
	case t.Kind == Slice:
		prm.IsList = true
	}
	if values := b.enumValues(p.Schema); len(values) > 0 {
		prm.Description = strings.TrimSpace(prm.Description + " One of: " + strings.Join(values, ", ") + ".")
	}
	prm.Elem = t
	prm.Type = t
	if !prm.Required && !t.IsNilable() {
		prm.Type = Ptr(t)
	}
	return prm
}

// queryObjectType is the Go type of a query param the runtime encodes
// with its style: a struct for an object with properties, map[string]string
// for a free-form object, a map for one whose values have a schema, and
// with deepObject also a list; nil for anything else (a union, an
// untyped schema), which stays a string.
func (b *builder) queryObjectType(act *Action, p spec.Param, goName string) *GoType {
	t, ok := b.target(p.Schema)
	if !ok {
		return nil
	}
	cl, _ := b.classify(t)
	switch cl {
	case cAnyMap:
		return &GoType{Kind: Map, Elem: String}
	case cStruct, cMap:
		return b.typeOf(p.Schema, act.GoName+goName)
	case cArray:
		if p.Style == spec.StyleDeepObject {
			return b.typeOf(p.Schema, act.GoName+goName)
		}
	}
	return nil
}

// paramType is the Go type of a parameter: a plain scalar, or a list of
// them, or nil for anything else. Enums stay plain strings here, so callers
// can write Ptr("value"); their values are listed in the field's doc.
func (b *builder) paramType(s *spec.Schema, depth int) *GoType {
	t, ok := b.target(s)
	if !ok || depth > 1 {
		return nil
	}
	cl, _ := b.classify(t)
	switch cl {
	case cEnum, cString:
		return String
	case cArray:
		if elem := b.paramType(t.Items, depth+1); elem != nil && elem.Kind != Slice {
			return &GoType{Kind: Slice, Elem: elem}
		}
		return nil
	case cTime, cInt, cInt32, cInt64, cFloat32, cFloat64, cBool:
		return b.typeOf(t, "")
	}
	return nil
}

// enumValues lists a parameter's allowed values, for its doc comment.
func (b *builder) enumValues(s *spec.Schema) []string {
	t, ok := b.target(s)
	if !ok || t == nil {
		return nil
	}
	if t.Type == "array" && t.Items != nil {
		if t, ok = b.target(t.Items); !ok || t == nil {
			return nil
		}
	}
	var out []string
	for _, v := range t.Enum {
		out = append(out, describeValue(v))
	}
	return out
}

func (b *builder) body(act *Action, body *spec.Body) *Body {
	ct := body.ContentType
	if ct == "" {
		ct = spec.ContentJSON
	}
	out := &Body{GoName: "Body", ContentType: ct, Required: body.Required, Description: body.Description, FormArrays: body.FormArrays}
	if ct == spec.ContentForm && out.FormArrays == "" {
		out.FormArrays = "repeat"
	}
	switch {
	case ct == spec.ContentForm || ct == spec.ContentMultipart:
		b.c.NeedsEncode = true
	case !spec.IsJSON(ct):
		out.Type = Reader // raw bytes of their own media type
		return out
	}
	t := b.typeOf(body.Schema, act.GoName+"Body")
	if ct == spec.ContentMultipart {
		b.fileParts(body.Schema, t)
	}
	if !body.Required && !t.IsNilable() {
		t = Ptr(t)
	}
	out.Type = t
	return out
}

// itemType finds the element type of the array at the dot path items in
// the action's result, reusing the types already declared for it.
func (b *builder) itemType(act *Action, path string) *GoType {
	elem, found := b.listElem(act.Result, path)
	switch {
	case !found:
		b.warnf("action %s: paginate.items %q is not a field of the response; items are json.RawMessage", act.Name, path)
	case elem == nil:
		b.warnf("action %s: paginate.items %q is not a list in the response; items are json.RawMessage", act.Name, path)
	default:
		return elem
	}
	return RawJSON
}

// listElem is the element type of the list at the dot path in t: nil
// when the path leads to something else, and found false when it leads
// nowhere.
func (b *builder) listElem(t *GoType, path string) (elem *GoType, found bool) {
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			if t = b.fieldType(t, seg); t == nil {
				return nil, false
			}
		}
	}
	if t = b.underlying(t); t.Kind == Slice {
		return t.Elem, true
	}
	return nil, true
}

// underlying strips pointers and follows defined and alias types.
func (b *builder) underlying(t *GoType) *GoType {
	for i := 0; i < 100; i++ {
		switch {
		case t.Kind == Pointer:
			t = t.Elem
		case t.Kind == Named && !t.IsStruct:
			decl := b.declared[t.Name]
			if decl == nil || decl.Underlying == nil {
				return t
			}
			t = decl.Underlying
		default:
			return t
		}
	}
	return t
}

func (b *builder) fieldType(t *GoType, jsonName string) *GoType {
	t = b.underlying(t)
	if t.Kind != Named {
		return nil
	}
	decl := b.declared[t.Name]
	if decl == nil || decl.Kind != Struct {
		return nil
	}
	for _, f := range decl.Fields {
		if f.JSONName == jsonName {
			return f.Type
		}
	}
	return nil
}

// breakCycles turns value struct fields that lead back to their own struct
// into pointers: a Go struct cannot contain itself. A field of t holding r
// by value leads back to t exactly when r and t are in one strongly
// connected component of the "holds by value" graph, which Tarjan's
// algorithm finds in one pass over the types (a search from every field
// would be quadratic in a spec of thousands of recursive schemas).
func (b *builder) breakCycles() {
	// next lists the structs that a struct (or an alias of one) holds by
	// value.
	next := map[string][]string{}
	for _, t := range b.c.Types {
		switch {
		case t.Kind == Struct:
			next[t.Name] = []string{}
			for _, f := range t.Fields {
				if r := valueStruct(f.Type); r != "" {
					next[t.Name] = append(next[t.Name], r)
				}
			}
		case t.Kind == Alias && t.Underlying.Kind == Named && t.Underlying.IsStruct:
			next[t.Name] = []string{t.Underlying.Name}
		}
	}
	comp := components(b.c.Types, next)
	for _, t := range b.c.Types {
		if t.Kind != Struct {
			continue
		}
		for _, f := range t.Fields {
			if r := valueStruct(f.Type); r != "" {
				if c, ok := comp[r]; ok && c == comp[t.Name] {
					f.Type = Ptr(f.Type)
				}
			}
		}
	}
}

// valueStruct is the struct a field of type t holds by value, or "".
func valueStruct(t *GoType) string {
	if t.Kind == Named && t.IsStruct {
		return t.Name
	}
	return ""
}

// components numbers the strongly connected components of the graph next
// (Tarjan's algorithm), visiting the types in declaration order so the
// numbering is deterministic. The recursion is as deep as the longest
// chain of types, which the input bounds.
func components(types []*Type, next map[string][]string) map[string]int {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	comp := map[string]int{}
	n := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = n, n
		n++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range next[v] {
			if _, known := next[w]; !known {
				continue
			}
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp[w] = index[v]
				if w == v {
					break
				}
			}
		}
	}
	for _, t := range types {
		if _, ok := next[t.Name]; ok {
			if _, seen := index[t.Name]; !seen {
				visit(t.Name)
			}
		}
	}
	return comp
}
