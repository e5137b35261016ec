package templates

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
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

// inputTargets maps each key of an action's input to the Params field it
// fills.
type inputTargets map[string]any

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
func decodeInput(prefix, schema string, input json.RawMessage, targets inputTargets) error {
	e := &inputError{prefix: prefix}
	if len(bytes.TrimSpace(input)) == 0 || bytes.Equal(bytes.TrimSpace(input), []byte("null")) {
		input = json.RawMessage("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(input, &fields); err != nil {
		e.problems = append(e.problems, "input: want a JSON object")
		return e
	}
	var inst any
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.UseNumber()
	if err := dec.Decode(&inst); err != nil {
		e.problems = append(e.problems, "input: "+err.Error())
		return e
	}
	root := parsedSchema(schema)
	v := &inputValidator{root: root}
	v.check(root, inst, "", 0)
	bad := map[string]bool{}
	for _, p := range v.problems {
		key, _, _ := strings.Cut(p.path, ".")
		key, _, _ = strings.Cut(key, "[")
		bad[key] = true
	}
	for _, k := range slices.Sorted(mapKeys(fields)) {
		target, ok := targets[k]
		if !ok || bad[k] {
			continue
		}
		raw := fields[k]
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue // the zero value: absent
		}
		if r, ok := target.(*io.Reader); ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				v.problems = append(v.problems, inputProblem{k, "want a string"})
				continue
			}
			*r = strings.NewReader(s)
			continue
		}
		if err := json.Unmarshal(raw, target); err != nil {
			msg := err.Error()
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				msg = fmt.Sprintf("%s: want %s, got JSON %s", te.Field, te.Type, te.Value)
			}
			v.problems = append(v.problems, inputProblem{k, strings.TrimPrefix(msg, "json: ")})
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

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var inputSchemas sync.Map // schema text -> map[string]any

// parsedSchema parses an Input schema once.
func parsedSchema(text string) map[string]any {
	if v, ok := inputSchemas.Load(text); ok {
		return v.(map[string]any)
	}
	var s map[string]any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if dec.Decode(&s) != nil {
		s = map[string]any{}
	}
	inputSchemas.Store(text, s)
	return s
}

type inputProblem struct{ path, msg string }

// inputValidator checks a value against the JSON Schema subset the generator
// writes: $ref into $defs, type, enum, properties, required,
// additionalProperties, items, bounds, lengths, pattern, allOf, oneOf, anyOf.
type inputValidator struct {
	root     map[string]any
	problems []inputProblem
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

// valid reports whether x fits s, without recording problems.
func (v *inputValidator) valid(s map[string]any, x any, depth int) bool {
	sub := &inputValidator{root: v.root}
	sub.check(s, x, "", depth)
	return len(sub.problems) == 0
}

func (v *inputValidator) check(s map[string]any, x any, path string, depth int) {
	if depth > 100 {
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		if name, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
			defs, _ := v.root["$defs"].(map[string]any)
			if d, ok := defs[name].(map[string]any); ok {
				v.check(d, x, path, depth+1)
			}
		}
	}
	if t, ok := s["type"]; ok && !typeMatches(t, x) {
		v.addf(path, "want %s, got %s", typeNames(t), inputKind(x))
		return
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return jsonEqual(e, x) }) {
		var vals []string
		for _, e := range enum {
			data, _ := json.Marshal(e)
			vals = append(vals, string(data))
		}
		v.addf(path, "want one of %s", strings.Join(vals, ", "))
	}
	switch x := x.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if name, ok := r.(string); ok {
					if _, present := x[name]; !present {
						v.addf(joinInputPath(path, name), "required")
					}
				}
			}
		}
		for _, k := range slices.Sorted(mapKeys(x)) {
			if ps, ok := props[k].(map[string]any); ok {
				v.check(ps, x[k], joinInputPath(path, k), depth+1)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.addf(joinInputPath(path, k), "unknown field")
				}
			case map[string]any:
				v.check(ap, x[k], joinInputPath(path, k), depth+1)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				v.check(items, e, fmt.Sprintf("%s[%d]", path, i), depth+1)
			}
		}
		if n, ok := inputNumber(s["minItems"]); ok && float64(len(x)) < n {
			v.addf(path, "want at least %v items", n)
		}
		if n, ok := inputNumber(s["maxItems"]); ok && float64(len(x)) > n {
			v.addf(path, "want at most %v items", n)
		}
	case string:
		n := float64(utf8.RuneCountInString(x))
		if m, ok := inputNumber(s["minLength"]); ok && n < m {
			v.addf(path, "want at least %v characters", m)
		}
		if m, ok := inputNumber(s["maxLength"]); ok && n > m {
			v.addf(path, "want at most %v characters", m)
		}
		if p, ok := s["pattern"].(string); ok {
			if re := inputPattern(p); re != nil && !re.MatchString(x) {
				v.addf(path, "does not match the pattern %s", p)
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := inputNumber(s["minimum"]); ok && f < m {
			v.addf(path, "want at least %v", m)
		}
		if m, ok := inputNumber(s["maximum"]); ok && f > m {
			v.addf(path, "want at most %v", m)
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, a := range all {
			if as, ok := a.(map[string]any); ok {
				v.check(as, x, path, depth+1)
			}
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		alts, ok := s[k].([]any)
		if !ok {
			continue
		}
		n := 0
		for _, a := range alts {
			if as, ok := a.(map[string]any); ok && v.valid(as, x, depth+1) {
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

var inputPatterns sync.Map // pattern -> *regexp.Regexp, nil when Go cannot compile it

func inputPattern(p string) *regexp.Regexp {
	if re, ok := inputPatterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	inputPatterns.Store(p, re)
	return re
}

func inputNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

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
			names = append(names, fmt.Sprint(e))
		}
		return strings.Join(names, " or ")
	}
	return fmt.Sprint(t)
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

// captureBody makes ctx carry a slot that the runtime's call fills with the
// 2xx body as it came, so Invoke returns the service's own JSON.
func captureBody(ctx context.Context) (context.Context, *[]byte) {
	raw := new([]byte)
	return context.WithValue(ctx, rawBodyKey{}, raw), raw
}

// resultOfInvoke is Invoke's answer: the 2xx body as JSON, a non-JSON body
// as a JSON string (base64 when it is not UTF-8).
func resultOfInvoke[T any](raw *[]byte, resp *Response[T], err error) (*Response[json.RawMessage], error) {
	if err != nil {
		return nil, err
	}
	out := &Response[json.RawMessage]{StatusCode: resp.StatusCode, Header: resp.Header}
	body := *raw
	switch b := any(resp.Body).(type) {
	case io.ReadCloser:
		data, err := io.ReadAll(io.LimitReader(b, maxResponseBytes+1))
		b.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > maxResponseBytes {
			return nil, fmt.Errorf("%w than %d bytes", errTooLarge, maxResponseBytes)
		}
		body = data
		if len(data) > 0 {
			out.Body = asJSONString(data)
		}
		return out, nil
	case []byte:
		if body == nil {
			body = b
		}
	}
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case json.Valid(body):
		out.Body = bytes.Clone(body)
	default:
		out.Body = asJSONString(body)
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
