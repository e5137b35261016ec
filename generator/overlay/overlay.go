// Package overlay reads OpenAPI Overlay 1.0 documents and applies them to
// an OpenAPI document as parsed (generic JSON values), before the importer
// repairs or reads it (connector-spec section 10.2).
//
// Targets are RFC 9535 JSONPath queries, evaluated by
// github.com/theory/jsonpath: an implementation of RFC 9535 alone, with no
// dependencies of its own, whose tests run the JSONPath compliance test
// suite of the standard's working group. conngen does not evaluate
// JSONPath itself.
//
// An action's update is merged into each node its target selects: objects
// key by key, recursively, arrays appended; a scalar selected by the
// target is replaced by the update. remove: true deletes each selected
// node from the object or array that holds it. An action whose target
// selects nothing is an error at that action's line: an overlay that
// silently stopped applying is how fixes get lost.
package overlay

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/theory/jsonpath"
	jpspec "github.com/theory/jsonpath/spec"
	"gopkg.in/yaml.v3"
)

// Overlay is one parsed Overlay document.
type Overlay struct {
	File    string // as named in errors
	Title   string
	Actions []Action
}

// Action is one entry of the overlay's actions.
type Action struct {
	Target      string
	Description string
	Update      any  // generic value (map[string]any, []any, string, float64, bool, nil)
	HasUpdate   bool // update was given (it may be null)
	Remove      bool
	Pos         spec.Pos // of the action in the overlay file
	TargetPos   spec.Pos
	path        *jsonpath.Path
}

// Parse reads an Overlay 1.0 document (YAML or JSON). file names it in
// errors; the error, when not nil, is a spec.ErrorList with every problem.
func Parse(file string, data []byte) (*Overlay, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, spec.ErrorList{spec.YAMLError(file, err)}
	}
	if len(root.Content) == 0 {
		return nil, spec.ErrorList{{File: file, Msg: "empty overlay"}}
	}
	top := root.Content[0]
	var errs spec.ErrorList
	errorf := func(n *yaml.Node, path, format string, args ...any) {
		errs = append(errs, spec.Error{File: file, Pos: spec.Pos{Line: n.Line, Col: n.Column}, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if top.Kind != yaml.MappingNode {
		errorf(top, "", "not an Overlay document: the top level is not a mapping")
		return nil, errs
	}
	o := &Overlay{File: file}
	var version, actions *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "overlay":
			version = v
		case "info":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					if v.Content[j].Value == "title" {
						o.Title = v.Content[j+1].Value
					}
				}
			}
		case "extends":
			// ignored: the spec's from.openapi names the document
		case "actions":
			actions = v
		default:
			if !strings.HasPrefix(k.Value, "x-") {
				errorf(k, k.Value, "unknown field of an Overlay document (want overlay, info, extends, actions or x-...)")
			}
		}
	}
	switch {
	case version == nil:
		errorf(top, "overlay", `required: "overlay: 1.0.0" (is this an Overlay document?)`)
	case version.Kind != yaml.ScalarNode || !strings.HasPrefix(version.Value, "1."):
		errorf(version, "overlay", "version %q not supported: want 1.0.0", version.Value)
	}
	if actions == nil {
		errorf(top, "actions", "required")
		return nil, sortErrs(errs)
	}
	if actions.Kind != yaml.SequenceNode {
		errorf(actions, "actions", "expected a list")
		return nil, sortErrs(errs)
	}
	for i, an := range actions.Content {
		path := "actions[" + strconv.Itoa(i) + "]"
		if an.Kind != yaml.MappingNode {
			errorf(an, path, "expected a mapping with target and update or remove")
			continue
		}
		a := Action{Pos: spec.Pos{Line: an.Line, Col: an.Column}}
		var target *yaml.Node
		for j := 0; j+1 < len(an.Content); j += 2 {
			k, v := an.Content[j], an.Content[j+1]
			switch k.Value {
			case "target":
				target = v
			case "description":
				a.Description = v.Value
			case "update":
				val, err := (&yamlValues{}).generic(v, 0)
				if err != nil {
					errorf(v, path+".update", "%v", err)
				}
				a.Update, a.HasUpdate = val, true
			case "remove":
				b, err := strconv.ParseBool(v.Value)
				if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || err != nil {
					errorf(v, path+".remove", "expected true or false")
				}
				a.Remove = b
			default:
				if !strings.HasPrefix(k.Value, "x-") {
					errorf(k, path+"."+k.Value, "unknown field of an overlay action (want target, description, update, remove or x-...)")
				}
			}
		}
		if target == nil || target.Kind != yaml.ScalarNode || target.Value == "" {
			errorf(an, path+".target", "required: a JSONPath such as $.paths['/widgets'].get")
			continue
		}
		a.Target = target.Value
		a.TargetPos = spec.Pos{Line: target.Line, Col: target.Column}
		p, err := jsonpath.Parse(a.Target)
		if err != nil {
			errorf(target, path+".target", "not an RFC 9535 JSONPath: %v", strings.TrimPrefix(err.Error(), "jsonpath: "))
			continue
		}
		a.path = p
		if !a.HasUpdate && !a.Remove {
			errorf(an, path, "has neither update nor remove: true")
		}
		o.Actions = append(o.Actions, a)
	}
	if len(errs) > 0 {
		return nil, sortErrs(errs)
	}
	return o, nil
}

func sortErrs(errs spec.ErrorList) spec.ErrorList {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Pos.Line != errs[j].Pos.Line {
			return errs[i].Pos.Line < errs[j].Pos.Line
		}
		return errs[i].Pos.Col < errs[j].Pos.Col
	})
	return errs
}

// Apply applies the overlay's actions in order to doc, a document as
// parsed into generic values, and returns the result (doc itself when the
// root is only modified; a new value when an update replaces the root).
// Every action whose target selects nothing is an error at its position;
// the actions that do select are applied all the same, so the error
// lists every lost fix at once.
func (o *Overlay) Apply(doc any) (any, error) {
	var errs spec.ErrorList
	budget := maxAddedValues
	for i, a := range o.Actions {
		nodes := a.path.SelectLocated(doc)
		if len(nodes) == 0 {
			what := "update"
			if a.Remove {
				what = "remove"
			}
			errs = append(errs, spec.Error{File: o.File, Pos: a.Pos, Path: "actions[" + strconv.Itoa(i) + "]",
				Msg: fmt.Sprintf("target %s selects nothing in the document (the %s does not apply: has the document changed?)", a.Target, what)})
			continue
		}
		if a.Remove {
			doc = remove(doc, nodes)
			continue
		}
		for _, n := range nodes {
			var err error
			doc, err = update(doc, n.Path, a.Update, &budget)
			if err != nil {
				errs = append(errs, spec.Error{File: o.File, Pos: a.Pos, Path: "actions[" + strconv.Itoa(i) + "]",
					Msg: fmt.Sprintf("target %s: %s: %v", a.Target, n.Path, err)})
				if budget < 0 {
					return doc, errs // the document is past the bound: stop here
				}
			}
		}
	}
	if len(errs) > 0 {
		return doc, errs
	}
	return doc, nil
}

// maxAddedValues bounds the values one overlay's updates may add to a
// document: an update on a wildcard target ($..*) copies its value into
// every node, and each later action selects the copies too, so a few
// lines could otherwise multiply the document without end. A variable so
// tests can lower it.
var maxAddedValues = 5_000_000

// update merges upd into the node at path; budget is what may still be
// added.
func update(doc any, path jpspec.NormalizedPath, upd any, budget *int) (any, error) {
	if len(path) == 0 {
		return merge(doc, upd, budget)
	}
	parent, ok := at(doc, path[:len(path)-1])
	if !ok {
		return doc, fmt.Errorf("selected node is gone (removed by an earlier match?)")
	}
	switch sel := path[len(path)-1].(type) {
	case jpspec.Name:
		m, ok := parent.(map[string]any)
		if !ok {
			return doc, fmt.Errorf("parent is not an object")
		}
		v, err := merge(m[string(sel)], upd, budget)
		if err != nil {
			return doc, err
		}
		m[string(sel)] = v
	case jpspec.Index:
		l, ok := parent.([]any)
		if !ok || int(sel) >= len(l) {
			return doc, fmt.Errorf("parent is not an array holding the node")
		}
		v, err := merge(l[sel], upd, budget)
		if err != nil {
			return doc, err
		}
		l[sel] = v
	}
	return doc, nil
}

// merge merges upd into target: objects key by key (recursively), arrays
// appended, anything else replaced.
func merge(target, upd any, budget *int) (any, error) {
	switch t := target.(type) {
	case map[string]any:
		u, ok := upd.(map[string]any)
		if !ok {
			return target, fmt.Errorf("update of an object must be an object, not %s", kind(upd))
		}
		for _, k := range sortedKeys(u) {
			if cur, ok := t[k]; ok {
				v, err := merge(cur, u[k], budget)
				if err != nil {
					return target, err
				}
				t[k] = v
			} else {
				t[k] = clone(u[k], budget)
				if *budget < 0 {
					return target, errTooLarge
				}
			}
		}
		return t, nil
	case []any:
		if u, ok := upd.([]any); ok {
			for _, x := range u {
				t = append(t, clone(x, budget))
			}
		} else {
			t = append(t, clone(upd, budget))
		}
		if *budget < 0 {
			return target, errTooLarge
		}
		return t, nil
	}
	if v := clone(upd, budget); *budget >= 0 {
		return v, nil
	}
	return target, errTooLarge
}

var errTooLarge = errors.New("the updates add more values to the document than an overlay can (an update on a wildcard target?)")

// removed stands in, during remove, for an array element taken out, so
// that the indexes of the other selected nodes stay as selected.
type removed struct{}

// remove deletes the selected nodes from their parents: object members at
// once, array elements marked and then each array compacted once, deepest
// first (so an outer array's shifting indexes never misdirect an inner
// one). Linear in the nodes selected, however many share one array.
func remove(doc any, nodes jsonpath.LocatedNodeList) any {
	arrays := map[string]jpspec.NormalizedPath{} // arrays that lost elements, by path
	for _, n := range nodes {
		p := n.Path
		if len(p) == 0 {
			return nil // $ removed: nothing is left
		}
		parent, ok := at(doc, p[:len(p)-1])
		if !ok {
			continue // inside a node removed already
		}
		switch sel := p[len(p)-1].(type) {
		case jpspec.Name:
			if m, ok := parent.(map[string]any); ok {
				delete(m, string(sel))
			}
		case jpspec.Index:
			if l, ok := parent.([]any); ok && int(sel) < len(l) {
				l[sel] = removed{}
				arrays[p[:len(p)-1].String()] = p[:len(p)-1]
			}
		}
	}
	paths := make([]jpspec.NormalizedPath, 0, len(arrays))
	for _, p := range arrays {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool {
		if len(paths[i]) != len(paths[j]) {
			return len(paths[i]) > len(paths[j])
		}
		return paths[i].Compare(paths[j]) < 0
	})
	for _, p := range paths {
		if l, ok := at(doc, p); ok {
			if l, ok := l.([]any); ok {
				kept := l[:0]
				for _, e := range l {
					if _, gone := e.(removed); !gone {
						kept = append(kept, e)
					}
				}
				clear(l[len(kept):])
				doc = replaceAt(doc, p, kept)
			}
		}
	}
	return doc
}

// at returns the node at path.
func at(doc any, path jpspec.NormalizedPath) (any, bool) {
	cur := doc
	for _, s := range path {
		switch sel := s.(type) {
		case jpspec.Name:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[string(sel)]; !ok {
				return nil, false
			}
		case jpspec.Index:
			l, ok := cur.([]any)
			if !ok || int(sel) < 0 || int(sel) >= len(l) {
				return nil, false
			}
			cur = l[sel]
		default:
			return nil, false
		}
	}
	return cur, true
}

// replaceAt puts v at path (an array shrunk by a removal).
func replaceAt(doc any, path jpspec.NormalizedPath, v any) any {
	if len(path) == 0 {
		return v
	}
	parent, ok := at(doc, path[:len(path)-1])
	if !ok {
		return doc
	}
	switch sel := path[len(path)-1].(type) {
	case jpspec.Name:
		if m, ok := parent.(map[string]any); ok {
			m[string(sel)] = v
		}
	case jpspec.Index:
		if l, ok := parent.([]any); ok && int(sel) < len(l) {
			l[sel] = v
		}
	}
	return doc
}

// clone is a deep copy of v, each value counted against budget; past it,
// the copy stops short (the caller reports the error).
func clone(v any, budget *int) any {
	if *budget--; *budget < 0 {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e, budget)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clone(e, budget)
		}
		return l
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// generic converts a YAML node to the values encoding/json gives (numbers
// as float64), as the importer parses documents.
// yamlValues converts YAML to generic values, counting what aliases
// expand to.
type yamlValues struct {
	inAlias int // aliases being expanded
	aliased int // values made through aliases
}

// maxAliasedValues bounds what an update's YAML aliases expand to, so a
// "billion laughs" update is an error, not all the memory there is.
const maxAliasedValues = 100_000

func (y *yamlValues) generic(n *yaml.Node, depth int) (any, error) {
	if depth > 200 {
		return nil, fmt.Errorf("nested too deeply")
	}
	if y.inAlias > 0 {
		if y.aliased++; y.aliased > maxAliasedValues {
			return nil, fmt.Errorf("YAML aliases expand to more than %d values (an alias bomb?)", maxAliasedValues)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return y.generic(n.Content[0], depth+1)
	case yaml.AliasNode:
		y.inAlias++
		defer func() { y.inAlias-- }()
		return y.generic(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := y.generic(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := y.generic(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		return b, nil
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return float64(i), nil
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, nil
		}
	}
	return n.Value, nil
}
