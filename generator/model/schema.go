package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// class is the one decision of how a schema becomes Go; typeOf and the
// shallow shape used for references both follow it, so they agree.
type class int

const (
	cRaw    class = iota // json.RawMessage: anything not typed precisely
	cRef                 // a $ref (or a oneOf/anyOf/allOf of one part): the target's type
	cStruct              // an object with properties (allOf merged)
	cEnum                // a string enum: a defined type with constants
	cString
	cTime
	cBytes
	cInt
	cInt32
	cInt64
	cFloat32
	cFloat64
	cBool
	cArray
	cMap    // additionalProperties with a schema
	cAnyMap // an object without properties
	cUnion  // a oneOf/anyOf whose alternatives can be told apart
)

// classify decides s's class; for cRef it also returns the schema to follow.
func (b *builder) classify(s *spec.Schema) (class, *spec.Schema) {
	if s == nil {
		return cRaw, nil
	}
	if s.Ref != "" {
		return cRef, s
	}
	if alts := nonNull(s.OneOf, s.AnyOf); len(alts) > 0 || len(s.OneOf)+len(s.AnyOf) > 0 {
		if len(alts) == 1 && len(s.Properties) == 0 && len(s.AllOf) == 0 {
			return cRef, alts[0]
		}
		if _, ok := b.variants(s); ok {
			return cUnion, nil
		}
		if b.mergeable(s) {
			return cStruct, nil
		}
		return cRaw, nil
	}
	if len(s.AllOf) > 0 {
		if props, _, ok := b.collectProps(s, map[*spec.Schema]bool{}); ok && len(props) > 0 {
			return cStruct, nil
		}
		if len(s.AllOf) == 1 && len(s.Properties) == 0 {
			return cRef, s.AllOf[0]
		}
		return cRaw, nil
	}
	switch s.Type {
	case "string":
		switch {
		case isStringEnum(s):
			return cEnum, nil
		case s.Format == "date-time":
			return cTime, nil
		case s.Format == "byte" || s.Format == "binary":
			return cBytes, nil
		}
		return cString, nil
	case "integer":
		switch s.Format {
		case "int32":
			return cInt32, nil
		case "int64":
			return cInt64, nil
		}
		return cInt, nil
	case "number":
		if s.Format == "float" {
			return cFloat32, nil
		}
		return cFloat64, nil
	case "boolean":
		return cBool, nil
	case "array":
		return cArray, nil
	case "object", "":
		switch {
		case len(s.Properties) > 0:
			return cStruct, nil
		case s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil:
			return cMap, nil
		case s.Type == "object":
			return cAnyMap, nil
		case s.Items != nil:
			return cArray, nil
		case isStringEnum(s):
			return cEnum, nil
		}
	}
	return cRaw, nil
}

// nonNull returns the alternatives that are not just {type: null}-like
// empty schemas marked nullable.
func nonNull(lists ...[]*spec.Schema) []*spec.Schema {
	var out []*spec.Schema
	for _, l := range lists {
		for _, s := range l {
			if s != nil && !(s.Nullable && s.Type == "" && s.Ref == "" && len(s.Properties) == 0) {
				out = append(out, s)
			}
		}
	}
	return out
}

func isStringEnum(s *spec.Schema) bool {
	if len(s.Enum) == 0 || (s.Type != "string" && s.Type != "") {
		return false
	}
	for _, v := range s.Enum {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// target follows a chain of references; ok is false on a cycle or a
// dangling reference.
func (b *builder) target(s *spec.Schema) (*spec.Schema, bool) {
	seen := map[*spec.Schema]bool{}
	for {
		if seen[s] {
			return nil, false
		}
		seen[s] = true
		cl, next := b.classify(s)
		if cl != cRef {
			return s, true
		}
		if next.Ref != "" {
			r := b.s.Schemas.Get(next.RefName())
			if r == nil {
				return nil, false
			}
			next = r
		}
		s = next
	}
}

// collectProps merges an object's own properties with those of its allOf
// parts. ok is false when a part is not an object.
func (b *builder) collectProps(s *spec.Schema, seen map[*spec.Schema]bool) (spec.Schemas, []string, bool) {
	if seen[s] {
		return nil, nil, false
	}
	seen[s] = true
	defer delete(seen, s)
	var props spec.Schemas
	var required []string
	add := func(ps spec.Schemas, req []string) {
		for _, p := range ps {
			if props.Get(p.Name) == nil {
				props = append(props, p)
			} else if !p.Schema.Untyped() {
				// A later part refines the property; an untyped one
				// (an undeclared required name the importer added)
				// never replaces a typed one.
				for i := range props {
					if props[i].Name == p.Name {
						props[i].Schema = p.Schema
					}
				}
			}
		}
		required = append(required, req...)
	}
	for _, part := range s.AllOf {
		t, ok := b.target(part)
		if !ok {
			return nil, nil, false
		}
		if len(t.Properties) == 0 && len(t.AllOf) == 0 {
			if t.Type != "" && t.Type != "object" {
				return nil, nil, false
			}
			if len(t.OneOf)+len(t.AnyOf) > 0 {
				if !b.requirementsOnly(t) {
					return nil, nil, false
				}
				// {anyOf: [{required: [a]}, {required: [b]}]}: at least
				// one of properties declared elsewhere, which a struct
				// cannot say; the fields stay optional.
				continue
			}
			// A constraint-only part such as {description: ...} or
			// {required: [name]}, whose names the other parts declare.
			required = append(required, t.Required...)
			continue
		}
		ps, req, ok := b.collectProps(t, seen)
		if !ok {
			return nil, nil, false
		}
		add(ps, req)
	}
	if len(s.OneOf)+len(s.AnyOf) > 0 {
		// A merged union: every alternative's properties, none required,
		// since any one alternative may be the value.
		for _, alt := range nonNull(s.OneOf, s.AnyOf) {
			t, ok := b.target(alt)
			if !ok || t == nil {
				return nil, nil, false
			}
			ps, _, ok := b.collectProps(t, seen)
			if !ok {
				return nil, nil, false
			}
			add(ps, nil)
		}
	}
	add(s.Properties, s.Required)
	return props, required, true
}

// requirementsOnly reports whether every alternative of s's oneOf/anyOf
// only lists required names (or nothing): no type, properties or
// alternatives of its own.
func (b *builder) requirementsOnly(s *spec.Schema) bool {
	for _, l := range [][]*spec.Schema{s.OneOf, s.AnyOf} {
		for _, alt := range l {
			if alt == nil || !alt.Untyped() {
				return false
			}
		}
	}
	return true
}

// mergeable reports whether a oneOf/anyOf that cannot be a tagged union is
// a set of object shapes whose properties agree in type: then it is typed
// as one struct with all their properties, each optional. Many documents
// list object variants without a discriminator (or, like Slack's, as an
// items list); a struct keeps them typed instead of json.RawMessage.
func (b *builder) mergeable(s *spec.Schema) bool {
	if len(s.AllOf) > 0 || len(s.OneOf) > 0 && len(s.AnyOf) > 0 || b.inVariants[s] {
		return false
	}
	b.inVariants[s] = true
	defer delete(b.inVariants, s)
	classes := map[string]class{}
	check := func(props spec.Schemas) bool {
		for _, p := range props {
			t, ok := b.target(p.Schema)
			if !ok || t == nil {
				return false
			}
			cl, _ := b.classify(t)
			if prev, seen := classes[p.Name]; seen && prev != cl {
				return false
			}
			classes[p.Name] = cl
		}
		return true
	}
	if !check(s.Properties) {
		return false
	}
	for _, alt := range nonNull(s.OneOf, s.AnyOf) {
		t, ok := b.target(alt)
		if !ok || t == nil {
			return false
		}
		if cl, _ := b.classify(t); cl != cStruct {
			return false
		}
		props, _, ok := b.collectProps(t, map[*spec.Schema]bool{})
		if !ok || !check(props) {
			return false
		}
	}
	return true
}

// refType is the Go type of a reference to a top-level schema: its declared
// name. Declarations are made in spec order by declareSchema.
func (b *builder) refType(name string) *GoType {
	s := b.s.Schemas.Get(name)
	t, ok := b.target(s)
	if !ok {
		return RawJSON
	}
	cl, _ := b.classify(t)
	return &GoType{Kind: Named, Name: b.schemaNames[name], IsStruct: cl == cStruct || cl == cUnion,
		Nilable: cl == cRaw || cl == cBytes || cl == cArray || cl == cMap || cl == cAnyMap}
}

// declareSchema declares the top-level schema name.
func (b *builder) declareSchema(name string) {
	s := b.s.Schemas.Get(name)
	goName := b.schemaNames[name]
	cl, _ := b.classify(s)
	switch cl {
	case cStruct:
		b.declareStruct(goName, s)
		return
	case cEnum:
		b.declareEnum(goName, s)
		return
	case cUnion:
		b.declareUnion(goName, s)
		return
	}
	under := b.typeOf(s, goName)
	if cl == cRef {
		if _, ok := b.target(s); !ok {
			b.warnf("schemas.%s: reference cycle; typed as json.RawMessage", name)
			under = RawJSON
		}
	}
	kind := Alias
	if under.Kind == Slice || under.Kind == Map || under.Kind == Builtin && under.Name != "any" {
		// A defined type keeps recursive schemas legal (type Tree []Tree)
		// and loses no methods, since these underlying types have none.
		kind = DeclDefined
	}
	b.declare(&Type{Name: goName, Doc: s.Description, Kind: kind, Underlying: under})
}

func (b *builder) declareEnum(goName string, s *spec.Schema) *GoType {
	t := &Type{Name: goName, Doc: s.Description, Kind: Enum}
	seen := map[string]bool{}
	for _, v := range s.Enum {
		str := v.(string)
		if seen[str] {
			continue
		}
		seen[str] = true
		t.Values = append(t.Values, EnumItem{GoName: b.ids.Unique(goName + names.Go(str)), Value: str})
	}
	b.declare(t)
	return &GoType{Kind: Named, Name: goName}
}

func (b *builder) declareStruct(goName string, s *spec.Schema) *GoType {
	t := &Type{Name: goName, Doc: s.Description, Kind: Struct}
	b.declare(t)
	props, required, _ := b.collectProps(s, map[*spec.Schema]bool{})
	fieldNames := names.NewSet()
	for _, p := range props {
		if !validJSONName(p.Name) {
			b.warnf("%s: property %q cannot be a Go struct tag; dropped (use CustomAction for it)", goName, p.Name)
			continue
		}
		fieldName := fieldNames.Unique(names.Go(p.Name))
		ft := b.typeOf(p.Schema, goName+fieldName)
		req := slices.Contains(required, p.Name)
		nullable := p.Schema != nil && p.Schema.Nullable
		f := &Field{GoName: fieldName, JSONName: p.Name, Type: ft, OmitEmpty: !req}
		if p.Schema != nil {
			f.Doc = p.Schema.Description
		}
		if (!req || nullable) && !ft.IsNilable() {
			f.Type = Ptr(ft)
		}
		t.Fields = append(t.Fields, f)
	}
	return &GoType{Kind: Named, Name: goName, IsStruct: true}
}

// validJSONName reports whether encoding/json accepts name in a struct tag.
func validJSONName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) {
			continue
		}
		if !isLetterOrDigit(c) {
			return false
		}
	}
	return true
}

// typeOf is the Go type of s; ctx names inline types declared for it.
func (b *builder) typeOf(s *spec.Schema, ctx string) *GoType {
	cl, next := b.classify(s)
	switch cl {
	case cRef:
		if next.Ref != "" {
			if b.s.Schemas.Get(next.RefName()) == nil {
				return RawJSON
			}
			return b.refType(next.RefName())
		}
		if _, ok := b.target(next); !ok {
			return RawJSON
		}
		return b.typeOf(next, ctx)
	case cStruct:
		return b.declareStruct(b.ids.Unique(ctx), s)
	case cEnum:
		return b.declareEnum(b.ids.Unique(ctx), s)
	case cUnion:
		return b.declareUnion(b.ids.Unique(ctx), s)
	case cString:
		return String
	case cTime:
		return TimeType
	case cBytes:
		return &GoType{Kind: Slice, Elem: &GoType{Kind: Builtin, Name: "byte"}}
	case cInt:
		return &GoType{Kind: Builtin, Name: "int"}
	case cInt32:
		return &GoType{Kind: Builtin, Name: "int32"}
	case cInt64:
		return &GoType{Kind: Builtin, Name: "int64"}
	case cFloat32:
		return &GoType{Kind: Builtin, Name: "float32"}
	case cFloat64:
		return &GoType{Kind: Builtin, Name: "float64"}
	case cBool:
		return &GoType{Kind: Builtin, Name: "bool"}
	case cArray:
		return &GoType{Kind: Slice, Elem: b.typeOf(s.Items, ctx+"Item")}
	case cMap:
		return &GoType{Kind: Map, Elem: b.typeOf(s.AdditionalProperties.Schema, ctx+"Value")}
	case cAnyMap:
		return &GoType{Kind: Map, Elem: AnyType}
	}
	return RawJSON
}

// describeValue renders an enum or default value for a doc comment.
func describeValue(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}
