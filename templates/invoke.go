package templates

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// ActionInfo describes an action as data, for programs that choose actions
// at run time: see Actions and Client.Invoke.
type ActionInfo struct {
	Name        string // the spec's action name
	Title       string
	Description string
	Method      string
	Path        string
	Scopes      []string
	ReadOnly    bool            // GET, HEAD or OPTIONS
	Input       json.RawMessage // JSON Schema (draft 2020-12) of Invoke's input
	Output      json.RawMessage // JSON Schema of the 2xx body ({} when untyped)
}

//conngen:if actions

// inputTargets are the keys of an action's input, each with the Params
// field it fills. (A slice rather than a map: each action's literal is
// then a few stores, where a map literal is a call per key.)
type inputTargets []inputTarget

type inputTarget struct {
	key    string
	target any
}

// find is the target of key.
func (ts *inputTargets) find(key string) (any, bool) {
	for _, t := range *ts {
		if t.key == key {
			return t.target, true
		}
	}
	return nil, false
}

// inputError is input refused before anything was sent: every problem, each
// naming its field.
type inputError struct {
	prefix   string
	problems []string
}

func (e *inputError) Error() string {
	return e.prefix + "invalid input: " + strings.Join(e.problems, "; ")
}

// decodeInput checks input against the action's Input schema and decodes
// each field into its target. Every unknown, bad or missing field is
// reported, all at once.
//
// Keys match exactly. encoding/json, which fills the targets, matches a
// struct's fields case-insensitively (Unicode folding included) and keeps
// the last of two equal keys, so the checker refuses what it would read
// differently: a key that matches a declared field only in case, a key no
// property declares, a key that appears twice in one object (see
// inputValidator).
func decodeInput(prefix, schema string, input json.RawMessage, targets inputTargets) error {
	e := &inputError{prefix: prefix}
	if t := string(bytes.TrimSpace(input)); t == "" || t == "null" {
		input = json.RawMessage("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(input, &fields); err != nil {
		msg := "want a JSON object"
		if strings.Contains(err.Error(), "exceeded max depth") { // a *json.SyntaxError
			msg = "nested deeper than encoding/json reads"
		}
		e.problems = append(e.problems, "input: "+msg)
		return e
	}
	root := parsedSchema(schema)
	v := &inputValidator{root: root}
	//conngen:if check-limits
	v.work = new(inputWork)
	//conngen:end
	inst := (&jsonReader{data: input, problems: &v.problems}).value("")
	v.check(root, inst, "", 0, 0, nil)
	//conngen:if check-limits
	if d := v.work.deep; d != nil && !slices.Contains(v.problems, *d) {
		v.problems = append(v.problems, *d)
	}
	if v.work.exceeded {
		v.addf("", "too complex to check (more than %d schema checks)", maxInputChecks)
	}
	//conngen:end
	bad := map[string]bool{}
	for _, p := range v.problems {
		key, _, _ := strings.Cut(p.path, ".")
		key, _, _ = strings.Cut(key, "[")
		bad[key] = true
	}
	obj, _ := inst.(map[string]any) // an object: fields decoded
	for _, k := range sortedKeys(obj) {
		target, ok := targets.find(k)
		if !ok || bad[k] || bad[""] {
			continue
		}
		raw := fields[k] // the value alone, without the space around it
		if string(raw) == "null" {
			continue // the zero value: absent
		}
		//conngen:if input-reader
		if r, ok := target.(*io.Reader); ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				v.problems = append(v.problems, inputProblem{k, "want a string"})
				continue
			}
			*r = strings.NewReader(s)
			continue
		}
		//conngen:end
		if err := json.Unmarshal(raw, target); err != nil {
			// The checker has let it through, so it fits the schema but not
			// the Go type: a number out of the field's range, 1.0 for an
			// int. (Not *json.UnmarshalTypeError: naming that type makes the
			// compiler add 41 reflect.Type wrappers to every connector.)
			v.problems = append(v.problems, inputProblem{k, strings.TrimPrefix(err.Error(), "json: ")})
		}
	}
	if len(v.problems) == 0 {
		return nil
	}
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].path < v.problems[j].path })
	for _, p := range v.problems {
		path := p.path
		if path == "" {
			path = "input"
		}
		e.problems = append(e.problems, path+": "+p.msg)
	}
	return e
}

// jsonReader reads a JSON value that encoding/json has accepted already
// (so it is well-formed and nested at most 10000 levels) as the checker
// sees it: objects as map[string]any, arrays as []any, numbers as
// json.Number, strings decoded as encoding/json decodes them. With
// problems set, it names every key that appears twice in one object: the
// targets keep the last, a json.RawMessage passes both on, and a service
// may read the first, which the checker never saw. (Not json.Decoder's
// Token: any use of json.Decoder makes the compiler add 41 reflect.Type
// wrappers to every connector.)
type jsonReader struct {
	data     []byte
	pos      int
	problems *[]inputProblem
}

func (r *jsonReader) value(path string) any {
	r.space()
	switch r.data[r.pos] {
	case '{':
		obj := map[string]any{}
		for r.pos++; r.space() != '}'; {
			k := r.text()
			r.space()
			r.pos++ // the colon
			p := joinInputPath(path, k)
			if _, twice := obj[k]; twice && r.problems != nil {
				*r.problems = append(*r.problems, inputProblem{p, "appears twice; keys must be unique"})
			}
			obj[k] = r.value(p)
			if r.space() == ',' {
				r.pos++
			}
		}
		r.pos++
		return obj
	case '[':
		arr := []any{}
		for r.pos++; r.space() != ']'; {
			arr = append(arr, r.value(path+"["+strconv.Itoa(len(arr))+"]"))
			if r.space() == ',' {
				r.pos++
			}
		}
		r.pos++
		return arr
	case '"':
		return r.text()
	case 't':
		r.pos += len("true")
		return true
	case 'f':
		r.pos += len("false")
		return false
	case 'n':
		r.pos += len("null")
		return nil
	}
	start := r.pos
	for r.pos < len(r.data) && strings.IndexByte("+-.0123456789Ee", r.data[r.pos]) >= 0 {
		r.pos++
	}
	return json.Number(r.data[start:r.pos])
}

// space skips white space and returns the byte after it (0 at the end).
func (r *jsonReader) space() byte {
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

// text reads the string at r.pos. One with escapes or non-ASCII bytes is
// decoded by encoding/json, so that it reads exactly as the targets will
// (invalid UTF-8 becomes U+FFFD).
func (r *jsonReader) text() string {
	start, plain := r.pos, true
	for r.pos++; r.data[r.pos] != '"'; r.pos++ {
		if c := r.data[r.pos]; c == '\\' {
			r.pos++
			plain = false
		} else if c >= utf8.RuneSelf {
			plain = false
		}
	}
	r.pos++
	if plain {
		return string(r.data[start+1 : r.pos-1])
	}
	var s string
	json.Unmarshal(r.data[start:r.pos], &s)
	return s
}

// sortedKeys is m's keys, sorted. (sort.Strings and a mutex-guarded map
// below, rather than slices.Sorted, an iterator and sync.Map, and one map
// type: generic code is compiled again in each connector, for each type.)
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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

type inputProblem struct{ path, msg string }

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

// inputValidator checks a value against the JSON Schema subset the generator
// writes: $ref into $defs, type, enum, properties, required,
// additionalProperties, items, bounds, lengths, pattern, allOf, oneOf, anyOf.
//
// Object keys follow the Go types that encoding/json fills: a key must
// equal a declared property exactly (one that matches only under case
// folding is refused: the struct would take it); in an object schema that
// declares properties (its own, its $ref's or its allOf parts', which the
// generator merges into one struct) an undeclared key is refused unless
// additionalProperties allows it (true or a schema); an object schema with
// no properties at all is free-form.
type inputValidator struct {
	root     map[string]any
	problems []inputProblem
	//conngen:if check-limits

	work *inputWork // shared with the validators that try alternatives
	//conngen:end
}

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

func (v *inputValidator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, inputProblem{path, fmt.Sprintf(format, args...)})
}

func joinInputPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
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

//conngen:if check-pattern

var inputPatterns struct {
	sync.Mutex
	m map[string]*regexp.Regexp // pattern -> compiled, nil when Go cannot compile it
}

func inputPattern(p string) *regexp.Regexp {
	inputPatterns.Lock()
	defer inputPatterns.Unlock()
	if re, ok := inputPatterns.m[p]; ok {
		return re
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	if inputPatterns.m == nil {
		inputPatterns.m = map[string]*regexp.Regexp{}
	}
	inputPatterns.m[p] = re
	return re
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

func kindIs(t string, x any) bool {
	switch t {
	case "null":
		return x == nil
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "number":
		_, ok := x.(json.Number)
		return ok
	case "integer":
		n, ok := x.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f)
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

func inputKind(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case json.Number:
		if kindIs("integer", x) {
			return "integer"
		}
		return "number"
	}
	return "value"
}

//conngen:if check-enum

func jsonEqual(a, b any) bool {
	if an, ok := a.(json.Number); ok {
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		af, _ := an.Float64()
		bf, _ := bn.Float64()
		return af == bf
	}
	return reflect.DeepEqual(a, b)
}

//conngen:end

//conngen:if schemabuild

// builtSchema is one of Actions()' whole schemas, built at first use.
type builtSchema struct {
	once sync.Once
	text string
}

// get is schema piece i whole, as Actions() returns it: its text (the
// top-level keywords, open), then under $defs every named schema it leads
// to, in the order of the pieces (by name). The registry keeps each named
// schema once (text) with the pieces it refers to (refs), so that a large
// API's registry stays small; a schema is assembled the first time it is
// asked for and kept.
func (b *builtSchema) get(i int, text func(int) string, refs [][]uint16) string {
	b.once.Do(func() {
		seen := make([]bool, len(refs))
		var walk func(int)
		walk = func(j int) {
			for _, r := range refs[j] {
				if !seen[r] {
					seen[r] = true
					walk(int(r))
				}
			}
		}
		walk(i)
		n := len(text(i)) + len(`,"$defs":{}}`)
		for j, ok := range seen {
			if ok {
				n += len(text(j)) + 1
			}
		}
		var s strings.Builder
		s.Grow(n)
		s.WriteString(text(i))
		sep := `,"$defs":{`
		for j, ok := range seen {
			if ok {
				s.WriteString(sep)
				s.WriteString(text(j))
				sep = ","
			}
		}
		if sep == "," {
			s.WriteByte('}')
		}
		s.WriteByte('}')
		b.text = s.String()
	})
	return b.text
}

//conngen:end

//conngen:if schemapack

// unpackSchemas is the registry's schema pieces from pack: their texts
// joined by NUL (which JSON text never holds), DEFLATE-compressed, in
// base64. The pack is generated with the package, so a pack that does not
// unpack into n pieces means registry.go was altered.
func unpackSchemas(pack string, n int) []string {
	data, err := base64.StdEncoding.DecodeString(pack)
	if err == nil {
		data, err = io.ReadAll(flate.NewReader(bytes.NewReader(data)))
	}
	texts := strings.Split(string(data), "\x00")
	if err != nil || len(texts) != n {
		panic(fmt.Sprintf("registry.go: the schema pack does not unpack into %d schemas (%v): regenerate the package", n, err))
	}
	return texts
}

//conngen:end

// captureBody makes ctx carry a slot that the runtime's call fills with the
// 2xx body as it came, so Invoke returns the service's own JSON.
func captureBody(ctx context.Context) (context.Context, *[]byte) {
	raw := new([]byte)
	return context.WithValue(ctx, rawBodyKey{}, raw), raw
}

// resultOfInvoke is Invoke's answer: the 2xx body as JSON, a non-JSON body
// as a JSON string (base64 when it is not UTF-8). Only this wrapper is
// generic: invokeResult does the work once for every response type.
func resultOfInvoke[T any](raw *[]byte, resp *Response[T], err error) (*Response[json.RawMessage], error) {
	if err != nil {
		return nil, err
	}
	return invokeResult(*raw, resp.StatusCode, resp.Header, &resp.Body)
}

// invokeResult is resultOfInvoke's answer from the body as it came (raw)
// and the typed body (a pointer).
func invokeResult(raw []byte, status int, header http.Header, typed any) (*Response[json.RawMessage], error) {
	out := &Response[json.RawMessage]{StatusCode: status, Header: header}
	switch b := typed.(type) {
	case *io.ReadCloser:
		data, err := io.ReadAll(io.LimitReader(*b, maxResponseBytes+1))
		(*b).Close()
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > maxResponseBytes {
			return nil, fmt.Errorf("%w than %d bytes", errTooLarge, maxResponseBytes)
		}
		if len(data) > 0 {
			out.Body = asJSONString(data)
		}
		return out, nil
	case *[]byte:
		if raw == nil {
			raw = *b
		}
	}
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
	case json.Valid(raw):
		out.Body = bytes.Clone(raw)
	default:
		out.Body = asJSONString(raw)
	}
	return out, nil
}

// asJSONString is data as a JSON string: the text itself when it is UTF-8,
// else its base64.
func asJSONString(data []byte) json.RawMessage {
	s := string(data)
	if !utf8.Valid(data) {
		s = base64.StdEncoding.EncodeToString(data)
	}
	enc, _ := json.Marshal(s)
	return enc
}

//conngen:end
