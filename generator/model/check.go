package model

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
)

// CompiledChecksUnder is the weight (Check.weight: helper calls and
// switch cases; a key whose table entry says all weighs nothing) under
// which Invoke's input check is compiled: one generated function per
// Input and per named schema they use, calling the helpers of
// templates/check.go, in place of the schema interpreter
// (templates/schemacheck.go), which is the same code whatever the
// schemas. Measured in compiler instructions on 13 documents
// (BENCHMARKS.md, "Fifth round"), the compiled check saves ~75M at a
// weight under 25 and ~20M at 58, and costs more than the interpreter
// from about 90: it is for small connectors. A variable so tests can
// force either.
var CompiledChecksUnder = 80

// CheckFunc is a generated function that checks a value against one
// schema: an action's whole Input (Root: it takes the input alone) or a
// named schema an Input refers to.
type CheckFunc struct {
	Name   string
	Root   bool
	Check  *Check
	Tables []*ObjectCheck // its objects that have a table (ObjectCheck.Table), in order
}

// Check is what the compiled check does with one value, in the
// interpreter's order: the type (nothing more when it is wrong), enum,
// then what the value's kind asks for.
type Check struct {
	Call    *CheckFunc // a named schema's ($ref); nothing else is set
	Never   bool       // the schema false: "not allowed"
	Types   []string   // the JSON types it may have; none: any
	Enum    []string
	Object  *ObjectCheck
	Items   *Check // each element of an array
	Count   *Range // minItems, maxItems
	Length  *Range // minLength, maxLength
	Bounds  *Range // minimum, maximum
	Pattern *string
}

// Range is a pair of bounds, each ±Inf when the schema sets none.
type Range struct{ Lo, Hi float64 }

// ObjectCheck is what the compiled check does with an object's keys.
type ObjectCheck struct {
	Required []string
	Props    []PropCheck // sorted by key
	Refused  bool        // undeclared keys are refused
	// Table names the object's table of declared keys (static data: each
	// key with the types its value may have, when that is all its check
	// is), which the helpers field and fields read.
	Table string
}

// PropCheck is a declared key and the check of its value (nil: none).
// Code: the check is more than its value's types or a named schema's
// check, and is rendered as code; else the table says it.
type PropCheck struct {
	Key   string
	Check *Check
	Code  bool
}

// Coded reports whether some declared key's value is checked by code.
func (o *ObjectCheck) Coded() bool {
	for _, p := range o.Props {
		if p.Code {
			return true
		}
	}
	return false
}

// Walks reports whether the check goes through the object's keys.
func (o *ObjectCheck) Walks() bool { return len(o.Props) > 0 || o.Refused }

// compileChecks decides the compiled input check of a small connector,
// and leaves c.InputChecks nil (the interpreter) when the Inputs are too
// large or use what only the interpreter checks: oneOf, anyOf, allOf, a
// list of types, additionalProperties as a schema, a $ref beside other
// checks, recursion.
func (b *builder) compileChecks() {
	c := b.c
	if len(c.Registry) == 0 || !c.SchemasWhole || c.inputRecursive {
		return
	}
	cc := &checkCompiler{defFuncs: map[string]*CheckFunc{}}
	roots := map[string]*CheckFunc{}
	var funcs []*CheckFunc
	of := make([]*CheckFunc, len(c.Registry)) // each Entry's
	for i, e := range c.Registry {
		text := e.InputSchema()
		if f, ok := roots[text]; ok {
			of[i] = f
			continue
		}
		root, ok := parseSchema(text)
		if !ok {
			return
		}
		cc.defs, _ = root["$defs"].(map[string]any)
		chk, ok := cc.node(root)
		if !ok {
			return
		}
		if chk != nil && chk.Object != nil {
			chk.Types = nil // decodeInput checks only an object
		}
		f := &CheckFunc{Name: "check" + e.Action.GoName + "Input", Root: true, Check: chk}
		roots[text] = f
		funcs = append(funcs, f)
		of[i] = f
	}
	funcs = append(funcs, cc.funcs...)
	weight := 0
	for _, f := range funcs {
		weight += 1 + f.Check.weight()
	}
	if weight >= CompiledChecksUnder {
		return
	}
	// Named only now, when the check is compiled: a name handed out is
	// never left unused.
	c.InputChecks = funcs
	for _, f := range c.InputChecks {
		f.Name = b.ids.Unique(f.Name)
		f.Tables = f.Check.nameTables(b, "fields"+strings.TrimPrefix(f.Name, "check"), nil)
	}
	for i, e := range c.Registry {
		e.CheckFunc = of[i].Name
	}
}

// parseSchema reads a schema text as the interpreter does: numbers as
// json.Number.
func parseSchema(text string) (map[string]any, bool) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var s map[string]any
	return s, d.Decode(&s) == nil && s != nil
}

type checkCompiler struct {
	defs     map[string]any        // the $defs of the Input being compiled
	defFuncs map[string]*CheckFunc // by $defs key: the same in every Input
	funcs    []*CheckFunc          // of the named schemas, in the order met
}

// checks reports whether the interpreter (schemacheck.go) checks keyword
// k: one of those its pieces follow (checkPieces), or one it always
// checks. Any other is an annotation.
func checks(k string) bool {
	_, piece := checkPieces[k]
	return piece || k == "type" || k == "properties" || k == "required"
}

// node compiles schema s (a JSON value); ok is false where only the
// interpreter can check it.
func (cc *checkCompiler) node(s any) (chk *Check, ok bool) {
	switch s := s.(type) {
	case bool:
		if !s {
			return &Check{Never: true}, true
		}
		return nil, true
	case map[string]any:
		return cc.schema(s)
	}
	return nil, true // neither a schema nor a boolean: the interpreter checks nothing
}

func (cc *checkCompiler) schema(s map[string]any) (*Check, bool) {
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		if _, ok := s[k]; ok {
			return nil, false
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		for k := range s {
			if checks(k) {
				return nil, false
			}
		}
		return cc.ref(ref)
	}
	chk := &Check{}
	switch t := s["type"].(type) {
	case nil:
	case string:
		chk.Types = []string{t}
	case []any:
		for _, e := range t {
			name, ok := e.(string)
			if !ok {
				return nil, false
			}
			chk.Types = append(chk.Types, name)
		}
		if len(chk.Types) == 0 {
			return nil, false // the interpreter refuses every value; said only there
		}
	default:
		return nil, false
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			data, err := json.Marshal(e)
			if err != nil {
				return nil, false
			}
			chk.Enum = append(chk.Enum, string(data))
		}
	}
	obj, ok := cc.object(s)
	if !ok {
		return nil, false
	}
	chk.Object = obj
	if items, ok := s["items"]; ok {
		if chk.Items, ok = cc.node(items); !ok {
			return nil, false
		}
	}
	chk.Count = bounds(s, "minItems", "maxItems")
	chk.Length = bounds(s, "minLength", "maxLength")
	if p, ok := s["pattern"].(string); ok {
		chk.Pattern = &p
	}
	chk.Bounds = bounds(s, "minimum", "maximum")
	if chk.empty() {
		return nil, true
	}
	return chk, true
}

// helpers turns on the pieces (templates/check.go) that chk calls, as
// generator/emit renders it.
func (chk *Check) helpers(on func(...string)) {
	if chk == nil || chk.Call != nil || chk.Never {
		return
	}
	add := func(calls bool, piece string) {
		if calls {
			on(piece)
		}
	}
	add(len(chk.Enum) > 0, PieceCompiledEnum)
	add(chk.Items != nil, PieceCompiledItems)
	add(chk.Count != nil, PieceCompiledCount)
	add(chk.Length != nil, PieceCompiledLength)
	add(chk.Pattern != nil, PieceCompiledPattern)
	add(chk.Bounds != nil, PieceCompiledBetween)
	if o := chk.Object; o != nil {
		add(len(o.Required) > 0, PieceCompiledRequired)
		add(o.Walks() && o.Coded(), PieceCompiledField)
		add(o.Walks() && !o.Coded(), PieceCompiledFields)
		for _, p := range o.Props {
			if p.Code {
				p.Check.helpers(on)
			}
		}
	}
	chk.Items.helpers(on)
	switch {
	case chk.Types == nil:
	case chk.TypedObject():
		on(PieceCompiledObject)
	default:
		on(PieceCompiledKind)
	}
}

// TypedObject reports whether chk's one type is "object" and it checks
// nothing else of the value than the object's keys: one helper
// (v.object) does both.
func (chk *Check) TypedObject() bool {
	return len(chk.Types) == 1 && chk.Types[0] == "object" && chk.Object != nil && len(chk.Enum) == 0 && chk.Items == nil &&
		chk.Count == nil && chk.Length == nil && chk.Pattern == nil && chk.Bounds == nil
}

// onlyTypes reports whether chk checks nothing but its value's types.
func (chk *Check) onlyTypes() bool {
	rest := *chk
	rest.Types = nil
	return rest.empty()
}

func (chk *Check) empty() bool {
	return chk.Call == nil && !chk.Never && chk.Types == nil && chk.Enum == nil && chk.Object == nil &&
		chk.Items == nil && chk.Count == nil && chk.Length == nil && chk.Bounds == nil && chk.Pattern == nil
}

// object is the check of an object's keys, nil when there is none (an
// object schema without properties, required or additionalProperties
// false is free-form).
func (cc *checkCompiler) object(s map[string]any) (*ObjectCheck, bool) {
	o := &ObjectCheck{}
	props, _ := s["properties"].(map[string]any)
	keys := slices.Sorted(maps.Keys(props))
	for _, k := range keys {
		chk, ok := cc.node(props[k])
		if !ok {
			return nil, false
		}
		code := chk != nil && chk.Call == nil && !chk.onlyTypes()
		o.Props = append(o.Props, PropCheck{Key: k, Check: chk, Code: code})
	}
	ap := s["additionalProperties"]
	if _, isSchema := ap.(map[string]any); isSchema {
		return nil, false
	}
	switch ap {
	case false:
		o.Refused = true
	case true:
	default:
		o.Refused = len(props) > 0 // declared properties, and nothing more allowed
	}
	req, _ := s["required"].([]any)
	for _, r := range req {
		if name, ok := r.(string); ok && !slices.Contains(o.Required, name) {
			o.Required = append(o.Required, name)
		}
	}
	if !o.Walks() && len(o.Required) == 0 {
		return nil, true
	}
	return o, true
}

// bounds reads the pair of bounds lo and hi name (a bound that is not a
// number the interpreter reads is none: inputNumber).
func bounds(s map[string]any, lo, hi string) *Range {
	r := &Range{Lo: math.Inf(-1), Hi: math.Inf(1)}
	set := false
	for i, k := range []string{lo, hi} {
		n, ok := s[k].(json.Number)
		if !ok {
			continue
		}
		f, err := n.Float64()
		if err != nil {
			continue
		}
		if i == 0 {
			r.Lo = f
		} else {
			r.Hi = f
		}
		set = true
	}
	if !set {
		return nil
	}
	return r
}

// ref is the check of a $ref: a call of the named schema's function,
// compiled once.
func (cc *checkCompiler) ref(ref string) (*Check, bool) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, false
	}
	if f, ok := cc.defFuncs[name]; ok {
		if f.Check == nil {
			return nil, false // met again while compiling it: recursion
		}
		return &Check{Call: f}, true
	}
	def, ok := cc.defs[name].(map[string]any)
	if !ok {
		return nil, false
	}
	f := &CheckFunc{Name: "check" + name}
	cc.defFuncs[name] = f
	chk, ok := cc.schema(def)
	if !ok {
		return nil, false
	}
	if chk == nil {
		chk = &Check{} // checks nothing: still called, so that every $ref is one call
	}
	f.Check = chk
	cc.funcs = append(cc.funcs, f)
	return &Check{Call: f}, true
}

// weight is what rendering chk costs the compiler, in helper calls and
// switch cases (an enum's values weigh a quarter each).
func (chk *Check) weight() int {
	if chk == nil {
		return 0
	}
	n := 1 + len(chk.Enum)/4
	if o := chk.Object; o != nil {
		n += 2
		for _, p := range o.Props {
			if p.Code {
				n += 1 + p.Check.weight()
			}
		}
	}
	return n + chk.Items.weight()
}

// nameTables names the tables of chk's objects, from name, and adds the
// objects to to.
func (chk *Check) nameTables(b *builder, name string, to []*ObjectCheck) []*ObjectCheck {
	if chk == nil || chk.Call != nil {
		return to
	}
	if o := chk.Object; o != nil && o.Walks() {
		o.Table = b.ids.Unique(name)
		to = append(to, o)
		for _, p := range o.Props {
			if p.Code {
				to = p.Check.nameTables(b, name, to)
			}
		}
	}
	return chk.Items.nameTables(b, name, to)
}
