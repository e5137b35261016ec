package e2e

import (
	"maps"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conngen/conngen/generator/spec"
)

// maxDepth bounds how deep example values nest: below it only required
// properties are filled, and a recursive required property stops there.
const maxDepth = 12

// valuer derives example values from the schemas of one spec. The values
// are plain JSON-like Go values (string, float64, int64, bool, nil,
// []any, map[string]any) that satisfy the schema: its default or first
// enum value, a value of its format, a number within minimum/maximum, a
// string within minLength/maxLength that matches its pattern, and every
// required property.
type valuer struct {
	schemas spec.Schemas
}

// Sample values by format; each is valid for the format as Prism checks it.
var formatSamples = map[string]string{
	"date-time": "2024-01-02T03:04:05Z",
	"date":      "2024-01-02",
	"uuid":      "123e4567-e89b-12d3-a456-426614174000",
	"email":     "user@example.com",
	"uri":       "https://example.com/x",
	"url":       "https://example.com/x",
	"hostname":  "example.com",
	"ipv4":      "192.0.2.1",   // TEST-NET-1: documentation only, never contacted
	"ipv6":      "2001:db8::1", // documentation prefix, never contacted
	"byte":      "dGVzdA==",    // base64 of "test"
	"binary":    "test",
}

// resolve follows references.
func (v *valuer) resolve(s *spec.Schema) *spec.Schema {
	for i := 0; s != nil && s.Ref != "" && i < 50; i++ {
		s = v.schemas.Get(s.RefName())
	}
	return s
}

// value is an example value for s. top is true for the schema of a
// request body or parameter itself: there optional scalar properties are
// filled too, so that more of the encoder is exercised.
func (v *valuer) value(s *spec.Schema, depth int, top bool) any {
	s = v.resolve(s)
	if s == nil {
		return "test"
	}
	if s.Default != nil {
		return s.Default
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if len(s.AllOf) > 0 {
		return v.allOf(s, depth, top)
	}
	if alts := v.alternatives(s); len(alts) > 0 {
		if len(s.Properties) == 0 && len(s.Required) == 0 {
			return v.alternative(s, alts[0], depth, top)
		}
		return v.withAlternative(s, alts[0], depth, top)
	}
	switch s.Type {
	case "string":
		return v.str(s)
	case "integer":
		return int64(v.number(s, true))
	case "number":
		return v.number(s, false)
	case "boolean":
		return true
	case "array":
		if depth > maxDepth {
			return []any{}
		}
		n := 1
		if s.MinItems != nil && *s.MinItems > n {
			n = min(*s.MinItems, 10)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = distinct(v.value(s.Items, depth+1, false), i)
		}
		return out
	case "object", "":
		if len(s.Properties) > 0 || s.Type == "object" {
			return v.object(s, depth, top)
		}
		if s.Items != nil {
			return []any{v.value(s.Items, depth+1, false)}
		}
	}
	return "test"
}

// alternative is a value of alt, one of s's oneOf/anyOf choices, with
// s's discriminator property set to alt's tag: the value then matches
// that alternative alone.
func (v *valuer) alternative(s, alt *spec.Schema, depth int, top bool) any {
	val := v.value(alt, depth, top)
	d := s.Discriminator
	m, ok := val.(map[string]any)
	if d == nil || !ok || d.PropertyName == "" {
		return val
	}
	if _, set := m[d.PropertyName]; set {
		return val
	}
	tags := slices.Sorted(maps.Keys(d.Mapping))
	for _, tag := range tags {
		if d.Mapping[tag] == alt.Ref {
			m[d.PropertyName] = tag
			return m
		}
	}
	if alt.Ref != "" {
		m[d.PropertyName] = alt.RefName()
	}
	return m
}

// withAlternative is the value of an object with properties of its own
// beside oneOf/anyOf: its own properties first, then what the first
// alternative adds (properties, or just requirements on the own ones).
func (v *valuer) withAlternative(s, alt *spec.Schema, depth int, top bool) any {
	own := *s
	own.OneOf, own.AnyOf = nil, nil
	out := v.object(&own, depth, top)
	if m, ok := v.alternative(s, alt, depth, false).(map[string]any); ok {
		for k, x := range m {
			if _, set := out[k]; !set {
				out[k] = x
			}
		}
	}
	for _, name := range v.requiredNames(s, 0) {
		if _, set := out[name]; set {
			continue
		}
		if p := v.propertyOf(s, name, 0); p != nil {
			out[name] = v.value(p, depth+1, false)
		}
	}
	return out
}

// alternatives are the oneOf/anyOf choices that are not just null.
func (v *valuer) alternatives(s *spec.Schema) []*spec.Schema {
	var out []*spec.Schema
	for _, l := range [][]*spec.Schema{s.OneOf, s.AnyOf} {
		for _, a := range l {
			if a == nil || a.Nullable && a.Type == "" && a.Ref == "" && len(a.Properties) == 0 {
				continue
			}
			out = append(out, a)
		}
	}
	return out
}

func (v *valuer) allOf(s *spec.Schema, depth int, top bool) any {
	merged := map[string]any{}
	var scalar any
	parts := append([]*spec.Schema{}, s.AllOf...)
	own := *s
	own.AllOf = nil
	if len(own.Properties) > 0 || own.Type != "" {
		parts = append(parts, &own)
	}
	sawObject := false
	for _, p := range parts {
		switch x := v.value(p, depth, top).(type) {
		case map[string]any:
			sawObject = true
			for k, val := range x {
				merged[k] = val
			}
		default:
			if scalar == nil {
				scalar = x
			}
		}
	}
	if !sawObject && scalar != nil {
		return scalar
	}
	// Properties required beside allOf ({allOf: [...], required: [a]}),
	// or by a part that only adds requirements ({required: [a]}, or an
	// anyOf of such: "at least one of a, b") are declared in the parts.
	for _, name := range v.requiredNames(s, 0) {
		if _, ok := merged[name]; ok {
			continue
		}
		if p := v.propertyOf(s, name, 0); p != nil {
			merged[name] = v.value(p, depth+1, false)
		}
	}
	return merged
}

// requiredNames lists the properties s requires: its own required list,
// its allOf parts', and those of its first oneOf/anyOf alternative when
// the alternatives only add requirements (declaring no properties).
func (v *valuer) requiredNames(s *spec.Schema, depth int) []string {
	s = v.resolve(s)
	if s == nil || depth > 20 {
		return nil
	}
	names := append([]string(nil), s.Required...)
	for _, part := range s.AllOf {
		names = append(names, v.requiredNames(part, depth+1)...)
	}
	if alts := v.alternatives(s); len(alts) > 0 {
		if first := v.resolve(alts[0]); first != nil && first.Untyped() {
			names = append(names, v.requiredNames(first, depth+1)...)
		}
	}
	return names
}

// propertyOf finds the schema of property name in s or its allOf parts.
func (v *valuer) propertyOf(s *spec.Schema, name string, depth int) *spec.Schema {
	s = v.resolve(s)
	if s == nil || depth > 20 {
		return nil
	}
	if p := s.Properties.Get(name); p != nil {
		return p
	}
	for _, part := range s.AllOf {
		if p := v.propertyOf(part, name, depth+1); p != nil {
			return p
		}
	}
	return nil
}

func (v *valuer) object(s *spec.Schema, depth int, top bool) map[string]any {
	out := map[string]any{}
	for _, p := range s.Properties {
		// A property of one value (a const, a oneOf alternative's tag) is
		// always set: it tells the alternatives apart.
		req := s.IsRequired(p.Name) || v.singleValue(p.Schema)
		if !req && !(top && v.isScalar(p.Schema)) {
			continue
		}
		if !req && depth > maxDepth {
			continue
		}
		if depth > 3*maxDepth {
			break // a required recursive property: give up here
		}
		out[p.Name] = v.value(p.Schema, depth+1, false)
	}
	if s.MinProperties != nil {
		v.fillMinProperties(s, out, depth)
	}
	return out
}

// fillMinProperties adds optional properties, then extra ones when
// additionalProperties allows them, until out has minProperties.
func (v *valuer) fillMinProperties(s *spec.Schema, out map[string]any, depth int) {
	want := min(*s.MinProperties, 20)
	for _, p := range s.Properties {
		if len(out) >= want {
			return
		}
		if _, set := out[p.Name]; !set {
			out[p.Name] = v.value(p.Schema, depth+1, false)
		}
	}
	ap := s.AdditionalProperties
	if ap != nil && !ap.Allowed && ap.Schema == nil {
		return // no more names allowed
	}
	for i := 1; len(out) < want; i++ {
		key := "key" + strconv.Itoa(i)
		if _, set := out[key]; set {
			continue
		}
		var val any = "test"
		if ap != nil && ap.Schema != nil {
			val = v.value(ap.Schema, depth+1, false)
		}
		out[key] = val
	}
}

// singleValue reports whether s allows one value only: an enum of one.
func (v *valuer) singleValue(s *spec.Schema) bool {
	s = v.resolve(s)
	return s != nil && len(s.Enum) == 1
}

// isScalar reports whether s is a string, number, integer or boolean.
func (v *valuer) isScalar(s *spec.Schema) bool {
	s = v.resolve(s)
	if s == nil || len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) > 0 {
		return false
	}
	switch s.Type {
	case "string", "integer", "number", "boolean":
		return true
	}
	return false
}

func (v *valuer) number(s *spec.Schema, integer bool) float64 {
	x := 1.0
	if s.Minimum != nil && x < *s.Minimum {
		x = *s.Minimum
		if integer {
			x = math.Ceil(x)
		}
	}
	if s.Maximum != nil && x > *s.Maximum {
		x = *s.Maximum
		if integer {
			x = math.Floor(x)
		}
	}
	return x
}

func (v *valuer) str(s *spec.Schema) string {
	out := "test"
	if f, ok := formatSamples[s.Format]; ok {
		out = f
	}
	if s.Pattern != "" {
		if m, ok := matching(s.Pattern); ok {
			return m
		}
	}
	if s.MinLength != nil && len(out) < *s.MinLength {
		out += strings.Repeat("x", *s.MinLength-len(out))
	}
	if s.MaxLength != nil && len(out) > *s.MaxLength {
		out = out[:*s.MaxLength]
	}
	return out
}

// matching returns a string that pattern matches, built from the regular
// expression's syntax tree: the first alternative, the minimum repetition
// (at least one for +), letters and digits where a class allows them.
func matching(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !genRegex(re.Simplify(), &b) {
		return "", false
	}
	out := b.String()
	ok, err := regexp.MatchString(pattern, out)
	return out, err == nil && ok
}

func genRegex(re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if !ok {
			return false
		}
		b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
	case syntax.OpCapture:
		return genRegex(re.Sub[0], b)
	case syntax.OpStar, syntax.OpQuest:
	case syntax.OpPlus:
		return genRegex(re.Sub[0], b)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !genRegex(re.Sub[0], b) {
				return false
			}
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !genRegex(sub, b) {
				return false
			}
		}
	case syntax.OpAlternate:
		return genRegex(re.Sub[0], b)
	default:
		return false
	}
	return true
}

// pickRune chooses a rune of a character class (pairs of ranges), a
// letter or digit when the class has one.
func pickRune(ranges []rune) (rune, bool) {
	for _, want := range "a0A1bx" {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want, true
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < ranges[i]+256; r++ {
			if r > ' ' && r < 0x7f {
				return r, true
			}
		}
	}
	if len(ranges) >= 2 {
		return ranges[0], true
	}
	return 0, false
}

// distinct varies the i-th element of a list of strings or numbers so that
// lists with minItems > 1 also satisfy uniqueItems.
func distinct(v any, i int) any {
	if i == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		// Keep each value valid for its format while making it different.
		switch {
		case x != "" && strings.Trim(x, "0123456789") == "":
			return strconv.Itoa(i + 1) // numeric ids (snowflakes) stay numeric
		case len(x) == 36 && x[8] == '-' && x[13] == '-':
			return x[:35] + string("0123456789abcdef"[i%16]) // a uuid
		case strings.Contains(x, "@"):
			at := strings.Index(x, "@")
			return x[:at] + strconv.Itoa(i) + x[at:] // an e-mail address
		}
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return t.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		}
		if t, err := time.Parse(time.DateOnly, x); err == nil {
			return t.AddDate(0, 0, i).Format(time.DateOnly)
		}
		return x + strconv.Itoa(i)
	case float64:
		return x + float64(i)
	}
	return v
}
