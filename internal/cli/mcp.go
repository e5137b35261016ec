package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// runMCP is conngen mcp: every action of every spec as an MCP tool, over
// stdio.
func runMCP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr}
	fs := newFlags("mcp", stderr)
	token := fs.String("token", "", "token JSON file from conngen login")
	readOnly := fs.Bool("read-only", false, "serve only the read-only actions (GET, HEAD, OPTIONS)")
	sets := setFlags{}
	fs.Var(sets, "set", "set a non-secret Config field (repeatable)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "conngen mcp: no spec given")
		return exitUsage
	}
	var runners []*runner
	defer func() {
		for _, r := range runners {
			r.close()
		}
	}()
	for _, p := range expand(fs.Args()) {
		r, err := startRunner(p, stderr)
		if err != nil {
			if !errors.Is(err, errSpec) {
				fmt.Fprintf(stderr, "conngen mcp: %s: %v\n", p, err)
			}
			return exitFail
		}
		runners = append(runners, r)
	}
	// Each --set goes to the connectors that have the field; a secret or
	// a field none has is refused.
	perRunner := make([]map[string]string, len(runners))
	for name, v := range sets {
		found := false
		for i, r := range runners {
			for _, f := range r.list.Fields {
				if f.Name != name {
					continue
				}
				if f.Secret {
					fmt.Fprintf(stderr, "conngen mcp: --set %s: a secret; set the environment variable %s instead\n", name, f.Env)
					return exitUsage
				}
				if perRunner[i] == nil {
					perRunner[i] = map[string]string{}
				}
				perRunner[i][name] = v
				found = true
			}
		}
		if !found {
			fmt.Fprintf(stderr, "conngen mcp: --set %s: no connector has this Config field\n", name)
			return exitUsage
		}
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	server := mcp.NewServer(&mcp.Implementation{Name: "conngen", Version: Version()}, &mcp.ServerOptions{Logger: logger})
	used := map[string]bool{}
	n := 0
	for i, r := range runners {
		for _, t := range mcpTools(r, perRunner[i], *token, *readOnly, used) {
			server.AddTool(t.tool, t.handler)
			n++
		}
	}
	fmt.Fprintf(stderr, "conngen mcp: serving %d tools over stdio\n", n)
	rc, ok := stdin.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(stdin)
	}
	wc, ok := stdout.(io.WriteCloser)
	if !ok || stdout == io.Writer(os.Stdout) {
		wc = nopWriteCloser{stdout}
	}
	if err := server.Run(context.Background(), &mcp.IOTransport{Reader: rc, Writer: wc}); err != nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		fmt.Fprintf(stderr, "conngen mcp: %v\n", err)
		return exitFail
	}
	return exitOK
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

type mcpTool struct {
	tool    *mcp.Tool
	handler mcp.ToolHandler
}

var toolNameRE = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// toolName is <connector>_<action> made to fit ^[a-zA-Z0-9_-]{1,64}$,
// unique among used.
func toolName(connector, action string, used map[string]bool) string {
	name := toolNameRE.ReplaceAllString(connector+"_"+action, "_")
	if len(name) > 64 || used[name] {
		sum := sha256.Sum256([]byte(connector + "\x00" + action))
		suffix := "_" + hex.EncodeToString(sum[:4])
		name = name[:min(len(name), 64-len(suffix))] + suffix
	}
	used[name] = true
	return name
}

func mcpTools(r *runner, set map[string]string, token string, readOnly bool, used map[string]bool) []mcpTool {
	var out []mcpTool
	ping := toolName(r.name, "authPing", used)
	out = append(out, mcpTool{
		tool: &mcp.Tool{
			Name: ping, Title: "Test connection (" + r.name + ")",
			Description: "Makes the " + r.name + " connector's smallest authenticated call and says whether the connection works.",
			InputSchema: json.RawMessage(`{"type":"object","additionalProperties":false}`),
			Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: new(false)},
		},
		handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			rep, err := r.do(runRequest{Op: "ping", Set: set, Token: token})
			if err != nil {
				return errorResult(err.Error()), nil
			}
			if rep.Ping == nil {
				return errorResult(rep.Error), nil
			}
			data, _ := json.Marshal(rep.Ping)
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(data)}}, IsError: !rep.Ping.Working}, nil
		},
	})
	for _, a := range r.list.Actions {
		if readOnly && !a.ReadOnly {
			continue
		}
		t := &mcp.Tool{
			Name: toolName(r.name, a.Name, used), Title: a.Title, Description: a.Description,
			InputSchema: a.Input,
			Annotations: &mcp.ToolAnnotations{
				ReadOnlyHint:    a.ReadOnly,
				DestructiveHint: new(a.Method == "DELETE"),
				IdempotentHint:  a.Method == "GET" || a.Method == "HEAD" || a.Method == "OPTIONS" || a.Method == "PUT" || a.Method == "DELETE",
			},
		}
		if t.Description == "" {
			t.Description = a.Method + " " + a.Path
		}
		structured := objectSchema(a.Output)
		if structured {
			t.OutputSchema = a.Output
		}
		name := a.Name
		out = append(out, mcpTool{tool: t, handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			input := req.Params.Arguments
			if len(bytes.TrimSpace(input)) == 0 {
				input = json.RawMessage(`{}`)
			}
			rep, err := r.do(runRequest{Op: "call", Action: name, Input: input, Set: set, Token: token})
			if err != nil {
				return errorResult(err.Error()), nil
			}
			if rep.Error != "" {
				msg := rep.Error
				if len(rep.Body) > 0 {
					msg += "\n" + string(rep.Body)
				}
				return errorResult(msg), nil
			}
			body := rep.Body
			if len(body) == 0 {
				body = json.RawMessage("null")
			}
			res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(body)}}}
			if structured && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
				res.StructuredContent = json.RawMessage(body)
			}
			return res, nil
		}})
	}
	return out
}

func errorResult(msg string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: msg}}, IsError: true}
}

// objectSchema reports whether a schema describes a JSON object.
func objectSchema(s json.RawMessage) bool {
	var top struct {
		Type any `json:"type"`
	}
	json.Unmarshal(s, &top)
	return top.Type == "object"
}
