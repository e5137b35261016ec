package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/internal/cli"
	"github.com/conngen/conngen/internal/testsupport"
)

// The budgets of section 11 of the contract, as the agent's client
// measures them: on the JSON of the JSON-RPC result.
const (
	listBudget   = 8 << 10
	searchBudget = 8 << 10
	outputBudget = 16 << 10
)

// agentService answers like GitHub and Stripe would for the few calls the
// tests make, on loopback: 204 for "is it starred", a proxy's plain-text
// 500 for the rate limit, a balance for Stripe.
func agentService(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/user/starred/"):
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/rate_limit":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("<html>502 bad gateway from the proxy</html>"))
		case r.URL.Path == "/v1/balance":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"object":"balance","livemode":false,"available":[{"amount":100,"currency":"usd","source_types":{}}],"pending":[]}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Not Found"}`))
		}
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// importSpec imports a shared document into a spec file in dir, and sets
// every Config field's variable: the base URL to base, the rest to test
// values.
func importSpec(t *testing.T, dir, doc, name, base string) string {
	t.Helper()
	s, _, err := openapi.Import(doc, openapi.Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	data, err := spec.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range model.Build(s).ConfigFields {
		v := "test-" + strings.ToLower(f.GoName)
		switch {
		case f.GoName == "BaseURL":
			v = base
		case f.Token:
			v = `{"access_token":"test-token","token_type":"Bearer"}`
		}
		t.Setenv(f.Env, v)
	}
	return p
}

// agentSession runs conngen mcp in process, with the official Go SDK's
// client over pipes.
func agentSession(t *testing.T, args ...string) (*mcp.ClientSession, func() string) {
	t.Helper()
	serverIn, clientOut, _ := os.Pipe()
	clientIn, serverOut, _ := os.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(append([]string{"mcp"}, args...), serverIn, serverOut, &stderr)
		serverOut.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	return cs, func() string {
		cs.Close()
		clientOut.Close()
		<-done
		return stderr.String()
	}
}

func resultJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMCPLargeAPIs serves the full GitHub (767 actions) and Stripe (402)
// imports: --tools auto picks search, every budget holds, and
// describe_action and invoke_action work against a loopback service.
func TestMCPLargeAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the GitHub and Stripe runners")
	}
	docs := testsupport.OpenAPIDir()
	if docs == "" {
		t.Skip("shared/openapi not found")
	}
	tmp := t.TempDir()
	t.Setenv("CONNGEN_CACHE_DIR", filepath.Join(tmp, "cache"))
	base := agentService(t)
	github := importSpec(t, tmp, filepath.Join(docs, "github-api.ogen-testdata.json"), "github", base)
	stripe := importSpec(t, tmp, filepath.Join(docs, "stripe.libopenapi-stripe-old.yaml"), "stripe", base)

	start := time.Now()
	cs, stop := agentSession(t, github, stripe)
	t.Logf("first start (building both runners): %v", time.Since(start).Round(time.Second))
	ctx := context.Background()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resultJSON(t, list)); len(list.Tools) != 3 || n > listBudget {
		t.Fatalf("auto: %d tools, tools/list %d bytes; want the 3 search tools within %d", len(list.Tools), n, listBudget)
	}
	call := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("%s %v: %v", tool, args, err)
		}
		return res
	}
	// Ten results of a search fit the budget, whatever the query.
	var names []string
	for _, q := range []string{"create an issue", "refund a charge", "list the members of an organization", "customer", "a"} {
		res := call("search_actions", map[string]any{"query": q, "limit": 10})
		if n := len(resultJSON(t, res)); n > searchBudget {
			t.Errorf("search %q: %d bytes, over %d", q, n, searchBudget)
		}
		var out struct {
			Actions []struct{ Name string } `json:"actions"`
		}
		json.Unmarshal(resultJSON(t, res.StructuredContent), &out)
		for _, a := range out.Actions {
			names = append(names, a.Name)
		}
	}
	if len(names) < 30 {
		t.Errorf("searches found %d actions", len(names))
	}
	// Every outputSchema describe_action gives fits its budget (Stripe's
	// are half a megabyte each before the cut).
	for _, name := range names {
		res := call("describe_action", map[string]any{"name": name})
		var d struct {
			OutputSchema json.RawMessage `json:"outputSchema"`
			InputSchema  json.RawMessage `json:"inputSchema"`
		}
		json.Unmarshal(resultJSON(t, res.StructuredContent), &d)
		if res.IsError || len(d.InputSchema) == 0 {
			t.Errorf("describe %s: %s", name, resultJSON(t, res))
			continue
		}
		if len(d.OutputSchema) > outputBudget {
			t.Errorf("describe %s: outputSchema %d bytes, over %d", name, len(d.OutputSchema), outputBudget)
		}
	}

	// An empty 204 is a valid result, and its status reaches the agent.
	res := call("invoke_action", map[string]any{"name": "github_activityCheckRepoIsStarredByAuthenticatedUser", "input": map[string]any{"owner": "golang", "repo": "go"}})
	if sc := resultJSON(t, res.StructuredContent); res.IsError || string(sc) != `{"status":204}` {
		t.Errorf("204: %v %s %s", res.IsError, sc, resultJSON(t, res.Content))
	}
	// A plain-text 500 is an error with the status line and the body's text.
	res = call("invoke_action", map[string]any{"name": "github_rateLimitGet"})
	if txt := string(resultJSON(t, res.Content)); !res.IsError || !strings.Contains(txt, "500 Internal Server Error") || !strings.Contains(txt, "bad gateway from the proxy") {
		t.Errorf("text/plain 500: %v %s", res.IsError, txt)
	}
	res = call("invoke_action", map[string]any{"name": "stripe_getBalance", "input": map[string]any{}})
	if sc := string(resultJSON(t, res.StructuredContent)); res.IsError || !strings.Contains(sc, `"status":200`) || !strings.Contains(sc, `"object":"balance"`) {
		t.Errorf("stripe balance: %v %s %s", res.IsError, sc, resultJSON(t, res.Content))
	}
	if stderr := stop(); strings.Contains(stderr, "test-token") {
		t.Error("a credential reached stderr")
	}

	// Later starts reuse the built runners.
	start = time.Now()
	cs, stop = agentSession(t, github)
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("later start (GitHub, runner cached): %v", time.Since(start).Round(time.Millisecond))
	stop()
}

// TestMCPNodeClient runs the official TypeScript client against conngen
// mcp, in both modes: it throws where a result does not fit the tool's
// outputSchema, which is how an empty 204 used to fail.
func TestMCPNodeClient(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	script := filepath.Join(testsupport.RepoRoot(), "tools", "mcpclient", "run.mjs")
	sdk := filepath.Join(testsupport.RepoRoot(), "tools", "mcpclient", "node_modules", "@modelcontextprotocol", "sdk")
	if _, err := os.Stat(sdk); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the MCP client is not installed at %s: CI must run `make mcpclient` first", sdk)
		}
		t.Skipf("the MCP client is not installed (%s missing): run `make mcpclient`", sdk)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "conngen")
	if out, err := testsupport.Go(testsupport.RepoRoot(), "build", "-o", bin, "./cmd/conngen"); err != nil {
		t.Fatalf("build conngen: %v\n%s", err, out)
	}
	t.Setenv("CONNGEN_CACHE_DIR", filepath.Join(tmp, "cache"))
	base := agentService(t)
	specPath := filepath.Join(tmp, "agents.yaml")
	os.WriteFile(specPath, []byte(`conngen: 1
name: agents
baseURL: https://api.example.com
auth: {type: none}
actions:
  - {name: isStarred, title: Is the repository starred, method: GET, path: "/user/starred/{repo}", params: [{name: repo, in: path}]}
  - {name: rateLimit, method: GET, path: /rate_limit, response: {schema: {type: object, properties: {limit: {type: integer}}}}}
  - name: getBalance
    method: GET
    path: /v1/balance
    response:
      schema:
        type: object
        required: [object]
        properties:
          object: {type: string}
          available: {type: array, items: {type: object, properties: {amount: {type: integer}, currency: {type: string}}}}
`), 0o644)
	t.Setenv("AGENTS_BASE_URL", base)

	for _, mode := range []string{"all", "search"} {
		t.Run(mode, func(t *testing.T) {
			calls := []map[string]any{
				{"tool": "agents_isStarred", "arguments": map[string]any{"repo": "go"}},
				{"tool": "agents_rateLimit", "arguments": map[string]any{}},
				{"tool": "agents_getBalance", "arguments": map[string]any{}},
			}
			if mode == "search" {
				for i, c := range calls {
					calls[i] = map[string]any{"tool": "invoke_action", "arguments": map[string]any{"name": c["tool"], "input": c["arguments"]}}
				}
				calls = append(calls, map[string]any{"tool": "search_actions", "arguments": map[string]any{"query": "is my repo starred"}},
					map[string]any{"tool": "describe_action", "arguments": map[string]any{"name": "agents_getBalance"}})
			}
			callsFile := filepath.Join(tmp, mode+".json")
			os.WriteFile(callsFile, resultJSON(t, calls), 0o644)
			cmd := exec.Command(node, script, callsFile, bin, "mcp", "--tools", mode, specPath)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("node client: %v\n%s", err, stderr.String())
			}
			var out struct {
				Tools   []map[string]any `json:"tools"`
				Results []struct {
					Tool   string `json:"tool"`
					Error  string `json:"error"`
					Result struct {
						IsError           bool            `json:"isError"`
						StructuredContent json.RawMessage `json:"structuredContent"`
						Content           []struct{ Text string }
					} `json:"result"`
				} `json:"results"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("client output: %v\n%s", err, stdout.String())
			}
			for _, r := range out.Results {
				if r.Error != "" {
					t.Errorf("%s: the client threw: %s", r.Tool, r.Error)
				}
			}
			if len(out.Results) < 3 {
				t.Fatalf("results %s", stdout.String())
			}
			if sc := string(out.Results[0].Result.StructuredContent); sc != `{"status":204}` {
				t.Errorf("204: structuredContent %s", sc)
			}
			if r := out.Results[1].Result; !r.IsError || len(r.Content) == 0 || !strings.Contains(r.Content[0].Text, "bad gateway from the proxy") {
				t.Errorf("text/plain 500: %+v", r)
			}
			if sc := string(out.Results[2].Result.StructuredContent); !strings.Contains(sc, `"status":200`) || !strings.Contains(sc, `"amount":100`) {
				t.Errorf("balance: structuredContent %s", sc)
			}
		})
	}
}
