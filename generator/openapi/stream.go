package openapi

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/conngen/conngen/generator/spec"
)

// streams sets response.stream for an operation whose 2xx answer is
// binary (format: binary, or a media type such as application/pdf,
// image/*, audio/*, video/*, application/zip) and not JSON, and events
// for one whose 2xx answers list text/event-stream, with the schema given
// there; a JSON response stays the action's response.
func (c *converter) streams(o *operation, a *spec.Action) {
	if o.op.Responses == nil {
		return
	}
	for _, code := range slices.Sorted(maps.Keys(o.op.Responses.Map())) {
		if n, err := strconv.Atoi(code); (err != nil || n < 200 || n > 299) && !strings.EqualFold(code, "2XX") {
			continue
		}
		r := o.op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		for _, mt := range slices.Sorted(maps.Keys(r.Value.Content)) {
			m := r.Value.Content[mt]
			ptr := o.ptr + "/responses/" + ptrEscape(code) + "/content/" + ptrEscape(mt)
			switch {
			case bareType(mt) == "text/event-stream":
				if a.Events == nil {
					a.Events = &spec.Events{Schema: c.eventData(m, ptr)}
				}
			case binaryResponse(mt, m) && (a.Response == nil || isBinarySchema(a.Response.Schema)):
				a.Response = &spec.Response{Stream: true}
			}
		}
	}
}

// binaryMedia are the media types whose bodies import streams.
var binaryMedia = []string{"application/octet-stream", "application/pdf", "application/zip",
	"application/gzip", "application/x-gzip", "application/x-tar", "application/x-7z-compressed"}

// binaryResponse reports whether a response of media type mt is binary.
func binaryResponse(mt string, m *openapi3.MediaType) bool {
	t := bareType(mt)
	if slices.Contains(binaryMedia, t) || strings.HasPrefix(t, "image/") || strings.HasPrefix(t, "audio/") || strings.HasPrefix(t, "video/") {
		return true
	}
	if contentClass(t) == ctJSON || m == nil || m.Schema == nil || m.Schema.Value == nil {
		return false
	}
	return m.Schema.Value.Format == "binary"
}

func isBinarySchema(s *spec.Schema) bool {
	return s != nil && s.Ref == "" && s.Type == "string" && s.Format == "binary"
}

// eventData is the schema of an event's data: OpenAPI 3.2's itemSchema
// describes a whole event, so its data property is taken (its
// contentSchema when the data is JSON text); a 3.0/3.1 schema under
// text/event-stream is the data's own. A string data is a plain string:
// no schema.
func (c *converter) eventData(m *openapi3.MediaType, ptr string) *spec.Schema {
	if m == nil {
		return nil
	}
	r, rptr := m.Schema, ptr+"/schema"
	if m.ItemSchema != nil && m.ItemSchema.Value != nil {
		r, rptr = m.ItemSchema, ptr+"/itemSchema"
		if d := m.ItemSchema.Value.Properties["data"]; d != nil && d.Value != nil {
			r, rptr = d, rptr+"/properties/data"
			if d.Value.ContentSchema != nil {
				r, rptr = d.Value.ContentSchema, rptr+"/contentSchema"
			}
		}
	}
	if r == nil || r.Value == nil {
		return nil
	}
	if r.Ref == "" {
		if t, _, _ := schemaType(r.Value); t == "string" || t == "" && len(r.Value.Properties) == 0 && len(r.Value.AllOf)+len(r.Value.OneOf)+len(r.Value.AnyOf) == 0 {
			return nil
		}
	}
	return c.schemaRef(r, rptr)
}
