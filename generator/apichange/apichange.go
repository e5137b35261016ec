// Package apichange says what changed in the Go API of a connector from
// one spec to another (conngen diff, connector-spec section 10.3).
//
// Both specs are generated, the two packages are type-checked
// (golang.org/x/tools/go/packages, in a temporary module: the packages
// import golang.org/x/oauth2) and compared with golang.org/x/exp/apidiff,
// whose verdict decides what is breaking. Two kinds of change the Go API
// does not show are added from the specs: an input that becomes required
// (it still compiles, and every existing call now fails) is breaking, and
// a change to what is sent (path, method, auth, base URL, scopes,
// pagination, retry, ping) is a behaviour change.
package apichange

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
	"gopkg.in/yaml.v3"
)

// Kinds of change, in the order they are listed.
const (
	Breaking   = "breaking"
	Behaviour  = "behaviour"
	Compatible = "compatible"
)

// Change is one line of conngen diff.
type Change struct {
	Kind string
	Text string // names the spec's words and the Go identifier

	apidiff *apidiff.Change // the change apidiff reported, if it did
}

func (c Change) String() string { return c.Kind + ": " + c.Text }

// Module is the go.mod requirement and go.sum lines the type check needs
// for golang.org/x/oauth2 (the runner of conngen call uses the same).
type Module struct {
	OAuth2Version string
	OAuth2Sum     string
}

// Compare lists the changes from old to new, breaking first, then
// behaviour, then compatible ones, each group sorted.
func Compare(old, new *spec.Spec, mod Module) ([]Change, error) {
	oldOut, err := generator.Generate(old)
	if err != nil {
		return nil, err
	}
	newOut, err := generator.Generate(new)
	if err != nil {
		return nil, err
	}
	report, err := goAPIDiff(oldOut.Files, newOut.Files, oldOut.Name, mod)
	if err != nil {
		return nil, err
	}
	v := newVocab(old, new)
	// An action removed or added takes its params, body and response
	// types and its iterator with it: one line says it.
	whole := map[string]string{} // action -> "removed" / "added"
	for _, c := range report.Changes {
		ident, what, _ := strings.Cut(c.Message, ": ")
		if v.main[ident] && (what == "removed" || what == "added") {
			whole[v.owner[ident]] = what
		}
	}
	var out []Change
	for i, c := range report.Changes {
		ident, what, _ := strings.Cut(c.Message, ": ")
		if a, ok := v.owner[ident]; ok && !v.main[ident] && whole[a] != "" && whole[a] == what {
			continue
		}
		if strings.HasPrefix(c.Message, "DefaultBaseURL: value changed") {
			// The base URL is a behaviour change (connector-spec 10.3);
			// apidiff calls any constant's new value incompatible, which
			// matters for constants used at compile time, not for a URL.
			// The behaviour line below reports it.
			continue
		}
		kind := Compatible
		if !c.Compatible {
			kind = Breaking
		}
		text := v.describe(c.Message)
		if v.main[ident] && what == "removed" {
			text += renamedTo(old, new, v.owner[ident])
		}
		out = append(out, Change{Kind: kind, Text: text, apidiff: &report.Changes[i]})
	}
	out = append(out, requiredInputs(old, new, v)...)
	out = append(out, behaviour(old, new)...)
	order := map[string]int{Breaking: 0, Behaviour: 1, Compatible: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		return out[i].Text < out[j].Text
	})
	return slices.CompactFunc(out, func(a, b Change) bool { return a.Kind == b.Kind && a.Text == b.Text }), nil
}

// renamedTo says which action of new now has the method and path of
// old's removed action name (a provider that adds operation ids renames
// every action), so the user knows what an override must now name.
func renamedTo(old, new *spec.Spec, name string) string {
	for _, o := range old.Actions {
		if o.Name != name {
			continue
		}
		for _, n := range new.Actions {
			if n.Method == o.Method && n.Path == o.Path && n.Name != name {
				return fmt.Sprintf("; %s %s is now action %s (func (*Client) %s)", n.Method, n.Path, n.Name, names.Go(n.Name))
			}
		}
	}
	return ""
}

// goAPIDiff type-checks the two generated packages and compares them.
func goAPIDiff(oldFiles, newFiles map[string][]byte, name string, mod Module) (apidiff.Report, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return apidiff.Report{}, fmt.Errorf("the go command is needed to type-check the generated packages: %v", err)
	}
	tmp, err := os.MkdirTemp("", "conngen-diff-")
	if err != nil {
		return apidiff.Report{}, err
	}
	defer os.RemoveAll(tmp)
	write := func(rel string, data []byte) error {
		p := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	if err := write("go.mod", []byte("module conngendiff\n\ngo 1.26.0\n\nrequire golang.org/x/oauth2 "+mod.OAuth2Version+"\n")); err != nil {
		return apidiff.Report{}, err
	}
	if err := write("go.sum", []byte(mod.OAuth2Sum)); err != nil {
		return apidiff.Report{}, err
	}
	for side, files := range map[string]map[string][]byte{"old": oldFiles, "new": newFiles} {
		for f, src := range files {
			if err := write(filepath.Join(side, name, f), src); err != nil {
				return apidiff.Report{}, err
			}
		}
	}
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:  tmp,
		Env:  append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, "./old/"+name, "./new/"+name)
	if err != nil {
		return apidiff.Report{}, fmt.Errorf("type-checking the generated packages: %w", err)
	}
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return apidiff.Report{}, fmt.Errorf("type-checking the generated package %s: %v", p.PkgPath, p.Errors[0])
		}
		byPath[p.PkgPath] = p
	}
	o, n := byPath["conngendiff/old/"+name], byPath["conngendiff/new/"+name]
	if o == nil || n == nil {
		return apidiff.Report{}, fmt.Errorf("type-checking the generated packages: not loaded")
	}
	return apidiff.Changes(o.Types, n.Types), nil
}

// vocab names Go identifiers in the spec's words: the Client's methods
// by action, and every named type (a schema, an action's params, body
// or response) with its fields by their names in the spec.
type vocab struct {
	methods map[string]string // Client method -> "action x"
	types   map[string]*typeWords
	// owner is the action a Client method or a type (its params, body or
	// response) belongs to; main marks an action's own method.
	owner map[string]string
	main  map[string]bool
}

type typeWords struct {
	words  string            // "schema Widget", "params of action listWidgets", ...
	fields map[string]string // Go field -> "field size", "param limit (query)", "body"
}

func newVocab(specs ...*spec.Spec) *vocab {
	v := &vocab{methods: map[string]string{}, types: map[string]*typeWords{}, owner: map[string]string{}, main: map[string]bool{}}
	typ := func(name, words string) *typeWords {
		t := v.types[name]
		if t == nil {
			t = &typeWords{words: words, fields: map[string]string{}}
			v.types[name] = t
		}
		return t
	}
	own := func(name, action string) {
		if _, ok := v.owner[name]; !ok {
			v.owner[name] = action
		}
	}
	for _, s := range specs {
		c := model.Build(s)
		for _, ns := range s.Schemas {
			typ(names.Go(ns.Name), "schema "+ns.Name)
		}
		for _, a := range c.Actions {
			v.methods[a.GoName] = "action " + a.Name
			v.methods[a.GoName+"All"] = "action " + a.Name + " (iterator over all pages)"
			v.methods[a.GoName+"Events"] = "action " + a.Name + " (events)"
			v.main["(*Client)."+a.GoName] = true
			for _, m := range []string{a.GoName, a.GoName + "All", a.GoName + "Events"} {
				own("(*Client)."+m, a.Name)
			}
			if a.ParamsType != "" {
				own(a.ParamsType, a.Name)
				t := typ(a.ParamsType, "params of action "+a.Name)
				for _, p := range a.Params {
					t.fields[p.GoName] = "param " + p.Name + " (" + p.In + ")"
				}
				if a.Body != nil {
					t.fields[a.Body.GoName] = "body"
					if n := namedType(a.Body.Type); n != "" && v.types[n] == nil {
						own(n, a.Name)
						typ(n, "body of action "+a.Name)
					}
				}
			}
			if n := namedType(a.Result); n != "" && v.types[n] == nil {
				own(n, a.Name)
				typ(n, "response of action "+a.Name)
			}
		}
		cfg := typ("Config", "Config")
		for _, f := range c.AuthFields {
			cfg.fields[f.GoName] = "auth " + s.Auth.Type + " credential"
		}
		for _, p := range c.Conn {
			cfg.fields[p.GoName] = "connection param " + p.Name
		}
		for _, t := range c.Types {
			tw := typ(t.Name, "type "+t.Name)
			for _, f := range t.Fields {
				if _, ok := tw.fields[f.GoName]; !ok && f.JSONName != "" {
					tw.fields[f.GoName] = "field " + f.JSONName
				}
			}
		}
	}
	return v
}

// namedType is the name of the type declared for t (through a pointer
// or slice), or "".
func namedType(t *model.GoType) string {
	for t != nil {
		if t.Kind == model.Named {
			return t.Name
		}
		t = t.Elem
	}
	return ""
}

var identRE = regexp.MustCompile(`^\(?\*?([A-Za-z_][A-Za-z0-9_]*)\)?(?:\.([A-Za-z_][A-Za-z0-9_]*))?(?:\.([A-Za-z_][A-Za-z0-9_.]*))?$`)

var changedRE = regexp.MustCompile(`^changed from (.+) to (.+)$`)

// describe turns an apidiff message ("Widget.Size: removed") into a line
// naming the Go identifier and the spec's words:
// "Widget.Size: field removed (schema Widget, field size)".
func (v *vocab) describe(msg string) string {
	ident, what, ok := strings.Cut(msg, ": ")
	if !ok {
		return msg
	}
	m := identRE.FindStringSubmatch(ident)
	if m == nil {
		return msg
	}
	typ, member := m[1], m[2]
	if m := changedRE.FindStringSubmatch(what); m != nil {
		what = "type " + m[1] + " → " + m[2]
	}
	if typ == "Client" && member != "" {
		if words, ok := v.methods[member]; ok {
			if sig, ok := strings.CutPrefix(what, "type "); ok {
				return fmt.Sprintf("%s: signature %s (func (*Client) %s)", words, sig, member)
			}
			return fmt.Sprintf("%s %s (func (*Client) %s)", words, what, member)
		}
	}
	t, ok := v.types[typ]
	if !ok {
		return msg
	}
	if member == "" {
		if what == "removed" || what == "added" {
			what = "type " + what
		}
		return fmt.Sprintf("%s: %s (%s)", ident, what, t.words)
	}
	field, ok := t.fields[member]
	if !ok {
		field = "member " + member
	}
	if what == "removed" || what == "added" {
		switch w := strings.SplitN(field, " ", 2)[0]; w {
		case "param", "body":
			what = w + " " + what
		default:
			what = "field " + what
		}
	}
	return fmt.Sprintf("%s: %s (%s, %s)", ident, what, t.words, field)
}

// requiredInputs lists the inputs of actions in both specs that new
// requires and old did not: a required param, a required body, a
// required field of the body.
func requiredInputs(old, new *spec.Spec, v *vocab) []Change {
	var out []Change
	oldActs := map[string]*spec.Action{}
	for i := range old.Actions {
		oldActs[old.Actions[i].Name] = &old.Actions[i]
	}
	c := model.Build(new)
	paramsType := map[string]*model.Action{}
	for _, a := range c.Actions {
		paramsType[a.Name] = a
	}
	for _, na := range new.Actions {
		oa := oldActs[na.Name]
		if oa == nil {
			continue
		}
		goParam := func(p spec.Param) string {
			if ma := paramsType[na.Name]; ma != nil {
				for _, mp := range ma.Params {
					if mp.Name == p.Name && mp.In == p.In {
						return ma.ParamsType + "." + mp.GoName
					}
				}
			}
			return names.Go(na.Name) + "Params." + names.Go(p.Name)
		}
		for _, np := range na.Params {
			if !np.Required && np.In != spec.InPath {
				continue
			}
			was := false
			for _, op := range oa.Params {
				if op.Name == np.Name && op.In == np.In && (op.Required || op.In == spec.InPath) {
					was = true
				}
			}
			if !was {
				out = append(out, Change{Kind: Breaking, Text: fmt.Sprintf("action %s, param %s (%s): now required (%s)", na.Name, np.Name, np.In, goParam(np))})
			}
		}
		if na.Body != nil && na.Body.Required && (oa.Body == nil || !oa.Body.Required) {
			out = append(out, Change{Kind: Breaking, Text: fmt.Sprintf("action %s: body now required (%sParams.Body)", na.Name, names.Go(na.Name))})
		}
		if na.Body != nil && oa.Body != nil {
			was := requiredFields(old, oa.Body.Schema)
			for _, f := range sortedKeys(requiredFields(new, na.Body.Schema)) {
				if !was[f] {
					out = append(out, Change{Kind: Breaking, Text: fmt.Sprintf("action %s, body field %s: now required (%sParams.Body)", na.Name, f, names.Go(na.Name))})
				}
			}
		}
	}
	return out
}

// maxRequiredPaths bounds the dot paths requiredFields lists: required
// $ref properties fan out (k per schema, depth 8: k^8 paths), and a
// document built to do that must not make conngen diff run without end.
// Real bodies list a few hundred at most.
const maxRequiredPaths = 10000

// requiredFields is the set of dot paths of the required properties of
// an object schema, through $refs and nested objects, at most
// maxRequiredPaths of them.
func requiredFields(s *spec.Spec, sc *spec.Schema) map[string]bool {
	named := make(map[string]*spec.Schema, len(s.Schemas))
	for _, ns := range s.Schemas {
		if _, ok := named[ns.Name]; !ok {
			named[ns.Name] = ns.Schema
		}
	}
	out := map[string]bool{}
	var walk func(sc *spec.Schema, prefix string, depth int, seen map[string]bool)
	walk = func(sc *spec.Schema, prefix string, depth int, seen map[string]bool) {
		if sc == nil || depth > 8 || len(out) >= maxRequiredPaths {
			return
		}
		if sc.Ref != "" {
			name := strings.TrimPrefix(sc.Ref, spec.RefPrefix)
			if seen[name] {
				return
			}
			seen = maps.Clone(seen)
			seen[name] = true
			walk(named[name], prefix, depth+1, seen)
			return
		}
		for _, r := range sc.Required {
			if len(out) >= maxRequiredPaths {
				return
			}
			out[prefix+r] = true
			for _, p := range sc.Properties {
				if p.Name == r {
					walk(p.Schema, prefix+r+".", depth+1, seen)
				}
			}
		}
		for _, a := range sc.AllOf {
			walk(a, prefix, depth+1, seen)
		}
	}
	walk(sc, "", 0, map[string]bool{})
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// behaviour lists changes to what is sent that the Go API does not show.
func behaviour(old, new *spec.Spec) []Change {
	var out []Change
	add := func(format string, args ...any) {
		out = append(out, Change{Kind: Behaviour, Text: fmt.Sprintf(format, args...)})
	}
	if old.BaseURL != new.BaseURL {
		add("baseURL %s → %s (DefaultBaseURL)", old.BaseURL, new.BaseURL)
	}
	oa, na := old.Auth, new.Auth
	oa.Scopes, na.Scopes = nil, nil
	if js(oa) != js(na) {
		add("auth %s → %s", js(oa), js(na))
	}
	if !slices.Equal(old.Auth.Scopes, new.Auth.Scopes) {
		add("auth.scopes %v → %v", old.Auth.Scopes, new.Auth.Scopes)
	}
	if js(old.Retry) != js(new.Retry) {
		add("retry %s → %s", js(old.Retry), js(new.Retry))
	}
	if js(old.Ping) != js(new.Ping) {
		add("ping %s → %s (AuthPing)", js(old.Ping), js(new.Ping))
	}
	oldActs := map[string]*spec.Action{}
	for i := range old.Actions {
		oldActs[old.Actions[i].Name] = &old.Actions[i]
	}
	for _, n := range new.Actions {
		o := oldActs[n.Name]
		if o == nil {
			continue
		}
		gn := names.Go(n.Name)
		if o.Method != n.Method {
			add("action %s: method %s → %s (func (*Client) %s)", n.Name, o.Method, n.Method, gn)
		}
		if o.Path != n.Path {
			add("action %s: path %s → %s (func (*Client) %s)", n.Name, o.Path, n.Path, gn)
		}
		if !slices.Equal(o.Scopes, n.Scopes) {
			add("action %s: scopes %v → %v (func (*Client) %s)", n.Name, o.Scopes, n.Scopes, gn)
		}
		if js(o.Paginate) != js(n.Paginate) {
			add("action %s: pagination %s → %s (func (*Client) %s)", n.Name, js(o.Paginate), js(n.Paginate), gn)
		}
		if js(o.Auth) != js(n.Auth) {
			add("action %s: auth %s → %s (func (*Client) %s)", n.Name, js(o.Auth), js(n.Auth), gn)
		}
	}
	return out
}

// js renders a spec value as the spec writes it, in YAML flow style
// ({style: cursor, cursor: after}); "none" when it is not set.
func js(v any) string {
	if rv := reflect.ValueOf(v); !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "none"
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	flow(&n)
	b, err := yaml.Marshal(&n)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(string(b))
}

func flow(n *yaml.Node) {
	n.Style |= yaml.FlowStyle
	for _, c := range n.Content {
		flow(c)
	}
}
