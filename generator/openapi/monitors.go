package openapi

import (
	"slices"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
)

// Query parameters that filter a list by change time, in order of
// preference. They are compared with sepFold: case-insensitively, without
// '_', '-' and '.', so updatedSince and updated-since are updated_since;
// a last word ms, millis or milliseconds is ignored (updated_since_ms).
var sinceParams = []string{
	"updated_since", "updated_after", "updated_at[gte]", "updated_at[gt]", "updated_at_min", "updated_min",
	"modified_since", "modified_after", "modified_at[gte]", "modified_at[gt]", "modified_at_min", "modified_min",
	"last_modified", "last_modified_since", "last_modified_after",
	"changed_since", "changed_after",
	"since",
}

// Record fields that hold a change time, in order of preference (compared
// like sinceParams: updatedAt and updated_at_ms are updated_at).
var changeFields = []string{
	"updated_at", "modified_at", "changed_at", "last_modified", "last_modified_at", "last_updated", "last_updated_at",
	"date_updated", "date_modified", "updated_time", "modified_time", "update_time", "updated", "modified",
}

// Filter suffixes of a parameter that names a record field
// (updated_at[gte], updated_at_min, updatedMin), folded.
var filterSuffixes = []string{"[gte]", "[gt]", "min"}

// monitorSuffix ends a proposed monitor's name: listOrders -> listOrdersChanges.
const monitorSuffix = "Changes"

// monitors proposes a polling monitor for each GET action that lists
// records and filters them by change time on the server:
//
//   - the action has a query parameter of sinceParams (updated_since,
//     modified_since, updated_at[gte], since, ...) whose schema is a
//     date-time string or an integer, the first listed that fits;
//   - its response is a list: the action's paginate.items, the response
//     itself when it is an array, else the response object's single array
//     property (among several, the one named items, data, results, ...);
//   - the records (references and allOf followed; a record that is a
//     oneOf or anyOf gets none) have a change-time field of changeFields
//     of the parameter's kind: a date-time string for a date-time
//     parameter (a string without format too), rfc3339; an integer for an
//     integer one, unix, or unixMillis when the parameter's or the
//     field's name ends in ms, millis or milliseconds. The field that the
//     parameter names without its filter suffix (updated_at[gte] ->
//     updated_at) comes first, then those with the parameter's word
//     (updated, modified, changed), then the list's order;
//   - and an id field, a string or a number: id, then uuid, then
//     <record>_id or <record>Id after the record's schema name or the
//     path's last segment (a trailing s dropped).
//
// The monitor is {name: <action>Changes, action, items (only when the
// action is not paginated and the list is a property), id, since: {field,
// format, param}, interval: 5m}. A name whose Poll or Watch method would
// take an action's, an iterator's (<Action>All), the connector's own or
// another monitor's Go name gets the next free number
// (listOrdersChanges2). Lists without such a parameter get no monitor: one
// that compares ids on the client reads every page at every poll, so it is
// left for a spec's author to add.
func (c *converter) monitors() {
	used := map[string]bool{spec.RevokeMethod: true}
	for _, r := range spec.ReservedMethods() {
		used[r] = true
	}
	for _, a := range c.s.Actions {
		used[goName(a.Name)] = true
		if a.Paginate != nil {
			used[goName(a.Name)+"All"] = true
		}
	}
	for i := range c.s.Actions {
		m, ok := c.proposeMonitor(&c.s.Actions[i])
		if !ok {
			continue
		}
		want := m.Action + monitorSuffix
		m.Name = want
		for n := 2; used["Poll"+goName(m.Name)] || used["Watch"+goName(m.Name)]; n++ {
			m.Name = want + strconv.Itoa(n)
		}
		used["Poll"+goName(m.Name)], used["Watch"+goName(m.Name)] = true, true
		c.s.Monitors = append(c.s.Monitors, m)
	}
}

// proposeMonitor is the monitor of action a, when the rule of monitors
// finds one.
func (c *converter) proposeMonitor(a *spec.Action) (spec.Monitor, bool) {
	if a.Method != "GET" || a.Response == nil || a.Response.Schema == nil {
		return spec.Monitor{}, false
	}
	type cand struct {
		p    *spec.Param
		rank int
	}
	var params []cand
	for i := range a.Params {
		p := &a.Params[i]
		if p.In != spec.InQuery {
			continue
		}
		pn, _ := trimMillis(p.Name)
		if r := slices.IndexFunc(sinceParams, func(n string) bool { return sepFold(n) == sepFold(pn) }); r >= 0 {
			params = append(params, cand{p, r})
		}
	}
	if len(params) == 0 {
		return spec.Monitor{}, false
	}
	slices.SortStableFunc(params, func(x, y cand) int { return x.rank - y.rank })

	items, record, ok := c.monitorItems(a)
	if !ok {
		return spec.Monitor{}, false
	}
	props, ok := c.recordProps(record)
	if !ok {
		return spec.Monitor{}, false
	}
	id := c.idField(props, record, a.Path)
	if id == "" {
		return spec.Monitor{}, false
	}
	for _, pc := range params {
		field, format := c.changeField(props, pc.p)
		if field == "" {
			continue
		}
		m := spec.Monitor{Action: a.Name, ID: id, Interval: spec.DefaultMonitorInterval,
			Since: &spec.Since{Field: field, Format: format, Param: pc.p.Name}}
		if a.Paginate == nil {
			m.Items = items
		}
		return m, true
	}
	return spec.Monitor{}, false
}

// monitorItems finds the record list of a's response: its dot path and
// the records' schema.
func (c *converter) monitorItems(a *spec.Action) (string, *spec.Schema, bool) {
	resp, ok := c.resolveSpec(a.Response.Schema)
	if !ok {
		return "", nil, false
	}
	if a.Paginate != nil {
		items := a.Paginate.Items
		list := resp
		if items != "" {
			props, ok := c.recordProps(resp)
			if !ok || strings.Contains(items, ".") {
				return "", nil, false
			}
			list = propNamed(props, items)
		}
		if list, ok = c.resolveSpec(list); !ok || !isSpecList(list) {
			return "", nil, false
		}
		return items, list.Items, list.Items != nil
	}
	if isSpecList(resp) {
		return "", resp.Items, resp.Items != nil
	}
	props, ok := c.recordProps(resp)
	if !ok {
		return "", nil, false
	}
	var arrays []string
	for _, p := range props {
		if s, ok := c.resolveSpec(p.Schema); ok && plainName(p.Name) && isSpecList(s) && s.Items != nil {
			arrays = append(arrays, p.Name)
		}
	}
	items := ""
	if len(arrays) == 1 {
		items = arrays[0]
	} else {
		for _, n := range itemsNames {
			if slices.Contains(arrays, n) {
				items = n
				break
			}
		}
	}
	if items == "" {
		return "", nil, false
	}
	list, _ := c.resolveSpec(propNamed(props, items))
	return items, list.Items, true
}

// isSpecList reports whether s is a list, as the validator sees one.
func isSpecList(s *spec.Schema) bool {
	return s.Type == "array" || s.Items != nil
}

func propNamed(props spec.Schemas, name string) *spec.Schema {
	for _, p := range props {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// resolveSpec follows s's references among the converted schemas; false
// on a loop, a dangling reference or a nil schema.
func (c *converter) resolveSpec(s *spec.Schema) (*spec.Schema, bool) {
	for range 32 {
		if s == nil {
			return nil, false
		}
		if s.Ref == "" {
			return s, true
		}
		ix, ok := c.schemaIx[s.RefName()]
		if !ok {
			return nil, false
		}
		s = c.schemas[ix].Schema
	}
	return nil, false
}

// recordProps are the properties of an object schema: its own, then its
// allOf parts' (references followed), the first of a name winning. false
// when the schema cannot say (a oneOf or anyOf, a reference loop).
func (c *converter) recordProps(s *spec.Schema) (spec.Schemas, bool) {
	var out spec.Schemas
	seen := map[string]bool{}
	ok := true
	var walk func(*spec.Schema, int)
	walk = func(x *spec.Schema, depth int) {
		x, found := c.resolveSpec(x)
		if !found || depth > 16 || len(x.OneOf)+len(x.AnyOf) > 0 {
			ok = false
			return
		}
		for _, p := range x.Properties {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
		for _, part := range x.AllOf {
			walk(part, depth+1)
		}
	}
	walk(s, 0)
	return out, ok
}

// scalarOf is the type and format of a scalar schema, through references
// and allOf wrappers of one part; "" when s is no scalar.
func (c *converter) scalarOf(s *spec.Schema) (typ, format string) {
	for range 8 {
		r, ok := c.resolveSpec(s)
		if !ok {
			return "", ""
		}
		if r.Type == "" && len(r.AllOf) == 1 {
			s = r.AllOf[0]
			continue
		}
		switch r.Type {
		case "string", "integer", "number", "boolean":
			return r.Type, r.Format
		}
		return "", ""
	}
	return "", ""
}

// changeField is the record's change-time field that param p filters on,
// with its since format; "" when there is none of p's kind.
func (c *converter) changeField(props spec.Schemas, p *spec.Param) (string, string) {
	ptyp, pformat := c.scalarOf(p.Schema)
	dateTime := ptyp == "string" && pformat == "date-time"
	if !dateTime && ptyp != "integer" {
		return "", ""
	}
	pn, pMillis := trimMillis(p.Name)
	pf := sepFold(pn)
	stem := pf
	for _, suf := range filterSuffixes {
		if s, ok := strings.CutSuffix(pf, suf); ok && s != "" {
			stem = s
			break
		}
	}
	word := ""
	for _, w := range []string{"updat", "modif", "chang"} {
		if strings.Contains(pf, w) {
			word = w
			break
		}
	}
	type cand struct {
		name string
		rank int
	}
	var cands []cand
	for _, prop := range props {
		if !plainName(prop.Name) {
			continue
		}
		fn, _ := trimMillis(prop.Name)
		f := sepFold(fn)
		r := slices.IndexFunc(changeFields, func(n string) bool { return sepFold(n) == f })
		if r < 0 {
			continue
		}
		switch {
		case f == stem:
			r -= 2 * len(changeFields)
		case word != "" && strings.Contains(f, word):
			r -= len(changeFields)
		}
		cands = append(cands, cand{prop.Name, r})
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return x.rank - y.rank })
	for _, cd := range cands {
		ftyp, fformat := c.scalarOf(propNamed(props, cd.name))
		switch {
		case dateTime && ftyp == "string" && (fformat == "date-time" || fformat == ""):
			return cd.name, spec.SinceRFC3339
		case !dateTime && ftyp == "integer":
			if _, fMillis := trimMillis(cd.name); pMillis || fMillis {
				return cd.name, spec.SinceUnixMillis
			}
			return cd.name, spec.SinceUnix
		}
	}
	return "", ""
}

// trimMillis drops a last word ms, millis or milliseconds from a name
// (updatedAtMs -> updatedAt, since_ms -> since) and says whether it did.
func trimMillis(name string) (string, bool) {
	words := splitWords(name)
	if len(words) < 2 {
		return name, false
	}
	switch strings.ToLower(words[len(words)-1]) {
	case "ms", "millis", "milliseconds":
		return strings.Join(words[:len(words)-1], "_"), true
	}
	return name, false
}

// idField is the record's id: id, then uuid, then <record>_id or
// <record>Id after the record's schema name or the path's last segment
// (a trailing s dropped); a string or number field. "" when none.
func (c *converter) idField(props spec.Schemas, record *spec.Schema, path string) string {
	wants := []string{"id", "uuid"}
	if n := record.RefName(); n != "" {
		wants = append(wants, sepFold(n)+"id")
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if seg := segs[i]; seg != "" && !strings.Contains(seg, "{") {
			wants = append(wants, sepFold(strings.TrimSuffix(seg, "s"))+"id")
			break
		}
	}
	for _, w := range wants {
		for _, p := range props {
			if sepFold(p.Name) != w || !plainName(p.Name) {
				continue
			}
			switch typ, _ := c.scalarOf(p.Schema); typ {
			case "string", "integer", "number":
				return p.Name
			}
		}
	}
	return ""
}

// plainName reports whether a property name is one segment of a dot path.
func plainName(n string) bool {
	return n != "" && !strings.ContainsAny(n, ". \t\r\n")
}
