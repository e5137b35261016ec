package cli

import (
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/conngen/conngen/generator/model"
)

// MCPToolsList is the JSON of the tools/list result conngen mcp serves for
// a connector in mode all or search, computed from the model without
// building a runner: for benchmarks and tests of the budgets.
func MCPToolsList(c *model.Connector, mode string) ([]byte, error) {
	r := &runner{name: c.Name, list: &runReply{Connector: c.Name}}
	used := map[string]bool{}
	served := []*servedAction{{r: r, tool: toolName(c.Name, "authPing", used), ping: true,
		a: runAction{Name: "authPing", Title: "Test connection (" + c.Name + ")", ReadOnly: true}}}
	for _, e := range c.Registry {
		a := e.Action
		served = append(served, &servedAction{r: r, tool: toolName(c.Name, a.Name, used), a: runAction{
			Name: a.Name, Title: a.Title, Description: a.Description, Method: a.Method, Path: a.Path, ReadOnly: e.ReadOnly,
			Input: json.RawMessage(e.InputSchema()), Output: json.RawMessage(e.OutputSchema()),
		}})
	}
	var tools []mcpTool
	switch mode {
	case "all":
		var err error
		if tools, err = allTools(served, nil); err != nil {
			return nil, err
		}
	case "search":
		tools = searchTools(served, nil, false)
	default:
		return nil, fmt.Errorf("mode %q: want all or search", mode)
	}
	list := &mcp.ListToolsResult{Tools: make([]*mcp.Tool, len(tools))}
	for i, t := range tools {
		list.Tools[i] = t.tool
	}
	return json.Marshal(list)
}
