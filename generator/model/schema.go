package model

import (
	"cmp"
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

// classified is classify's answer, kept per schema.
type classified struct {
	cl   class
	next *spec.Schema
}

// classify decides s's class; for cRef it also returns the schema to
// follow. Each schema is classified once and the answer kept, so a schema
// that many others reach through unions or allOf costs nothing the second
// time. A schema met again while its own class is being decided (a union
// or an allOf that contains itself) is json.RawMessage for that inner use.
func (b *builder) classify(s *spec.Schema) (class, *spec.Schema) {
	if s == nil {
		return cRaw, nil
	}
	if r, ok := b.classes[s]; ok {
		return r.cl, r.next
	}
	if b.classifying[s] || b.exhausted() {
		return cRaw, nil
	}
	b.classifying[s] = true
	b.work.Visits++
	cl, next := b.classifyOnce(s)
	delete(b.classifying, s)
	b.classes[s] = classified{cl, next}
	return cl, next
}

// classifyOnce is classify without the memo. A reference or a wrapper is
// decided first and without looking further, so the answer cRef never
// depends on a schema being classified (which target's memo relies on).
func (b *builder) classifyOnce(s *spec.Schema) (class, *spec.Schema) {
	if s.Ref != "" {
		return cRef, s
	}
	if part := wrapped(s); part != nil {
		return cRef, part
	}
	if len(s.OneOf)+len(s.AnyOf) > 0 && (len(s.Properties) > 0 || len(s.AllOf) > 0) && b.requirementsOnly(s) {
		// {properties: ..., anyOf: [{required: [a]}, {required: [b]}]}:
		// alternatives that only say which of the object's own
		// properties must be present shape nothing. The object is its
		// struct; a struct cannot say "at least one of", so those fields
		// stay optional (Invoke's input check still applies them).
		if len(s.AllOf) > 0 {
			if props, _, ok := b.collectProps(s); ok && len(props) > 0 {
				return cStruct, nil
			}
			return cRaw, nil
		}
		return cStruct, nil
	}
	if len(s.OneOf)+len(s.AnyOf) > 0 {
		if _, ok := b.variants(s); ok {
			return cUnion, nil
		}
		if b.mergeable(s) {
			return cStruct, nil
		}
		return cRaw, nil
	}
	if len(s.AllOf) > 0 {
		if props, _, ok := b.collectProps(s); ok && len(props) > 0 {
			return cStruct, nil
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

// wrapped returns the one schema that s only documents, or nil. A wrapper
// adds a description, nullability, a default, bounds or a narrowing enum
// around a single schema — {description: "The parent.", allOf: [{$ref:
// Node}]}, a oneOf or anyOf of one (null aside), an allOf whose other
// parts say nothing — and declares no shape of its own. It is typed as
// that schema, as ogen and oapi-codegen type a one-element allOf: a field
// documented this way is the referenced type, not a fresh copy of it
// (which, for a type that refers to itself, never ended).
func wrapped(s *spec.Schema) *spec.Schema {
	if len(s.Properties) > 0 || s.Items != nil ||
		s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		return nil
	}
	var part *spec.Schema
	n := 0
	for _, p := range s.AllOf {
		if p != nil && p.Untyped() && len(p.Required) == 0 {
			continue // {description: ...} or {nullable: true}: documentation only
		}
		part = p
		n++
	}
	for _, p := range nonNull(s.OneOf, s.AnyOf) {
		part = p
		n++
	}
	if n != 1 || part == nil {
		return nil
	}
	return part
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

// targetResult is target's answer, kept per schema.
type targetResult struct {
	s  *spec.Schema
	ok bool
}

// target follows a chain of references and wrappers; ok is false on a
// cycle or a dangling reference. Every schema on the chain keeps the
// answer, so a long chain is walked once, not once per link.
func (b *builder) target(s *spec.Schema) (*spec.Schema, bool) {
	var chain []*spec.Schema
	onChain := map[*spec.Schema]bool{}
	var res targetResult
	for {
		if r, ok := b.targets[s]; ok {
			res = r
			break
		}
		if onChain[s] {
			break // a cycle: nil, false
		}
		onChain[s] = true
		chain = append(chain, s)
		b.work.Visits++
		cl, next := b.classify(s)
		if cl != cRef {
			res = targetResult{s, true}
			break
		}
		if next.Ref != "" {
			r := b.named[next.RefName()]
			if r == nil {
				break // dangling: nil, false
			}
			next = r
		}
		s = next
	}
	for _, c := range chain {
		b.targets[c] = res
	}
	return res.s, res.ok
}

// merged is collectProps's answer, kept per schema.
type merged struct {
	props    spec.Schemas
	required []string
	ok       bool
}

// collectProps merges an object's own properties with those of its allOf
// parts (and, for a merged union, its alternatives'). ok is false when a
// part is not an object, or when merging would pass the declaration
// budget. Each schema is merged once and the answer kept, and each part
// counts once per merge: an allOf diamond (two paths to one base) costs
// the base once, not once per path. A schema met again while it is being
// merged is an allOf cycle: it adds nothing the second time, and the
// cycle is a warning.
func (b *builder) collectProps(s *spec.Schema) (spec.Schemas, []string, bool) {
	if m, ok := b.merged[s]; ok {
		return m.props, m.required, m.ok
	}
	if i := slices.Index(b.merging, s); i >= 0 {
		b.warnCycle(b.merging[i:])
		return nil, nil, true
	}
	b.merging = append(b.merging, s)
	b.work.Visits++
	props, required, ok := b.mergeOnce(s)
	b.merging = b.merging[:len(b.merging)-1]
	if ok && !b.spend(len(props)) {
		b.warnf("%s: more properties once allOf is merged than this spec's budget allows; typed as json.RawMessage", b.where(s))
		props, required, ok = nil, nil, false
	}
	b.merged[s] = merged{props, required, ok}
	return props, required, ok
}

// mergeOnce is collectProps without the memo.
func (b *builder) mergeOnce(s *spec.Schema) (spec.Schemas, []string, bool) {
	var props spec.Schemas
	index := map[string]int{} // property name -> its place in props
	var required []string
	alternative := false // adding a oneOf/anyOf alternative's properties
	add := func(ps spec.Schemas, req []string) {
		for _, p := range ps {
			i, seen := index[p.Name]
			switch {
			case !seen:
				index[p.Name] = len(props)
				props = append(props, p)
			case alternative && b.unionEnum(props[i].Schema, p.Schema) != nil:
				// Alternatives that allow different values of one
				// property: the field takes any of them, not only the
				// last alternative's.
				props[i].Schema = b.unionEnum(props[i].Schema, p.Schema)
			case !p.Schema.Untyped():
				// A later part refines the property; an untyped one
				// (an undeclared required name the importer added)
				// never replaces a typed one.
				props[i].Schema = p.Schema
			}
		}
		required = append(required, req...)
	}
	done := map[*spec.Schema]bool{} // parts merged already, by target
	for _, part := range s.AllOf {
		t, ok := b.target(part)
		if !ok {
			return nil, nil, false
		}
		if done[t] {
			continue
		}
		done[t] = true
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
		ps, req, ok := b.collectProps(t)
		if !ok {
			return nil, nil, false
		}
		add(ps, req)
	}
	if len(s.OneOf)+len(s.AnyOf) > 0 && !b.requirementsOnly(s) {
		// A merged union: every alternative's properties, none required,
		// since any one alternative may be the value.
		alternative = true
		for _, alt := range nonNull(s.OneOf, s.AnyOf) {
			t, ok := b.target(alt)
			if !ok || t == nil {
				return nil, nil, false
			}
			if done[t] {
				continue
			}
			done[t] = true
			ps, _, ok := b.collectProps(t)
			if !ok {
				return nil, nil, false
			}
			add(ps, nil)
		}
		alternative = false
	}
	add(s.Properties, s.Required)
	return props, required, true
}

// unionEnum is the string enum of every value that the enums a and b
// allow (each a string enum, through references), or nil when either is
// not one or they allow the same values. The answer is kept per pair, so
// a merged struct names the same schema each time it is merged.
func (b *builder) unionEnum(a, x *spec.Schema) *spec.Schema {
	key := [2]*spec.Schema{a, x}
	if u, ok := b.enumUnions[key]; ok {
		return u
	}
	var out *spec.Schema
	ta, okA := b.target(a)
	tx, okX := b.target(x)
	if okA && okX && ta != nil && tx != nil && ta != tx && isStringEnum(ta) && isStringEnum(tx) {
		vals := slices.Clone(ta.Enum)
		for _, v := range tx.Enum {
			if !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) > len(ta.Enum) {
			out = &spec.Schema{Type: "string", Enum: vals, Description: cmp.Or(a.Description, ta.Description),
				Nullable: a.Nullable || ta.Nullable || x.Nullable || tx.Nullable}
		}
	}
	if b.enumUnions == nil {
		b.enumUnions = map[[2]*spec.Schema]*spec.Schema{}
	}
	b.enumUnions[key] = out
	return out
}

// altRequired is the set of names that some alternative of a merged
// union requires: fields that value must be able to carry even when they
// are empty.
func (b *builder) altRequired(s *spec.Schema) map[string]bool {
	if len(s.OneOf)+len(s.AnyOf) == 0 || b.requirementsOnly(s) {
		return nil
	}
	out := map[string]bool{}
	for _, alt := range nonNull(s.OneOf, s.AnyOf) {
		if t, ok := b.target(alt); ok && t != nil {
			_, req, _ := b.collectProps(t)
			for _, r := range req {
				out[r] = true
			}
		}
	}
	return out
}

// warnCycle reports an allOf cycle once, naming the schemas on it.
func (b *builder) warnCycle(cycle []*spec.Schema) {
	var names []string
	for _, s := range cycle {
		if n := b.schemaName[s]; n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		names = []string{"an inline schema"}
	}
	key := strings.Join(names, " → ")
	if b.cyclesWarned[key] {
		return
	}
	b.cyclesWarned[key] = true
	b.warnf("schemas: allOf cycle %s → %s: each schema's properties are merged once", key, names[0])
}

// where names s in a warning: its schema name, or "an inline schema".
func (b *builder) where(s *spec.Schema) string {
	if n := b.schemaName[s]; n != "" {
		return "schemas." + n
	}
	return "an inline schema"
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
		if len(s.Properties) > 0 && alt.Untyped() {
			// Beside properties, an alternative that lists only required
			// names or nothing ({title: other type}, Intercom's) shapes
			// no more than the object does.
			continue
		}
		t, ok := b.target(alt)
		if !ok || t == nil {
			return false
		}
		if cl, _ := b.classify(t); cl != cStruct {
			return false
		}
		props, _, ok := b.collectProps(t)
		if !ok || !check(props) {
			return false
		}
	}
	return true
}

// refType is the Go type of a reference to a top-level schema: its declared
// name. Declarations are made in spec order by declareSchema.
func (b *builder) refType(name string) *GoType {
	s := b.named[name]
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
	s := b.named[name]
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
	self := &GoType{Kind: Named, Name: goName, IsStruct: true}
	b.declaring[s] = self
	defer delete(b.declaring, s)
	props, required, _ := b.collectProps(s)
	altRequired := b.altRequired(s)
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
		if !req && altRequired[p.Name] && (ft.Kind == Map || ft.Kind == Slice) {
			// Required by an alternative of a merged union: nil is left
			// out, but an empty object or list (item_schema: {}) is sent.
			f.OmitEmpty, f.OmitZero = false, true
		}
		t.Fields = append(t.Fields, f)
	}
	return self
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
//
// An inline schema is declared afresh for each place that uses it (a
// base's inline property, in every type that extends the base), except
// while it is being declared: met again inside itself, through the named
// types an allOf merges, it is the type under way. So every recursion
// goes through a named type. Each call spends from the declaration
// budget; once that is spent, the rest is json.RawMessage.
func (b *builder) typeOf(s *spec.Schema, ctx string) *GoType {
	if t := b.declaring[s]; t != nil {
		return t
	}
	if !b.spend(1) {
		return RawJSON
	}
	cl, next := b.classify(s)
	switch cl {
	case cRef:
		if next.Ref != "" {
			if b.named[next.RefName()] == nil {
				return RawJSON
			}
			return b.refType(next.RefName())
		}
		if _, ok := b.target(next); !ok {
			return RawJSON
		}
		return b.typeOf(next, ctx)
	case cStruct:
		if props, _, _ := b.collectProps(s); !b.spend(len(props)) {
			return RawJSON
		}
		return b.declareStruct(b.ids.Unique(ctx), s)
	case cEnum:
		if !b.spend(len(s.Enum)) {
			return RawJSON
		}
		return b.declareEnum(b.ids.Unique(ctx), s)
	case cUnion:
		if !b.spend(len(s.OneOf) + len(s.AnyOf)) {
			return RawJSON
		}
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
