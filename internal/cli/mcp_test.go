package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpSession runs conngen mcp in process over a pair of OS pipes (the
// stdio it would have) and connects the official SDK's client to it.
func mcpSession(t *testing.T, args ...string) (*mcp.ClientSession, func() (int, string)) {
	t.Helper()
	serverIn, clientOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	clientIn, serverOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	var mu sync.Mutex
	done := make(chan int, 1)
	go func() {
		code := Run(append([]string{"mcp"}, args...), serverIn, serverOut, &lockedBuffer{mu: &mu, b: &stderr})
		serverOut.Close()
		done <- code
	}()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("connect: %v\nstderr: %s", err, stderr.String())
	}
	return cs, func() (int, string) {
		cs.Close()
		clientOut.Close()
		var code int
		select {
		case code = <-done:
		case <-time.After(10 * time.Second):
			t.Error("conngen mcp did not end when stdin closed")
		}
		mu.Lock()
		defer mu.Unlock()
		return code, stderr.String()
	}
}

type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func text(r *mcp.CallToolResult) string {
	var s []string
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			s = append(s, tc.Text)
		}
	}
	return strings.Join(s, "\n")
}

const otherSpec = `conngen: 1
name: othersvc
baseURL: https://other.example.com
auth: {type: none}
actions:
  - {name: listThings, method: GET, path: /things}
`

func TestMCP(t *testing.T) {
	specPath := callSetup(t)
	srv, got := petServer(t)
	t.Setenv("ACMEPETS_BASE_URL", srv.URL)
	t.Setenv("ACMEPETS_API_KEY", apiKey)
	other := filepath.Join(t.TempDir(), "other.yaml")
	os.WriteFile(other, []byte(otherSpec), 0o644)

	cs, stop := mcpSession(t, specPath, other)
	ctx := context.Background()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]*mcp.Tool{}
	nameRE := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	for _, tl := range list.Tools {
		tools[tl.Name] = tl
		if !nameRE.MatchString(tl.Name) {
			t.Errorf("tool name %q does not fit", tl.Name)
		}
	}
	for _, want := range []string{"acmepets_authPing", "acmepets_getPet", "acmepets_createPet", "acmepets_deletePet", "othersvc_listThings", "othersvc_authPing"} {
		if tools[want] == nil {
			t.Errorf("no tool %s; have %v", want, tools)
		}
	}
	get, del, create := tools["acmepets_getPet"], tools["acmepets_deletePet"], tools["acmepets_createPet"]
	if get == nil || del == nil || create == nil {
		t.FailNow()
	}
	if get.Title != "Get a pet" || create.Description != "Adds a pet." {
		t.Errorf("title %q description %q", get.Title, create.Description)
	}
	if a := get.Annotations; !a.ReadOnlyHint || !a.IdempotentHint || a.DestructiveHint == nil || *a.DestructiveHint {
		t.Errorf("getPet annotations %+v", a)
	}
	if a := del.Annotations; a.ReadOnlyHint || !a.IdempotentHint || a.DestructiveHint == nil || !*a.DestructiveHint {
		t.Errorf("deletePet annotations %+v", a)
	}
	if a := create.Annotations; a.ReadOnlyHint || a.IdempotentHint || *a.DestructiveHint {
		t.Errorf("createPet annotations %+v", a)
	}
	in, _ := json.Marshal(get.InputSchema)
	out, _ := json.Marshal(get.OutputSchema)
	delOut, _ := json.Marshal(del.OutputSchema)
	if !strings.Contains(string(in), `"additionalProperties":false`) || !strings.Contains(string(in), `"required":["id"]`) ||
		!strings.Contains(string(out), `"$defs"`) || !strings.Contains(string(out), `"body":{"$ref":"#/$defs/Pet"`) ||
		!strings.Contains(string(out), `"required":["status"]`) || !strings.Contains(string(delOut), `"status":{"type":"integer"}`) {
		t.Errorf("schemas: input %s output %s delete output %s", in, out, delOut)
	}

	// Success: {status, body} as structuredContent, the same JSON as text.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_getPet", Arguments: map[string]any{"id": 7}})
	if err != nil || res.IsError {
		t.Fatalf("getPet: %v %s", err, text(res))
	}
	if !strings.Contains(text(res), `"extra":"kept"`) || !strings.Contains(text(res), `"status":200`) {
		t.Errorf("text %s", text(res))
	}
	sc, _ := json.Marshal(res.StructuredContent)
	if !strings.Contains(string(sc), `"name":"Rex"`) || !strings.Contains(string(sc), `"status":200`) {
		t.Errorf("structuredContent %s", sc)
	}
	if last := (*got)[len(*got)-1]; last.uri != "/pets/7" || last.key != apiKey {
		t.Errorf("sent %+v", last)
	}

	// An API error and refused input are results with isError.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_getPet", Arguments: map[string]any{"id": 404}})
	if err != nil || !res.IsError || !strings.Contains(text(res), "404 Not Found: no such pet") {
		t.Errorf("API error: %v %+v", err, res)
	}
	n := len(*got)
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_createPet", Arguments: map[string]any{"body": map[string]any{"tag": 1}, "x": 1}})
	if err != nil || !res.IsError || !strings.Contains(text(res), "body.name: required") || !strings.Contains(text(res), "x: unknown field") {
		t.Errorf("refused input: %v %s", err, text(res))
	}
	if len(*got) != n {
		t.Error("refused input was sent")
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_authPing", Arguments: map[string]any{}})
	if err != nil || res.IsError || !strings.Contains(text(res), `"Working":true`) {
		t.Errorf("authPing: %v %s", err, text(res))
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_deletePet", Arguments: map[string]any{"id": 2}})
	// An empty answer is a valid result, and its status reaches the agent.
	sc, _ = json.Marshal(res.StructuredContent)
	if err != nil || res.IsError || text(res) != `{"status":204}` || string(sc) != `{"status":204}` {
		t.Errorf("deletePet: %v %s %s", err, text(res), sc)
	}
	for _, tl := range list.Tools {
		if strings.Contains(tl.Description+tl.Title, apiKey) {
			t.Error("a tool carries the secret")
		}
	}
	code, stderr := stop()
	if code != 0 || strings.Contains(stderr, apiKey) {
		t.Errorf("exit %d stderr %s", code, stderr)
	}
}

func TestMCPReadOnly(t *testing.T) {
	specPath := callSetup(t)
	cs, stop := mcpSession(t, "--read-only", specPath)
	list, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if strings.Join(names, " ") != "acmepets_authPing acmepets_getPet" {
		t.Errorf("read-only tools: %v", names)
	}
	stop()
}

func TestMCPRefusesSecretSet(t *testing.T) {
	specPath := callSetup(t)
	code, _, stderr := run("mcp", "--set", "APIKey=x", specPath)
	if code != 2 || !strings.Contains(stderr, "ACMEPETS_API_KEY") {
		t.Errorf("exit %d %s", code, stderr)
	}
	if code, _, _ := run("mcp"); code != 2 {
		t.Errorf("no spec: exit %d", code)
	}
}

func TestToolName(t *testing.T) {
	used := map[string]bool{}
	if n := toolName("acme", "get.pet/x", used); n != "acme_get_pet_x" {
		t.Errorf("got %s", n)
	}
	long := toolName("acme", strings.Repeat("a", 80), used)
	if len(long) != 64 || !regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`).MatchString(long) {
		t.Errorf("long name %s", long)
	}
	if n := toolName("acme", "get_pet_x", used); n == "acme_get_pet_x" {
		t.Error("duplicate name kept")
	}
}

// TestMCPResults: what an agent gets back for the answers that tripped
// clients: an empty 204, a plain-text 500, JSON that does not fit the
// declared schema, a huge answer.
func TestMCPResults(t *testing.T) {
	specPath := callSetup(t)
	srv, _ := petServer(t)
	t.Setenv("ACMEPETS_BASE_URL", srv.URL)
	t.Setenv("ACMEPETS_API_KEY", apiKey)
	cs, stop := mcpSession(t, specPath)
	defer stop()
	ctx := context.Background()
	call := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		return res
	}

	res := call("acmepets_getPet", map[string]any{"id": 500})
	msg := text(res)
	if !res.IsError || !strings.Contains(msg, "500 Internal Server Error") || !strings.Contains(msg, "upstream exploded") {
		t.Errorf("text/plain 500: %v %q", res.IsError, msg[:min(len(msg), 200)])
	}
	if strings.Contains(msg, apiKey) || !strings.Contains(msg, "key was [redacted]") {
		t.Error("the credential the service echoed reached the agent")
	}
	if len(msg) > maxErrorBody+200 || !strings.Contains(msg, "[cut:") {
		t.Errorf("error body %d bytes, want at most 4 KiB of it, saying so", len(msg))
	}

	// JSON that does not fit the declared body: the status structured, the
	// body as text only (a client would refuse structuredContent that does
	// not match outputSchema).
	res = call("acmepets_getPet", map[string]any{"id": 13})
	sc, _ := json.Marshal(res.StructuredContent)
	if res.IsError || string(sc) != `{"status":200}` || !strings.Contains(text(res), `"tag":"bird"`) {
		t.Errorf("unfitting body: %v structured %s text %s", res.IsError, sc, text(res))
	}

	res = call("acmepets_getPet", map[string]any{"id": 1000})
	sc, _ = json.Marshal(res.StructuredContent)
	if res.IsError || string(sc) != `{"status":200}` || len(text(res)) > maxResultBytes+200 || !strings.Contains(text(res), "[cut:") {
		t.Errorf("huge body: %v structured %s, %d bytes of text", res.IsError, sc, len(text(res)))
	}
}

// TestMCPSearchMode: three tools whatever the size, and the same runtime
// behind invoke_action as behind the tools of --tools all.
func TestMCPSearchMode(t *testing.T) {
	specPath := callSetup(t)
	srv, got := petServer(t)
	t.Setenv("ACMEPETS_BASE_URL", srv.URL)
	t.Setenv("ACMEPETS_API_KEY", apiKey)
	other := filepath.Join(t.TempDir(), "other.yaml")
	os.WriteFile(other, []byte(otherSpec), 0o644)
	cs, stop := mcpSession(t, "--tools", "search", specPath, other)
	defer stop()
	ctx := context.Background()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if strings.Join(names, " ") != "describe_action invoke_action search_actions" {
		t.Errorf("tools %v", names)
	}
	if data, _ := json.Marshal(list); len(data) > 8<<10 {
		t.Errorf("tools/list is %d bytes, over 8 KiB", len(data))
	}
	for _, tl := range list.Tools {
		if tl.Name == "invoke_action" && (tl.Annotations == nil || tl.Annotations.DestructiveHint == nil || !*tl.Annotations.DestructiveHint) {
			t.Errorf("invoke_action annotations %+v", tl.Annotations)
		}
	}
	call := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		return res
	}
	hits := func(res *mcp.CallToolResult) []string {
		t.Helper()
		var out struct {
			Actions []searchHit `json:"actions"`
		}
		data, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(data, &out); err != nil || res.IsError {
			t.Fatalf("search result %s %v", data, err)
		}
		var names []string
		for _, h := range out.Actions {
			names = append(names, h.Name)
		}
		return names
	}
	if h := hits(call("search_actions", map[string]any{"query": "get a pet"})); len(h) == 0 || h[0] != "acmepets_getPet" {
		t.Errorf("get a pet: %v", h)
	}
	if h := hits(call("search_actions", map[string]any{"query": "test the connection"})); !slices.Contains(h, "acmepets_authPing") {
		t.Errorf("authPing is not found: %v", h)
	}
	if h := hits(call("search_actions", map[string]any{"query": "pet", "readOnly": true, "limit": 2})); len(h) > 2 || slices.Contains(h, "acmepets_deletePet") {
		t.Errorf("readOnly, limit 2: %v", h)
	}
	if res := call("search_actions", map[string]any{"query": "pet", "limit": 51}); !res.IsError {
		t.Error("limit 51 accepted")
	}

	res := call("describe_action", map[string]any{"name": "acmepets_getPet"})
	var d map[string]json.RawMessage
	data, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(data, &d)
	if res.IsError || !strings.Contains(string(d["inputSchema"]), `"required":["id"]`) || !strings.Contains(string(d["outputSchema"]), `"required":["status"]`) ||
		string(d["method"]) != `"GET"` || string(d["path"]) != `"/pets/{id}"` {
		t.Errorf("describe_action: %s", data)
	}
	res = call("describe_action", map[string]any{"name": "acmepets_getPets"})
	if !res.IsError || !strings.Contains(text(res), "acmepets_getPet") {
		t.Errorf("unknown name: %s", text(res))
	}

	res = call("invoke_action", map[string]any{"name": "acmepets_getPet", "input": map[string]any{"id": 7}})
	sc, _ := json.Marshal(res.StructuredContent)
	if res.IsError || !strings.Contains(string(sc), `"status":200`) || !strings.Contains(string(sc), `"name":"Rex"`) {
		t.Errorf("invoke_action: %s", sc)
	}
	if last := (*got)[len(*got)-1]; last.uri != "/pets/7" {
		t.Errorf("sent %+v", last)
	}
	res = call("invoke_action", map[string]any{"name": "acmepets_authPing"})
	if res.IsError || !strings.Contains(text(res), `"Working":true`) {
		t.Errorf("invoke authPing: %s", text(res))
	}
	n := len(*got)
	res = call("invoke_action", map[string]any{"name": "acmepets_createPet", "input": map[string]any{"body": map[string]any{"NAME": "x", "name": "y"}}})
	if !res.IsError || len(*got) != n {
		t.Errorf("refused input was sent or accepted: %s", text(res))
	}
}

func TestMCPSearchReadOnly(t *testing.T) {
	specPath := callSetup(t)
	cs, stop := mcpSession(t, "--tools", "search", "--read-only", specPath)
	defer stop()
	ctx := context.Background()
	list, _ := cs.ListTools(ctx, nil)
	for _, tl := range list.Tools {
		if tl.Name == "invoke_action" && !tl.Annotations.ReadOnlyHint {
			t.Errorf("invoke_action under --read-only: %+v", tl.Annotations)
		}
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "invoke_action", Arguments: map[string]any{"name": "acmepets_deletePet", "input": map[string]any{"id": 1}}})
	if err != nil || !res.IsError {
		t.Errorf("a DELETE ran under --read-only: %v %s", err, text(res))
	}
}

func TestMCPFlags(t *testing.T) {
	specPath := callSetup(t)
	cs, stop := mcpSession(t, specPath, "--action", "acmepets_get*", "--action", "deletePet")
	list, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if strings.Join(names, " ") != "acmepets_authPing acmepets_deletePet acmepets_getPet" {
		t.Errorf("--action: %v", names)
	}
	stop()
	for _, args := range [][]string{
		{"mcp", "--action", "nothing*", specPath},
		{"mcp", specPath, specPath},
		{"mcp", "--tools", "some", specPath},
	} {
		if code, _, stderr := run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage); %s", args, code, stderr)
		}
	}
}

// TestMCPAuto: --tools auto serves a small API one tool per action, and a
// larger one through the three search tools.
func TestMCPAuto(t *testing.T) {
	callSetup(t)
	var b strings.Builder
	b.WriteString("conngen: 1\nname: many\nbaseURL: https://many.example.com\nauth: {type: none}\nactions:\n")
	for i := range autoMaxTools + 1 {
		fmt.Fprintf(&b, "  - {name: getThing%d, method: GET, path: /things/%d}\n", i, i)
	}
	many := filepath.Join(t.TempDir(), "many.yaml")
	os.WriteFile(many, []byte(b.String()), 0o644)
	cs, stop := mcpSession(t, many)
	list, _ := cs.ListTools(context.Background(), nil)
	if len(list.Tools) != 3 {
		t.Errorf("%d actions: %d tools, want the 3 search tools", autoMaxTools+1, len(list.Tools))
	}
	stop()
	cs, stop = mcpSession(t, "--action", "getThing1*", many)
	list, _ = cs.ListTools(context.Background(), nil)
	if len(list.Tools) != 12 { // getThing1, getThing10..19, authPing
		t.Errorf("filtered to 11 actions: %d tools, want one per action", len(list.Tools))
	}
	stop()
}

func TestRunnerTokens(t *testing.T) {
	oauth := func(name string) *runner {
		return &runner{name: name, list: &runReply{Fields: []runField{{Name: "Token", Env: strings.ToUpper(name) + "_TOKEN", Secret: true}}}}
	}
	plain := &runner{name: "weather", list: &runReply{}}
	var stderr bytes.Buffer
	got, code := runnerTokens([]*runner{oauth("spotify"), plain}, []string{"tok.json"}, &stderr)
	if code != exitOK || got[0] != "tok.json" || got[1] != "" {
		t.Errorf("one OAuth2 spec: %q %d", got, code)
	}
	got, code = runnerTokens([]*runner{oauth("spotify"), oauth("github")}, []string{"github=gh.json", "spotify=sp=x.json"}, &stderr)
	if code != exitOK || got[0] != "sp=x.json" || got[1] != "gh.json" {
		t.Errorf("NAME=FILE: %q %d", got, code)
	}
	if _, code := runnerTokens([]*runner{oauth("spotify"), oauth("github")}, []string{"tok.json"}, &stderr); code != exitUsage {
		t.Error("a plain FILE with two OAuth2 specs is not a usage error")
	}
}
