package model

import (
	"strings"

	"github.com/conngen/conngen/generator/spec"
)

// Events is an action's Server-Sent Events method.
type Events struct {
	Method string  // the Go name, <Action>Events
	Data   *GoType // T of ServerEvent[T]: the type of each event's data
}

// stream decides how an action's body is handed over: unread for
// response.stream, and event by event for events.
func (b *builder) stream(act *Action, a spec.Action) {
	if a.Response != nil && a.Response.Stream {
		act.Stream = true
		act.Result = ReadCloser
		b.c.NeedsStream = true
	}
	if a.Response != nil {
		if len(a.Response.Accept) > 0 {
			act.Accept = strings.Join(a.Response.Accept, ", ")
		}
		act.Redirect = a.Response.Redirect
	}
	if a.Events != nil {
		data := String
		if a.Events.Schema != nil {
			data = b.typeOf(a.Events.Schema, act.GoName+"Event")
		}
		act.Events = &Events{Method: spec.EventsMethod(a.Name), Data: data}
		act.SharedRequest = true
		b.c.NeedsStream = true
		b.c.NeedsSSE = true
	}
}

// fileParts makes the binary fields of a multipart body's own struct (an
// inline schema, declared for this body alone) io.Readers, so a file is
// streamed as it is sent rather than read into memory first.
func (b *builder) fileParts(s *spec.Schema, t *GoType) {
	if s == nil || s.Ref != "" || t.Kind != Named || !t.IsStruct {
		return
	}
	decl := b.declared[t.Name]
	if decl == nil || decl.Kind != Struct {
		return
	}
	for _, f := range decl.Fields {
		ft := f.Type
		if ft.Kind == Pointer {
			ft = ft.Elem
		}
		if ft.Kind == Slice && ft.Elem.Kind == Builtin && ft.Elem.Name == "byte" {
			f.Type = Reader
		}
	}
}
