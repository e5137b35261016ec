package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestMCPBudgetsOnLargeAPIs checks the budgets on every action of the two
// largest documents: the search tools' tools/list within 8 KiB, and every
// outputSchema of --tools all within 16 KiB (Stripe's are 500 KB before the
// cut), still a schema a validator compiles.
func TestMCPBudgetsOnLargeAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found")
	}
	for name, file := range map[string]string{"github": "github-api.ogen-testdata.json", "stripe": "stripe.libopenapi-stripe-old.yaml"} {
		t.Run(name, func(t *testing.T) {
			s, _, err := openapi.Import(filepath.Join(dir, file), openapi.Options{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			c := model.Build(s)
			search, err := MCPToolsList(c, "search")
			if err != nil || len(search) > 8<<10 {
				t.Errorf("search tools/list: %d bytes, %v", len(search), err)
			}
			all, err := MCPToolsList(c, "all")
			if err != nil {
				t.Fatal(err)
			}
			var list mcp.ListToolsResult
			if err := json.Unmarshal(all, &list); err != nil {
				t.Fatal(err)
			}
			if len(list.Tools) != len(c.Registry)+1 {
				t.Errorf("%d tools for %d actions", len(list.Tools), len(c.Registry))
			}
			for _, tl := range list.Tools {
				if tl.OutputSchema == nil {
					continue // authPing
				}
				out, _ := json.Marshal(tl.OutputSchema)
				if len(out) > maxOutputSchema {
					t.Errorf("%s: outputSchema %d bytes", tl.Name, len(out))
				}
				if _, err := compileBodySchema(out); err != nil {
					t.Errorf("%s: the cut outputSchema does not compile: %v", tl.Name, err)
				}
			}
		})
	}
}
