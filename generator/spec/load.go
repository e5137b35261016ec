package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Pos is a 1-based line and column in a spec file.
type Pos struct{ Line, Col int }

// Error is one problem in a spec, at the position of the field it names.
type Error struct {
	File string
	Pos  Pos
	Path string // field path, e.g. actions[2].params[0].name
	Msg  string
}

func (e Error) Error() string {
	loc := e.File
	if e.Pos.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col)
	}
	if e.Path == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Path + ": " + e.Msg
}

// ErrorList is every problem found in a spec, sorted by position.
type ErrorList []Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
}

// Limits that keep a hostile file from exhausting memory or the stack.
const (
	maxDepth   = 200
	maxNodes   = 5_000_000
	maxAliased = 100_000
)

// Load parses and validates a spec. file names it in error messages. The
// error, when not nil, is an ErrorList holding every problem found.
// Warnings are problems that do not stop generation.
func Load(file string, data []byte) (*Spec, []string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, ErrorList{yamlError(file, err)}
	}
	return LoadNode(file, &root, nil) // which refuses an empty document
}

// Locate says where a field of a merged spec came from when its node
// carries no position (line 0: it was produced by an import): the file
// and position to report a problem of the field at path.
type Locate func(path string) (file string, pos Pos)

// LoadNode decodes and validates a parsed spec (a document node). Nodes
// at line 0 did not come from file: problems at them are reported where
// locate says (a derived spec reports them at the OpenAPI document).
func LoadNode(file string, root *yaml.Node, locate Locate) (*Spec, []string, error) {
	if len(root.Content) == 0 {
		return nil, nil, ErrorList{{File: file, Msg: "empty spec"}}
	}
	// One position is recorded per node decoded: sizing the map for them
	// up front saves growing it step by step on a large spec (capped: a
	// hint, not a promise to a hostile file).
	d := &decoder{file: file, pos: make(map[string]Pos, min(countNodes(root.Content[0]), 1<<20)), locate: locate}
	s := new(Spec)
	d.decode(root.Content[0], reflect.ValueOf(s).Elem(), "")
	// Validate even when some fields failed to decode, so one run reports
	// every problem; but say nothing more about a field already reported.
	bad := make([]string, len(d.errs))
	for i, e := range d.errs {
		bad[i] = e.Path
	}
	n := len(d.errs)
	v := &validator{decoder: d, s: s}
	v.validate()
	kept := d.errs[:n]
	for _, e := range d.errs[n:] {
		if !underAny(e.Path, bad) {
			kept = append(kept, e)
		}
	}
	d.errs = kept
	if len(d.errs) > 0 {
		d.errs.SortFirst(file)
		return nil, nil, d.errs
	}
	return s, d.warnings, nil
}

// SortFirst sorts the problems in file first, then those of other files
// (an imported document), each by position.
func (l ErrorList) SortFirst(file string) {
	l.sort()
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].File, l[j].File
		if a == b {
			return false
		}
		if a == file || b == file {
			return a == file
		}
		return a < b
	})
}

// countNodes counts the nodes of the tree under n, aliases not expanded.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, child := range n.Content {
		c += countNodes(child)
	}
	return c
}

// underAny reports whether path is one of paths or lies below one.
func underAny(path string, paths []string) bool {
	for _, p := range paths {
		if p == "" || path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// yamlError turns a yaml.v3 syntax error ("yaml: line 3: ...") into an Error.
func yamlError(file string, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		return Error{File: file, Pos: Pos{Line: line, Col: 1}, Msg: msg}
	}
	return Error{File: file, Msg: msg}
}

type decoder struct {
	file     string
	pos      map[string]Pos
	errs     ErrorList
	warnings []string
	nodes    int  // nodes decoded
	aliased  int  // nodes decoded through aliases
	inAlias  int  // aliases being expanded
	depth    int  // current nesting
	tooBig   bool // the size error was reported
	locate   Locate
}

func (d *decoder) errorf(path string, format string, args ...any) {
	file, pos := d.where(path)
	d.errs = append(d.errs, Error{File: file, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnf(path string, format string, args ...any) {
	file, pos := d.where(path)
	e := Error{File: file, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)}
	d.warnings = append(d.warnings, "warning: "+e.Error())
}

// where is the file and position to report a problem at path.
func (d *decoder) where(path string) (string, Pos) {
	pos := d.posOf(path)
	if pos.Line == 0 && d.locate != nil {
		return d.locate(path)
	}
	return d.file, pos
}

// posOf finds the position of path, or of its nearest parent that is in the
// file (a missing field is reported where its parent is).
func (d *decoder) posOf(path string) Pos { return NearestPos(d.pos, path, "") }

// NearestPos is the position in pos (by field path) of path, or of its
// nearest parent there, or of root when none is.
func NearestPos(pos map[string]Pos, path, root string) Pos {
	for {
		if p, ok := pos[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return pos[root]
		}
		path = path[:i]
	}
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

var (
	schemasType    = reflect.TypeOf(Schemas(nil))
	additionalType = reflect.TypeOf(&AdditionalProperties{})
)

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.nodes++
	if n.Kind == yaml.AliasNode {
		// Aliases are expanded; a budget on the nodes decoded through them
		// stops alias bombs and self-referencing anchors.
		d.inAlias++
		defer func() { d.inAlias-- }()
		n = n.Alias
	}
	if d.inAlias > 0 {
		d.aliased++
	}
	if d.nodes > maxNodes || d.aliased > maxAliased || d.depth > maxDepth {
		if !d.tooBig {
			d.tooBig = true
			d.errorf(path, "spec is nested too deeply or too large (aliases expanded)")
		}
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if _, ok := d.pos[path]; !ok {
		d.pos[path] = Pos{n.Line, n.Column}
	}
	if isNull(n) {
		return // absent: the zero value
	}
	switch {
	case v.Type() == schemasType:
		d.decodeSchemas(n, v, path)
		return
	case v.Type() == additionalType:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
			b, _ := strconv.ParseBool(n.Value)
			v.Set(reflect.ValueOf(&AdditionalProperties{Allowed: b}))
			return
		}
		ap := &AdditionalProperties{Allowed: true, Schema: new(Schema)}
		d.decode(n, reflect.ValueOf(ap.Schema).Elem(), path)
		v.Set(reflect.ValueOf(ap))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(path, "expected a list, found %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(path, "expected a mapping, found %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		d.eachKey(n, path, func(key string, val *yaml.Node, vpath string) {
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, e, vpath)
			m.SetMapIndex(reflect.ValueOf(key), e)
		})
		v.Set(m)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(path, "%v", err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(path, "expected a string, found %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.errorf(path, "expected true or false, found %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.errorf(path, "expected an integer, found %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			d.errorf(path, "expected a number, found %s", describe(n))
			return
		}
		v.SetFloat(f)
	default:
		panic("spec: unsupported field type " + v.Type().String())
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names a node's kind for "expected X, found Y" messages without
// echoing long or hostile values.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return strconv.Quote(v)
}

// eachKey walks a mapping, rejecting non-string and duplicate keys.
func (d *decoder) eachKey(n *yaml.Node, path string, f func(key string, val *yaml.Node, vpath string)) {
	// Most mappings are small: finding a duplicate among the keys before
	// is cheaper than a map per mapping, which large ones still get.
	var seen map[string]bool
	if len(n.Content) > 2*smallMapping {
		seen = make(map[string]bool, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.pos[path+".?"] = Pos{k.Line, k.Column}
			d.errorf(path+".?", "mapping keys must be strings")
			continue
		}
		vpath := join(path, k.Value)
		if seen != nil && seen[k.Value] || seen == nil && seenBefore(n.Content[:i], k.Value) {
			d.pos[vpath+"#dup"] = Pos{k.Line, k.Column}
			d.errs = append(d.errs, Error{File: d.file, Pos: Pos{k.Line, k.Column}, Path: vpath, Msg: "duplicate key"})
			continue
		}
		if seen != nil {
			seen[k.Value] = true
		}
		d.pos[vpath] = Pos{val.Line, val.Column}
		f(k.Value, val, vpath)
	}
}

// smallMapping is the most entries eachKey checks for duplicates without
// a map.
const smallMapping = 16

// seenBefore reports whether key is one of the string keys of the
// key-value pairs in content.
func seenBefore(content []*yaml.Node, key string) bool {
	for i := 0; i+1 < len(content); i += 2 {
		if k := content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return true
		}
	}
	return false
}

func (d *decoder) decodeSchemas(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, "expected a mapping of names to schemas, found %s", describe(n))
		return
	}
	var ss Schemas
	d.eachKey(n, path, func(key string, val *yaml.Node, vpath string) {
		s := new(Schema)
		d.decode(val, reflect.ValueOf(s).Elem(), vpath)
		ss = append(ss, NamedSchema{Name: key, Schema: s})
	})
	v.Set(reflect.ValueOf(ss))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, "expected a mapping, found %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	d.eachKey(n, path, func(key string, val *yaml.Node, vpath string) {
		i, ok := fields[key]
		if !ok {
			d.errorf(vpath, "unknown field%s", suggest(key, fields))
			return
		}
		d.decode(val, v.Field(i), vpath)
	})
}

// fieldsOf maps yaml field names to struct field indexes. The map is
// made once per type (parsing struct tags for every mapping of a large
// spec was a tenth of Load) and must not be modified.
func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := fieldsCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldsCache.Store(t, m)
	return m
}

var fieldsCache sync.Map // reflect.Type → map[string]int

// suggest returns `; did you mean "x"?` for the closest known field name.
func suggest(key string, fields map[string]int) string {
	best, bestDist := "", 3
	for name := range fields {
		dist := EditDistance(strings.ToLower(key), strings.ToLower(name))
		if dist < bestDist || (dist == bestDist && name < best) {
			best, bestDist = name, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// EditDistance is the Levenshtein distance of a and b, or 99 when either
// is longer than 64 bytes (never close, and bounded work on hostile input).
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99 // never close; also bounds the work on hostile input
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// YAMLError is a YAML syntax error of file as an Error at its line.
func YAMLError(file string, err error) Error { return yamlError(file, err) }

// Closest returns the entries of known ordered closest to key first (edit
// distance, case ignored; ties alphabetical), at most n of them (all when
// n <= 0), for "did you mean" lists of names that exist.
func Closest(key string, known []string, n int) []string {
	type cand struct {
		name string
		dist int
	}
	seen := map[string]bool{}
	var cs []cand
	lk := strings.ToLower(key)
	for _, k := range known {
		if seen[k] {
			continue
		}
		seen[k] = true
		d := EditDistance(lk, strings.ToLower(k))
		if d == 99 {
			d = 64 + abs(len(k)-len(key))
		}
		if strings.Contains(strings.ToLower(k), lk) || strings.Contains(lk, strings.ToLower(k)) {
			d = min(d, abs(len(k)-len(key)))
		}
		cs = append(cs, cand{k, d})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].dist != cs[j].dist {
			return cs[i].dist < cs[j].dist
		}
		return cs[i].name < cs[j].name
	})
	if n > 0 && len(cs) > n {
		cs = cs[:n]
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
