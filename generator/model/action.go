package model

import (
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
	if a.Paginate != nil {
		b.c.NeedsPaginate = true
		act.Paginate = &Pagination{Method: act.GoName + "All", Paginate: *a.Paginate, Item: b.itemType(act, a.Paginate.Items)}
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
	switch {
	case t == nil:
		b.warnf("action %s: parameter %q is not a scalar or a list of scalars; typed as string (pass it serialized)", act.Name, p.Name)
		t = String
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
	if !body.Required && !t.IsNilable() {
		t = Ptr(t)
	}
	out.Type = t
	return out
}

// itemType finds the element type of the array at the dot path items in
// the action's result, reusing the types already declared for it.
func (b *builder) itemType(act *Action, path string) *GoType {
	t := act.Result
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			t = b.fieldType(t, seg)
			if t == nil {
				b.warnf("action %s: paginate.items %q is not a field of the response; items are json.RawMessage", act.Name, path)
				return RawJSON
			}
		}
	}
	if t = b.underlying(t); t.Kind == Slice {
		return t.Elem
	}
	b.warnf("action %s: paginate.items %q is not a list in the response; items are json.RawMessage", act.Name, path)
	return RawJSON
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
// into pointers: a Go struct cannot contain itself.
func (b *builder) breakCycles() {
	structs := map[string]*Type{}
	for _, t := range b.c.Types {
		if t.Kind == Struct {
			structs[t.Name] = t
		} else if t.Kind == Alias && t.Underlying.Kind == Named && t.Underlying.IsStruct {
			structs[t.Name] = t
		}
	}
	// valueRef is the struct a field holds by value, or "".
	valueRef := func(f *Field) string {
		if f.Type.Kind == Named && f.Type.IsStruct {
			return f.Type.Name
		}
		return ""
	}
	var reaches func(from, to string, seen map[string]bool) bool
	reaches = func(from, to string, seen map[string]bool) bool {
		if from == to {
			return true
		}
		if seen[from] {
			return false
		}
		seen[from] = true
		t := structs[from]
		if t == nil {
			return false
		}
		if t.Kind == Alias {
			return reaches(t.Underlying.Name, to, seen)
		}
		for _, f := range t.Fields {
			if r := valueRef(f); r != "" && reaches(r, to, seen) {
				return true
			}
		}
		return false
	}
	for _, t := range b.c.Types {
		if t.Kind != Struct {
			continue
		}
		for _, f := range t.Fields {
			if r := valueRef(f); r != "" && reaches(r, t.Name, map[string]bool{}) {
				f.Type = Ptr(f.Type)
			}
		}
	}
}
