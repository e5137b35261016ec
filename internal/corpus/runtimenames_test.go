package corpus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestRuntimeNamesAsSpecNames takes every identifier the runtime and the
// emitter can declare (model.Reserved, read from templates/) and uses each
// as a schema name, an action name, a param name, a property name and a
// webhook event name, in a connector with webhooks and in one without. Each
// name either generates a package that builds and vets or is refused with
// a position; there is no third outcome.
func TestRuntimeNamesAsSpecNames(t *testing.T) {
	reserved := model.Reserved()
	if len(reserved) < 100 {
		t.Fatalf("model.Reserved() has %d names; the runtime alone declares more", len(reserved))
	}
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, webhooks := range []bool{false, true} {
		names := reserved
		for attempt := 0; ; attempt++ {
			pkg := fmt.Sprintf("runtimenames%v", webhooks)
			src := runtimeNamesSpec(pkg, names, webhooks)
			s, _, err := spec.Load(pkg+".yaml", []byte(src))
			if err == nil {
				out, err := generator.Generate(s)
				if err != nil {
					t.Fatalf("%s: generate: %v", pkg, err)
				}
				if err := generator.Write(mod, out); err != nil {
					t.Fatal(err)
				}
				break
			}
			list, ok := err.(spec.ErrorList)
			if !ok || attempt > 3 {
				t.Fatalf("%s: not a list of positioned errors (attempt %d): %v", pkg, attempt, err)
			}
			drop := map[int]bool{}
			for _, e := range list {
				if e.Pos.Line == 0 || e.Path == "" {
					t.Errorf("%s: an error without a position: %v", pkg, e)
				}
				i, ok := actionIndex(e.Path)
				if !ok {
					t.Fatalf("%s: refused outside an action or event, so the whole spec fails: %v", pkg, e)
				}
				drop[i] = true
			}
			refused += len(drop)
			var kept []string
			for i, n := range names {
				if !drop[i] {
					kept = append(kept, n)
				}
			}
			names = kept
		}
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		if out, err := testsupport.Go(mod, step...); err != nil {
			t.Fatalf("go %s: %v\n%s", step[0], err, testsupport.FirstLines(out, 40))
		}
	}
	t.Logf("%d names; %d action or event names refused with a position over the two connectors; the rest generate and build", len(reserved), refused)
}

// actionPath matches the paths of action i and event i, both named names[i].
var actionPath = regexp.MustCompile(`^(?:actions|webhooks\.events)\[(\d+)\]`)

func actionIndex(path string) (int, bool) {
	m := actionPath.FindStringSubmatch(path)
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	return i, err == nil
}

// runtimeNamesSpec is a spec whose schema i, action i, its param, its body
// property and (with webhooks) event i are all named names[i].
func runtimeNamesSpec(pkg string, names []string, webhooks bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "conngen: 1\nname: %s\nbaseURL: https://example.com\nauth: {type: none}\nschemas:\n", pkg)
	for _, n := range names {
		fmt.Fprintf(&b, "  %s: {type: object, properties: {%s: {type: string}}}\n", n, n)
	}
	b.WriteString("actions:\n")
	for i, n := range names {
		fmt.Fprintf(&b, "  - name: %s\n    method: POST\n    path: /a%d\n", n, i)
		fmt.Fprintf(&b, "    params: [{name: %s, in: query, schema: {type: string}}]\n", n)
		fmt.Fprintf(&b, "    body: {schema: {$ref: \"#/schemas/%s\"}}\n", n)
		fmt.Fprintf(&b, "    response: {schema: {$ref: \"#/schemas/%s\"}}\n", n)
	}
	if webhooks {
		b.WriteString("webhooks:\n  signature: {scheme: none}\n  events:\n")
		for _, n := range names {
			fmt.Fprintf(&b, "    - {name: %s, type: %s, schema: {$ref: \"#/schemas/%s\"}}\n", n, n, n)
		}
	}
	return b.String()
}
