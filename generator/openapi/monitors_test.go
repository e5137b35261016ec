package openapi

import (
	"testing"

	"github.com/conngen/conngen/generator/spec"
)

// monitorOf is the monitor proposed for action, nil when none.
func monitorOf(s *spec.Spec, action string) *spec.Monitor {
	for i := range s.Monitors {
		if s.Monitors[i].Action == action {
			return &s.Monitors[i]
		}
	}
	return nil
}

func wantMonitor(t *testing.T, s *spec.Spec, want spec.Monitor) {
	t.Helper()
	got := monitorOf(s, want.Action)
	if got == nil {
		t.Errorf("no monitor for %s; have %#v", want.Action, s.Monitors)
		return
	}
	eq(t, "monitor of "+want.Action, got, &want)
}

func wantNoMonitor(t *testing.T, s *spec.Spec, action string) {
	t.Helper()
	if m := monitorOf(s, action); m != nil {
		t.Errorf("monitor for %s: %#v, want none", action, m)
	}
}

func TestMonitorDateTime(t *testing.T) {
	doc := head + `paths:
  /orders:
    get:
      operationId: listOrders
      parameters: [{name: updated_since, in: query, schema: {type: string, format: date-time}}, {name: status, in: query, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {$ref: "#/components/schemas/Order"}}, total: {type: integer}}}}}}}
  /notes:
    get:
      operationId: listNotes
      parameters: [{name: modifiedSince, in: query, schema: {type: string, format: date-time}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Note"}}}}}}
  /events:
    get:
      operationId: listEvents
      parameters: [{name: since, in: query, schema: {type: string, format: date-time}}, {name: "updated_at[gte]", in: query, schema: {type: string, format: date-time}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Event"}}}}}}
components:
  schemas:
    Order:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        updated_at: {type: string, format: date-time}
    Note:
      allOf:
        - {$ref: "#/components/schemas/Base"}
        - {type: object, properties: {text: {type: string}, updatedAt: {type: string, format: date-time}, modifiedAt: {type: string, format: date-time}}}
    Base: {type: object, properties: {uuid: {type: string, format: uuid}}}
    Event:
      type: object
      properties:
        event_id: {type: integer}
        last_modified: {type: string}
        updated_at: {type: string, format: date-time}
`
	s, _ := imp(t, doc, Options{})
	wantMonitor(t, s, spec.Monitor{Name: "listOrdersChanges", Action: "listOrders", Items: "data", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updated_since"}})
	// camelCase names, through allOf and $ref; the field with the
	// parameter's word first.
	wantMonitor(t, s, spec.Monitor{Name: "listNotesChanges", Action: "listNotes", ID: "uuid", Interval: "5m",
		Since: &spec.Since{Field: "modifiedAt", Format: "rfc3339", Param: "modifiedSince"}})
	// updated_at[gte] before since; <record>_id; the field the parameter
	// names.
	wantMonitor(t, s, spec.Monitor{Name: "listEventsChanges", Action: "listEvents", ID: "event_id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updated_at[gte]"}})
}

func TestMonitorUnix(t *testing.T) {
	doc := head + `paths:
  /tickets:
    get:
      parameters: [{name: since, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {tickets: {type: array, items: {$ref: "#/components/schemas/Ticket"}}}}}}}}
  /jobs:
    get:
      parameters: [{name: updated_after_ms, in: query, schema: {type: integer, format: int64}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: object, properties: {id: {type: integer}, updated: {type: integer, format: int64}}}}}}}}
components:
  schemas:
    Ticket:
      type: object
      properties:
        ticket_id: {type: string}
        updated: {type: integer}
`
	s, _ := imp(t, doc, Options{})
	wantMonitor(t, s, spec.Monitor{Name: "getTicketsChanges", Action: "getTickets", Items: "tickets", ID: "ticket_id", Interval: "5m",
		Since: &spec.Since{Field: "updated", Format: "unix", Param: "since"}})
	wantMonitor(t, s, spec.Monitor{Name: "getJobsChanges", Action: "getJobs", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated", Format: "unixMillis", Param: "updated_after_ms"}})
}

func TestMonitorPaginated(t *testing.T) {
	doc := head + `paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: updatedAfter, in: query, schema: {type: string, format: date-time}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/ItemPage"}}}}}
  /pages:
    get:
      operationId: listPages
      parameters: [{name: page, in: query, schema: {type: integer}}, {name: per_page, in: query, schema: {type: integer}}, {name: since, in: query, schema: {type: string, format: date-time}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Item"}}}}}}
components:
  schemas:
    ItemPage:
      type: object
      properties:
        entries: {type: array, items: {$ref: "#/components/schemas/Item"}}
        next_cursor: {type: string}
    Item: {type: object, properties: {id: {type: integer}, updated_at: {type: string, format: date-time}}}
`
	s, _ := imp(t, doc, Options{})
	eq(t, "paginate", action(t, s, "listItems").Paginate, &spec.Paginate{Style: "cursor", Items: "entries", Limit: "limit", Cursor: "cursor", NextCursor: "next_cursor"})
	// The records come from paginate.items: no items.
	wantMonitor(t, s, spec.Monitor{Name: "listItemsChanges", Action: "listItems", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updatedAfter"}})
	if action(t, s, "listPages").Paginate == nil {
		t.Fatal("listPages not paginated")
	}
	wantMonitor(t, s, spec.Monitor{Name: "listPagesChanges", Action: "listPages", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "since"}})
}

func TestMonitorNone(t *testing.T) {
	list := func(params, item string) string {
		return `
    get:
      parameters: ` + params + `
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: ` + item + `}}}}}`
	}
	dt := `[{name: updated_since, in: query, schema: {type: string, format: date-time}}]`
	doc := head + `paths:
  /control:` + list(dt, `{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}`) + `
  /noID:` + list(dt, `{type: object, properties: {name: {type: string}, updated_at: {type: string, format: date-time}}}`) + `
  /objectID:` + list(dt, `{type: object, properties: {id: {type: object}, updated_at: {type: string, format: date-time}}}`) + `
  /noField:` + list(dt, `{type: object, properties: {id: {type: string}, created_at: {type: string, format: date-time}}}`) + `
  /dateField:` + list(dt, `{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date}}}`) + `
  /noParam:` + list(`[{name: created_after, in: query, schema: {type: string, format: date-time}}]`, `{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}`) + `
  /headerParam:` + list(`[{name: updated_since, in: header, schema: {type: string, format: date-time}}]`, `{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}`) + `
  /idCursor:` + list(`[{name: since, in: query, schema: {type: integer}}]`, `{type: object, properties: {id: {type: integer}, updated_at: {type: string, format: date-time}}}`) + `
  /stringParam:` + list(`[{name: since, in: query, schema: {type: string}}]`, `{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}`) + `
  /union:` + list(dt, `{oneOf: [{type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}, {type: object, properties: {id: {type: string}}}]}`) + `
  /notList:
    get:
      parameters: ` + dt + `
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}}}}}
  /post:
    post:
      parameters: ` + dt + `
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}}}}}}
`
	s, _ := imp(t, doc, Options{})
	wantMonitor(t, s, spec.Monitor{Name: "getControlChanges", Action: "getControl", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updated_since"}})
	for _, a := range []string{"getNoID", "getObjectID", "getNoField", "getDateField", "getNoParam", "getHeaderParam",
		"getIdCursor", "getStringParam", "getUnion", "getNotList", "postPost"} {
		wantNoMonitor(t, s, a)
	}
	eq(t, "monitors", len(s.Monitors), 1)
}

func TestMonitorNames(t *testing.T) {
	op := func(id string) string {
		return `
    get:
      operationId: ` + id + `
      parameters: [{name: updated_since, in: query, schema: {type: string, format: date-time}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: object, properties: {id: {type: string}, updated_at: {type: string, format: date-time}}}}}}}}`
	}
	doc := head + `paths:
  /a:` + op("listThings") + `
  /b:
    get:
      operationId: pollListThingsChanges
      responses: {"200": {description: ok}}
  /c:
    post:
      operationId: watchListThingsChanges2
      responses: {"200": {description: ok}}
  /d:` + op("list_things_changes") + `
`
	s, _ := imp(t, doc, Options{})
	// PollListThingsChanges and WatchListThingsChanges2 are actions'.
	wantMonitor(t, s, spec.Monitor{Name: "listThingsChanges3", Action: "listThings", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updated_since"}})
	wantMonitor(t, s, spec.Monitor{Name: "listThingsChangesChanges", Action: "listThingsChanges", ID: "id", Interval: "5m",
		Since: &spec.Since{Field: "updated_at", Format: "rfc3339", Param: "updated_since"}})
}
