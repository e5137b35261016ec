package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// document is a loaded OpenAPI document, always in its 3.x form.
type document struct {
	t       *openapi3.T
	raw     map[string]any // the repaired generic document
	swagger bool           // the source was Swagger 2.0
	version string         // "2.0", "3.0.3", "3.1.0", ...
}

// load parses data, repairs it and loads it with kin-openapi.
func load(data []byte, location string, w *warnings, opts Options) (*document, error) {
	v, err := parseRaw(data, "", w)
	if err != nil {
		return nil, err
	}
	// Overlays apply to the document as parsed, before any repair. Every
	// overlay is applied, so one run reports every action that no longer
	// selects anything.
	var oerrs spec.ErrorList
	for _, o := range opts.Overlays {
		var err error
		if v, err = o.Apply(v); err != nil {
			var list spec.ErrorList
			if !errors.As(err, &list) {
				return nil, err
			}
			oerrs = append(oerrs, list...)
		}
	}
	if len(oerrs) > 0 {
		return nil, oerrs
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an OpenAPI document: the top level is not a mapping")
	}
	d := &document{raw: raw}
	switch {
	case raw["swagger"] != nil:
		d.swagger = true
		d.version = fmt.Sprint(raw["swagger"])
		if !strings.HasPrefix(d.version, "2") {
			w.add("#/swagger", "swagger version %q; read as 2.0", d.version)
		}
	case raw["openapi"] != nil:
		d.version = fmt.Sprint(raw["openapi"])
		if !strings.HasPrefix(d.version, "3") {
			w.add("#/openapi", "openapi version %q; read as 3.0", d.version)
			raw["openapi"] = "3.0.3"
		}
	default:
		return nil, errors.New(`not an OpenAPI document: no top-level "openapi" or "swagger" key`)
	}

	dir := ""
	if location != "" {
		dir = filepath.Dir(location)
	}
	p := &repairer{w: w, root: raw, dir: dir, swagger: d.swagger, readFile: opts.ReadFile}
	p.repairTop()
	p.walk(raw, "#", 0)
	p.fixRefKinds()

	var locURL *url.URL
	if location != "" {
		locURL = &url.URL{Path: filepath.ToSlash(location)}
	}
	// kin-openapi rejects values of the wrong JSON type; its error names
	// the place, which is dropped (with a warning) before trying again.
	for attempt := 0; ; attempt++ {
		t, err := kinLoad(raw, d.swagger, locURL, w, opts.ReadFile)
		if err == nil {
			d.t = t
			return d, nil
		}
		ptr := errPointer(err)
		if ptr == "" || attempt >= 200 || !removeAt(raw, ptr) {
			return nil, err
		}
		w.add("#"+ptr, "cannot be read as OpenAPI (%s); dropped", kinReason(err))
	}
}

// kinLoad loads the repaired document with kin-openapi.
func kinLoad(raw map[string]any, swagger bool, locURL *url.URL, w *warnings, readFile func(string) ([]byte, error)) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = readLocalRepaired(w, swagger, readFile)
	if swagger {
		// servers are computed from host/basePath/schemes by the converter;
		// kin's conversion rejects some real-world hosts.
		v2 := make(map[string]any, len(raw))
		for k, v := range raw {
			switch k {
			case "host", "basePath", "schemes":
			default:
				v2[k] = v
			}
		}
		js, err := json.Marshal(v2)
		if err != nil {
			return nil, err
		}
		var doc2 openapi2.T
		if err := json.Unmarshal(js, &doc2); err != nil {
			// the error names no place: find the parts that fail alone
			if !isolateV2(raw, w) {
				return nil, fmt.Errorf("reading Swagger 2.0 document: %w", err)
			}
			for k, v := range raw {
				if _, ok := v2[k]; ok {
					v2[k] = v
				}
			}
			if js, err = json.Marshal(v2); err != nil {
				return nil, err
			}
			doc2 = openapi2.T{}
			if err := json.Unmarshal(js, &doc2); err != nil {
				return nil, fmt.Errorf("reading Swagger 2.0 document: %w", err)
			}
		}
		t, err := openapi2conv.ToV3WithLoader(&doc2, loader, locURL)
		if err != nil {
			return nil, fmt.Errorf("converting Swagger 2.0 document: %w", err)
		}
		return t, nil
	}
	js, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var t *openapi3.T
	if locURL != nil {
		t, err = loader.LoadFromDataWithPath(js, locURL)
	} else {
		t, err = loader.LoadFromData(js)
	}
	if err != nil {
		return nil, fmt.Errorf("loading OpenAPI document: %w", err)
	}
	return t, nil
}

// isolateV2 drops the parts of a Swagger 2.0 document that kin-openapi
// cannot decode, one operation, parameter list, definition, parameter,
// response or security definition at a time. It reports whether it
// dropped anything.
func isolateV2(raw map[string]any, w *warnings) bool {
	fails := func(v any, into any) bool {
		b, err := json.Marshal(v)
		return err != nil || json.Unmarshal(b, into) != nil
	}
	dropped := false
	drop := func(m map[string]any, k, ptr string) {
		delete(m, k)
		w.add(ptr, "cannot be read as Swagger 2.0; dropped")
		dropped = true
	}
	if paths, ok := raw["paths"].(map[string]any); ok {
		for _, p := range slices.Sorted(maps.Keys(paths)) {
			pptr := "#/paths/" + ptrEscape(p)
			item, ok := paths[p].(map[string]any)
			if !ok {
				drop(paths, p, pptr)
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(item)) {
				var into any
				switch k {
				case "parameters":
					into = &[]*openapi2.Parameter{}
				case "get", "put", "post", "delete", "options", "head", "patch":
					into = &openapi2.Operation{}
				default:
					continue
				}
				if fails(item[k], into) {
					drop(item, k, pptr+"/"+k)
				}
			}
		}
	}
	for section, into := range map[string]func() any{
		"definitions":         func() any { return &openapi2.SchemaRef{} },
		"parameters":          func() any { return &openapi2.Parameter{} },
		"responses":           func() any { return &openapi2.Response{} },
		"securityDefinitions": func() any { return &openapi2.SecurityScheme{} },
	} {
		m, ok := raw[section].(map[string]any)
		if !ok {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if fails(m[k], into()) {
				drop(m, k, "#/"+section+"/"+ptrEscape(k))
			}
		}
	}
	return dropped
}

var errPointerRE = regexp.MustCompile(`in (/\S*)\s*$`)

// errPointer is the JSON pointer a kin-openapi decoding error names, "".
func errPointer(err error) string {
	m := errPointerRE.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	return m[1]
}

var kinReasonRE = regexp.MustCompile(`cannot construct ([^ ]+ (?:` + "`[^`]*` " + `)?into [^ ]+)`)

func kinReason(err error) string {
	if m := kinReasonRE.FindStringSubmatch(err.Error()); m != nil {
		return strings.ReplaceAll(m[1], "`", "")
	}
	return "wrong type"
}

// removeAt deletes the value at ptr: a key of an object is removed, an
// element of a list becomes an empty object. It reports whether it did.
func removeAt(root map[string]any, ptr string) bool {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	if ptr == "" || ptr == "/" || len(toks) == 0 {
		return false
	}
	parent, ok := resolvePointer(root, "/"+strings.Join(toks[:len(toks)-1], "/"))
	if len(toks) == 1 {
		parent, ok = root, true
	}
	if !ok {
		return false
	}
	last := ptrUnescape(toks[len(toks)-1])
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[last]; !ok {
			return false
		}
		delete(p, last)
		return true
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return false
		}
		if m, ok := p[i].(map[string]any); ok && len(m) == 0 {
			return false
		}
		p[i] = map[string]any{}
		return true
	}
	return false
}

// readLocalRepaired reads the files that relative $refs name, repairing
// them like the main document. Only local files are read: remote and
// absolute refs were already replaced by the repairer.
func readLocalRepaired(w *warnings, swagger bool, readFile func(string) ([]byte, error)) openapi3.ReadFromURIFunc {
	custom := readFile
	if readFile == nil {
		readFile = ReadFile
	}
	cache := map[string][]byte{}
	return func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" && u.Scheme != "file" || u.Host != "" {
			return nil, fmt.Errorf("remote $ref %s not followed", u)
		}
		path := filepath.Clean(filepath.FromSlash(u.Path))
		if b, ok := cache[path]; ok {
			return b, nil
		}
		data, err := readFile(path)
		if err != nil {
			return nil, err
		}
		label := filepath.Base(path)
		v, err := parseRaw(data, label, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		p := &repairer{w: w, root: v, dir: filepath.Dir(path), label: label, swagger: swagger, readFile: custom}
		p.walk(v, "#", 0)
		p.fixRefKinds()
		out, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		cache[path] = out
		return out, nil
	}
}

// parseRaw decodes JSON or YAML into generic values (map[string]any,
// []any, string, float64/int64, bool, nil). YAML duplicate keys are
// accepted (the last wins) with a warning.
func parseRaw(data []byte, label string, w *warnings) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("empty document")
	}
	var jsonErr error
	if trimmed[0] == '{' || trimmed[0] == '[' {
		var v any
		if jsonErr = json.Unmarshal(trimmed, &v); jsonErr == nil {
			return v, nil
		}
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		if jsonErr != nil {
			return nil, fmt.Errorf("parsing JSON: %v", jsonErr)
		}
		return nil, fmt.Errorf("parsing YAML: %v", err)
	}
	y := yamlConv{w: w, label: label}
	return y.conv(&n, "#", 0)
}

type yamlConv struct {
	w       *warnings
	label   string
	inAlias int // aliases being expanded
	aliased int // values made through aliases
}

// maxAliasedValues bounds the values a document's YAML aliases expand
// to. A few anchors shared by many places are far below it; nine levels
// of nine aliases each (a "billion laughs" document of 1 KB) would be
// 387 million values, all the memory there is.
const maxAliasedValues = 1_000_000

func (y *yamlConv) conv(n *yaml.Node, ptr string, depth int) (any, error) {
	if depth > 500 {
		return nil, errors.New("document nested too deeply (recursive YAML alias?)")
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
		return y.conv(n.Content[0], ptr, depth+1)
	case yaml.AliasNode:
		y.inAlias++
		defer func() { y.inAlias-- }()
		return y.conv(n.Alias, ptr, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := y.conv(c, ptr+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0 && k.Tag != "!!str") {
				// merge key: copy the keys the mapping does not set itself
				merged, err := y.conv(vn, ptr, depth+1)
				if err != nil {
					return nil, err
				}
				var maps []any
				if l, ok := merged.([]any); ok {
					maps = l
				} else {
					maps = []any{merged}
				}
				for _, m := range maps {
					if mm, ok := m.(map[string]any); ok {
						for mk, mv := range mm {
							if _, set := out[mk]; !set {
								out[mk] = mv
							}
						}
					}
				}
				continue
			}
			key := k.Value
			v, err := y.conv(vn, ptr+"/"+ptrEscape(key), depth+1)
			if err != nil {
				return nil, err
			}
			if _, dup := out[key]; dup && y.w != nil {
				y.w.add(y.label+ptr+"/"+ptrEscape(key), "duplicate key %q; the last one is used", key)
			}
			out[key] = v
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n), nil
	}
	return nil, nil
}

func yamlScalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return float64OrInt(i)
		}
		var v any
		if err := n.Decode(&v); err == nil {
			switch x := v.(type) {
			case int:
				return float64OrInt(int64(x))
			case int64:
				return float64OrInt(x)
			case uint64:
				return float64(x)
			case float64:
				return x
			}
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

// float64OrInt keeps YAML integers as float64 like encoding/json does, so
// both sources give the same values.
func float64OrInt(i int64) any { return float64(i) }

// repairer rewrites a generic document in place so that kin-openapi loads
// it: 3.1 type arrays become type + nullable, tuple items become one items
// schema, $refs that cannot be followed become empty objects, and values
// that must be strings become strings. Every change that loses information
// is a warning.
type repairer struct {
	w       *warnings
	root    any
	dir     string // directory of the file, "" when unknown
	label   string // file name prefix of warnings in referenced files
	swagger bool
	// readFile, when set, reads referenced files (conngen diff reads
	// them from git); else they are on disk.
	readFile func(string) ([]byte, error)
}

// exists reports whether a referenced file can be read.
func (p *repairer) exists(file string) bool {
	if p.readFile != nil {
		_, err := p.readFile(file)
		return err == nil
	}
	st, err := os.Stat(file)
	return err == nil && !st.IsDir()
}

func (p *repairer) warn(ptr, format string, args ...any) {
	p.w.add(p.label+ptr, format, args...)
}

// repairTop fixes top-level values kin decodes into strings.
func (p *repairer) repairTop() {
	root, _ := p.root.(map[string]any)
	if info, ok := root["info"].(map[string]any); ok {
		for _, k := range []string{"version", "title", "description"} {
			if v, ok := info[k]; ok && v != nil {
				if _, isStr := v.(string); !isStr {
					info[k] = scalarString(v)
				}
			}
		}
	} else {
		root["info"] = map[string]any{"title": "", "version": ""}
	}
	if servers, ok := root["servers"].([]any); ok {
		for _, s := range servers {
			sm, ok := s.(map[string]any)
			if !ok {
				continue
			}
			if u, ok := sm["url"]; ok {
				if _, isStr := u.(string); !isStr {
					sm["url"] = scalarString(u)
				}
			}
			vars, _ := sm["variables"].(map[string]any)
			for _, v := range vars {
				vm, ok := v.(map[string]any)
				if !ok {
					continue
				}
				if d, ok := vm["default"]; ok {
					if _, isStr := d.(string); !isStr {
						vm["default"] = scalarString(d)
					}
				}
				if e, ok := vm["enum"].([]any); ok {
					for i := range e {
						if _, isStr := e[i].(string); !isStr {
							e[i] = scalarString(e[i])
						}
					}
				}
			}
		}
	}
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// nameMaps are keys whose values map names to objects: a key inside them
// is a name, never a keyword.
var nameMaps = map[string]bool{
	"properties": true, "patternProperties": true, "definitions": true, "$defs": true,
	"schemas": true, "responses": true, "parameters": true, "securitySchemes": true,
	"paths": true, "headers": true, "requestBodies": true,
	"links": true, "callbacks": true, "webhooks": true, "variables": true,
	"dependentSchemas": true, "encoding": true, "content": true, "pathItems": true,
	"securityDefinitions": true, "scopes": true, "mapping": true,
}

func (p *repairer) walk(v any, ptr string, depth int) {
	if depth > 400 {
		return
	}
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			p.walk(e, ptr+"/"+strconv.Itoa(i), depth+1)
		}
	case map[string]any:
		p.repairMap(x, ptr)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := x[k]
			cptr := ptr + "/" + ptrEscape(k)
			if nameMaps[k] {
				if m, ok := child.(map[string]any); ok {
					names := make([]string, 0, len(m))
					for n := range m {
						names = append(names, n)
					}
					sort.Strings(names)
					for _, n := range names {
						p.walk(m[n], cptr+"/"+ptrEscape(n), depth+2)
					}
					continue
				}
			}
			switch k {
			case "default", "enum", "const":
				// data, not schema: never repaired
				continue
			}
			p.walk(child, cptr, depth+1)
		}
	}
}

// repairMap repairs one object of the document. It also drops what the
// import never reads (examples, extensions other than x-nullable), which
// spares kin-openapi decoding them.
func (p *repairer) repairMap(m map[string]any, ptr string) {
	for k := range m {
		if k == "example" || k == "examples" || strings.HasPrefix(k, "x-") && k != "x-nullable" {
			delete(m, k)
		}
	}
	if c, ok := m["const"]; ok {
		// 3.1 const is a one-value enum, which the spec subset has.
		if _, hasEnum := m["enum"]; !hasEnum {
			m["enum"] = []any{c}
		}
		delete(m, "const")
	}
	if !p.swagger {
		if xn, ok := m["x-nullable"]; ok {
			if xn == true {
				m["nullable"] = true
			}
			delete(m, "x-nullable")
		}
	}
	if ref, ok := m["$ref"]; ok {
		s, isStr := ref.(string)
		if !isStr || !p.refOK(s, ptr) {
			for k := range m {
				delete(m, k)
			}
			return
		}
	}
	if t, ok := m["type"]; ok {
		switch tv := t.(type) {
		case []any:
			var types []string
			null := false
			for _, e := range tv {
				s, _ := e.(string)
				switch {
				case s == "null" || e == nil:
					null = true
				case s != "" && !slices.Contains(types, s):
					types = append(types, s)
				}
			}
			if null {
				m["nullable"] = true
			}
			switch len(types) {
			case 1:
				m["type"] = types[0]
			case 0:
				delete(m, "type")
			default:
				// Without the keywords of one type, the schema is any JSON
				// value (json.RawMessage), not an array because items is set.
				for _, k := range []string{"type", "items", "properties", "additionalProperties", "enum", "format"} {
					delete(m, k)
				}
				p.warn(ptr+"/type", "type %v not supported: any JSON value", types)
			}
		case string:
			if tv == "null" {
				delete(m, "type")
				m["nullable"] = true
			}
		case nil:
			delete(m, "type")
		}
	}
	_, hasAlts := m["anyOf"]
	if _, ok := m["oneOf"]; ok {
		hasAlts = true
	}
	if items, ok := m["items"].([]any); ok && m["type"] == nil && !hasAlts {
		// An items list on a schema that is not an array (Slack's objs_user)
		// lists the object shapes the value may take: read it as one object
		// with all their properties, none required.
		var shapes []any
		null := false
		for _, it := range items {
			if im, ok := it.(map[string]any); ok && im["type"] == "null" && len(im) == 1 {
				null = true
				continue
			}
			shapes = append(shapes, it)
		}
		// Other shapes (Slack's tz: null or string) stay untyped: by JSON
		// Schema's letter the value may also be an array, and mock servers
		// do send one.
		if props := mergeShapes(shapes); props != nil {
			m["type"] = "object"
			m["properties"] = props
		}
		if null {
			m["x-nullable"] = true
			if !p.swagger {
				m["nullable"] = true
				delete(m, "x-nullable")
			}
		}
		delete(m, "items")
		p.warn(ptr+"/items", "items list on a schema without type array: read as the shape its entries describe")
	}
	if items, ok := m["items"].([]any); ok {
		var kept []any
		for _, it := range items {
			if im, ok := it.(map[string]any); ok && im["type"] == "null" && len(im) == 1 {
				continue
			}
			kept = append(kept, it)
		}
		switch len(kept) {
		case 0:
			delete(m, "items")
		case 1:
			m["items"] = kept[0]
		default:
			m["items"] = map[string]any{"anyOf": kept}
		}
		p.warn(ptr+"/items", "tuple items not supported: read as one items schema")
	}
	if r, ok := m["required"]; ok {
		if _, isList := r.([]any); !isList {
			if _, isBool := r.(bool); !isBool {
				delete(m, "required")
			}
		}
	}
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
		if v, ok := m[k]; ok {
			switch v.(type) {
			case bool, float64:
			default:
				delete(m, k)
			}
		}
	}
}

// refOK reports whether $ref s can be followed; it warns when not.
func (p *repairer) refOK(s, ptr string) bool {
	if strings.HasPrefix(s, "#") {
		if _, ok := resolvePointer(p.root, s[1:]); ok {
			return true
		}
		p.warn(ptr, "$ref %q does not resolve; replaced by an empty object", s)
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		p.warn(ptr, "$ref %q is not a URI; replaced by an empty object", s)
		return false
	}
	if u.Scheme != "" || u.Host != "" {
		p.warn(ptr, "remote $ref %q not followed; replaced by an empty object", s)
		return false
	}
	if u.Path == "" {
		return true
	}
	if filepath.IsAbs(u.Path) || strings.HasPrefix(u.Path, "/") {
		p.warn(ptr, "absolute $ref %q not followed; replaced by an empty object", s)
		return false
	}
	if p.dir == "" {
		p.warn(ptr, "$ref %q names another file but the document has no location; replaced by an empty object", s)
		return false
	}
	file := filepath.Join(p.dir, filepath.FromSlash(u.Path))
	if !p.exists(file) {
		p.warn(ptr, "$ref %q: file %s not found; replaced by an empty object", s, file)
		return false
	}
	return true
}

// resolvePointer follows a JSON pointer ("/a/b", "" for the root) in v.
func resolvePointer(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	if u, err := url.PathUnescape(ptr); err == nil {
		ptr = u
	}
	toks := strings.Split(ptr[1:], "/")
	for i, tok := range toks {
		toks[i] = ptrUnescape(tok)
	}
	return resolveTokens(v, toks)
}

// mergeShapes merges the properties of inline object schemas, the first
// definition of a property winning; nil when any shape is not one.
func mergeShapes(shapes []any) map[string]any {
	if len(shapes) == 0 {
		return nil
	}
	merged := map[string]any{}
	for _, sh := range shapes {
		m, ok := sh.(map[string]any)
		if !ok {
			return nil
		}
		props, ok := m["properties"].(map[string]any)
		if !ok {
			return nil
		}
		for k, v := range props {
			if _, dup := merged[k]; !dup {
				merged[k] = v
			}
		}
	}
	return merged
}
