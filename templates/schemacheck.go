package templates

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The schema interpreter: Invoke's input check for a connector too large
// to carry one compiled check per Input schema (check.go). It reads the
// Input schema's text, as Actions() returns it, at the first call.

// schemaCheck checks x, an action's input, against schema, its Input
// schema's text. (Not inlined: each of its calls would be a closure of
// its own, compiled again, one per action.)
//
//go:noinline
func schemaCheck(schema string) func(v *inputValidator, x any) {
	return func(v *inputValidator, x any) {
		v.root = parsedSchema(schema)
		//conngen:if check-limits
		v.work = new(inputWork)
		//conngen:end
		v.check(v.root, x, "", 0, 0, nil)
		//conngen:if check-limits
		if d := v.work.deep; d != nil && !slices.Contains(v.problems, *d) {
			v.problems = append(v.problems, *d)
		}
		if v.work.exceeded {
			v.addf("", "too complex to check (more than %d schema checks)", maxInputChecks)
		}
		//conngen:end
	}
}

var inputSchemas struct {
	sync.Mutex
	m map[string]map[string]any // schema text -> parsed
}

// parsedSchema parses an Input schema once.
func parsedSchema(text string) map[string]any {
	inputSchemas.Lock()
	defer inputSchemas.Unlock()
	if s, ok := inputSchemas.m[text]; ok {
		return s
	}
	var s map[string]any
	if data := []byte(text); json.Valid(data) {
		s, _ = (&jsonReader{data: data}).value("").(map[string]any)
	}
	if s == nil {
		s = map[string]any{}
	}
	if inputSchemas.m == nil {
		inputSchemas.m = map[string]map[string]any{}
	}
	inputSchemas.m[text] = s
	return s
}

//conngen:if check-limits

// The checker's limits, for Inputs whose schemas recurse or have
// alternatives (check-limits). Where neither, the checker walks no deeper
// and does no more than the schema itself spells out.

// maxInputDepth is how deep the checker follows input: an object or array
// inside more than this many others (the input object is the first
// level) is refused, "nested more than 100 levels", wherever the schema
// still says something about its contents. Free-form values (the schema
// {}, an object schema without properties) are sent as they are and not
// walked, so the limit does not apply inside them.
const maxInputDepth = 100

// maxInputChecks bounds the checker's work on one input: alternatives that
// recurse (an anyOf of two shapes of a tree) could otherwise take time
// exponential in the depth. Input that needs more is refused.
const maxInputChecks = 1 << 20

//conngen:end

//conngen:if check-limits

// inputWork is what the checker records on one input across the
// validators that try alternatives: its work, and the first value too deep
// to check (refused even when it was met in an alternative that failed, so
// that what is refused does not depend on the order of alternatives).
type inputWork struct {
	checks   int
	exceeded bool
	deep     *inputProblem
}

//conngen:end

// inputScope is what an object schema passes to its oneOf/anyOf
// alternatives: the keys it checks itself (declared or allowed there), and
// whether it declares properties, in which case an alternative may not let
// an undeclared key through as free-form. (Empty in a connector without
// alternatives, where no scope is ever made.)
type inputScope struct {
	//conngen:if check-alternatives
	keys   map[string]bool
	closed bool
	//conngen:end
}

//conngen:if check-alternatives

// valid reports whether x fits s, without recording problems.
func (v *inputValidator) valid(s map[string]any, x any, path string, depth, hops int, scope *inputScope) bool {
	sub := &inputValidator{root: v.root, work: v.work}
	sub.check(s, x, path, depth, hops, scope)
	return len(sub.problems) == 0
}

//conngen:end

// check records every way x does not fit s. depth counts the objects and
// arrays around x, hops the alternatives entered for x itself; scope is
// what the object schema around an alternative checks.
func (v *inputValidator) check(s map[string]any, x any, path string, depth, hops int, scope *inputScope) {
	//conngen:if check-limits
	if v.work.checks++; v.work.checks > maxInputChecks {
		v.work.exceeded = true
		return
	}
	//conngen:end
	//conngen:if check-alternatives
	if hops > maxInputDepth {
		v.addf(path, "the schema nests alternatives more than %d levels", maxInputDepth)
		return
	}
	//conngen:end
	members, unresolved := v.members(s)
	if unresolved != "" {
		v.addf(path, "the schema's $ref %q does not resolve", unresolved)
		return
	}
	for _, m := range members {
		if t, ok := m["type"]; ok && !typeMatches(t, x) {
			v.addf(path, "want %s, got %s", typeNames(t), inputKind(x))
			return
		}
	}
	//conngen:if check-limits
	switch x.(type) {
	case map[string]any, []any:
		if depth >= maxInputDepth && looksInside(members) {
			p := inputProblem{path, fmt.Sprintf("nested more than %d levels", maxInputDepth)}
			v.problems = append(v.problems, p)
			if v.work.deep == nil {
				v.work.deep = &p
			}
			return
		}
	}
	//conngen:end
	//conngen:if check-enum
	for _, m := range members {
		if enum, ok := m["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return jsonEqual(e, x) }) {
			var vals []string
			for _, e := range enum {
				data, _ := json.Marshal(e)
				vals = append(vals, string(data))
			}
			v.addf(path, "want one of %s", strings.Join(vals, ", "))
		}
	}
	//conngen:end
	// From here on scope is the one s's own alternatives see: what an
	// object schema checks itself, nil for other values.
	outer := scope
	scope = nil
	switch x := x.(type) {
	case map[string]any:
		scope = v.checkObject(members, x, path, depth, outer)
	//conngen:if check-items
	case []any:
		for _, m := range members {
			if items, ok := m["items"]; ok {
				for i, e := range x {
					v.checkSub(items, e, path+"["+strconv.Itoa(i)+"]", depth+1)
				}
			}
			if n, ok := inputNumber(m["minItems"]); ok && float64(len(x)) < n {
				v.addf(path, "want at least %v items", n)
			}
			if n, ok := inputNumber(m["maxItems"]); ok && float64(len(x)) > n {
				v.addf(path, "want at most %v items", n)
			}
		}
	//conngen:end
	//conngen:if check-lengths check-pattern
	case string:
		//conngen:if check-lengths
		n := float64(utf8.RuneCountInString(x))
		for _, m := range members {
			if l, ok := inputNumber(m["minLength"]); ok && n < l {
				v.addf(path, "want at least %v characters", l)
			}
			if l, ok := inputNumber(m["maxLength"]); ok && n > l {
				v.addf(path, "want at most %v characters", l)
			}
		}
		//conngen:end
		//conngen:if check-pattern
		for _, m := range members {
			if p, ok := m["pattern"].(string); ok {
				if re := inputPattern(p); re != nil && !re.MatchString(x) {
					v.addf(path, "does not match the pattern %s", p)
				}
			}
		}
		//conngen:end
	//conngen:end
	//conngen:if check-bounds
	case json.Number:
		f, _ := x.Float64()
		for _, m := range members {
			if b, ok := inputNumber(m["minimum"]); ok && f < b {
				v.addf(path, "want at least %v", b)
			}
			if b, ok := inputNumber(m["maximum"]); ok && f > b {
				v.addf(path, "want at most %v", b)
			}
		}
		//conngen:end
	}
	//conngen:if check-alternatives
	for _, m := range members {
		for _, k := range [...]string{"oneOf", "anyOf"} {
			alts, ok := m[k].([]any)
			if !ok {
				continue
			}
			n := 0 // every alternative is tried, so that a value too deep in any of them is refused
			for _, a := range alts {
				if as, ok := a.(map[string]any); ok && v.valid(as, x, path, depth, hops+1, scope) {
					n++
				}
			}
			switch {
			case n == 0:
				v.addf(path, "matches none of the %d alternatives", len(alts))
			case k == "oneOf" && n > 1:
				v.addf(path, "matches %d alternatives; want exactly one", n)
			}
		}
	}
	//conngen:end
}

// checkSub checks x against s, a schema or a boolean one.
func (v *inputValidator) checkSub(s, x any, path string, depth int) {
	switch s := s.(type) {
	case map[string]any:
		v.check(s, x, path, depth, 0, nil)
	case bool:
		if !s {
			v.addf(path, "not allowed")
		}
	}
}

// checkObject checks the keys of x against members, the schemas that apply
// to x together, and returns the scope of their alternatives (nil when
// they have none).
func (v *inputValidator) checkObject(members []map[string]any, x map[string]any, path string, depth int, outer *inputScope) *inputScope {
	props := map[string][]any{}      // each declared key's schemas
	refused, allowed := false, false // more keys, by additionalProperties
	//conngen:if check-extra
	var extraSchemas []any
	//conngen:end
	var required map[string]bool
	//conngen:if check-alternatives
	var altKeys map[string]bool // the keys the alternatives declare
	//conngen:end
	for _, m := range members {
		ps, _ := m["properties"].(map[string]any)
		for k, p := range ps {
			props[k] = append(props[k], p)
		}
		switch ap := m["additionalProperties"].(type) {
		case bool:
			refused = refused || !ap
			allowed = allowed || ap
		//conngen:if check-extra
		case map[string]any:
			extraSchemas = append(extraSchemas, ap)
			//conngen:end
		}
		req, _ := m["required"].([]any)
		for _, r := range req {
			if name, ok := r.(string); ok && !required[name] {
				if required == nil {
					required = map[string]bool{}
				}
				required[name] = true
				if _, present := x[name]; !present {
					v.addf(joinInputPath(path, name), "required")
				}
			}
		}
		//conngen:if check-alternatives
		one, _ := m["oneOf"].([]any)
		some, _ := m["anyOf"].([]any)
		for _, a := range append(one, some...) {
			if altKeys == nil {
				altKeys = map[string]bool{}
			}
			as, _ := a.(map[string]any)
			ms, _ := v.members(as)
			for _, am := range ms {
				aps, _ := am["properties"].(map[string]any)
				for name := range aps {
					altKeys[name] = true
				}
			}
		}
		//conngen:end
	}
	closed := len(props) > 0
	//conngen:if check-alternatives
	closed = closed || outer != nil && outer.closed
	var checked []string // keys checked here that no property declares
	//conngen:end
	// more checks k, a key no property declares, as additionalProperties
	// says, and reports whether it says anything.
	more := func(k, p string) bool {
		switch {
		case refused:
			v.addf(p, "unknown field")
		//conngen:if check-extra
		case len(extraSchemas) > 0:
			for _, s := range extraSchemas {
				v.checkSub(s, x[k], p, depth+1)
			}
			//conngen:if check-alternatives
			checked = append(checked, k)
			//conngen:end
		//conngen:end
		case allowed:
			//conngen:if check-alternatives
			checked = append(checked, k)
			//conngen:end
		default:
			return false
		}
		return true
	}
	var known []string // the names a key can be mistaken for, sorted
	for _, k := range sortedKeys(x) {
		p := joinInputPath(path, k)
		if ps, ok := props[k]; ok {
			for _, s := range ps {
				v.checkSub(s, x[k], p, depth+1)
			}
			continue
		}
		//conngen:if check-alternatives
		if outer != nil && outer.keys[k] {
			continue // the schema around checks it
		}
		if altKeys[k] {
			more(k, p) // or else the alternative that declares it checks it
			continue
		}
		//conngen:end
		if known == nil {
			for name := range props {
				known = append(known, name)
			}
			sort.Strings(known)
			//conngen:if check-alternatives
			n := len(known)
			for name := range altKeys {
				known = append(known, name)
			}
			sort.Strings(known[n:])
			//conngen:end
		}
		if name := foldMatch(known, k); name != "" {
			v.addf(p, "matches field %q only in case; keys match exactly", name)
			continue
		}
		if !more(k, p) && closed {
			// No property declares it and nothing allows more: the
			// struct the generator declares for this schema would drop it.
			v.addf(p, "unknown field")
		}
		// Otherwise the object is free-form here.
	}
	//conngen:if check-alternatives
	if altKeys != nil {
		inner := &inputScope{keys: map[string]bool{}, closed: closed}
		for k := range props {
			inner.keys[k] = true
		}
		for _, k := range checked {
			inner.keys[k] = true
		}
		if outer != nil {
			for k := range outer.keys {
				inner.keys[k] = true
			}
		}
		return inner
	}
	//conngen:end
	return nil
}

// foldMatch is the first of names that equals k under Unicode case
// folding, or "".
func foldMatch(names []string, k string) string {
	for _, name := range names {
		if strings.EqualFold(name, k) {
			return name
		}
	}
	return ""
}

// members is s and every schema its $ref and allOf lead to: the schemas
// that apply to one value together. Their properties together are the
// fields of the value's Go struct (the generator merges allOf into one
// struct). A $ref met again adds nothing; unresolved is a $ref that leads
// nowhere.
func (v *inputValidator) members(s map[string]any) (out []map[string]any, unresolved string) {
	var seen []string
	var add func(map[string]any)
	add = func(s map[string]any) {
		out = append(out, s)
		ref, ok := s["$ref"].(string)
		for _, r := range seen {
			ok = ok && r != ref
		}
		if ok {
			seen = append(seen, ref)
			switch d := v.resolve(ref); {
			case d != nil:
				add(d)
			case unresolved == "":
				unresolved = ref
			}
		}
		//conngen:if check-allof
		all, _ := s["allOf"].([]any)
		for _, a := range all {
			if as, ok := a.(map[string]any); ok {
				add(as)
			}
		}
		//conngen:end
	}
	if s != nil {
		add(s)
	}
	return out, unresolved
}

// resolve is the schema a $ref names: the root, or one of its $defs.
func (v *inputValidator) resolve(ref string) map[string]any {
	if ref == "#" {
		return v.root
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil
	}
	defs, _ := v.root["$defs"].(map[string]any)
	d, _ := defs[name].(map[string]any)
	return d
}

//conngen:if check-limits

// looksInside reports whether the schemas say anything about the contents
// of an object or array: then the checker must walk it.
func looksInside(members []map[string]any) bool {
	for _, m := range members {
		for _, k := range [...]string{"properties", "items", "oneOf", "anyOf"} {
			if _, ok := m[k]; ok {
				return true
			}
		}
		if ap, ok := m["additionalProperties"]; ok && ap != true {
			return true
		}
	}
	return false
}

//conngen:end

//conngen:if check-items check-lengths check-bounds

func inputNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

//conngen:end

func typeMatches(t, x any) bool {
	switch t := t.(type) {
	case string:
		return kindIs(t, x)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && kindIs(s, x) {
				return true
			}
		}
		return false
	}
	return true
}

func typeNames(t any) string {
	if l, ok := t.([]any); ok {
		var names []string
		for _, e := range l {
			s, _ := e.(string)
			names = append(names, s)
		}
		return strings.Join(names, " or ")
	}
	s, _ := t.(string)
	return s
}
