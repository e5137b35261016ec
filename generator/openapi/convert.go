package openapi

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// methods in the order actions are emitted within a path.
var methods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"}

type converter struct {
	doc  *document
	t    *openapi3.T
	opts Options
	w    *warnings
	s    *spec.Spec

	// schemas
	names    schemaNames
	byComp   map[string]string           // component name -> schema name
	byValue  map[*openapi3.Schema]string // resolved component value -> schema name
	schemas  spec.Schemas
	schemaIx map[string]int // schema name -> index in schemas
	depth    int            // inline schemas being converted, nested

	// auth
	scheme     string               // chosen security scheme name, "" for none
	authSet    []string             // the schemes the connector's auth sends: scheme, or all those it is asked for together with
	schemes    map[string]spec.Auth // every declared scheme's mapping, by name
	authScopes map[string]bool
	credParams map[string]string // scheme -> connection parameter holding its credential, for actions' own auth

	// servers: the absolute URL of the first server, for relative OAuth URLs
	serverURL string

	ops []*operation

	optErrs    OptionErrors      // options naming nothing in the document
	actionPtrs map[string]string // action name -> operation pointer
	serverPtr  string            // pointer of the server the base URL came from
}

// operation is one operation of the document, in emission order.
type operation struct {
	path, method string
	clean        string      // path without fragment or query, starting with /
	fixedQuery   [][2]string // query parameters written into the document's path
	ptr          string      // JSON pointer of the operation
	item         *openapi3.PathItem
	op           *openapi3.Operation
	security     openapi3.SecurityRequirements // effective
	kept         bool                          // passes the filters
	accept       *openapi3.Parameter           // its Accept header parameter, if any
}

func newConverter(doc *document, opts Options, w *warnings) *converter {
	return &converter{
		doc:      doc,
		t:        doc.t,
		opts:     opts,
		w:        w,
		names:    schemaNames{used: map[string]bool{}},
		byComp:   map[string]string{},
		byValue:  map[*openapi3.Schema]string{},
		schemaIx: map[string]int{},

		actionPtrs: map[string]string{},
	}
}

func (c *converter) convert() *spec.Spec {
	c.s = &spec.Spec{Conngen: spec.Format}
	c.info()
	c.collectOperations()
	c.servers()
	c.chooseAuth()
	c.componentSchemas()
	c.actions()
	c.monitors()
	c.webhooks()
	c.choosePing()
	if len(c.opts.Tags) > 0 || len(c.opts.Operations) > 0 {
		c.pruneSchemas()
	}
	c.s.Schemas = c.schemas
	return c.s
}

func (c *converter) info() {
	name := c.opts.Name
	if name != "" {
		if !regexp.MustCompile(`^[a-z][a-z0-9]*$`).MatchString(name) {
			fixed := connectorName(name)
			c.w.add("", "name %q is not ^[a-z][a-z0-9]*$; using %q", name, fixed)
			name = fixed
		}
	}
	info := c.t.Info
	if info != nil {
		c.s.Title = oneLine(info.Title)
		c.s.Description = shortText(info.Description)
		c.s.Version = oneLine(info.Version)
		if info.Contact != nil && strings.Contains(info.Contact.Email, "@") {
			c.s.SupportEmail = strings.TrimSpace(info.Contact.Email)
		}
	}
	if name == "" {
		title := ""
		if info != nil {
			title = info.Title
		}
		name = connectorName(title)
	}
	c.s.Name = name
	if ed := c.t.ExternalDocs; ed != nil && isAbsHTTP(ed.URL) {
		c.s.DocsURL = ed.URL
	}
}

// collectOperations lists the operations in a stable order: paths sorted,
// methods in the order of `methods`.
func (c *converter) collectOperations() {
	if c.t.Paths == nil {
		return
	}
	pm := c.t.Paths.Map()
	paths := make([]string, 0, len(pm))
	for p := range pm {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	tags := map[string]bool{}
	for _, t := range c.opts.Tags {
		tags[t] = true
	}
	ids := map[string]bool{}
	for _, id := range c.opts.Operations {
		ids[id] = true
	}
	filter := len(tags) > 0 || len(ids) > 0
	for _, p := range paths {
		item := pm[p]
		if item == nil {
			continue
		}
		itemPtr := "#/paths/" + ptrEscape(p)
		if item.Trace != nil {
			c.w.add(itemPtr+"/trace", "TRACE operations not supported; dropped")
		}
		for _, m := range methods {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			o := &operation{path: p, method: m, ptr: OperationPointer(m, p), item: item, op: op}
			o.clean, o.fixedQuery = c.cleanPath(p, itemPtr)
			if op.Security != nil {
				o.security = *op.Security
			} else {
				o.security = c.t.Security
			}
			o.kept = !filter || ids[op.OperationID]
			for _, t := range op.Tags {
				if tags[t] {
					o.kept = true
				}
			}
			c.ops = append(c.ops, o)
		}
	}
	if filter {
		c.checkFilters()
	}
}

// checkFilters makes every --tag and --operation that names nothing in
// the document an error listing what it has, closest first: a filter
// that keeps nothing is not a connector anyone asked for.
func (c *converter) checkFilters() {
	ids, tags := map[string]bool{}, map[string]bool{}
	var idList, tagList []string
	for _, o := range c.ops {
		if id := o.op.OperationID; id != "" && !ids[id] {
			ids[id] = true
			idList = append(idList, id)
		}
		for _, t := range o.op.Tags {
			if !tags[t] {
				tags[t] = true
				tagList = append(tagList, t)
			}
		}
	}
	for i, t := range c.opts.Tags {
		if !tags[t] {
			msg := "no operation has this tag"
			if len(tagList) == 0 {
				msg = "no operation has a tag"
			}
			c.optErrs = append(c.optErrs, OptionError{Option: "tag", Index: i, Value: t, Msg: msg, Known: spec.Closest(t, tagList, 0)})
		}
	}
	for i, id := range c.opts.Operations {
		if !ids[id] {
			msg := "no operation has this operationId"
			if len(idList) == 0 {
				msg = "no operation has an operationId"
			}
			c.optErrs = append(c.optErrs, OptionError{Option: "operation", Index: i, Value: id, Msg: msg, Known: spec.Closest(id, idList, 0)})
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// cleanPath makes a document path an action path: a fragment
// ("/files/{id}#copy") is dropped, a query ("/x?action=y") becomes fixed
// query parameters, spaces are escaped, and the path starts with one /.
func (c *converter) cleanPath(p, ptr string) (string, [][2]string) {
	var fixed [][2]string
	if i := strings.Index(p, "#"); i >= 0 {
		c.w.add(ptr, "fragment %q dropped from the path", p[i:])
		p = p[:i]
	}
	if i := strings.Index(p, "?"); i >= 0 {
		q := p[i+1:]
		p = p[:i]
		for _, kv := range strings.Split(q, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			fixed = append(fixed, [2]string{k, v})
		}
		c.w.add(ptr, "query %q of the path made fixed query parameters", q)
	}
	if strings.ContainsAny(p, " \t") {
		c.w.add(ptr, "white space in the path escaped")
		p = strings.NewReplacer(" ", "%20", "\t", "%09").Replace(p)
	}
	p = "/" + strings.TrimLeft(p, "/")
	return p, fixed
}

// servers maps the servers to baseURL and connection parameters.
//
// The base URL is the first server whose URL is absolute http(s) (Swagger
// 2.0: host + basePath with the https scheme when listed, else the first
// scheme). Server variables become connection parameters (named after the
// variable, renamed when the name would Go-name to a Config field, e.g.
// baseUrl -> baseUrlParam), with their default and enum; a variable
// without default is required. Values of a variable used in the host must
// be host-safe (letters, digits, '.', '-', ':'); others are dropped with a
// warning. When the document has no absolute server URL (no servers, or a
// relative one such as "/api/v3"), the base URL is "https://{host}" followed
// by the relative path, with a required connection parameter "host"
// ("API host name"), and a warning.
func (c *converter) servers() {
	type server struct {
		url  string
		vars map[string]*openapi3.ServerVariable
		ptr  string
	}
	var list []server
	if c.doc.swagger {
		host, _ := c.doc.raw["host"].(string)
		basePath, _ := c.doc.raw["basePath"].(string)
		scheme := "https"
		if schemes, ok := c.doc.raw["schemes"].([]any); ok && len(schemes) > 0 {
			scheme = ""
			for _, s := range schemes {
				if s == "https" {
					scheme = "https"
				}
			}
			if scheme == "" {
				scheme, _ = schemes[0].(string)
			}
			if scheme != "http" && scheme != "https" {
				c.w.add("#/schemes", "scheme %q not supported; using https", scheme)
				scheme = "https"
			}
		}
		if basePath != "" && !strings.HasPrefix(basePath, "/") {
			basePath = "/" + basePath
		}
		if host != "" {
			host = strings.TrimSuffix(host, "/")
			if i := strings.Index(host, "://"); i >= 0 {
				c.w.add("#/host", "host %q holds a scheme; using it", host)
				scheme, host = host[:i], host[i+3:]
			}
			if i := strings.Index(host, "/"); i >= 0 {
				c.w.add("#/host", "host %q holds a path; using it", host)
				basePath = host[i:] + basePath
				host = host[:i]
			}
			list = append(list, server{url: scheme + "://" + host + basePath, ptr: "#/host"})
		} else if basePath != "" {
			list = append(list, server{url: basePath, ptr: "#/basePath"})
		}
	} else {
		for i, s := range c.t.Servers {
			if s == nil {
				continue
			}
			list = append(list, server{url: strings.TrimSpace(s.URL), vars: s.Variables, ptr: "#/servers/" + strconv.Itoa(i)})
		}
	}

	chosen := -1
	for i, s := range list {
		if isAbsHTTP(fillPlaceholders(s.url, s.vars)) {
			chosen = i
			break
		}
	}
	var base string
	var vars map[string]*openapi3.ServerVariable
	ptr := "#/servers"
	if c.doc.swagger {
		ptr = "#/host"
	}
	defer func() { c.serverPtr = ptr }()
	if chosen >= 0 {
		base, vars, ptr = list[chosen].url, list[chosen].vars, list[chosen].ptr
		// a scheme given by a variable: use its default
		if m := regexp.MustCompile(`^\{([^{}]*)\}://`).FindStringSubmatch(base); m != nil {
			scheme := "https"
			if v := vars[m[1]]; v != nil && (v.Default == "http" || v.Default == "https") {
				scheme = v.Default
			}
			c.w.add(ptr+"/url", "URL scheme given by variable %s; using %s", m[1], scheme)
			base = scheme + base[len(m[0])-3:]
		}
	} else {
		rel := ""
		if len(list) > 0 {
			rel, vars, ptr = list[0].url, list[0].vars, list[0].ptr
			c.w.add(ptr, "server URL %q is not absolute; base URL is https://{host}%s with a connection parameter host", rel, relPath(rel))
		} else {
			c.w.add(ptr, "no server URL; base URL is https://{host} with a connection parameter host")
		}
		base = "https://{host}" + relPath(rel)
		if vars == nil {
			vars = map[string]*openapi3.ServerVariable{}
		}
		if _, ok := vars["host"]; !ok {
			vars["host"] = &openapi3.ServerVariable{Description: "API host name"}
		}
	}
	base = strings.TrimRight(base, "/")
	if q := strings.IndexAny(base, "?#"); q >= 0 {
		c.w.add(ptr, "server URL query and fragment dropped")
		base = strings.TrimRight(base[:q], "/")
	}

	// host part, for host-safety of variables
	hostPart := ""
	if i := strings.Index(base, "://"); i >= 0 {
		rest := base[i+3:]
		if j := strings.Index(rest, "/"); j >= 0 {
			rest = rest[:j]
		}
		hostPart = rest
	}
	hostSafe := regexp.MustCompile(`^[A-Za-z0-9.:-]+$`)
	seen := map[string]string{} // variable -> param name
	usedNames := map[string]bool{}
	base = placeholderRE.ReplaceAllStringFunc(base, func(ph string) string {
		v := ph[1 : len(ph)-1]
		if name, ok := seen[v]; ok {
			return "{" + name + "}"
		}
		name := connParamName(v)
		for i := 2; usedNames[foldKey(name)]; i++ {
			name = connParamName(v) + strconv.Itoa(i)
		}
		usedNames[foldKey(name)] = true
		seen[v] = name
		vptr := ptr + "/variables/" + ptrEscape(v)
		if name != v {
			c.w.add(vptr, "server variable %s renamed to connection parameter %s", v, name)
		}
		cp := spec.ConnParam{Name: name}
		inHost := strings.Contains(hostPart, ph)
		def := vars[v]
		if def == nil {
			c.w.add(ptr, "server variable %s is not declared; it becomes a required connection parameter", v)
		} else {
			cp.Description = shortText(def.Description)
			cp.Default = def.Default
			for _, e := range def.Enum {
				if inHost && !hostSafe.MatchString(e) {
					c.w.add(vptr+"/enum", "value %q is not host-safe; dropped", e)
					continue
				}
				if !slices.Contains(cp.Enum, e) {
					cp.Enum = append(cp.Enum, e)
				}
			}
			if inHost && cp.Default != "" && !hostSafe.MatchString(cp.Default) {
				c.w.add(vptr+"/default", "default %q is not host-safe; dropped", cp.Default)
				cp.Default = ""
			}
			if cp.Default != "" && len(cp.Enum) > 0 && !slices.Contains(cp.Enum, cp.Default) {
				cp.Enum = append(cp.Enum, cp.Default)
			}
		}
		cp.Required = cp.Default == ""
		c.s.Connection = append(c.s.Connection, cp)
		return "{" + name + "}"
	})
	c.s.BaseURL = base
	if chosen >= 0 {
		c.serverURL = fillPlaceholders(list[chosen].url, list[chosen].vars)
	}
}

// relPath turns a relative server URL into a path: "" or "/" -> "",
// "api/v3" -> "/api/v3".
func relPath(rel string) string {
	rel = strings.TrimRight(rel, "/")
	if rel == "" || rel == "." {
		return ""
	}
	if strings.HasPrefix(rel, "./") {
		rel = rel[1:]
	}
	if !strings.HasPrefix(rel, "/") {
		rel = "/" + rel
	}
	return rel
}

// fillPlaceholders replaces {v} by the variable's default, or "x".
func fillPlaceholders(u string, vars map[string]*openapi3.ServerVariable) string {
	return placeholderRE.ReplaceAllStringFunc(u, func(ph string) string {
		if v := vars[ph[1:len(ph)-1]]; v != nil && v.Default != "" {
			return v.Default
		}
		return "x"
	})
}

func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// oneLine is s trimmed, with its whitespace runs (newlines too) made single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// shortText is the first paragraph of s, trimmed, at most ~600 bytes.
func shortText(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return truncate(s, 600)
}

// truncate cuts s at a word boundary before max bytes, adding "...".
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && (s[cut]&0xC0) == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	if i := strings.LastIndexAny(s[:cut], " \n\t"); i > max/2 {
		cut = i
	}
	return strings.TrimSpace(s[:cut]) + "..."
}
