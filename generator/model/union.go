package model

import (
	"maps"
	"slices"
	"strconv"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// variant is an alternative of a oneOf/anyOf before it is declared.
type variant struct {
	schema *spec.Schema
	kind   byte
	tag    string
	prop   string // with tag: the property that holds it
}

// variants decides whether a oneOf/anyOf can be a typed union: with a
// discriminator, every alternative must be a referenced object schema with
// a distinct tag; without one, every alternative must be an object schema
// with a tag inferred from its properties (see inferredVariants), or have
// a distinct JSON kind (one object, one string, one number, ...). Anything
// else stays json.RawMessage (or, see mergeable, one merged struct).
func (b *builder) variants(s *spec.Schema) ([]variant, bool) {
	if len(s.OneOf) > 0 && len(s.AnyOf) > 0 || len(s.Properties) > 0 || len(s.AllOf) > 0 {
		return nil, false
	}
	alts := nonNull(s.OneOf, s.AnyOf)
	if len(alts) < 2 || b.inVariants[s] {
		return nil, false // a union that contains itself stays raw JSON
	}
	b.inVariants[s] = true
	defer delete(b.inVariants, s)
	if d := s.Discriminator; d != nil {
		if vs, ok := b.taggedVariants(d, alts); ok {
			return vs, true
		}
	} else if vs, ok := b.inferredVariants(alts); ok {
		return vs, true
	}
	out := make([]variant, len(alts))
	seen := map[byte]bool{}
	for i, alt := range alts {
		t, ok := b.target(alt)
		if !ok || t == nil {
			return nil, false
		}
		cl, _ := b.classify(t)
		k := jsonKind(cl)
		if k == 0 || seen[k] {
			return nil, false
		}
		seen[k] = true
		out[i] = variant{schema: alt, kind: k}
	}
	return out, true
}

// taggedVariants tells alternatives apart by a discriminator: each must be
// a referenced object schema with a tag of its own.
func (b *builder) taggedVariants(d *spec.Discriminator, alts []*spec.Schema) ([]variant, bool) {
	out := make([]variant, len(alts))
	seen := map[string]bool{}
	for i, alt := range alts {
		t, ok := b.target(alt)
		if !ok || t == nil || alt.Ref == "" {
			return nil, false
		}
		if cl, _ := b.classify(t); cl != cStruct {
			return nil, false
		}
		tag := b.tagOf(d, alt, t)
		if seen[tag] {
			return nil, false
		}
		seen[tag] = true
		out[i] = variant{schema: alt, kind: '{', tag: tag, prop: d.PropertyName}
	}
	return out, true
}

// inferredVariants tells apart, without a discriminator, alternatives
// that are all object schemas (referenced or inline) by a property that
// each of them declares as a single string enum value or const, distinct
// across them ({type: {enum: [text]}} beside {type: {enum: [image]}}): that
// property is the discriminator OpenAPI would have named. When several
// properties qualify, one that every alternative requires wins, then the
// first by name; ok is false when none does.
func (b *builder) inferredVariants(alts []*spec.Schema) ([]variant, bool) {
	type shape struct {
		props    spec.Schemas
		required []string
	}
	shapes := make([]shape, len(alts))
	for i, alt := range alts {
		t, ok := b.target(alt)
		if !ok || t == nil {
			return nil, false
		}
		if cl, _ := b.classify(t); cl != cStruct {
			return nil, false
		}
		props, required, ok := b.collectProps(t)
		if !ok {
			return nil, false
		}
		shapes[i] = shape{props, required}
	}
	var best string
	bestRequired := false
	for _, p := range shapes[0].props {
		if singleTag(b, p.Schema) == "" {
			continue
		}
		seen := map[string]bool{}
		required := true
		for _, sh := range shapes {
			tag := singleTag(b, sh.props.Get(p.Name))
			if tag == "" || seen[tag] {
				required = false
				seen = nil
				break
			}
			seen[tag] = true
			required = required && slices.Contains(sh.required, p.Name)
		}
		if seen == nil {
			continue
		}
		if best == "" || required && !bestRequired || required == bestRequired && p.Name < best {
			best, bestRequired = p.Name, required
		}
	}
	if best == "" {
		return nil, false
	}
	out := make([]variant, len(alts))
	for i, alt := range alts {
		out[i] = variant{schema: alt, kind: '{', tag: singleTag(b, shapes[i].props.Get(best)), prop: best}
	}
	return out, true
}

// singleTag is the value of a property schema that allows one string
// only (an enum of one, as a const is imported), else "".
func singleTag(b *builder, p *spec.Schema) string {
	if p == nil {
		return ""
	}
	t, ok := b.target(p)
	if !ok || t == nil || len(t.Enum) != 1 {
		return ""
	}
	if v, isString := t.Enum[0].(string); isString && v != "" {
		return v
	}
	return ""
}

// jsonKind is the kind of JSON value a class is written as, or 0.
func jsonKind(cl class) byte {
	switch cl {
	case cStruct, cMap, cAnyMap:
		return '{'
	case cArray:
		return '['
	case cString, cEnum, cTime, cBytes:
		return '"'
	case cInt, cInt32, cInt64, cFloat32, cFloat64:
		return '0'
	case cBool:
		return 't'
	}
	return 0
}

// tagOf is the discriminator value of the alternative alt (a reference to
// the object schema t): from the mapping, else the single enum value of the
// property, else the schema name, as OpenAPI defines.
func (b *builder) tagOf(d *spec.Discriminator, alt, t *spec.Schema) string {
	for _, value := range slices.Sorted(maps.Keys(d.Mapping)) {
		if d.Mapping[value] == alt.Ref {
			return value
		}
	}
	props, _, _ := b.collectProps(t)
	if p, ok := b.target(props.Get(d.PropertyName)); ok && p != nil && len(p.Enum) == 1 {
		if v, isString := p.Enum[0].(string); isString {
			return v
		}
	}
	return alt.RefName()
}

func (b *builder) declareUnion(goName string, s *spec.Schema) *GoType {
	b.c.NeedsUnion = true
	t := &Type{Name: goName, Doc: s.Description, Kind: Union}
	b.declare(t)
	self := &GoType{Kind: Named, Name: goName, IsStruct: true}
	b.declaring[s] = self
	defer delete(b.declaring, s)
	vs, _ := b.variants(s)
	if len(vs) > 0 && vs[0].tag != "" {
		t.Discriminator = vs[0].prop
	}
	fields := names.NewSet("Unknown")
	for i, v := range vs {
		ctx := goName + "Variant" + strconv.Itoa(i+1)
		if v.tag != "" && v.schema.Ref == "" {
			ctx = goName + names.Go(v.tag) // an inline alternative, named after its tag
		}
		ft := b.typeOf(v.schema, ctx)
		name := variantName(ft)
		if !ft.IsNilable() {
			ft = Ptr(ft)
		}
		t.Variants = append(t.Variants, &Variant{GoName: fields.Unique(name), Type: ft, Kind: v.kind, Tag: v.tag})
	}
	return self
}

// variantName names a union field after its type.
func variantName(t *GoType) string {
	switch t.Kind {
	case Named:
		return t.Name
	case Slice:
		return "List"
	case Map:
		return "Object"
	case Qual:
		return names.Go(t.Name)
	}
	switch t.Name {
	case "string":
		return "String"
	case "bool":
		return "Bool"
	case "float32", "float64":
		return "Float"
	}
	return "Int"
}
