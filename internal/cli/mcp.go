package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The budgets of --tools auto: up to this many actions, whose tools/list
// weighs at most this much, are served one tool each; more go through
// search_actions, describe_action and invoke_action.
const (
	autoMaxTools     = 32
	autoMaxListBytes = 64 << 10
)

// runMCP is conngen mcp: the actions of every spec as MCP tools over
// stdio, one tool each or behind three search tools.
func runMCP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr}
	fs := newFlags("mcp", stderr)
	mode := fs.String("tools", "auto", "auto, all (one tool per action) or search (search_actions, describe_action, invoke_action)")
	var tokens, globs listFlag
	fs.Var(&tokens, "token", "token JSON file from conngen login; NAME=FILE for the connector NAME (repeatable)")
	fs.Var(&globs, "action", "serve only the actions whose tool or action name matches GLOB (repeatable)")
	readOnly := fs.Bool("read-only", false, "serve only the read-only actions (GET, HEAD, OPTIONS)")
	sets := setFlags{}
	fs.Var(sets, "set", "set a non-secret Config field (repeatable)")
	specs, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	switch *mode {
	case "auto", "all", "search":
	default:
		fmt.Fprintf(stderr, "conngen mcp: --tools %s: want auto, all or search\n", *mode)
		return exitUsage
	}
	if len(specs) == 0 {
		fmt.Fprintln(stderr, "conngen mcp: no spec given")
		return exitUsage
	}
	var runners []*runner
	defer func() {
		for _, r := range runners {
			r.close()
		}
	}()
	byName := map[string]string{}
	for _, p := range expand(specs) {
		r, err := startRunner(p, stderr)
		if err != nil {
			if !errors.Is(err, errSpec) {
				fmt.Fprintf(stderr, "conngen mcp: %s: %v\n", p, err)
			}
			return exitFail
		}
		runners = append(runners, r)
		if other, dup := byName[r.name]; dup {
			fmt.Fprintf(stderr, "conngen mcp: %s and %s are both connector %s: give each spec once\n", other, p, r.name)
			return exitUsage
		}
		byName[r.name] = p
	}
	perRunner, code := runnerSets(runners, sets, stderr)
	if code != exitOK {
		return code
	}
	perToken, code := runnerTokens(runners, tokens, stderr)
	if code != exitOK {
		return code
	}

	var served []*servedAction
	used := map[string]bool{}
	matched := make([]bool, len(globs))
	for i, r := range runners {
		served = append(served, &servedAction{r: r, tool: toolName(r.name, "authPing", used), ping: true, set: perRunner[i], token: perToken[i],
			a: runAction{Name: "authPing", Title: "Test connection (" + r.name + ")", ReadOnly: true,
				Description: "Makes the " + r.name + " connector's smallest authenticated call and says whether the connection works."}})
		for _, a := range r.list.Actions {
			if *readOnly && !a.ReadOnly {
				continue
			}
			tool := toolName(r.name, a.Name, used)
			if len(globs) > 0 && !matchAny(globs, matched, tool, a.Name) {
				delete(used, tool)
				continue
			}
			served = append(served, &servedAction{r: r, tool: tool, a: a, set: perRunner[i], token: perToken[i]})
		}
	}
	for i, ok := range matched {
		if !ok {
			fmt.Fprintf(stderr, "conngen mcp: --action %s matches no action\n", globs[i])
			return exitUsage
		}
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	server := mcp.NewServer(&mcp.Implementation{Name: "conngen", Version: Version()}, &mcp.ServerOptions{Logger: logger})
	secrets := secretValues(runners, perToken)
	chosen := *mode
	actions := 0
	for _, s := range served {
		if !s.ping {
			actions++
		}
	}
	if chosen == "auto" && actions > autoMaxTools {
		chosen = "search" // known without fetching a single output schema
	}
	var tools []mcpTool
	if chosen != "search" {
		all, err := allTools(served, secrets)
		if err != nil {
			fmt.Fprintf(stderr, "conngen mcp: %v\n", err)
			return exitFail
		}
		if chosen == "all" || fitsAuto(all) {
			chosen, tools = "all", all
		} else {
			chosen = "search"
		}
	}
	if chosen == "search" {
		tools = searchTools(served, secrets, *readOnly)
	}
	for _, t := range tools {
		server.AddTool(t.tool, t.handler)
	}
	fmt.Fprintf(stderr, "conngen mcp: serving %d actions of %d connectors as %d tools (--tools %s) over stdio\n", actions, len(runners), len(tools), chosen)
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

// matchAny reports whether tool or action matches one of globs, marking
// each glob that does.
func matchAny(globs []string, matched []bool, tool, action string) bool {
	found := false
	for i, g := range globs {
		ok1, _ := path.Match(g, tool)
		ok2, _ := path.Match(g, action)
		if ok1 || ok2 {
			matched[i], found = true, true
		}
	}
	return found
}

// runnerSets gives each --set to the connectors that have the field; a
// secret, or a field none has, is refused.
func runnerSets(runners []*runner, sets setFlags, stderr io.Writer) ([]map[string]string, int) {
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
					return nil, exitUsage
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
			return nil, exitUsage
		}
	}
	return perRunner, exitOK
}

// takesToken reports whether a connector reads a token file (OAuth2).
func takesToken(r *runner) bool {
	for _, f := range r.list.Fields {
		if f.Name == "Token" {
			return true
		}
	}
	return false
}

// runnerTokens gives each connector its --token: NAME=FILE names the
// connector; a plain FILE goes to the one connector that takes a token.
func runnerTokens(runners []*runner, tokens []string, stderr io.Writer) ([]string, int) {
	perRunner := make([]string, len(runners))
	var takers []int
	for i, r := range runners {
		if takesToken(r) {
			takers = append(takers, i)
		}
	}
	for _, t := range tokens {
		name, file, named := strings.Cut(t, "=")
		idx := -1
		if named {
			for i, r := range runners {
				if r.name == name {
					idx = i
				}
			}
		}
		if idx < 0 { // a plain FILE (whose name may hold "=")
			file = t
			switch {
			case len(runners) == 1:
				idx = 0
			case len(takers) == 1:
				idx = takers[0]
			default:
				fmt.Fprintf(stderr, "conngen mcp: --token %s: several connectors are served; say whose: --token NAME=FILE\n", t)
				return nil, exitUsage
			}
		}
		if perRunner[idx] != "" {
			fmt.Fprintf(stderr, "conngen mcp: --token: two tokens for %s\n", runners[idx].name)
			return nil, exitUsage
		}
		perRunner[idx] = file
	}
	return perRunner, exitOK
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

// fitsAuto reports whether one tool per action suits --tools auto: few
// enough actions, and a tools/list small enough to read with every turn.
func fitsAuto(tools []mcpTool) bool {
	actions := 0
	list := make([]*mcp.Tool, len(tools))
	for i, t := range tools {
		list[i] = t.tool
		if t.tool.OutputSchema != nil { // every action's tool has one; authPing's none
			actions++
		}
	}
	if actions > autoMaxTools {
		return false
	}
	data, err := json.Marshal(&mcp.ListToolsResult{Tools: list})
	return err == nil && len(data) <= autoMaxListBytes
}

// allTools is --tools all: one tool per served action.
func allTools(served []*servedAction, secrets []string) ([]mcpTool, error) {
	var out []mcpTool
	for _, s := range served {
		t, err := s.mcpTool()
		if err != nil {
			return nil, err
		}
		out = append(out, mcpTool{tool: t, handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return s.call(req.Params.Arguments, secrets), nil
		}})
	}
	return out, nil
}
