package corpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/cli"
	"github.com/conngen/conngen/internal/testsupport"
	"gopkg.in/yaml.v3"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestDerivedSpecAcrossUpgrade follows a real document through an
// upgrade: "the new version" is the document with an overlay of our own
// (every operation id renamed, as Resend's did; date-time formats
// dropped; a field removed; an endpoint removed; an endpoint added), and
// the derived spec has an overlay and overrides of its own. It asserts
// what validate, generate, check and diff do across the pair.
func TestDerivedSpecAcrossUpgrade(t *testing.T) {
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found")
	}
	doc := filepath.Join(dir, "resend.yaml")
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Skip(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Our own fix, applied to both versions.
	write("fix.yaml", `overlay: 1.0.0
info: {title: our fixes, version: "1"}
actions:
  - target: $.paths['/domains'].get
    update: {description: Every domain of the account.}
`)
	// The new version: every operation id renamed, formats dropped, a
	// field removed, an endpoint removed, one added.
	paths, _ := raw["paths"].(map[string]any)
	var keys []string
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var next strings.Builder
	next.WriteString("overlay: 1.0.0\ninfo: {title: the next version, version: \"2\"}\nactions:\n")
	for _, p := range keys {
		ops, _ := paths[p].(map[string]any)
		var methods []string
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			op, _ := ops[m].(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" {
				continue
			}
			fmt.Fprintf(&next, "  - target: $.paths['%s'].%s\n    update: {operationId: %q}\n", p, m, "v2 "+id)
		}
	}
	next.WriteString(`  - target: $.components.schemas.*.properties[?@.format == 'date-time'].format
    remove: true
  - target: $.paths['/api-keys/{api_key_id}']
    remove: true
  - target: $.paths
    update:
      /widgets:
        get:
          operationId: widgets/list
          responses:
            '200': {description: OK}
`)
	// A field removed: the last property of the schema GET
	// /domains/{domain_id} answers with.
	dig := func(v any, keys ...string) any {
		for _, k := range keys {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	}
	ref, _ := dig(raw, "paths", "/domains/{domain_id}", "get", "responses", "200", "content", "application/json", "schema", "$ref").(string)
	schemaName := strings.TrimPrefix(ref, "#/components/schemas/")
	props, _ := dig(raw, "components", "schemas", schemaName, "properties").(map[string]any)
	var removedField string
	if len(props) > 1 {
		var names []string
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		removedField = names[len(names)-1]
	}
	if schemaName == "" || removedField == "" {
		t.Skip("resend.yaml: GET /domains/{domain_id} answers no schema with properties: another version of the document")
	}
	resp := "$.components.schemas." + schemaName
	fmt.Fprintf(&next, "  - target: %s.properties.%s\n    remove: true\n", resp, removedField)
	write("next.yaml", next.String())

	derived := func(name string, overlays []string, exclude, override string) string {
		return write(name, fmt.Sprintf(`conngen: 1
name: resend
from:
  openapi: %s
  overlays: [%s]
  exclude: [%s]
retry: {maxAttempts: 4}
actions:
  - name: %s
    title: Domains, every one
`, doc, strings.Join(overlays, ", "), exclude, override))
	}
	// The names the import gives, learnt from the documents themselves.
	names := func(overlays ...string) map[string]string { // "GET /domains" -> action name
		p := write("probe.yaml", fmt.Sprintf("conngen: 1\nname: resend\nfrom:\n  openapi: %s\n  overlays: [%s]\n", doc, strings.Join(overlays, ", ")))
		l, err := generator.Load(generator.OSReader{}, p)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, a := range l.Spec.Actions {
			out[a.Method+" "+a.Path] = a.Name
		}
		return out
	}
	v1Names, v2Names := names("fix.yaml"), names("fix.yaml", "next.yaml")
	listV1, delV1 := v1Names["GET /domains"], v1Names["DELETE /domains/{domain_id}"]
	listV2, delV2 := v2Names["GET /domains"], v2Names["DELETE /domains/{domain_id}"]
	if listV1 == "" || delV1 == "" || listV1 == listV2 || delV1 == delV2 {
		t.Fatalf("names v1 %q %q, v2 %q %q: want both, renamed", listV1, delV1, listV2, delV2)
	}
	if _, ok := v2Names["DELETE /api-keys/{api_key_id}"]; ok {
		t.Error("the removed endpoint is still imported")
	}
	if v2Names["GET /widgets"] == "" {
		t.Error("the added endpoint is not imported")
	}

	v1 := derived("v1.yaml", []string{"fix.yaml"}, delV1, listV1)
	out := filepath.Join(work, "gen")
	if code, _, stderr := runCLI("generate", "-o", out, v1); code != 0 {
		t.Fatalf("generate v1: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI("check", "-o", out, v1); code != 0 {
		t.Fatalf("check v1: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI("resolve", v1); code != 0 || strings.Contains(stderr, "conngen resolve shows them") {
		t.Errorf("resolve v1: exit %d\n%s", code, stderr)
	}

	// The new version with the old overrides: the renamed action and the
	// renamed exclusion are errors at their lines in the spec.
	stale := derived("stale.yaml", []string{"fix.yaml", "next.yaml"}, delV1, listV1)
	code, _, stderr := runCLI("validate", stale)
	if code != 1 {
		t.Fatalf("validate with stale overrides: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		stale + ":6:13: from.exclude[0]: " + delV1 + ": the import has no action of that name",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validate lacks %q:\n%s", want, stderr)
		}
	}
	// Exclusions are checked before the merge; with the exclusion fixed,
	// the override is reported at its line.
	stale2 := derived("stale2.yaml", []string{"fix.yaml", "next.yaml"}, delV2, listV1)
	_, _, stderr = runCLI("validate", stale2)
	if want := stale2 + ":9:5: actions[0]: " + listV1 + ": the import has no action of that name, so this is a new action and needs method and path"; !strings.Contains(stderr, want) {
		t.Errorf("validate lacks %q:\n%s", want, stderr)
	}
	if code, _, _ := runCLI("generate", "-o", filepath.Join(work, "none"), stale2); code != 1 {
		t.Errorf("generate with a stale override: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(work, "none")); err == nil {
		t.Error("generate wrote output for a spec that does not load")
	}

	// The overrides renamed: generate works, the old output is stale, and
	// diff says what the upgrade does to the Go API.
	v2 := derived("v2.yaml", []string{"fix.yaml", "next.yaml"}, delV2, listV2)
	if code, _, stderr := runCLI("generate", "-o", filepath.Join(work, "gen2"), v2); code != 0 {
		t.Fatalf("generate v2: exit %d\n%s", code, stderr)
	}
	if code, _, _ := runCLI("check", "-o", out, v2); code != 1 {
		t.Errorf("check v2 against v1's output: exit %d, want 1 (stale)", code)
	}
	code, stdout, stderr := runCLI("diff", v1, v2)
	if code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	t.Logf("diff: %d lines, the first:\n%s", len(lines), strings.Join(lines[:min(len(lines), 12)], "\n"))
	has := func(prefix, sub string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) && strings.Contains(l, sub) })
	}
	for _, c := range []struct{ prefix, sub string }{
		{"breaking: action " + listV1 + " removed (func (*Client) ", ""},
		{"compatible: action " + listV2 + " added (func (*Client) ", ""},
		{"compatible: action " + v2Names["GET /widgets"] + " added", ""},
		{"breaking: ", "field removed (schema " + schemaName + ", field " + removedField + ")"},
		{"breaking: ", "type *time.Time → *string"},
	} {
		if !has(c.prefix, c.sub) {
			t.Errorf("diff has no line %q…%q", c.prefix, c.sub)
		}
	}
	if code, _, _ := runCLI("diff", "--fail-on", "none", v1, v2); code != 0 {
		t.Errorf("--fail-on none: exit %d", code)
	}
}
