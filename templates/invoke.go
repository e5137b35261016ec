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

// registered is an action in the registry (registry.go): its ActionInfo
// without the schemas, and what Invoke calls. A static table costs the
// compiler nothing, where a literal and a switch cost code per action.
type registered struct {
	info   ActionInfo
	invoke func(ctx context.Context, c *Client, input json.RawMessage) (*Response[json.RawMessage], error)
	//conngen:if actions

	input, output int // its schemas' numbers, for actionSchema
	//conngen:end
}

// Actions describes every action of the connector, in spec order.
func Actions() []ActionInfo {
	out := make([]ActionInfo, len(registry))
	for i := range registry {
		out[i] = registry[i].info
		// Copies, so that a caller's changes reach no other caller.
		out[i].Scopes = append([]string(nil), registry[i].info.Scopes...)
		//conngen:if actions
		out[i].Input = json.RawMessage(actionSchema(registry[i].input))
		out[i].Output = json.RawMessage(actionSchema(registry[i].output))
		//conngen:end
	}
	return out
}

// Invoke runs the action named name (the spec's name) with input, a JSON object
// holding each param under its spec name and the body under "body". Input that
// does not fit is refused before anything is sent, with an error naming every bad
// or missing field; an unknown name wraps ErrUnknownAction. Otherwise it behaves
// exactly as the typed method does (auth, retries, errors). Body: the JSON
// response; a non-JSON body as a JSON string (base64 when binary).
func (c *Client) Invoke(ctx context.Context, name string, input json.RawMessage) (*Response[json.RawMessage], error) {
	for i := range registry {
		if registry[i].info.Name == name {
			return registry[i].invoke(ctx, c, input)
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAction, name)
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
func decodeInput(prefix string, check func(v *inputValidator, x any), input json.RawMessage, targets inputTargets) error {
	e := &inputError{prefix: prefix}
	if t := string(bytes.TrimSpace(input)); t == "" || t == "null" {
		input = json.RawMessage("{}")
	}
	v := &inputValidator{}
	jr := &jsonReader{data: input, problems: &v.problems, fields: map[string]json.RawMessage{}}
	// Into a json.RawMessage, encoding/json only checks the syntax.
	if err := json.Unmarshal(input, new(json.RawMessage)); err != nil || jr.space() != '{' {
		msg := "want a JSON object"
		if err != nil && strings.Contains(err.Error(), "exceeded max depth") { // a *json.SyntaxError
			msg = "nested deeper than encoding/json reads"
		}
		e.problems = append(e.problems, "input: "+msg)
		return e
	}
	check(v, jr.value(""))
	bad := map[string]bool{}
	for _, p := range v.problems {
		key, _, _ := strings.Cut(p.path, ".")
		key, _, _ = strings.Cut(key, "[")
		bad[key] = true
	}
	for _, t := range targets {
		k, target := t.key, t.target
		raw, ok := jr.fields[k]
		if !ok || bad[k] || bad[""] || string(raw) == "null" {
			continue // absent, refused, or null: the zero value
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
	// With fields set, each value of the top-level object is put there
	// as it is written (without the space around it), for its target.
	fields map[string]json.RawMessage
	depth  int // of objects, the one being read included
}

func (r *jsonReader) value(path string) any {
	r.space()
	switch r.data[r.pos] {
	case '{':
		obj := map[string]any{}
		r.depth++
		for r.pos++; r.space() != '}'; {
			k := r.text()
			r.space()
			r.pos++ // the colon
			p := joinInputPath(path, k)
			if _, twice := obj[k]; twice && r.problems != nil {
				*r.problems = append(*r.problems, inputProblem{p, "appears twice; keys must be unique"})
			}
			r.space()
			start := r.pos
			obj[k] = r.value(p)
			if r.fields != nil && r.depth == 1 {
				r.fields[k] = r.data[start:r.pos]
			}
			if r.space() == ',' {
				r.pos++
			}
		}
		r.depth--
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
// Not inlined, like the other small helpers marked so: its loop is then
// compiled once, not again at each of its eight calls (compile time).
//
//go:noinline
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
//
//go:noinline
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type inputProblem struct{ path, msg string }

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
	problems []inputProblem
	//conngen:if check-schema

	root map[string]any // the Input schema (schemacheck.go)
	//conngen:end
	//conngen:if check-limits

	work *inputWork // shared with the validators that try alternatives
	//conngen:end
}

// addf records a problem at path.
//
//go:noinline
func (v *inputValidator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, inputProblem{path, fmt.Sprintf(format, args...)})
}

// joinInputPath is the path of key in the object at path.
//
//go:noinline
func joinInputPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

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

//conngen:if check-schema compiled-kind

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

//conngen:end

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

// captureBody makes ctx carry a slot that callInto fills with the
// 2xx body as it came, so Invoke returns the service's own JSON.
//
//go:noinline
func captureBody(ctx context.Context) (context.Context, *[]byte) {
	raw := new([]byte)
	return context.WithValue(ctx, rawBodyKey{}, raw), raw
}

// invokeResult is Invoke's answer, from the 2xx body as it came (raw) and
// the typed body (a pointer): the body as JSON, a non-JSON body as a JSON
// string (base64 when it is not UTF-8). Not generic, so that it is
// compiled once for every response type.
func invokeResult(raw []byte, status int, header http.Header, typed any) (*Response[json.RawMessage], error) {
	out := &Response[json.RawMessage]{StatusCode: status, Header: header}
	switch b := typed.(type) {
	//conngen:if stream
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
	//conngen:end
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
