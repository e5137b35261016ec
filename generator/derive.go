package generator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/overlay"
	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

// A derived spec (connector-spec section 10.1) has a top-level `from:`
// naming an OpenAPI document, overlays and import options; every other
// field overrides what the import produces. Load imports the document in
// memory, merges the overrides into the imported spec as YAML nodes and
// decodes the result with the spec loader, so every problem is reported
// at the override's line in the spec file, or, for a part the import
// produced, at the document's line.

// Reader reads the files a spec names: the spec itself and, for a derived
// spec, its document, its overlays and the files the document's $refs
// name. OSReader reads the file system; conngen diff reads git trees.
type Reader interface {
	// ReadFile reads the file name.
	ReadFile(name string) ([]byte, error)
	// Join names rel, a path written in the file base, as ReadFile takes it.
	Join(base, rel string) (string, error)
	// Label is how name appears in messages.
	Label(name string) string
	// Location is an absolute slash path standing for name, against which
	// the importer resolves relative $refs; ReadLocation reads one.
	Location(name string) string
	ReadLocation(loc string) ([]byte, error)
}

// OSReader reads files from the file system, relative paths from the
// current directory; the files a spec names must be regular files.
type OSReader struct{}

func (OSReader) ReadFile(name string) ([]byte, error) { return readRegular(name) }
func (OSReader) Label(name string) string             { return name }
func (OSReader) Join(base, rel string) (string, error) {
	if filepath.IsAbs(rel) {
		return filepath.Clean(rel), nil
	}
	return filepath.Join(filepath.Dir(base), filepath.FromSlash(rel)), nil
}
func (OSReader) Location(name string) string {
	if abs, err := filepath.Abs(name); err == nil {
		return abs
	}
	return name
}
func (OSReader) ReadLocation(loc string) ([]byte, error) { return readRegular(loc) }

// readRegular reads a regular file: a spec naming /dev/zero or a FIFO as
// its document gets an error, not a read that never ends.
func readRegular(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: name, Err: errors.New("not a regular file")}
	}
	return openapi.ReadAll(f, name)
}

// Loaded is a loaded spec and what loading it read.
type Loaded struct {
	Spec     *spec.Spec
	Warnings []string // the spec's own warnings, as "warning: file:line:col: ..."
	// ImportWarnings are a derived spec's import warnings, as
	// "warning: document: pointer: message".
	ImportWarnings []string
	// Files is every file read, by name, with the bytes read: the key of
	// anything cached for the spec.
	Files   map[string][]byte
	Derived bool
}

// Load reads and validates the spec at path through r. A derived spec is
// imported in memory: nothing is written. The error, when not nil, is a
// spec.ErrorList (every problem, with positions) or an I/O error.
func Load(r Reader, path string) (*Loaded, error) {
	var data []byte
	var err error
	if _, ok := r.(OSReader); ok {
		// The spec itself may come from a pipe (conngen validate <(...));
		// what it names must be a regular file.
		data, err = openapi.ReadFile(path)
	} else {
		data, err = r.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	l := &Loaded{Files: map[string][]byte{path: data}}
	label := r.Label(path)
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		_, _, err := spec.Load(label, data) // the YAML error, as spec.Load reports it
		return l, err
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode || lookup(root.Content[0], "from") == nil {
		// A plain spec: decoded from the tree already parsed.
		s, warns, err := spec.LoadNode(label, &root, nil)
		l.Spec, l.Warnings = s, warns
		return l, err
	}
	l.Derived = true
	d := &deriver{r: r, path: path, label: label, l: l}
	s, err := d.derive(&root)
	if err != nil {
		return l, err
	}
	l.Spec = s
	return l, nil
}

// LoadFile reads and validates a spec file (plain or derived). The error,
// when not nil, lists every problem as file:line:col: field: reason. The
// warnings include a derived spec's import warnings.
func LoadFile(path string) (*spec.Spec, []string, error) {
	l, err := Load(OSReader{}, path)
	if l == nil {
		return nil, nil, err
	}
	return l.Spec, append(l.Warnings, l.ImportWarnings...), err
}

// From is a derived spec's `from:` block.
type From struct {
	OpenAPI    string
	Overlays   []string
	Tags       []string
	Operations []string
	Exclude    []string
	Auth       string
}

type deriver struct {
	r     Reader
	path  string
	label string
	l     *Loaded
	errs  spec.ErrorList

	from    From
	fromPos map[string]spec.Pos // from.xxx[i] -> position
	docName string
	docData []byte
	docRoot *yaml.Node // the document parsed with positions, when needed
	res     *openapi.Result
}

func (d *deriver) errorf(path string, format string, args ...any) {
	d.errs = append(d.errs, spec.Error{File: d.label, Pos: d.posOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *deriver) posOf(path string) spec.Pos { return spec.NearestPos(d.fromPos, path, "from") }

func (d *deriver) derive(root *yaml.Node) (*spec.Spec, error) {
	top := root.Content[0]
	fromNode := lookup(top, "from")
	d.readFrom(fromNode)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	var err error
	if d.docName, err = d.r.Join(d.path, d.from.OpenAPI); err != nil {
		d.errorf("from.openapi", "%v", err)
		return nil, d.errs
	}
	if d.docData, err = d.r.ReadFile(d.docName); err != nil {
		d.errorf("from.openapi", "cannot read the document: %v", unwrapPath(err))
		return nil, d.errs
	}
	d.l.Files[d.docName] = d.docData
	var overlays []*overlay.Overlay
	var oerrs spec.ErrorList
	for i, o := range d.from.Overlays {
		path := "from.overlays[" + strconv.Itoa(i) + "]"
		name, err := d.r.Join(d.path, o)
		if err != nil {
			d.errorf(path, "%v", err)
			continue
		}
		data, err := d.r.ReadFile(name)
		if err != nil {
			d.errorf(path, "cannot read the overlay: %v", unwrapPath(err))
			continue
		}
		d.l.Files[name] = data
		ov, err := overlay.Parse(d.r.Label(name), data)
		if err != nil {
			var list spec.ErrorList
			if !errors.As(err, &list) {
				return nil, err
			}
			oerrs = append(oerrs, list...)
			continue
		}
		overlays = append(overlays, ov)
	}
	if len(d.errs) > 0 || len(oerrs) > 0 {
		return nil, append(d.errs, oerrs...)
	}
	name := ""
	if n := lookup(top, "name"); n != nil && n.Kind == yaml.ScalarNode {
		name = n.Value
	}
	loc := d.r.Location(d.docName)
	opts := openapi.Options{
		Name: name, Tags: d.from.Tags, Operations: d.from.Operations, Auth: d.from.Auth, Overlays: overlays,
		ReadFile: func(p string) ([]byte, error) {
			data, err := d.r.ReadLocation(p)
			if err == nil {
				d.l.Files[p] = data
			}
			return data, err
		},
	}
	res, err := openapi.ImportResult(d.docData, loc, opts)
	docLabel := d.r.Label(d.docName)
	if res != nil {
		for _, w := range res.Warnings {
			d.l.ImportWarnings = append(d.l.ImportWarnings, "warning: "+docLabel+": "+w.String())
		}
	}
	if err != nil {
		return nil, d.importError(err, docLabel)
	}
	d.res = res
	imported := res.Spec
	d.exclude(imported)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	data, err := spec.Marshal(imported)
	if err != nil {
		return nil, err
	}
	var base yaml.Node
	if err := yaml.Unmarshal(data, &base); err != nil {
		return nil, fmt.Errorf("re-reading the imported spec: %w", err)
	}
	unposition(&base)
	importedNames := map[string]bool{}
	for _, a := range imported.Actions {
		importedNames[a.Name] = true
	}
	merged := mergeTop(base.Content[0], top)
	flagged := d.checkActions(merged, top, importedNames, imported)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{merged}}
	s, warns, err := spec.LoadNode(d.label, doc, d.locator(merged, docLabel))
	d.l.Warnings = warns
	if len(d.errs) == 0 {
		return s, err
	}
	// The actions reported above are not reported again by validation
	// ("method: required"); every other problem is.
	var list spec.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			under := false
			for _, f := range flagged {
				if e.Path == f || strings.HasPrefix(e.Path, f+".") {
					under = true
				}
			}
			if !under {
				d.errs = append(d.errs, e)
			}
		}
	}
	d.errs.SortFirst(d.label)
	return nil, d.errs
}

// readFrom decodes the from block strictly.
func (d *deriver) readFrom(n *yaml.Node) {
	d.fromPos = map[string]spec.Pos{"from": {Line: n.Line, Col: n.Column}}
	if n.Kind != yaml.MappingNode {
		d.errorf("from", "expected a mapping with openapi (and overlays, tags, operations, exclude, auth)")
		return
	}
	known := []string{"openapi", "overlays", "tags", "operations", "exclude", "auth"}
	str := func(v *yaml.Node, path string, dst *string) {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Value == "" {
			d.errorf(path, "expected a non-empty string")
			return
		}
		*dst = v.Value
	}
	list := func(v *yaml.Node, path string, dst *[]string) {
		if v.Kind != yaml.SequenceNode {
			d.errorf(path, "expected a list of strings")
			return
		}
		for i, e := range v.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			d.fromPos[p] = spec.Pos{Line: e.Line, Col: e.Column}
			var s string
			str(e, p, &s)
			*dst = append(*dst, s)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := "from." + k.Value
		d.fromPos[path] = spec.Pos{Line: v.Line, Col: v.Column}
		switch k.Value {
		case "openapi":
			str(v, path, &d.from.OpenAPI)
		case "overlays":
			list(v, path, &d.from.Overlays)
		case "tags":
			list(v, path, &d.from.Tags)
		case "operations":
			list(v, path, &d.from.Operations)
		case "exclude":
			list(v, path, &d.from.Exclude)
		case "auth":
			str(v, path, &d.from.Auth)
		default:
			d.fromPos[path] = spec.Pos{Line: k.Line, Col: k.Column}
			msg := "unknown field"
			if c := spec.Closest(k.Value, known, 1); len(c) > 0 && editClose(k.Value, c[0]) {
				msg += fmt.Sprintf("; did you mean %q?", c[0])
			}
			d.errorf(path, "%s", msg)
		}
	}
	if d.from.OpenAPI == "" && lookup(n, "openapi") == nil {
		d.errorf("from", "openapi: required: the OpenAPI document, relative to this file")
	}
}

// editClose reports whether a suggestion is close enough to offer.
func editClose(a, b string) bool {
	return len(spec.Closest(a, []string{b}, 1)) == 1 && spec.EditDistance(strings.ToLower(a), strings.ToLower(b)) <= 2
}

// importError turns an import failure into positioned errors.
func (d *deriver) importError(err error, docLabel string) error {
	var oe openapi.OptionErrors
	var list spec.ErrorList
	switch {
	case errors.As(err, &list):
		return list
	case errors.As(err, &oe):
		for _, e := range oe {
			path := "from.auth"
			switch e.Option {
			case "tag":
				path = "from.tags[" + strconv.Itoa(e.Index) + "]"
			case "operation":
				path = "from.operations[" + strconv.Itoa(e.Index) + "]"
			}
			msg := e.Value + ": " + e.Msg
			if len(e.Known) > 0 {
				msg += "; the document has " + openapi.KnownList(e.Known)
			}
			d.errorf(path, "%s", msg)
		}
		return d.errs
	}
	// The document does not parse, or is not an OpenAPI document.
	return spec.ErrorList{{File: docLabel, Pos: docErrorPos(d.docData, err), Msg: err.Error()}}
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// docErrorPos finds where a document failed to parse: a JSON syntax
// error's offset, or the line a YAML error names.
func docErrorPos(data []byte, err error) spec.Pos {
	var x any
	if jerr := json.Unmarshal(data, &x); jerr != nil {
		var se *json.SyntaxError
		if errors.As(jerr, &se) && strings.HasPrefix(err.Error(), "parsing JSON") {
			return offsetPos(data, int(se.Offset))
		}
	}
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return spec.Pos{Line: n, Col: 1}
	}
	return spec.Pos{Line: 1, Col: 1}
}

func offsetPos(data []byte, off int) spec.Pos {
	off = min(off, len(data))
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return spec.Pos{Line: line, Col: max(col-1, 1)}
}

// exclude removes the excluded actions (and the monitors over them) from
// the import; an entry naming no imported action is an error listing
// the closest ones.
func (d *deriver) exclude(s *spec.Spec) {
	if len(d.from.Exclude) == 0 {
		return
	}
	names := make([]string, len(s.Actions))
	for i, a := range s.Actions {
		names[i] = a.Name
	}
	drop := map[string]bool{}
	for i, x := range d.from.Exclude {
		if !slices.Contains(names, x) {
			d.errorf("from.exclude["+strconv.Itoa(i)+"]", "%s: the import has no action of that name; it has %s",
				x, openapi.KnownList(spec.Closest(x, names, 0)))
			continue
		}
		drop[x] = true
	}
	s.Actions = slices.DeleteFunc(s.Actions, func(a spec.Action) bool { return drop[a.Name] })
	s.Monitors = slices.DeleteFunc(s.Monitors, func(m spec.Monitor) bool { return drop[m.Action] })
	// A ping on an excluded action's endpoint is still a valid ping: it stays.
}

// checkActions reports every action of the merged spec left without
// method or path by an override: a name the import does not produce is a
// new action, which needs both (after a provider renames its operations,
// the override names nothing and says so here, at its own line).
// maxSuggested is how many errors of one spec suggest names: a hostile
// spec with a million unknown overrides would otherwise compare each with
// every imported name.
const maxSuggested = 50

func (d *deriver) checkActions(merged, top *yaml.Node, imported map[string]bool, s *spec.Spec) (flagged []string) {
	over := lookup(top, "actions")
	if over == nil || over.Kind != yaml.SequenceNode {
		return nil
	}
	at := map[string]int{} // each merged action's place, by name (the first)
	if acts := lookup(merged, "actions"); acts != nil {
		for j, a := range acts.Content {
			if n := lookup(a, "name"); n != nil {
				if _, ok := at[n.Value]; !ok {
					at[n.Value] = j
				}
			}
		}
	}
	mergedIndex := func(name string) string {
		if j, ok := at[name]; ok {
			return "actions[" + strconv.Itoa(j) + "]"
		}
		return "actions[?]"
	}
	suggested := 0 // "did you mean" costs a pass over the names: the first few errors get one
	names := make([]string, 0, len(s.Actions))
	for _, a := range s.Actions {
		names = append(names, a.Name)
	}
	for i, e := range over.Content {
		if e.Kind != yaml.MappingNode {
			continue
		}
		nameNode := lookup(e, "name")
		if nameNode == nil || nameNode.Kind != yaml.ScalarNode {
			continue // the spec loader reports it
		}
		path := "actions[" + strconv.Itoa(i) + "]"
		pos := spec.Pos{Line: e.Line, Col: e.Column}
		method, mpath := lookup(e, "method"), lookup(e, "path")
		if !imported[nameNode.Value] {
			var missing []string
			if empty(method) {
				missing = append(missing, "method")
			}
			if empty(mpath) {
				missing = append(missing, "path")
			}
			if len(missing) > 0 {
				msg := fmt.Sprintf("%s: the import has no action of that name, so this is a new action and needs %s", nameNode.Value, strings.Join(missing, " and "))
				if len(names) > 0 && suggested < maxSuggested {
					suggested++
					msg += "; the import has " + openapi.KnownList(spec.Closest(nameNode.Value, names, 0))
				}
				d.errs = append(d.errs, spec.Error{File: d.label, Pos: pos, Path: path, Msg: msg})
				flagged = append(flagged, mergedIndex(nameNode.Value))
			}
			continue
		}
		for _, f := range []struct {
			n    *yaml.Node
			name string
		}{{method, "method"}, {mpath, "path"}} {
			if f.n != nil && empty(f.n) {
				d.errs = append(d.errs, spec.Error{File: d.label, Pos: spec.Pos{Line: f.n.Line, Col: f.n.Column}, Path: path + "." + f.name,
					Msg: fmt.Sprintf("%s: the override would leave the action without %s", nameNode.Value, f.name)})
				flagged = append(flagged, mergedIndex(nameNode.Value)+"."+f.name)
			}
		}
	}
	return flagged
}

func empty(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "")
}

// locator reports a problem of an imported part of the merged spec at
// the document: the operation an action came from, the component a
// schema came from, the security scheme, the server.
func (d *deriver) locator(merged *yaml.Node, docLabel string) spec.Locate {
	return func(path string) (string, spec.Pos) {
		ptr := "#"
		head, rest, _ := strings.Cut(path, ".")
		switch {
		case strings.HasPrefix(path, "actions["):
			idx, _ := strconv.Atoi(path[len("actions["):strings.Index(path, "]")])
			if acts := lookup(merged, "actions"); acts != nil && idx < len(acts.Content) {
				if n := lookup(acts.Content[idx], "name"); n != nil {
					if p, ok := d.res.Actions[n.Value]; ok {
						ptr = p
					}
				}
			}
		case head == "schemas" && rest != "":
			name, _, _ := strings.Cut(rest, ".")
			if p, ok := d.res.Schemas[name]; ok {
				ptr = p
			}
		case head == "auth" && d.res.Auth != "":
			ptr = d.res.Auth
		case (head == "baseURL" || strings.HasPrefix(path, "connection")) && d.res.BaseURL != "":
			ptr = d.res.BaseURL
		case head != "":
			ptr = "#/" + head // webhooks; else the nearest part that exists
		}
		return docLabel, d.pointerPos(ptr)
	}
}

// pointerPos is the position of a JSON pointer in the document (of the
// nearest part of it that exists), parsing the document with positions
// once, only when a problem is to be reported.
func (d *deriver) pointerPos(ptr string) spec.Pos {
	if d.docRoot == nil {
		var n yaml.Node
		if err := yaml.Unmarshal(d.docData, &n); err != nil || len(n.Content) == 0 {
			return spec.Pos{Line: 1, Col: 1}
		}
		d.docRoot = n.Content[0]
	}
	cur := d.docRoot
	pos := spec.Pos{Line: cur.Line, Col: cur.Column}
	for _, tok := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(ptr, "#"), "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		var next *yaml.Node
		switch cur.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == tok {
					next = cur.Content[i+1]
					pos = spec.Pos{Line: cur.Content[i].Line, Col: cur.Content[i].Column}
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(cur.Content) {
				next = cur.Content[i]
				pos = spec.Pos{Line: next.Line, Col: next.Column}
			}
		}
		if next == nil {
			break
		}
		cur = next
	}
	return pos
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// unposition marks every node of the imported spec as produced by the
// import (line 0), so the spec loader asks where it came from.
func unposition(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		unposition(c)
	}
}
