package model

import (
	"strings"
	"time"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// Monitor is a resolved polling monitor: the list action it reads, where
// a record's id and change time are, and the records' Go type.
type Monitor struct {
	Name        string // spec name
	GoName      string
	Var         string // the package-level monitorSpec variable
	Description string
	Action      *Action
	Items       string // dot path of the record list in one response; "" the response itself
	ID          string
	SinceField  string // "" without since
	SinceFormat string
	// NewestFirst says the action lists records newest first (the
	// default): ties are handed over in the listing's reverse.
	NewestFirst bool
	Tiebreak    string // dot path of the value ties are sorted by; "" none
	// SinceParam is the query parameter the cursor's value is sent in;
	// nil when the server does not filter.
	SinceParam *Param
	Interval   time.Duration
	Record     *GoType
}

// monitor resolves one spec monitor; the spec is valid, so its action
// exists.
func (b *builder) monitor(m spec.Monitor) *Monitor {
	out := &Monitor{Name: m.Name, GoName: names.Go(m.Name), Description: m.Description, ID: m.ID, Items: m.Items}
	out.Var = b.ids.Unique(monitorVar(out.GoName))
	for i, a := range b.s.Actions {
		if a.Name == m.Action {
			out.Action = b.c.Actions[i]
		}
	}
	act := out.Action
	act.SharedRequest = true
	out.Interval, _ = time.ParseDuration(spec.DefaultMonitorInterval)
	if d, err := time.ParseDuration(m.Interval); err == nil && d > 0 {
		out.Interval = d
	}
	if s := m.Since; s != nil {
		out.SinceField, out.SinceFormat = s.Field, s.Format
		out.NewestFirst = s.Order != spec.OldestFirst
		out.Tiebreak = s.Tiebreak
		if out.SinceFormat == "" {
			out.SinceFormat = spec.SinceRFC3339
		}
		for _, p := range act.Params {
			if p.In == spec.InQuery && p.Name == s.Param {
				out.SinceParam = p
			}
		}
		if p := out.SinceParam; p != nil && !sinceParamType(p.Elem) {
			b.warnf("monitors.%s: since.param %q is not a string, number or time; the monitor does not send it", m.Name, s.Param)
			out.SinceParam = nil
		}
	}
	if act.Paginate != nil {
		out.Items = act.Paginate.Paginate.Items
		out.Record = act.Paginate.Item
		return out
	}
	elem, _ := b.listElem(act.Result, out.Items)
	if elem == nil {
		// The response has no declared type (validation checked the rest).
		elem = RawJSON
	}
	out.Record = elem
	return out
}

// sinceParamType reports whether a parameter of type t can take a cursor's
// since value, which is text as the API wrote it.
func sinceParamType(t *GoType) bool {
	if t == TimeType || t.Kind == Builtin && t.Name == "string" {
		return true
	}
	switch t.Name {
	case "int", "int32", "int64", "float32", "float64":
		return t.Kind == Builtin
	}
	return false
}

// monitorVar names a monitor's spec variable: newCustomersMonitor, or
// monitorX when lowering the first letter changes nothing (an initialism
// such as URL, which stays upper case, would export it).
func monitorVar(goName string) string {
	if len(goName) >= 2 && goName[0] >= 'A' && goName[0] <= 'Z' && goName[1] >= 'a' && goName[1] <= 'z' {
		return strings.ToLower(goName[:1]) + goName[1:] + "Monitor"
	}
	return "monitor" + goName
}
