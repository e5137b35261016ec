package model_test

import (
	"testing"

	"github.com/conngen/conngen/generator/model"
)

func TestStreamAndEvents(t *testing.T) {
	c := build(t, header+`actions:
  - {name: plain, method: GET, path: /a}
  - {name: download, method: GET, path: /f, response: {stream: true}}
  - name: chat
    method: POST
    path: /c
    response: {schema: {$ref: "#/schemas/Answer"}}
    events: {schema: {$ref: "#/schemas/Chunk"}}
  - {name: tail, method: GET, path: /t, events: {}}
  - name: upload
    method: POST
    path: /u
    body:
      contentType: multipart/form-data
      schema:
        type: object
        properties:
          file: {type: string, format: binary}
          title: {type: string}
schemas:
  Answer: {type: object, properties: {text: {type: string}}}
  Chunk: {type: object, properties: {delta: {type: string}}}
  ServerEvent: {type: object, properties: {x: {type: string}}}
`)
	acts := map[string]*model.Action{}
	for _, a := range c.Actions {
		acts[a.Name] = a
	}
	if a := acts["plain"]; a.Stream || a.Events != nil {
		t.Errorf("plain: stream %v events %+v", a.Stream, a.Events)
	}
	if a := acts["download"]; !a.Stream || a.Result != model.ReadCloser {
		t.Errorf("download: stream %v result %+v", a.Stream, a.Result)
	}
	if a := acts["chat"]; a.Stream || a.Result.Name != "Answer" || a.Events == nil || a.Events.Method != "ChatEvents" || a.Events.Data.Name != "Chunk" {
		t.Errorf("chat: %+v events %+v", a.Result, a.Events)
	}
	if a := acts["tail"]; a.Events == nil || a.Events.Data != model.String {
		t.Errorf("tail: events %+v, want string data", a.Events)
	}
	if !c.NeedsStream || !c.NeedsSSE {
		t.Errorf("NeedsStream %v NeedsSSE %v", c.NeedsStream, c.NeedsSSE)
	}
	if typeNamed(c, "ServerEvent") != nil {
		t.Error("a schema took the reserved name ServerEvent")
	}
	body := typeNamed(c, "UploadBody")
	if body == nil || field(t, body, "File").Type != model.Reader || field(t, body, "Title").Type.Kind != model.Pointer {
		t.Errorf("upload body %+v: want File io.Reader", body)
	}
	if c := build(t, header+"actions: [{name: a, method: GET, path: /a}]\n"); c.NeedsStream || c.NeedsSSE {
		t.Error("a connector without streams needs stream.go")
	}
}
