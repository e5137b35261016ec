package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// What an MCP result carries: the whole answer up to maxResultBytes, and of
// an error's body (a proxy's HTML page, a plain-text 500) the first
// maxErrorBody bytes.
const (
	maxResultBytes = 1 << 20
	maxErrorBody   = 4 << 10
)

// servedAction is one action served over MCP, or a connector's authPing.
type servedAction struct {
	r     *runner
	tool  string // <connector>_<action>
	a     runAction
	ping  bool
	set   map[string]string
	token string

	once   sync.Once
	schema json.RawMessage    // the tool's outputSchema: {status, body}, cut to its budget
	body   *jsonschema.Schema // the body part of schema, compiled, to tell whether an answer fits it
	err    error
}

// annotations are the tool's hints, from the action's method.
func (s *servedAction) annotations() *mcp.ToolAnnotations {
	if s.ping {
		return &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: new(false)}
	}
	m := s.a.Method
	return &mcp.ToolAnnotations{
		ReadOnlyHint:    s.a.ReadOnly,
		DestructiveHint: new(m == http.MethodDelete),
		IdempotentHint:  m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodPut || m == http.MethodDelete,
	}
}

// description is the tool's description: the action's, else its method
// and path.
func (s *servedAction) description() string {
	if s.a.Description != "" {
		return s.a.Description
	}
	return s.a.Method + " " + s.a.Path
}

// inputSchema is the action's Input, exact: it is what refuses bad input.
func (s *servedAction) inputSchema() json.RawMessage {
	if s.ping {
		return json.RawMessage(`{"type":"object","additionalProperties":false}`)
	}
	return s.a.Input
}

// outputSchema is the tool's outputSchema, fetched from the runner and cut
// once; nil for authPing.
func (s *servedAction) outputSchema() (json.RawMessage, error) {
	if s.ping {
		return nil, nil
	}
	s.once.Do(func() {
		out := s.a.Output // set when the actions come from the model; a runner's list leaves it null
		if len(out) == 0 || string(out) == "null" {
			var err error
			if out, err = s.r.output(s.a.Name); err != nil {
				s.err = fmt.Errorf("%s: %w", s.tool, err)
				return
			}
		}
		if s.schema, s.err = outputSchema(out); s.err != nil {
			return
		}
		s.body, s.err = compileBodySchema(s.schema)
	})
	return s.schema, s.err
}

// compileBodySchema compiles the body property of a {status, body}
// schema, its $defs with it.
func compileBodySchema(wrapper json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(wrapper))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("mem:///output.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("mem:///output.json#/properties/body")
}

func (s *servedAction) mcpTool() (*mcp.Tool, error) {
	t := &mcp.Tool{Name: s.tool, Title: s.a.Title, Description: s.description(), InputSchema: s.inputSchema(), Annotations: s.annotations()}
	out, err := s.outputSchema()
	if err != nil {
		return nil, err
	}
	if out != nil {
		t.OutputSchema = out
	}
	return t, nil
}

// call runs the action with input and shapes the answer as an MCP result:
// a 2xx carries structuredContent {status} or {status, body} and the same
// JSON as text; anything else is an isError result with the status line,
// the service's message and the start of its body. Secrets never reach it.
func (s *servedAction) call(input json.RawMessage, secrets []string) *mcp.CallToolResult {
	if s.ping {
		rep, err := s.r.do(runRequest{Op: "ping", Set: s.set, Token: s.token})
		if err != nil {
			return errorResult(redact(err.Error(), secrets))
		}
		if rep.Ping == nil {
			return errorResult(redact(rep.Error, secrets))
		}
		data, _ := json.Marshal(rep.Ping)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: redact(string(data), secrets)}}, IsError: !rep.Ping.Working}
	}
	if len(bytes.TrimSpace(input)) == 0 || bytes.Equal(bytes.TrimSpace(input), []byte("null")) {
		input = json.RawMessage(`{}`)
	}
	rep, err := s.r.do(runRequest{Op: "call", Action: s.a.Name, Input: input, Set: s.set, Token: s.token})
	if err != nil {
		return errorResult(redact(err.Error(), secrets))
	}
	if rep.Error != "" {
		msg := rep.Error
		if body := errorBody(rep); body != "" {
			msg += "\n" + body
		}
		return errorResult(redact(msg, secrets))
	}
	return s.success(rep.Status, rep.Body, secrets)
}

// success is the result of a 2xx answer.
func (s *servedAction) success(status int, body json.RawMessage, secrets []string) *mcp.CallToolResult {
	structured := map[string]any{"status": status}
	var extra string // the body as text only, when it cannot be structured
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
	case len(body) > maxResultBytes:
		extra = cutText(string(body), maxResultBytes)
	case s.fits(body):
		structured["body"] = json.RawMessage(body)
	default:
		extra = string(body)
	}
	data, _ := json.Marshal(structured)
	text := redact(string(data), secrets)
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: json.RawMessage(text)}
	if extra != "" {
		res.Content = append(res.Content, &mcp.TextContent{Text: redact(extra, secrets)})
	}
	return res
}

// fits reports whether body is JSON that the tool's declared body schema
// accepts: a client checks structuredContent against it, and refuses the
// whole result when it does not fit.
func (s *servedAction) fits(body json.RawMessage) bool {
	if _, err := s.outputSchema(); err != nil || s.body == nil {
		return false
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	return err == nil && s.body.Validate(v) == nil
}

// errorBody is what an error result shows of the service's body: JSON or
// text, at most maxErrorBody bytes.
func errorBody(rep *runReply) string {
	body := rep.Text
	if len(rep.Body) > 0 {
		body = string(rep.Body)
	}
	return cutText(strings.TrimSpace(body), maxErrorBody)
}

// cutText is s cut to at most limit bytes (on a rune boundary), saying so.
func cutText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := len(s)
	s = strings.ToValidUTF8(s[:limit], "") // drops a rune cut in two
	return s + fmt.Sprintf("\n[cut: %d of %d bytes shown]", len(s), n)
}

// redact replaces every secret value in s by [redacted].
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// secretValues are the values an answer must never show: every secret
// Config field's environment variable, and the tokens of the token files.
func secretValues(runners []*runner, tokens []string) []string {
	var out []string
	for _, r := range runners {
		for _, f := range r.list.Fields {
			if v := os.Getenv(f.Env); f.Secret && len(v) >= 4 {
				out = append(out, v)
			}
		}
	}
	for _, t := range tokens {
		if t == "" {
			continue
		}
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(data, &tok) == nil {
			for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
				if len(v) >= 4 {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func errorResult(msg string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: msg}}, IsError: true}
}
