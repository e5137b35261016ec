package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conngen/conngen/generator/names"
)

func (v *validator) checkMonitors() {
	actions := map[string]*Action{}
	for i := range v.s.Actions {
		actions[v.s.Actions[i].Name] = &v.s.Actions[i]
	}
	for i, m := range v.s.Monitors {
		p := fmt.Sprintf("monitors[%d]", i)
		switch {
		case m.Name == "":
			v.errorf(p+".name", "required")
		case !actionNamePattern.MatchString(m.Name):
			v.errorf(p+".name", "must be a letter followed by letters, digits or _ (lowerCamelCase)")
		default:
			for _, g := range []string{"Poll" + names.Go(m.Name), "Watch" + names.Go(m.Name)} {
				if other, ok := v.methods[g]; ok {
					v.errorf(p+".name", "method %s collides with %s", g, other)
				}
				v.methods[g] = "monitor " + m.Name
			}
		}
		if m.Interval != "" {
			if d, err := time.ParseDuration(m.Interval); err != nil || d <= 0 {
				v.errorf(p+".interval", "must be a positive Go duration such as 5m")
			}
		}
		if m.ID == "" {
			v.errorf(p+".id", "required: the dot path of a record's unique id")
		} else if !dotPath(m.ID) {
			v.errorf(p+".id", "must be a dot path into a record's JSON")
		}
		if m.Items != "" && !dotPath(m.Items) {
			v.errorf(p+".items", "must be a dot path into the response's JSON")
		}
		a := actions[m.Action]
		if m.Action == "" {
			v.errorf(p+".action", "required: the action that lists the records")
		} else if a == nil {
			v.errorf(p+".action", "names no action: %q", m.Action)
		}
		if s := m.Since; s != nil {
			if s.Field == "" {
				v.errorf(p+".since.field", "required: the dot path of a record's change time or sequence number")
			} else if !dotPath(s.Field) {
				v.errorf(p+".since.field", "must be a dot path into a record's JSON")
			}
			if s.Format != "" && !slices.Contains(SinceFormats, s.Format) {
				v.errorf(p+".since.format", "unknown format %q: want one of %s", s.Format, strings.Join(SinceFormats, " "))
			}
			if s.Order != "" && !slices.Contains(SinceOrders, s.Order) {
				v.errorf(p+".since.order", "unknown order %q: want one of %s (how the action lists records)", s.Order, strings.Join(SinceOrders, " "))
			}
			if s.Tiebreak != "" && !dotPath(s.Tiebreak) {
				v.errorf(p+".since.tiebreak", "must be a dot path into a record's JSON")
			}
			if s.Param != "" && a != nil && !hasQueryParam(a, s.Param) {
				v.errorf(p+".since.param", "names no query parameter of action %s: %q", a.Name, s.Param)
			}
		}
		if a != nil {
			v.checkMonitorItems(p, m, a)
		}
	}
}

func hasQueryParam(a *Action, name string) bool {
	for _, prm := range a.Params {
		if prm.In == InQuery && prm.Name == name {
			return true
		}
	}
	return false
}

// checkMonitorItems checks that the records are a list in the action's
// response, when the response's schema says enough to tell.
func (v *validator) checkMonitorItems(p string, m Monitor, a *Action) {
	items := m.Items
	if items == "" && a.Paginate != nil {
		items = a.Paginate.Items
	}
	if a.Paginate != nil && m.Items != "" && m.Items != a.Paginate.Items {
		v.errorf(p+".items", "action %s is paginated with items %q; a monitor reads the same list", a.Name, a.Paginate.Items)
		return
	}
	if a.Response == nil || a.Response.Schema == nil {
		return // json.RawMessage: nothing to check before a real answer
	}
	s, known := v.schemaAt(a.Response.Schema, items)
	if !known {
		return
	}
	if s == nil {
		v.errorf(p+".items", "%q is not a field of action %s's response", items, a.Name)
		return
	}
	if s.Type != "array" && s.Items == nil {
		where := fmt.Sprintf("%q in action %s's response", items, a.Name)
		if items == "" {
			where = "action " + a.Name + "'s response (give items: the dot path of its record list)"
		}
		v.errorf(p+".items", "%s is not a list", where)
	}
}

// schemaAt follows the dot path in s, through references and allOf parts.
// known is false when the schema cannot tell (an untyped or union part, a
// reference loop); a nil schema with known true means no such field.
func (v *validator) schemaAt(s *Schema, path string) (*Schema, bool) {
	s, ok := v.resolveSchema(s)
	if !ok {
		return nil, false
	}
	if path == "" {
		return s, true
	}
	head, rest, _ := strings.Cut(path, ".")
	var found *Schema
	known := true
	var look func(*Schema, int)
	look = func(x *Schema, depth int) {
		x, ok := v.resolveSchema(x)
		if !ok || depth > 16 || len(x.OneOf)+len(x.AnyOf) > 0 {
			known = false
			return
		}
		if found == nil {
			found = x.Properties.Get(head)
		}
		for _, part := range x.AllOf {
			look(part, depth+1)
		}
	}
	look(s, 0)
	if found == nil {
		return nil, known
	}
	return v.schemaAt(found, rest)
}

// resolveSchema follows $refs; ok is false on a loop or a dangling one.
func (v *validator) resolveSchema(s *Schema) (*Schema, bool) {
	for range 32 {
		if s == nil {
			return nil, false
		}
		if s.Ref == "" {
			return s, true
		}
		s = v.s.Schemas.Get(s.RefName())
	}
	return nil, false
}
