package templates

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The compiled input check: in a small connector, conngen writes one
// function per Input schema and per named schema an Input uses
// (registry.go: check<Action>Input, check<Type>), which checks a value by
// calling the helpers below, keyword by keyword, in the order the schema
// interpreter (schemacheck.go) checks them and with its words: the same
// input is refused with the same message either way. Each helper is a
// piece of its own, kept where a compiled check calls it.

//conngen:if compiled-kind

// isKind reports whether x has one of the JSON types, and records the
// problem when not.
func (v *inputValidator) isKind(x any, path string, types ...string) bool {
	for _, t := range types {
		if kindIs(t, x) {
			return true
		}
	}
	v.addf(path, "want %s, got %s", strings.Join(types, " or "), inputKind(x))
	return false
}

//conngen:end

//conngen:if compiled-object

// object is x when it is an object, and records the problem when not.
func (v *inputValidator) object(x any, path string) (map[string]any, bool) {
	obj, ok := x.(map[string]any)
	if !ok {
		v.isKind(x, path, "object")
	}
	return obj, ok
}

//conngen:end

//conngen:if compiled-required

// required records each of names that obj lacks.
func (v *inputValidator) required(obj map[string]any, path string, names ...string) {
	for _, name := range names {
		if _, ok := obj[name]; !ok {
			v.addf(joinInputPath(path, name), "required")
		}
	}
}

//conngen:end

//conngen:if compiled-field

// inputField is a key an object schema declares, with the JSON types its
// value may have when that is all its schema checks, or the check of the
// named schema that is ($ref); neither: any value, or one checked by code
// of its own.
type inputField struct {
	key   string
	types []string
	check func(v *inputValidator, x any, path string)
}

// field checks x, the value of key k (at path) of an object whose
// declared keys are fields, sorted: refused is whether the object takes
// no other keys (additionalProperties false, or properties declared and
// nothing more allowed).
func (v *inputValidator) field(x any, k, path string, refused bool, fields []inputField) {
	for _, f := range fields {
		if f.key == k {
			if f.types != nil {
				v.isKind(x, path, f.types...)
			}
			if f.check != nil {
				f.check(v, x, path)
			}
			return
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.key, k) {
			v.addf(path, "matches field %q only in case; keys match exactly", f.key)
			return
		}
	}
	if refused {
		v.addf(path, "unknown field")
	}
}

//conngen:end

//conngen:if compiled-fields

// fields checks every key of obj by field.
func (v *inputValidator) fields(obj map[string]any, path string, refused bool, fields []inputField) {
	for _, k := range sortedKeys(obj) {
		v.field(obj[k], k, joinInputPath(path, k), refused, fields)
	}
}

//conngen:end

//conngen:if compiled-items

// inputItems is x's elements when it is an array, else none.
func inputItems(x any) []any {
	a, _ := x.([]any)
	return a
}

//conngen:end

//conngen:if compiled-count

// countBetween records an array x with fewer than lo or more than hi
// elements.
func (v *inputValidator) countBetween(x any, path string, lo, hi float64) {
	a, ok := x.([]any)
	if !ok {
		return
	}
	n := float64(len(a))
	if n < lo {
		v.addf(path, "want at least %v items", lo)
	}
	if n > hi {
		v.addf(path, "want at most %v items", hi)
	}
}

//conngen:end

//conngen:if compiled-length

// lengthBetween records a string x with fewer than lo or more than hi
// characters.
func (v *inputValidator) lengthBetween(x any, path string, lo, hi float64) {
	s, ok := x.(string)
	if !ok {
		return
	}
	n := float64(utf8.RuneCountInString(s))
	if n < lo {
		v.addf(path, "want at least %v characters", lo)
	}
	if n > hi {
		v.addf(path, "want at most %v characters", hi)
	}
}

//conngen:end

//conngen:if compiled-pattern

// matches records a string x that pattern does not match (a pattern Go's
// regexp cannot compile matches anything, as in the interpreter).
func (v *inputValidator) matches(x any, path, pattern string) {
	if s, ok := x.(string); ok {
		if re := inputPattern(pattern); re != nil && !re.MatchString(s) {
			v.addf(path, "does not match the pattern %s", pattern)
		}
	}
}

//conngen:end

//conngen:if compiled-between

// between records a number x below lo or above hi.
func (v *inputValidator) between(x any, path string, lo, hi float64) {
	n, ok := x.(json.Number)
	if !ok {
		return
	}
	f, _ := n.Float64()
	if f < lo {
		v.addf(path, "want at least %v", lo)
	}
	if f > hi {
		v.addf(path, "want at most %v", hi)
	}
}

//conngen:end

//conngen:if compiled-enum

// enum records an x equal to none of values, JSON texts.
func (v *inputValidator) enum(x any, path string, values ...string) {
	for _, text := range values {
		if jsonEqual((&jsonReader{data: []byte(text)}).value(""), x) {
			return
		}
	}
	v.addf(path, "want one of %s", strings.Join(values, ", "))
}

//conngen:end
