package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// paramSpec has a param of every kind a connector writes without reflect
// (model.Param.Text), in the path, the query and a header, required and
// optional, and lists with and without explode.
const paramSpec = `conngen: 1
name: paramkinds
title: Param kinds
baseURL: https://params.example.com
auth: {type: none}
ping: {path: /ping}
actions:
  - name: getItem
    method: GET
    path: /items/{n}/{flag}/{ratio}/{at}/{name}
    params:
      - {name: n, in: path, schema: {type: integer, format: int32}}
      - {name: flag, in: path, schema: {type: boolean}}
      - {name: ratio, in: path, schema: {type: number, format: float}}
      - {name: at, in: path, schema: {type: string, format: date-time}}
      - {name: name, in: path, schema: {type: string}}
      - {name: big, in: query, required: true, schema: {type: integer, format: int64}}
      - {name: small, in: query, schema: {type: integer}}
      - {name: f32, in: query, schema: {type: number, format: float}}
      - {name: f64, in: query, schema: {type: number}}
      - {name: on, in: query, schema: {type: boolean}}
      - {name: since, in: query, schema: {type: string, format: date-time}}
      - {name: q, in: query, schema: {type: string}}
      - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
      - {name: tags, in: query, explode: false, schema: {type: array, items: {type: string}}}
      - {name: X-Trace-Level, in: header, schema: {type: integer}}
`

// TestParamKindsAsText: each kind of param reaches the server as the
// runtime's formatValue (reflect) used to write it, and what the server
// cannot tell apart from a path separator is escaped.
func TestParamKindsAsText(t *testing.T) {
	dir := t.TempDir()
	specPath := filepath.Join(dir, "paramkinds.yaml")
	os.WriteFile(specPath, []byte(paramSpec), 0o644)
	callSetup(t) // the shared runner cache

	var mu sync.Mutex
	var uri, trace string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		uri, trace = r.RequestURI, r.Header.Get("X-Trace-Level")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	t.Setenv("PARAMKINDS_BASE_URL", srv.URL)

	code, _, errOut := run("call", specPath, "getItem",
		"n=-42", "flag=true", "ratio=0.1", "at=2026-12-02T10:11:12+01:00", "name=a/b ..",
		"big=9007199254740993", "small=0", "f32=1.5e-7", "f64=123456789012.25", "on=false",
		"since=2026-01-02T03:04:05Z", "q=x&y=z", "ids=[1,-2,3]", `tags=["a","b c"]`, "X-Trace-Level=3")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	path, query, _ := strings.Cut(uri, "?")
	if want := "/items/-42/true/0.1/2026-12-02T10:11:12+01:00/a%2Fb%20.."; path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	want := "big=9007199254740993&f32=0.00000015&f64=123456789012.25&ids=1&ids=-2&ids=3&on=false&q=x%26y%3Dz" +
		"&since=2026-01-02T03%3A04%3A05Z&small=0&tags=a%2Cb+c"
	if query != want {
		t.Errorf("query\n %s, want\n %s", query, want)
	}
	if trace != "3" {
		t.Errorf("X-Trace-Level %q, want 3", trace)
	}
}
