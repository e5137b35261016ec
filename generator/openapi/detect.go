package openapi

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Query parameter names that mark pagination, in order of preference.
var (
	limitParams  = []string{"limit", "per_page", "page_size", "pageSize", "perPage", "PageSize", "count", "max_results", "maxResults"}
	offsetParams = []string{"offset", "start", "skip"}
	pageParams   = []string{"page", "page_number", "pageNumber"}
	cursorParams = []string{"cursor", "after", "starting_after", "page_token", "pageToken", "next_page_token", "nextPageToken", "continue", "next_token", "nextToken", "marker"}
)

// Response fields that carry the next cursor or the next page's URL:
// matched on the whole dot path first, then on the last segment.
var (
	nextCursorPaths = []string{"next_cursor", "nextCursor", "cursor", "next_page_token", "nextPageToken", "cursors.after",
		"paging.cursors.after", "response_metadata.next_cursor", "metadata.continue", "meta.next_cursor", "pagination.next_cursor",
		"next_token", "nextToken", "next_marker", "nextMarker"}
	nextCursorLast = []string{"next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next_token", "nextToken", "next_marker", "nextMarker"}
	nextURLPaths   = []string{"next", "next_page_uri", "next_page_url", "next_url", "nextUrl", "nextLink", "nextPageUrl", "links.next",
		"_links.next.href", "links.next.href", "paging.next", "pagination.next", "meta.next", "@odata.nextLink"}
	nextURLLast = []string{"next_page_uri", "next_page_url", "nextLink", "nextPageUrl"}
	itemsNames  = []string{"items", "data", "results", "entries", "records", "values", "elements"}
)

// detectPagination finds how a GET action pages, from its query
// parameters and its 2xx response, in this order:
//
//   - cursor: a cursor parameter (cursor, after, starting_after,
//     page_token, pageToken, next_page_token, continue, ...) and a
//     next-cursor field in the response (next_cursor, cursor,
//     nextPageToken, next_page_token, cursors.after,
//     response_metadata.next_cursor, metadata.continue, ...);
//   - nextURL: a string field with the next page's URL (next,
//     next_page_uri, links.next, _links.next.href, ...);
//   - linkHeader: the 2xx response declares a Link header;
//   - offset: a limit parameter (limit, per_page, page_size, pageSize,
//     count, ...) and an offset parameter (offset, start, skip);
//   - page: a page parameter (page, page_number) and a limit parameter.
//
// items is the single array property of the response object (refs and
// allOf resolved; among several, the one named items, data, results, ...).
// paginate is emitted only when items is found, or when the response is
// itself an array and the style is offset, page or linkHeader.
func (c *converter) detectPagination(a *spec.Action, resp *openapi3.Schema, headers openapi3.Headers) *spec.Paginate {
	query := map[string]bool{}
	for _, p := range a.Params {
		if p.In == "query" {
			query[p.Name] = true
		}
	}
	first := func(names []string) string {
		for _, n := range names {
			if query[n] {
				return n
			}
		}
		return ""
	}
	limit, offset, page, cursor := first(limitParams), first(offsetParams), first(pageParams), first(cursorParams)
	linkHeader := false
	for h := range headers {
		if strings.EqualFold(h, "Link") {
			linkHeader = true
		}
	}
	if resp == nil && !linkHeader {
		return nil
	}
	isArray := false
	items := ""
	var fields []fieldPath
	if resp != nil {
		if t, _, _ := schemaType(resp); t == "array" {
			isArray = true
		} else {
			props := objectProps(resp, 0)
			items = itemsProp(props)
			fields = scalarPaths(props, "", 0)
		}
	}
	if items != "" && cursor != "" {
		if nc := findField(fields, nextCursorPaths, nextCursorLast, false); nc != "" {
			return &spec.Paginate{Style: spec.PageCursor, Items: items, Limit: limit, Cursor: cursor, NextCursor: nc}
		}
	}
	if items != "" {
		if next := findField(fields, nextURLPaths, nextURLLast, true); next != "" {
			return &spec.Paginate{Style: spec.PageNextURL, Items: items, Limit: limit, Next: next}
		}
	}
	if items == "" && !isArray {
		return nil
	}
	switch {
	case linkHeader:
		return &spec.Paginate{Style: spec.PageLinkHeader, Items: items, Limit: limit}
	case limit != "" && offset != "":
		return &spec.Paginate{Style: spec.PageOffset, Items: items, Limit: limit, Offset: offset}
	case page != "" && limit != "":
		return &spec.Paginate{Style: spec.PagePage, Items: items, Limit: limit, Page: page}
	}
	return nil
}

// objectProps are the properties of an object schema, allOf merged.
func objectProps(s *openapi3.Schema, depth int) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	mergeProps(out, s, depth, map[*openapi3.Schema]bool{})
	return out
}

// mergeProps adds s's properties, allOf merged, to out. Each schema is
// merged once (seen): an allOf that repeats a part, or a diamond of them,
// costs that part once, not once per path.
func mergeProps(out map[string]*openapi3.Schema, s *openapi3.Schema, depth int, seen map[*openapi3.Schema]bool) {
	if s == nil || depth > 6 || seen[s] {
		return
	}
	seen[s] = true
	for _, r := range s.AllOf {
		if r != nil && r.Value != nil {
			mergeProps(out, r.Value, depth+1, seen)
		}
	}
	for k, r := range s.Properties {
		if r != nil && r.Value != nil {
			out[k] = r.Value
		}
	}
}

// isArraySchema reports whether s is an array, through allOf wrappers of
// one part (a wrapper of itself is not).
func isArraySchema(s *openapi3.Schema) bool {
	for range 8 {
		t, _, _ := schemaType(s)
		if t == "" && len(s.AllOf) == 1 && s.AllOf[0] != nil && s.AllOf[0].Value != nil {
			s = s.AllOf[0].Value
			continue
		}
		return t == "array" || t == "" && s.Items != nil
	}
	return false
}

// itemsProp is the single array property, or the preferred one by name.
func itemsProp(props map[string]*openapi3.Schema) string {
	var arrays []string
	for k, v := range props {
		if isArraySchema(v) {
			arrays = append(arrays, k)
		}
	}
	if len(arrays) == 1 {
		return arrays[0]
	}
	for _, n := range itemsNames {
		if slices.Contains(arrays, n) {
			return n
		}
	}
	return ""
}

type fieldPath struct {
	path string
	typ  string
}

// scalarPaths lists the dot paths of the scalar (string, integer) fields
// of an object, nested objects followed to depth 3.
func scalarPaths(props map[string]*openapi3.Schema, prefix string, depth int) []fieldPath {
	var out []fieldPath
	collectScalarPaths(&out, props, prefix, depth)
	return out
}

// maxScalarPaths caps the fields scalarPaths lists. Pagination looks for
// a next cursor or URL near the top of a response; a schema whose
// properties all refer back to it would otherwise list width^3 paths.
const maxScalarPaths = 2_000

func collectScalarPaths(out *[]fieldPath, props map[string]*openapi3.Schema, prefix string, depth int) {
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if len(*out) >= maxScalarPaths {
			return
		}
		if strings.Contains(k, ".") {
			continue
		}
		v := props[k]
		t, _, _ := schemaType(v)
		p := prefix + k
		switch {
		case t == "string" || t == "integer":
			*out = append(*out, fieldPath{p, t})
		case depth < 3 && (t == "object" || t == "" && (len(v.Properties) > 0 || len(v.AllOf) > 0)):
			collectScalarPaths(out, objectProps(v, 0), p+".", depth+1)
		}
	}
}

// findField is the first path listed in whole, else the shortest field
// whose last segment is in last.
func findField(fields []fieldPath, whole, last []string, stringOnly bool) string {
	byPath := map[string]fieldPath{}
	for _, f := range fields {
		byPath[f.path] = f
	}
	for _, w := range whole {
		if f, ok := byPath[w]; ok && (!stringOnly || f.typ == "string") {
			return w
		}
	}
	best := ""
	for _, f := range fields {
		if stringOnly && f.typ != "string" {
			continue
		}
		seg := f.path[strings.LastIndex(f.path, ".")+1:]
		if slices.Contains(last, seg) && (best == "" || strings.Count(f.path, ".") < strings.Count(best, ".")) {
			best = f.path
		}
	}
	return best
}

// Last path segments that name the caller's own identity, preferred for
// the ping.
var identitySegments = map[string]bool{
	"me": true, "@me": true, "user": true, "account": true, "whoami": true, "self": true,
	"myself": true, "userinfo": true, "current_user": true, "currentuser": true,
}

// choosePing picks the AuthPing call (auth none: no ping).
//
// The rule: among the GET operations of the whole document (filters do
// not apply) whose path has no {parameter}, that have no required query or
// header parameter and that are authenticated (their effective security
// lists the chosen scheme; when no operation lists it, every operation
// counts; when none does, a GET listing another scheme is used, with a
// warning), prefer those whose last path segment names the caller (me,
// @me, user, account, whoami, self, myself, userinfo, current_user:
// /me, /user, /users/me, /v1/me, /v2/account, /users/@me), then the
// fewest path segments, then the alphabetically first path. expect is the
// operation's declared 2xx statuses ([200] when it declares none). When
// there is no such GET, the ping is GET / expecting [200], with a
// warning: edit it.
func (c *converter) choosePing() {
	if c.s.Auth.Type == spec.AuthNone {
		return
	}
	anyAuth := false
	for _, o := range c.ops {
		if c.authenticated(o) {
			anyAuth = true
			break
		}
	}
	type cand struct {
		o        *operation
		other    bool // authenticated with another scheme only
		identity bool
		segs     int
	}
	var cands []cand
	for _, o := range c.ops {
		if o.method != "GET" || strings.Contains(o.clean, "{") {
			continue
		}
		other := false
		if anyAuth && !c.authenticated(o) {
			if len(o.security) == 0 {
				continue
			}
			other = true
		}
		if c.hasRequiredParams(o) {
			continue
		}
		segs := strings.FieldsFunc(o.clean, func(r rune) bool { return r == '/' })
		last := ""
		if len(segs) > 0 {
			last = strings.ToLower(segs[len(segs)-1])
		}
		cands = append(cands, cand{o, other, identitySegments[last], len(segs)})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.other != b.other {
			return !a.other
		}
		if a.identity != b.identity {
			return a.identity
		}
		if a.segs != b.segs {
			return a.segs < b.segs
		}
		return a.o.path < b.o.path
	})
	if len(cands) == 0 {
		c.w.add("#/paths", "no parameterless authenticated GET operation; ping is GET / expecting 200: edit it")
		c.s.Ping = &spec.Ping{Method: "GET", Path: "/", Expect: []int{200}}
		return
	}
	o := cands[0].o
	path := o.clean
	if len(o.fixedQuery) > 0 {
		q := url.Values{}
		for _, kv := range o.fixedQuery {
			q.Add(kv[0], kv[1])
		}
		path += "?" + q.Encode()
	}
	if cands[0].other {
		c.w.add(o.ptr, "no parameterless GET lists security scheme %s; ping uses this one, which lists another scheme", c.scheme)
	}
	c.s.Ping = &spec.Ping{Method: "GET", Path: path, Expect: okStatuses(o.op)}
}

func (c *converter) hasRequiredParams(o *operation) bool {
	for _, refs := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, r := range refs {
			if r == nil || r.Value == nil || !r.Value.Required {
				continue
			}
			switch strings.ToLower(r.Value.In) {
			case "query", "path":
				return true
			case "header":
				if c.skipHeader(r.Value.Name) == "" {
					return true
				}
			}
		}
	}
	if rb := o.op.RequestBody; rb != nil && rb.Value != nil && rb.Value.Required {
		return true
	}
	return false
}

// okStatuses are the declared 2xx statuses of an operation, [200] when none.
func okStatuses(op *openapi3.Operation) []int {
	var out []int
	if op.Responses != nil {
		for code := range op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
				out = append(out, n)
			}
		}
	}
	sort.Ints(out)
	if len(out) == 0 {
		return []int{200}
	}
	return out
}
