package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/conngen/conngen/internal/search"
)

// How much of an action search_actions shows: enough to choose, little
// enough that ten hits fit in a few thousand tokens.
const (
	maxHitTitle       = 100
	maxHitDescription = 200
)

// actionIndex ranks the served actions for search_actions and
// conngen call --find.
type actionIndex struct {
	ix     *search.Index
	byTool map[string]*servedAction
}

func newActionIndex(served []*servedAction) *actionIndex {
	docs := make([]search.Doc, len(served))
	byTool := make(map[string]*servedAction, len(served))
	for i, s := range served {
		d := search.Doc{Name: s.tool, Action: s.a.Name, Title: s.a.Title, Description: s.a.Description, Method: s.a.Method, Path: s.a.Path}
		if !s.ping {
			d = search.DocFromSchema(d, s.a.Input)
		}
		docs[i] = d
		byTool[s.tool] = s
	}
	return &actionIndex{ix: search.New(docs), byTool: byTool}
}

// find returns the best matches of query, at most limit; readOnly keeps
// only read-only actions.
func (x *actionIndex) find(query string, limit int, readOnly bool) []*servedAction {
	var out []*servedAction
	// Ask for more when filtering, so a filter does not starve the list.
	n := limit
	if readOnly {
		n = len(x.byTool)
	}
	for _, h := range x.ix.Search(query, n) {
		s := x.byTool[h.Doc.Name]
		if s == nil || readOnly && !s.a.ReadOnly {
			continue
		}
		out = append(out, s)
		if len(out) == limit {
			break
		}
	}
	return out
}

// lookup finds a served action by tool name, or by the spec's action name
// when only one connector has it.
func (x *actionIndex) lookup(name string) *servedAction {
	if s := x.byTool[name]; s != nil {
		return s
	}
	var found *servedAction
	for _, s := range x.byTool {
		if s.a.Name == name {
			if found != nil {
				return nil
			}
			found = s
		}
	}
	return found
}

// closeNames are up to five served tool names near name, for an unknown
// one: by the ranking first, then by shared prefix.
func (x *actionIndex) closeNames(name string) []string {
	var out []string
	for _, s := range x.find(splitWords(name), 5, false) {
		out = append(out, s.tool)
	}
	if len(out) < 5 {
		var all []string
		for tool := range x.byTool {
			all = append(all, tool)
		}
		sort.Slice(all, func(i, j int) bool {
			pi, pj := commonPrefix(all[i], name), commonPrefix(all[j], name)
			if pi != pj {
				return pi > pj
			}
			return all[i] < all[j]
		})
		for _, t := range all {
			if len(out) == 5 {
				break
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

var wordBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])|[_\-./]+`)

// splitWords turns a tool name into words for the ranking.
func splitWords(name string) string {
	return wordBoundary.ReplaceAllString(name, "$1 $2")
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && strings.EqualFold(a[n:n+1], b[n:n+1]) {
		n++
	}
	return n
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// shortText is s without HTML tags and runs of white space, cut to at most
// limit runes.
func shortText(s string, limit int) string {
	s = strings.Join(strings.Fields(htmlTag.ReplaceAllString(s, " ")), " ")
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return strings.TrimSpace(string(r[:limit-1])) + "…"
}

// searchHit is one entry of search_actions' answer.
type searchHit struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	ReadOnly    bool   `json:"readOnly"`
}

func hitOf(s *servedAction) searchHit {
	title := s.a.Title
	if title == "" {
		title = s.a.Name
	}
	return searchHit{Name: s.tool, Title: shortText(title, maxHitTitle), Description: shortText(s.a.Description, maxHitDescription),
		Method: s.a.Method, Path: s.a.Path, ReadOnly: s.a.ReadOnly}
}

// jsonResult is a result whose structuredContent is v, with the same JSON
// as text.
func jsonResult(v any) *mcp.CallToolResult {
	data, err := json.Marshal(v)
	if err != nil {
		return errorResult(err.Error())
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(data)}}, StructuredContent: json.RawMessage(data)}
}

// searchTools is --tools search: three tools, whatever the number of
// actions.
func searchTools(served []*servedAction, secrets []string, readOnly bool) []mcpTool {
	x := newActionIndex(served)
	connectors := map[string]int{}
	var names []string
	for _, s := range served {
		if !s.ping {
			if _, ok := connectors[s.r.name]; !ok {
				names = append(names, s.r.name)
			}
			connectors[s.r.name]++
		}
	}
	var what []string
	for _, n := range names {
		what = append(what, fmt.Sprintf("%s (%d actions)", n, connectors[n]))
	}
	served_ := strings.Join(what, ", ")
	if served_ == "" {
		served_ = "no actions"
	}

	invokeHints := &mcp.ToolAnnotations{DestructiveHint: new(true)}
	if readOnly {
		invokeHints = &mcp.ToolAnnotations{ReadOnlyHint: true, DestructiveHint: new(false)}
	}
	return []mcpTool{
		{
			tool: &mcp.Tool{
				Name:  "search_actions",
				Title: "Search actions",
				Description: "Finds the API actions that fit a task, best first, among those of " + served_ +
					". Describe the task in plain words (\"refund a payment\", \"list the members of an org\"). " +
					"Then call describe_action for an action's input schema, and invoke_action to run it.",
				InputSchema: json.RawMessage(`{"type":"object","properties":{` +
					`"query":{"type":"string","description":"the task, in plain words"},` +
					`"limit":{"type":"integer","minimum":1,"maximum":50,"default":10},` +
					`"readOnly":{"type":"boolean","description":"only actions that change nothing"}},` +
					`"required":["query"],"additionalProperties":false}`),
				OutputSchema: json.RawMessage(`{"type":"object","properties":{"actions":{"type":"array","items":{"type":"object","properties":{` +
					`"name":{"type":"string"},"title":{"type":"string"},"description":{"type":"string"},` +
					`"method":{"type":"string"},"path":{"type":"string"},"readOnly":{"type":"boolean"}}}}},"required":["actions"]}`),
				Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: new(false)},
			},
			handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				var in struct {
					Query    *string `json:"query"`
					Limit    *int    `json:"limit"`
					ReadOnly bool    `json:"readOnly"`
				}
				if err := json.Unmarshal(orEmpty(req.Params.Arguments), &in); err != nil || in.Query == nil {
					return errorResult(`search_actions: want {"query": "...", "limit": 1-50, "readOnly": true|false}`), nil
				}
				limit := 10
				if in.Limit != nil {
					if *in.Limit < 1 || *in.Limit > 50 {
						return errorResult("search_actions: limit must be 1 to 50"), nil
					}
					limit = *in.Limit
				}
				hits := []searchHit{}
				for _, s := range x.find(*in.Query, limit, in.ReadOnly) {
					hits = append(hits, hitOf(s))
				}
				return jsonResult(map[string]any{"actions": hits}), nil
			},
		},
		{
			tool: &mcp.Tool{
				Name:        "describe_action",
				Title:       "Describe an action",
				Description: "Gives an action's input schema (what invoke_action takes) and output schema; name as search_actions gives it.",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}`),
				Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: new(false)},
			},
			handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				var in struct {
					Name string `json:"name"`
				}
				json.Unmarshal(orEmpty(req.Params.Arguments), &in)
				s := x.lookup(in.Name)
				if s == nil {
					return unknownAction(x, in.Name), nil
				}
				out, err := s.outputSchema()
				if err != nil {
					return errorResult(redact(err.Error(), secrets)), nil
				}
				d := map[string]any{"name": s.tool, "title": s.a.Title, "description": s.description(), "method": s.a.Method,
					"path": s.a.Path, "readOnly": s.a.ReadOnly, "inputSchema": s.inputSchema()}
				if out != nil {
					d["outputSchema"] = out
				}
				return jsonResult(d), nil
			},
		},
		{
			tool: &mcp.Tool{
				Name:  "invoke_action",
				Title: "Invoke an action",
				Description: "Runs an action: name as search_actions gives it, input an object that fits describe_action's inputSchema. " +
					"The result is the service's answer: {status, body}, or an error with the service's message.",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"input":{"type":"object"}},"required":["name"],"additionalProperties":false}`),
				Annotations: invokeHints,
			},
			handler: func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				var in struct {
					Name  string          `json:"name"`
					Input json.RawMessage `json:"input"`
				}
				if err := json.Unmarshal(orEmpty(req.Params.Arguments), &in); err != nil {
					return errorResult(`invoke_action: want {"name": "...", "input": {...}}`), nil
				}
				s := x.lookup(in.Name)
				if s == nil {
					return unknownAction(x, in.Name), nil
				}
				return s.call(in.Input, secrets), nil
			},
		},
	}
}

// unknownAction is the answer for a name no served action has.
func unknownAction(x *actionIndex, name string) *mcp.CallToolResult {
	msg := fmt.Sprintf("no action %q", name)
	if close := x.closeNames(name); len(close) > 0 {
		msg += "; close names: " + strings.Join(close, ", ")
	}
	return errorResult(msg + " (search_actions finds actions by task)")
}

func orEmpty(args json.RawMessage) json.RawMessage {
	if len(args) == 0 {
		return json.RawMessage(`{}`)
	}
	return args
}
