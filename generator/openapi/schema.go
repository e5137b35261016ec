package openapi

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

var specTypes = map[string]bool{
	"string": true, "integer": true, "number": true, "boolean": true, "object": true, "array": true,
}

var specFormats = map[string]bool{
	"date-time": true, "date": true, "int32": true, "int64": true, "float": true, "double": true,
	"uuid": true, "uri": true, "email": true, "byte": true, "binary": true,
	"url": true, "hostname": true, "ipv4": true, "ipv6": true,
}

const compPrefix = "#/components/schemas/"

// componentSchemas names every component schema (sorted, sanitized,
// unique) and converts them.
func (c *converter) componentSchemas() {
	if c.t.Components == nil {
		return
	}
	comps := c.t.Components.Schemas
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		name := c.names.unique(n)
		if name != n {
			c.w.add(c.compPtr(n), "schema %s renamed %s", n, name)
		}
		c.byComp[n] = name
		if r := comps[n]; r != nil && r.Value != nil {
			if _, dup := c.byValue[r.Value]; !dup && r.Ref == "" {
				c.byValue[r.Value] = name
			}
		}
		c.schemaIx[name] = len(c.schemas)
		c.schemas = append(c.schemas, spec.NamedSchema{Name: name})
	}
	for _, n := range names {
		r := comps[n]
		var out *spec.Schema
		switch {
		case r == nil || r.Value == nil:
			out = &spec.Schema{}
		case r.Ref != "":
			// an alias of another schema
			out = c.schemaRef(r, c.compPtr(n))
			if out.Ref == spec.RefPrefix+c.byComp[n] {
				out = c.schema(r.Value, c.compPtr(n))
			}
		default:
			out = c.schema(r.Value, c.compPtr(n))
		}
		c.schemas[c.schemaIx[c.byComp[n]]].Schema = out
	}
}

func (c *converter) compPtr(name string) string {
	if c.doc.swagger {
		return "#/definitions/" + ptrEscape(name)
	}
	return compPrefix + ptrEscape(name)
}

// refName is the schema name a reference points at, registering schemas
// of other files and deep references ("#/components/schemas/A/properties/b")
// under a name of their own.
func (c *converter) refName(r *openapi3.SchemaRef) string {
	if r.Value != nil {
		if n, ok := c.byValue[r.Value]; ok {
			return n
		}
	}
	if rest, ok := strings.CutPrefix(r.Ref, compPrefix); ok && !strings.Contains(rest, "/") {
		if n, ok := c.byComp[ptrUnescape(rest)]; ok {
			return n
		}
	}
	if r.Value == nil {
		return ""
	}
	name := c.names.unique(nameFromRef(r.Ref))
	c.byValue[r.Value] = name
	c.schemaIx[name] = len(c.schemas)
	c.schemas = append(c.schemas, spec.NamedSchema{Name: name})
	// A schema of its own starts at the top of the spec, however deep
	// the reference to it sits.
	depth := c.depth
	c.depth = 0
	out := c.schema(r.Value, r.Ref)
	c.depth = depth
	c.schemas[c.schemaIx[name]].Schema = out
	return name
}

// nameFromRef derives a schema name from a reference: the segments after
// the schemas map, or the file name.
func nameFromRef(ref string) string {
	file, frag, _ := strings.Cut(ref, "#")
	frag = strings.TrimPrefix(frag, "/")
	var segs []string
	for _, s := range strings.Split(frag, "/") {
		if s != "" {
			segs = append(segs, ptrUnescape(s))
		}
	}
	for i, s := range segs {
		if (s == "schemas" || s == "definitions" || s == "$defs") && i+1 < len(segs) {
			segs = segs[i+1:]
			break
		}
	}
	var parts []string
	for _, s := range segs {
		if s == "properties" || s == "items" {
			continue
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		base := file
		if i := strings.LastIndexAny(base, "/\\"); i >= 0 {
			base = base[i+1:]
		}
		if i := strings.Index(base, "."); i > 0 {
			base = base[:i]
		}
		return base
	}
	return strings.Join(parts, "_")
}

// schemaRef converts a schema or a reference to one.
func (c *converter) schemaRef(r *openapi3.SchemaRef, ptr string) *spec.Schema {
	if r == nil {
		return nil
	}
	if r.Ref != "" {
		if n := c.refName(r); n != "" {
			return &spec.Schema{Ref: spec.RefPrefix + n}
		}
	}
	if r.Value == nil {
		return &spec.Schema{}
	}
	return c.schema(r.Value, ptr)
}

// schemaType is the type of s with "null" removed, "" when none or several.
func schemaType(s *openapi3.Schema) (typ string, nullable bool, several []string) {
	nullable = s.Nullable
	if s.Type == nil {
		return "", nullable, nil
	}
	var types []string
	for _, t := range *s.Type {
		if t == "null" {
			nullable = true
		} else if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 1 {
		return types[0], nullable, nil
	}
	if len(types) > 1 {
		return "", nullable, types
	}
	return "", nullable, nil
}

// maxSchemaDepth bounds how deeply inline schemas nest in the spec import
// writes: well under the depth the spec loader accepts (spec.Load reads
// 200 YAML levels, two per schema level), and far beyond real documents.
const maxSchemaDepth = 64

// schema converts one (non-reference) schema that stands on its own.
func (c *converter) schema(s *openapi3.Schema, ptr string) *spec.Schema {
	return c.schemaIn(s, ptr, partOf{})
}

// partOf says where an inline schema sits: outer holds the property names
// that the schema it is an allOf part of declares (with that schema's
// other parts); branch is set inside a oneOf or anyOf alternative.
type partOf struct {
	outer  map[string]bool
	branch bool
}

// schemaIn converts one (non-reference) schema found at the place where.
func (c *converter) schemaIn(s *openapi3.Schema, ptr string, where partOf) *spec.Schema {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxSchemaDepth {
		c.w.add(ptr, "schema nested more than %d levels deep: any JSON value", maxSchemaDepth)
		return &spec.Schema{}
	}
	out := &spec.Schema{}
	typ, nullable, several := schemaType(s)
	if len(several) > 0 {
		c.w.add(ptr+"/type", "type %v not supported: any JSON value", several)
	}
	if typ != "" && !specTypes[typ] {
		if typ == "file" {
			typ = "string"
			out.Format = "binary"
		} else {
			c.w.add(ptr+"/type", "type %q not supported: any JSON value", typ)
			typ = ""
		}
	}
	if typ == "" {
		switch {
		case len(s.Properties) > 0:
			typ = "object"
		case s.Items != nil:
			typ = "array"
		}
	}
	out.Type = typ
	out.Nullable = nullable
	if specFormats[s.Format] && formatFits(typ, s.Format) {
		out.Format = s.Format
	}
	out.Description = shortText(s.Description)

	// A required name that no property declares, neither the schema's own
	// nor (through $refs) one of its parts', becomes a property of any
	// JSON value: without it the client could never send what the server
	// insists on. Only for objects that have properties or allOf (a
	// property-less object is a map that can carry any name) and not in a
	// oneOf or anyOf alternative.
	// declared is declaredProps(s, where.outer), computed once when needed
	// (it walks every part through $refs).
	var declared map[string]bool
	declaredNames := func() map[string]bool {
		if declared == nil {
			declared = declaredProps(s, where.outer)
		}
		return declared
	}
	var undeclared []string
	if (len(s.Properties) > 0 || len(s.AllOf) > 0) && (typ == "" || typ == "object") && !where.branch {
		for i, r := range s.Required {
			if r == "" || s.Properties[r] != nil || slices.Contains(undeclared, r) {
				continue
			}
			if !declaredNames()[r] {
				undeclared = append(undeclared, r)
				c.w.add(ptr+"/required/"+strconv.Itoa(i), "required property %q is declared nowhere: typed as any JSON value", r)
			}
		}
	}
	if len(s.Properties)+len(undeclared) > 0 {
		names := make([]string, 0, len(s.Properties)+len(undeclared))
		for n := range s.Properties {
			names = append(names, n)
		}
		names = append(names, undeclared...)
		sort.Strings(names)
		for _, n := range names {
			var p *spec.Schema
			if r, ok := s.Properties[n]; ok {
				p = c.schemaRef(r, ptr+"/properties/"+ptrEscape(n))
			}
			if p == nil {
				p = &spec.Schema{}
			}
			out.Properties = append(out.Properties, spec.NamedSchema{Name: n, Schema: p})
		}
	}
	// required beside allOf may name properties of the parts, and an
	// allOf part or oneOf/anyOf alternative that declares no properties
	// ({required: [name]}) may name its siblings': the generator merges
	// them, so the requirement still applies.
	requirementOnly := len(s.Properties) == 0 && len(s.AllOf) == 0 && (typ == "" || typ == "object") &&
		(where.outer != nil || where.branch)
	for _, r := range s.Required {
		if (len(s.AllOf) > 0 || requirementOnly || out.Properties.Get(r) != nil) && !slices.Contains(out.Required, r) {
			out.Required = append(out.Required, r)
		}
	}
	if s.Items != nil && (typ == "array" || typ == "") {
		out.Items = c.schemaRef(s.Items, ptr+"/items")
	}
	if ap := s.AdditionalProperties; typ == "object" || typ == "" {
		switch {
		case ap.Schema != nil:
			out.AdditionalProperties = &spec.AdditionalProperties{Schema: c.schemaRef(ap.Schema, ptr+"/additionalProperties")}
		case ap.Has != nil:
			out.AdditionalProperties = &spec.AdditionalProperties{Allowed: *ap.Has}
		}
	}

	enum := s.Enum
	if s.Const != nil && len(enum) == 0 {
		enum = []any{s.Const}
	}
	if len(enum) > 0 {
		vals, hasNull, ok := convEnum(enum, typ)
		if hasNull {
			out.Nullable = true
		}
		if !ok {
			c.w.add(ptr+"/enum", "enum values do not fit type %q; enum dropped", typ)
		} else if len(vals) > 0 {
			if out.Type == "" {
				out.Type = enumType(vals)
			}
			out.Enum = vals
		}
	}
	if s.Default != nil {
		if v, ok := fitValue(s.Default, out.Type); ok && (len(out.Enum) == 0 || containsValue(out.Enum, v)) {
			out.Default = v
		}
	}
	switch out.Type {
	case "array":
		if s.MinItems > 0 && s.MinItems < math.MaxInt32 {
			n := int(s.MinItems)
			out.MinItems = &n
		}
		if s.MaxItems != nil && *s.MaxItems < math.MaxInt32 {
			n := int(*s.MaxItems)
			out.MaxItems = &n
		}
		if out.MinItems != nil && out.MaxItems != nil && *out.MinItems > *out.MaxItems {
			out.MinItems, out.MaxItems = nil, nil
		}
	case "integer", "number":
		out.Minimum = finite(s.Min)
		out.Maximum = finite(s.Max)
		if out.Minimum != nil && out.Maximum != nil && *out.Minimum > *out.Maximum {
			out.Minimum, out.Maximum = nil, nil
		}
	case "string":
		if s.MinLength > 0 && s.MinLength < math.MaxInt32 {
			n := int(s.MinLength)
			out.MinLength = &n
		}
		if s.MaxLength != nil && *s.MaxLength < math.MaxInt32 {
			n := int(*s.MaxLength)
			out.MaxLength = &n
		}
		if out.MinLength != nil && out.MaxLength != nil && *out.MinLength > *out.MaxLength {
			out.MinLength, out.MaxLength = nil, nil
		}
		if s.Pattern != "" {
			if _, err := regexp.Compile(s.Pattern); err == nil {
				out.Pattern = s.Pattern
			}
		}
	}
	if len(s.AllOf) > 0 {
		// an inline part's required names may be declared by its siblings
		part := partOf{outer: declaredNames(), branch: where.branch}
		for i, r := range s.AllOf {
			if x := c.schemaPart(r, ptr+"/allOf/"+strconv.Itoa(i), part); x != nil {
				out.AllOf = append(out.AllOf, x)
			}
		}
	}
	for i, r := range s.OneOf {
		if x := c.schemaPart(r, ptr+"/oneOf/"+strconv.Itoa(i), partOf{branch: true}); x != nil {
			out.OneOf = append(out.OneOf, x)
		}
	}
	for i, r := range s.AnyOf {
		if x := c.schemaPart(r, ptr+"/anyOf/"+strconv.Itoa(i), partOf{branch: true}); x != nil {
			out.AnyOf = append(out.AnyOf, x)
		}
	}
	mergeEnumAlternatives(out)
	if d := s.Discriminator; d != nil && d.PropertyName != "" && len(out.OneOf)+len(out.AnyOf) > 0 {
		out.Discriminator = &spec.Discriminator{PropertyName: d.PropertyName}
		for value, m := range d.Mapping {
			name := m.Ref
			if rest, ok := strings.CutPrefix(name, compPrefix); ok {
				name = ptrUnescape(rest)
			} else if rest, ok := strings.CutPrefix(name, "#/definitions/"); ok {
				name = ptrUnescape(rest)
			}
			if n, ok := c.byComp[name]; ok {
				if out.Discriminator.Mapping == nil {
					out.Discriminator.Mapping = map[string]string{}
				}
				out.Discriminator.Mapping[value] = spec.RefPrefix + n
			} else {
				c.w.add(ptr+"/discriminator/mapping", "mapping %q names no component schema; dropped", value)
			}
		}
	}
	if s.Not != nil {
		c.w.add(ptr+"/not", "not is not supported; dropped")
	}
	return out
}

// schemaPart converts an allOf, oneOf or anyOf part: a reference as
// everywhere, an inline schema knowing where it sits.
func (c *converter) schemaPart(r *openapi3.SchemaRef, ptr string, where partOf) *spec.Schema {
	if r == nil || r.Ref != "" || r.Value == nil {
		return c.schemaRef(r, ptr)
	}
	return c.schemaIn(r.Value, ptr, where)
}

// declaredProps is the set of property names that s declares: its own
// and, following $refs, those of its allOf, oneOf and anyOf parts, with
// the names in outer.
func declaredProps(s *openapi3.Schema, outer map[string]bool) map[string]bool {
	names := map[string]bool{}
	for n := range outer {
		names[n] = true
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for n := range s.Properties {
			names[n] = true
		}
		for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range list {
				if r != nil {
					walk(r.Value)
				}
			}
		}
	}
	walk(s)
	return names
}

func formatFits(typ, format string) bool {
	switch format {
	case "int32", "int64":
		return typ == "integer" || typ == "number" || typ == ""
	case "float", "double":
		return typ == "number" || typ == ""
	default:
		return typ == "string" || typ == ""
	}
}

func finite(f *float64) *float64 {
	if f == nil || math.IsInf(*f, 0) || math.IsNaN(*f) {
		return nil
	}
	v := *f
	return &v
}

// convEnum makes enum values fit typ: null is dropped (hasNull), integral
// numbers become int64, scalars of a string enum become strings. ok is
// false when a value cannot fit.
func convEnum(enum []any, typ string) (vals []any, hasNull, ok bool) {
	for _, e := range enum {
		if e == nil {
			hasNull = true
			continue
		}
		v, fits := fitValue(e, typ)
		if !fits {
			if typ == "string" {
				switch e.(type) {
				case float64, int, int64, bool:
					v, fits = scalarString(e), true
				}
			}
			if !fits {
				return nil, hasNull, false
			}
		}
		if !containsValue(vals, v) {
			vals = append(vals, v)
		}
	}
	if typ == "" && len(vals) > 0 && enumType(vals) == "" {
		return nil, hasNull, false
	}
	return vals, hasNull, true
}

// enumType is the type all values share, "" when mixed.
func enumType(vals []any) string {
	t := ""
	for _, v := range vals {
		var vt string
		switch v.(type) {
		case string:
			vt = "string"
		case int64:
			vt = "integer"
		case float64:
			vt = "number"
		case bool:
			vt = "boolean"
		}
		if t != "" && vt != t {
			if t == "integer" && vt == "number" || t == "number" && vt == "integer" {
				t = "number"
				continue
			}
			return ""
		}
		t = vt
	}
	return t
}

// fitValue converts a scalar to the type: ints as int64, other numbers
// float64. ok is false when it does not fit. With typ "" any scalar fits.
func fitValue(v any, typ string) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, typ == "string" || typ == ""
	case bool:
		return x, typ == "boolean" || typ == ""
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, false
		}
		integral := x == math.Trunc(x) && math.Abs(x) < 1<<53
		switch typ {
		case "integer":
			if integral {
				return int64(x), true
			}
			return nil, false
		case "number":
			return x, true
		case "":
			if integral {
				return int64(x), true
			}
			return x, true
		}
	case int:
		return fitValue(float64(x), typ)
	case int64:
		return fitValue(float64(x), typ)
	}
	return nil, false
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// pruneSchemas keeps only the schemas that the actions and the webhook
// events reach.
func (c *converter) pruneSchemas() {
	keep := map[string]bool{}
	var visit func(s *spec.Schema)
	visit = func(s *spec.Schema) {
		if s == nil {
			return
		}
		if n := s.RefName(); n != "" {
			if keep[n] {
				return
			}
			keep[n] = true
			if ix, ok := c.schemaIx[n]; ok {
				visit(c.schemas[ix].Schema)
			}
			return
		}
		for _, p := range s.Properties {
			visit(p.Schema)
		}
		visit(s.Items)
		if s.AdditionalProperties != nil {
			visit(s.AdditionalProperties.Schema)
		}
		for _, l := range [][]*spec.Schema{s.AllOf, s.OneOf, s.AnyOf} {
			for _, x := range l {
				visit(x)
			}
		}
	}
	for _, a := range c.s.Actions {
		for _, p := range a.Params {
			visit(p.Schema)
		}
		if a.Body != nil {
			visit(a.Body.Schema)
		}
		if a.Response != nil {
			visit(a.Response.Schema)
		}
		if a.Events != nil {
			visit(a.Events.Schema)
		}
	}
	if w := c.s.Webhooks; w != nil {
		for _, e := range w.Events {
			visit(e.Schema)
		}
	}
	var out spec.Schemas
	for _, s := range c.schemas {
		if keep[s.Name] {
			out = append(out, s)
		}
	}
	c.schemas = out
}

// mergeEnumAlternatives turns a oneOf/anyOf whose alternatives are all
// plain enums of one type (3.1 documents list constants that way, each with
// its own description) into one enum, which the generator types precisely.
func mergeEnumAlternatives(s *spec.Schema) {
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	if len(alts) < 2 || len(s.OneOf) > 0 && len(s.AnyOf) > 0 || len(s.Enum) > 0 {
		return
	}
	typ := s.Type
	var values []any
	for _, a := range alts {
		if a == nil || len(a.Enum) == 0 || a.Ref != "" || len(a.Properties) > 0 || a.Items != nil ||
			len(a.OneOf)+len(a.AnyOf)+len(a.AllOf) > 0 {
			return
		}
		if a.Type != "" {
			if typ != "" && a.Type != typ {
				return
			}
			typ = a.Type
		}
		values = append(values, a.Enum...)
	}
	s.Type = typ
	s.Enum = values
	s.OneOf, s.AnyOf = nil, nil
}
