package spec

import (
	"fmt"

	"github.com/conngen/conngen/generator/names"
)

// Events says that an action's service can answer with Server-Sent Events
// (docs/spec.md, "events"): the package also gets <Action>Events,
// which yields one ServerEvent[T] per event as it arrives.
type Events struct {
	// Schema is the type of each event's data (the data lines joined,
	// decoded as JSON); absent: the data is a plain string.
	Schema *Schema `yaml:"schema,omitempty"`
}

// EventsMethod is the Go name of an action's events method.
func EventsMethod(action string) string { return names.Go(action) + "Events" }

// checkStream checks response.stream and events of action a at path p.
//
// stream: true is for bodies that are not JSON (files, images, exports):
// the body is handed over unread as an io.ReadCloser, so a paginated
// action (whose pages are decoded) cannot stream. A schema beside it
// documents the body and is not decoded, which a warning says when the
// schema is not a plain string (a JSON structure is usually a mistake).
func (v *validator) checkStream(p string, a Action) {
	if r := a.Response; r != nil && r.Stream {
		if a.Paginate != nil {
			v.errorf(p+".response.stream", "not with paginate: the pages of a paginated action are decoded")
		}
		if s := r.Schema; s != nil && (s.Ref != "" || s.Type != "string") {
			v.warnf(p+".response.stream", "the body is handed over unread as an io.ReadCloser; response.schema is not decoded")
		}
	}
	if r := a.Response; r != nil && r.Redirect {
		switch {
		case a.Paginate != nil:
			v.errorf(p+".response.redirect", "not with paginate: the answer is a redirect, not a page")
		case r.Stream:
			v.errorf(p+".response.redirect", "not with stream: the answer is a redirect, not a body")
		}
	}
	if e := a.Events; e != nil {
		v.checkSchema(p+".events.schema", e.Schema)
	}
}

// checkEventsNames adds each <Action>Events method to the Client's method
// names, reporting a collision at the action's events.
func (v *validator) checkEventsNames(goNames map[string]string) {
	for i, a := range v.s.Actions {
		if a.Events == nil || a.Name == "" {
			continue
		}
		g := EventsMethod(a.Name)
		if other, ok := goNames[g]; ok {
			v.errorf(fmt.Sprintf("actions[%d].events", i), "method %s collides with %s", g, other)
		}
		goNames[g] = "the events method of action " + a.Name
	}
}
