package openapi

import (
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/spec"
)

func findAction(t *testing.T, s *spec.Spec, name string) spec.Action {
	t.Helper()
	for _, a := range s.Actions {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no action %s", name)
	return spec.Action{}
}

const streamDoc = `openapi: %s
info: {title: Files, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /files/{id}/content:
    get:
      operationId: download
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the file
          content:
            application/octet-stream: {schema: {type: string, format: binary}}
  /report.pdf:
    get:
      operationId: report
      responses:
        "200": {description: a PDF, content: {application/pdf: {}}}
  /avatar:
    get:
      operationId: avatar
      responses:
        "200": {description: an image, content: {image/png: {schema: {type: string}}}}
  /export:
    get:
      operationId: export
      responses:
        "200": {description: text, content: {text/csv: {schema: {type: string, format: binary}}}}
  /notes:
    get:
      operationId: notes
      responses:
        "200": {description: text, content: {text/plain: {schema: {type: string}}}}
  /user:
    get:
      operationId: user
      responses:
        "200":
          description: JSON, or a picture
          content:
            application/json: {schema: {$ref: "#/components/schemas/Chunk"}}
            image/jpeg: {}
  /chat/completions:
    post:
      operationId: createChatCompletion
      requestBody: {required: true, content: {application/json: {schema: {type: object, properties: {stream: {type: boolean}}}}}}
      responses:
        "200":
          description: a completion, or its chunks
          content:
            application/json: {schema: {$ref: "#/components/schemas/Completion"}}
            text/event-stream: {schema: {$ref: "#/components/schemas/Chunk"}}
  /logs:
    get:
      operationId: tail
      responses:
        "200": {description: lines, content: {text/event-stream: {schema: {type: string}}}}
components:
  schemas:
    Completion: {type: object, properties: {text: {type: string}}}
    Chunk: {type: object, properties: {delta: {type: string}}}
`

func TestImportStreams(t *testing.T) {
	s, _ := imp(t, strings.Replace(streamDoc, "%s", "3.0.3", 1), Options{})
	for _, name := range []string{"download", "report", "avatar", "export"} {
		if a := findAction(t, s, name); a.Response == nil || !a.Response.Stream {
			t.Errorf("%s: response %+v, want stream: true", name, a.Response)
		}
	}
	for _, name := range []string{"notes", "user", "createChatCompletion", "tail"} {
		if a := findAction(t, s, name); a.Response != nil && a.Response.Stream {
			t.Errorf("%s: streams, want not", name)
		}
	}
	if a := findAction(t, s, "user"); a.Response.Schema.RefName() != "Chunk" {
		t.Errorf("user: the JSON response is kept: %+v", a.Response.Schema)
	}
	chat := findAction(t, s, "createChatCompletion")
	if chat.Response.Schema.RefName() != "Completion" || chat.Events == nil || chat.Events.Schema.RefName() != "Chunk" {
		t.Errorf("chat: response %+v events %+v", chat.Response.Schema, chat.Events)
	}
	if a := findAction(t, s, "tail"); a.Events == nil || a.Events.Schema != nil {
		t.Errorf("tail: events %+v, want string data", a.Events)
	}
	// --operation keeps the events' schema.
	s, _ = imp(t, strings.Replace(streamDoc, "%s", "3.0.3", 1), Options{Operations: []string{"createChatCompletion"}})
	if len(s.Schemas) != 2 {
		t.Errorf("pruned to %d schemas, want Completion and Chunk", len(s.Schemas))
	}
}

func TestImportEventsItemSchema(t *testing.T) {
	doc := `openapi: 3.2.0
info: {title: Models, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /v1/responses:
    post:
      operationId: createResponse
      responses:
        "200":
          description: events
          content:
            text/event-stream:
              itemSchema:
                type: object
                required: [data]
                properties:
                  event: {type: string}
                  data:
                    type: string
                    contentMediaType: application/json
                    contentSchema: {$ref: "#/components/schemas/Chunk"}
  /v1/plain:
    get:
      operationId: plain
      responses:
        "200":
          description: events
          content:
            text/event-stream:
              itemSchema: {type: object, properties: {data: {type: string}}}
  /v1/whole:
    get:
      operationId: whole
      responses:
        "200":
          description: events
          content:
            text/event-stream:
              itemSchema: {$ref: "#/components/schemas/Chunk"}
components:
  schemas:
    Chunk: {type: object, properties: {delta: {type: string}}}
`
	s, _ := imp(t, doc, Options{})
	if a := findAction(t, s, "createResponse"); a.Events == nil || a.Events.Schema.RefName() != "Chunk" {
		t.Errorf("createResponse: events %+v, want the data's contentSchema", a.Events)
	}
	if a := findAction(t, s, "plain"); a.Events == nil || a.Events.Schema != nil {
		t.Errorf("plain: events %+v, want string data", a.Events)
	}
	if a := findAction(t, s, "whole"); a.Events == nil || a.Events.Schema.RefName() != "Chunk" {
		t.Errorf("whole: events %+v", a.Events)
	}
}
