package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
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
	if !strings.Contains(string(in), `"additionalProperties":false`) || !strings.Contains(string(in), `"required":["id"]`) ||
		!strings.Contains(string(out), `"$defs"`) || del.OutputSchema != nil {
		t.Errorf("schemas: input %s output %s delete output %v", in, out, del.OutputSchema)
	}

	// Success: the JSON body as text and as structuredContent.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "acmepets_getPet", Arguments: map[string]any{"id": 7}})
	if err != nil || res.IsError {
		t.Fatalf("getPet: %v %s", err, text(res))
	}
	if !strings.Contains(text(res), `"extra":"kept"`) {
		t.Errorf("text %s", text(res))
	}
	sc, _ := json.Marshal(res.StructuredContent)
	if !strings.Contains(string(sc), `"name":"Rex"`) {
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
	if err != nil || res.IsError || text(res) != "null" {
		t.Errorf("deletePet: %v %s", err, text(res))
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
