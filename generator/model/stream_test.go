package model_test

import (
	"slices"
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
	if !slices.Contains(c.Runtime.Pieces, model.PieceStream) {
		t.Error("a connector that streams lacks CustomActionStream (piece stream)")
	}
	// A connector that streams nothing carries no streaming code: no
	// CustomActionStream, stream.go or sse.go.
	plain := build(t, header+"actions: [{name: a, method: GET, path: /a}]\n")
	if plain.NeedsStream || plain.NeedsSSE || slices.Contains(plain.Runtime.Pieces, model.PieceStream) ||
		slices.Contains(plain.Runtime.Files, "stream.go") || slices.Contains(plain.Runtime.Files, "sse.go") {
		t.Errorf("a connector without streams: NeedsStream %v NeedsSSE %v, runtime %+v", plain.NeedsStream, plain.NeedsSSE, plain.Runtime)
	}
}

// TestNoRedirectOnlyWhereNeeded: the code that leaves a redirect
// unfollowed goes into a connector with an action whose documented
// answer is a redirect, and only there.
func TestNoRedirectOnlyWhereNeeded(t *testing.T) {
	for _, tc := range []struct {
		actions string
		want    bool
	}{
		{"actions: [{name: a, method: GET, path: /a}]\n", false},
		{"actions: [{name: a, method: GET, path: /a}, {name: b, method: GET, path: /b, response: {redirect: true}}]\n", true},
	} {
		c := build(t, header+tc.actions)
		if got := slices.Contains(c.Runtime.Pieces, model.PieceNoRedirect); got != tc.want {
			t.Errorf("noredirect kept %v, want %v, for %s", got, tc.want, tc.actions)
		}
	}
}
