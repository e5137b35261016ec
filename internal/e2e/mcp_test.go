package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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

// TestPrismMCP calls every tool of a large imported document (Spotify)
// through conngen mcp, driven by the official SDK's client over stdio
// pipes, against Prism: each request must pass Prism's validation.
func TestPrismMCP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the Prism end-to-end run")
	}
	prism := prismPath(t)
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found")
	}
	doc := filepath.Join(dir, "spotify-web-api.fixed.yaml")
	const name = "mcpspotify"
	s, warns, err := openapi.Import(doc, openapi.Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	stringParams := map[string]bool{}
	for _, w := range warns {
		if text, ok := strings.CutSuffix(w.Message, openapi.StringParamWarning); ok {
			if op, _, ok := strings.Cut(w.Pointer, "/parameters/"); ok {
				stringParams[op+" "+strings.TrimPrefix(text, "schema of parameter ")] = true
			}
		}
	}
	data, err := spec.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	specPath := filepath.Join(tmp, name+".yaml")
	os.WriteFile(specPath, data, 0o644)
	srv := startPrism(t, prism, doc)
	if err := srv.wait(3 * time.Minute); err != nil {
		t.Fatalf("prism: %v\n%s", err, srv.log())
	}

	t.Setenv("CONNGEN_CACHE_DIR", filepath.Join(tmp, "cache"))
	t.Setenv(model.EnvName(name, "BaseURL"), srv.url)
	t.Setenv(model.EnvName(name, "ClientID"), "client")
	t.Setenv(model.EnvName(name, "ClientSecret"), "secret")
	tok, _ := json.Marshal(map[string]any{"access_token": "test", "token_type": "Bearer", "expiry": time.Now().Add(time.Hour)})
	t.Setenv(model.EnvName(name, "Token"), string(tok))
	t.Setenv(model.EnvName(name, "AccessToken"), "test")

	serverIn, clientOut, _ := os.Pipe()
	clientIn, serverOut, _ := os.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run([]string{"mcp", "--tools", "all", specPath}, serverIn, serverOut, &stderr)
		serverOut.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	defer func() {
		cs.Close()
		clientOut.Close()
		<-done
	}()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tools) != len(s.Actions)+1 {
		t.Errorf("%d tools for %d actions", len(list.Tools), len(s.Actions))
	}

	v := &valuer{schemas: s.Schemas}
	passed, succeeded := 0, 0
	var failures, other []string
	for _, a := range s.Actions {
		input := map[string]any{}
		for _, p := range a.Params {
			if !p.Required && (stringParams[openapi.OperationPointer(a.Method, a.Path)+" "+p.Name] || !v.isScalar(p.Schema) && !isListOfScalars(v, p.Schema)) {
				continue
			}
			input[p.Name] = v.value(p.Schema, 0, true)
		}
		if a.Body != nil {
			if spec.IsJSON(a.Body.ContentType) || a.Body.ContentType == "" || a.Body.ContentType == spec.ContentForm || a.Body.ContentType == spec.ContentMultipart {
				input["body"] = v.value(a.Body.Schema, 0, true)
			} else {
				input["body"] = "test"
			}
		}
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name + "_" + a.Name, Arguments: input})
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: protocol error %v", a.Name, err))
			continue
		}
		text := ""
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				text += tc.Text
			}
		}
		if res.IsError && (strings.Contains(text, "invalid input") || strings.Contains(text, "422 ") || strings.Contains(text, "400 ") ||
			strings.Contains(text, "401 ") || strings.Contains(text, "403 ") || strings.Contains(text, "415 ")) {
			in, _ := json.Marshal(input)
			failures = append(failures, fmt.Sprintf("%s (%s %s): %s\n    input %s", a.Name, a.Method, a.Path, truncate(text, 400), truncate(string(in), 300)))
			continue
		}
		passed++
		if res.IsError {
			other = append(other, fmt.Sprintf("  %s: %s", a.Name, truncate(text, 200)))
		} else {
			succeeded++
		}
	}
	t.Logf("MCP tools called %d / passed Prism's request validation %d / 2xx decoded %d", len(s.Actions), passed, succeeded)
	if len(other) > 0 {
		t.Logf("valid requests whose result is an error (Prism's made-up response did not decode, or the document declares no 2xx):\n%s", strings.Join(other, "\n"))
	}
	if len(failures) > 0 {
		t.Errorf("%d calls refused:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	if strings.Contains(stderr.String(), `"test"`) {
		t.Error("a credential reached stderr")
	}
}
