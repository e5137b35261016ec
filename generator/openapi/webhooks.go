package openapi

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// webhookEvent is one operation the service sends, read from 3.1
// webhooks or 3.0 callbacks, before its type is decided.
type webhookEvent struct {
	key    string // the webhook's or callback's key
	ptr    string // JSON pointer of the operation
	schema *openapi3.SchemaRef
	event  spec.WebhookEvent
	// security names the schemes the operation's own security lists:
	// the credentials a delivery carries.
	security []string
}

// webhooks maps OpenAPI 3.1 webhooks and 3.0 operation callbacks to the
// spec's webhooks block (docs/import.md, "Webhooks").
//
// Each webhook (keys sorted) gives one event: its first operation, POST
// first, with a JSON request body. Each callback of each operation (the
// operations in the order of actions, callback names and expressions
// sorted) gives one event per operation with a JSON body; a callback that
// several operations share through a $ref counts once. The filters do not
// apply: every webhook and callback is read.
//
// name is the key in lowerCamelCase ("email.sent" -> emailSent), made
// unique after Go naming (OnOther is the handlers' own field);
// description is the operation's description (first paragraph), else its
// summary, else the request body's description; schema is the body's
// JSON schema. eventType and the types are chosen by eventTypes. The
// document cannot say how deliveries are signed: signature is
// {scheme: none}, with a warning.
func (c *converter) webhooks() {
	events := c.webhookEvents()
	if len(events) == 0 {
		return
	}
	ptr := events[0].ptr // where the block's warnings point
	if strings.HasPrefix(ptr, "#/webhooks/") {
		ptr = "#/webhooks"
	}
	names := eventNames{goName("other"): true}
	for _, e := range events {
		want := lowerCamel(e.key)
		if want == "" {
			want = "event"
		}
		e.event.Name = names.unique(want)
	}
	w := &spec.Webhooks{Signature: &spec.Signature{Scheme: spec.SchemeNone}}
	w.EventType = c.eventTypes(events, ptr)
	for _, e := range events {
		w.Events = append(w.Events, e.event)
	}
	c.signatureWarning(events, ptr)
	c.s.Webhooks = w
}

// webhookEvents lists the operations the service sends, in the order
// documented on webhooks.
func (c *converter) webhookEvents() []*webhookEvent {
	var events []*webhookEvent
	seen := map[*openapi3.Operation]bool{}
	for _, key := range slices.Sorted(maps.Keys(c.t.Webhooks)) {
		item := c.t.Webhooks[key]
		if item == nil {
			continue
		}
		ptr := "#/webhooks/" + ptrEscape(key)
		var got *webhookEvent
		gotMethod := ""
		for _, m := range webhookMethods {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			optr := ptr + "/" + strings.ToLower(m)
			e := c.webhookEvent(key, optr, op)
			switch {
			case e == nil:
				c.w.add(optr, "no JSON request body: not a webhook event")
			case got != nil:
				c.w.add(optr, "a webhook gives one event, read from its %s operation; dropped", gotMethod)
			default:
				got, gotMethod = e, strings.ToLower(m)
				seen[op] = true
			}
		}
		if got != nil {
			events = append(events, got)
		}
	}
	for _, o := range c.ops {
		for _, name := range slices.Sorted(maps.Keys(o.op.Callbacks)) {
			cb := o.op.Callbacks[name]
			if cb == nil || cb.Value == nil {
				continue
			}
			cptr := o.ptr + "/callbacks/" + ptrEscape(name)
			paths := cb.Value.Map()
			for _, expr := range slices.Sorted(maps.Keys(paths)) {
				item := paths[expr]
				if item == nil {
					continue
				}
				for _, m := range webhookMethods {
					op := item.GetOperation(m)
					if op == nil || seen[op] {
						continue
					}
					seen[op] = true
					optr := cptr + "/" + ptrEscape(expr) + "/" + strings.ToLower(m)
					if e := c.webhookEvent(name, optr, op); e != nil {
						events = append(events, e)
					} else {
						c.w.add(optr, "no JSON request body: not a webhook event")
					}
				}
			}
		}
	}
	return events
}

// signatureWarning says that the signature is left to the user, naming
// the security schemes the events list.
func (c *converter) signatureWarning(events []*webhookEvent, ptr string) {
	var security []string
	for _, e := range events {
		for _, n := range e.security {
			if !slices.Contains(security, n) {
				security = append(security, n)
			}
		}
	}
	note := ""
	if len(security) > 0 {
		slices.Sort(security)
		schemes := "scheme "
		if len(security) > 1 {
			schemes = "schemes "
		}
		note = "; the events list the security " + schemes + strings.Join(security, ", ") +
			": a credential sent in a header with every delivery is checked by scheme header"
	}
	c.w.add(ptr, "the document cannot say how deliveries are signed: webhooks.signature is {scheme: none}, which verifies nothing; set it to the service's scheme (%s)%s",
		strings.Join(slices.DeleteFunc(slices.Clone(spec.SignatureSchemes), func(s string) bool { return s == spec.SchemeNone }), ", "), note)
}

// webhookMethods is the order in which a webhook's operations are read:
// deliveries are POSTs.
var webhookMethods = append([]string{"POST"}, slices.DeleteFunc(slices.Clone(methods), func(m string) bool { return m == "POST" })...)

// webhookEvent reads one operation that the service sends; nil when it
// has no JSON request body.
func (c *converter) webhookEvent(key, ptr string, op *openapi3.Operation) *webhookEvent {
	rb := op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := ""
	for _, m := range slices.Sorted(maps.Keys(rb.Value.Content)) {
		if contentClass(m) == ctJSON || isWildcard(m) && structured(rb.Value.Content[m]) {
			mt = m
			break
		}
	}
	if mt == "" {
		return nil
	}
	e := &webhookEvent{key: key, ptr: ptr}
	if op.Security != nil {
		for _, req := range *op.Security {
			for _, n := range slices.Sorted(maps.Keys(req)) {
				if !slices.Contains(e.security, n) {
					e.security = append(e.security, n)
				}
			}
		}
	}
	e.event.Description = shortText(op.Description)
	if e.event.Description == "" {
		e.event.Description = truncate(oneLine(op.Summary), 200)
	}
	if e.event.Description == "" {
		e.event.Description = shortText(rb.Value.Description)
	}
	if media := rb.Value.Content[mt]; media != nil && media.Schema != nil {
		e.schema = media.Schema
		e.event.Schema = c.schemaRef(media.Schema, ptr+"/requestBody/content/"+ptrEscape(mt)+"/schema")
	}
	return e
}

// eventTypes sets each event's type and returns webhooks.eventType.
//
// When every event's schema (through allOf and $ref) has a property of
// the same name whose schema is a single string enum value or a const,
// different for each event, that property is eventType and those values
// the types; among several such properties, type wins, then names holding
// "type", then the alphabetically first. Otherwise each event's type is
// its key (a key already taken gets a number) and eventType is left to
// its default, with a warning to set it.
func (c *converter) eventTypes(events []*webhookEvent, ptr string) string {
	consts := make([]map[string]string, len(events))
	var common []string
	for i, e := range events {
		consts[i] = constProps(e.schema)
		if i == 0 {
			common = slices.Sorted(maps.Keys(consts[0]))
		} else {
			common = slices.DeleteFunc(common, func(n string) bool { _, ok := consts[i][n]; return !ok })
		}
	}
	common = slices.DeleteFunc(common, func(n string) bool { return !eventPathName(n) })
	var found []string
	var clash string // why the first common property does not tell the events apart
	for _, n := range common {
		by := map[string]string{}
		ok := true
		for i, e := range events {
			v := consts[i][n]
			if other, dup := by[v]; dup {
				if clash == "" {
					clash = "property " + n + " is " + strconv.Quote(v) + " in both " + other + " and " + e.event.Name
				}
				ok = false
				break
			}
			by[v] = e.event.Name
		}
		if ok {
			found = append(found, n)
		}
	}
	if len(found) > 0 {
		sort.SliceStable(found, func(i, j int) bool { return typeRank(found[i]) < typeRank(found[j]) })
		prop := found[0]
		for i, e := range events {
			e.event.Type = consts[i][prop]
		}
		return prop
	}
	taken := map[string]bool{}
	for _, e := range events {
		key := e.key
		if key == "" {
			key = e.event.Name
		}
		t := key
		for i := 2; taken[t]; i++ {
			t = key + strconv.Itoa(i)
		}
		if t != key {
			c.w.add(e.ptr, "type %q is another event's too; event %s has type %q", key, e.event.Name, t)
		}
		taken[t] = true
		e.event.Type = t
	}
	why := "no property of every event's schema holds a single enum or const value"
	if clash != "" {
		why = clash
	}
	c.w.add(ptr, "%s: each event's type is its key and webhooks.eventType is left to its default (type); set eventType to where the service puts the event's type, and the types to its values", why)
	return ""
}

// typeRank orders the properties that could be eventType.
func typeRank(n string) int {
	switch {
	case n == "type":
		return 0
	case strings.Contains(strings.ToLower(n), "type"):
		return 1
	}
	return 2
}

// eventPathName reports whether a property name can be eventType as it
// is: a dot path of one segment, not a header.
func eventPathName(n string) bool {
	return n != "" && !strings.ContainsAny(n, ". \t\r\n") && !strings.HasPrefix(n, "header:")
}

// constProps are the properties of a schema (its own and, through $refs,
// its allOf parts') whose value is fixed: a single string enum value or a
// const. A property fixed to different values by different parts is none.
func constProps(r *openapi3.SchemaRef) map[string]string {
	out := map[string]string{}
	conflict := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for n, p := range s.Properties {
			v, ok := constValue(p)
			if !ok {
				continue
			}
			if old, dup := out[n]; dup && old != v {
				conflict[n] = true
			}
			out[n] = v
		}
		for _, part := range s.AllOf {
			if part != nil {
				walk(part.Value)
			}
		}
	}
	if r != nil {
		walk(r.Value)
	}
	for n := range conflict {
		delete(out, n)
	}
	return out
}

// constValue is the one non-empty string value a property schema
// allows: an enum of one value (null aside) or a const, on the schema or
// on its allOf parts.
func constValue(r *openapi3.SchemaRef) (string, bool) {
	found := map[string]bool{}
	if !fixedValues(r, found, map[*openapi3.Schema]bool{}) || len(found) != 1 {
		return "", false
	}
	for v := range found {
		return v, true
	}
	return "", false
}

// fixedValues adds to found the value r and its allOf parts fix a string
// to, each schema visited once; false when one fixes it to no type.
func fixedValues(r *openapi3.SchemaRef, found map[string]bool, seen map[*openapi3.Schema]bool) bool {
	if r == nil || r.Value == nil || seen[r.Value] {
		return true
	}
	s := r.Value
	seen[s] = true
	vals := s.Enum
	if len(vals) == 0 && s.Const != nil {
		vals = []any{s.Const}
	}
	strs := map[string]bool{}
	others := 0
	for _, e := range vals {
		switch v := e.(type) {
		case nil:
		case string:
			strs[v] = true
		default:
			others++
		}
	}
	if len(strs) == 1 && others == 0 {
		if strs[""] {
			return false // "" is no type
		}
		maps.Copy(found, strs)
	}
	for _, part := range s.AllOf {
		if !fixedValues(part, found, seen) {
			return false
		}
	}
	return true
}

// eventNames hands out event names unique after Go naming, the handler
// field being On + the Go name.
type eventNames map[string]bool

func (n eventNames) unique(want string) string {
	name := want
	for i := 2; n[goName(name)]; i++ {
		name = want + strconv.Itoa(i)
	}
	n[goName(name)] = true
	return name
}
