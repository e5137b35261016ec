package apichange

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/conngen/conngen"
	"github.com/conngen/conngen/generator/spec"
)

const base = `conngen: 1
name: widgets
baseURL: https://api.widgets.test
auth: {type: bearer}
ping: {method: GET, path: /widgets, expect: [200]}
schemas:
  Widget:
    type: object
    required: [id]
    properties:
      id: {type: string}
      size: {type: integer}
      created: {type: string, format: date-time}
actions:
  - name: listWidgets
    method: GET
    path: /widgets
    params:
      - {name: limit, in: query, schema: {type: integer}}
    response: {schema: {type: array, items: {$ref: "#/schemas/Widget"}}}
  - name: createWidget
    method: POST
    path: /widgets
    body:
      schema:
        type: object
        required: [id]
        properties:
          id: {type: string}
          size: {type: integer}
    response: {schema: {$ref: "#/schemas/Widget"}}
  - name: deleteWidget
    method: DELETE
    path: /widgets/{id}
    params:
      - {name: id, in: path, required: true, schema: {type: string}}
`

func load(t *testing.T, name, src string) *spec.Spec {
	t.Helper()
	s, _, err := spec.Load(name, []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func mustReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("base spec lacks %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// Each case changes the base spec one way; the lines diff prints, and
// their kinds, are what the case expects. Every Go API line's kind is
// apidiff's verdict (Compare takes it from apidiff.Report), so each
// expected kind below is also what apidiff says of that change; the
// cases where the Go API does not change (required inputs, behaviour)
// have no apidiff line at all.
func TestCompare(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	version, sum, err := conngen.Requirement(conngen.OAuth2)
	if err != nil {
		t.Fatal(err)
	}
	mod := Module{OAuth2Version: version, OAuth2Sum: sum}
	for _, tc := range []struct {
		name   string
		old    string // replaced in base
		new    string
		want   []string // every line, in order
		goAPI  bool     // apidiff reports the change
		severe string   // the most severe kind
	}{
		{
			name: "field removed", old: "      size: {type: integer}\n      created", new: "      created",
			want:  []string{"breaking: Widget.Size: field removed (schema Widget, field size)"},
			goAPI: true, severe: Breaking,
		},
		{
			name: "format dropped", old: "created: {type: string, format: date-time}", new: "created: {type: string}",
			want:  []string{"breaking: Widget.Created: type *time.Time → *string (schema Widget, field created)"},
			goAPI: true, severe: Breaking,
		},
		{
			name: "type changed", old: "      - {name: limit, in: query, schema: {type: integer}}", new: "      - {name: limit, in: query, schema: {type: string}}",
			want:  []string{"breaking: ListWidgetsParams.Limit: type *int → *string (params of action listWidgets, param limit (query))"},
			goAPI: true, severe: Breaking,
		},
		{
			name: "action removed", old: "  - name: deleteWidget\n    method: DELETE\n    path: /widgets/{id}\n    params:\n      - {name: id, in: path, required: true, schema: {type: string}}\n", new: "",
			want:  []string{"breaking: action deleteWidget removed (func (*Client) DeleteWidget)"},
			goAPI: true, severe: Breaking,
		},
		{
			name: "action added", old: "  - name: deleteWidget\n", new: "  - name: archiveWidget\n    method: POST\n    path: /widgets/archive\n  - name: deleteWidget\n",
			want:  []string{"compatible: action archiveWidget added (func (*Client) ArchiveWidget)"},
			goAPI: true, severe: Compatible,
		},
		{
			name: "optional field added", old: "      created: {type: string, format: date-time}", new: "      created: {type: string, format: date-time}\n      color: {type: string}",
			want:  []string{"compatible: Widget.Color: field added (schema Widget, field color)"},
			goAPI: true, severe: Compatible,
		},
		{
			name: "body field becomes required", old: "        required: [id]\n        properties:\n          id: {type: string}\n          size", new: "        required: [id, size]\n        properties:\n          id: {type: string}\n          size",
			want: []string{
				"breaking: CreateWidgetBody.Size: type *int → int (body of action createWidget, field size)",
				"breaking: action createWidget, body field size: now required (CreateWidgetParams.Body)",
			},
			goAPI: true, severe: Breaking,
		},
		{
			name: "required body field added", old: "        required: [id]\n        properties:\n          id: {type: string}\n", new: "        required: [id, color]\n        properties:\n          id: {type: string}\n          color: {type: string}\n",
			want: []string{
				"breaking: action createWidget, body field color: now required (CreateWidgetParams.Body)",
				"compatible: CreateWidgetBody.Color: field added (body of action createWidget, field color)",
			},
			goAPI: true, severe: Breaking,
		},
		{
			name: "required query param added", old: "      - {name: limit, in: query, schema: {type: integer}}", new: "      - {name: limit, in: query, schema: {type: integer}}\n      - {name: shop, in: query, required: true, schema: {type: string}}",
			want: []string{
				"breaking: action listWidgets, param shop (query): now required (ListWidgetsParams.Shop)",
				"compatible: ListWidgetsParams.Shop: param added (params of action listWidgets, param shop (query))",
			},
			goAPI: true, severe: Breaking,
		},
		{
			name: "method changed", old: "    method: DELETE", new: "    method: POST",
			want:   []string{"behaviour: action deleteWidget: method DELETE → POST (func (*Client) DeleteWidget)"},
			severe: Behaviour,
		},
		{
			name: "auth changed", old: "auth: {type: bearer}", new: "auth: {type: apiKey, in: header, name: X-Key}",
			want: []string{
				"breaking: Config.AccessToken: field removed (Config, auth bearer credential)",
				"behaviour: auth {type: bearer} → {type: apiKey, in: header, name: X-Key}",
				"compatible: Config.APIKey: field added (Config, auth apiKey credential)",
			},
			goAPI: true, severe: Breaking,
		},
		{
			name: "pagination added", old: "    response: {schema: {type: array, items: {$ref: \"#/schemas/Widget\"}}}", new: "    paginate: {style: page, page: limit}\n    response: {schema: {type: array, items: {$ref: \"#/schemas/Widget\"}}}",
			want: []string{
				"behaviour: action listWidgets: pagination none → {style: page, page: limit} (func (*Client) ListWidgets)",
				"compatible: action listWidgets (iterator over all pages) added (func (*Client) ListWidgetsAll)",
			},
			goAPI: true, severe: Behaviour,
		},
		{
			name: "path changed", old: "path: /widgets/{id}", new: "path: /v2/widgets/{id}",
			want:   []string{"behaviour: action deleteWidget: path /widgets/{id} → /v2/widgets/{id} (func (*Client) DeleteWidget)"},
			severe: Behaviour,
		},
		{
			name: "base URL and retry changed", old: "baseURL: https://api.widgets.test", new: "baseURL: https://eu.widgets.test\nretry: {maxAttempts: 1}",
			want: []string{
				"behaviour: baseURL https://api.widgets.test → https://eu.widgets.test (DefaultBaseURL)",
				"behaviour: retry none → {maxAttempts: 1}",
			},
			severe: Behaviour,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := load(t, "old.yaml", base)
			new := load(t, "new.yaml", mustReplace(t, base, tc.old, tc.new))
			changes, err := Compare(old, new, mod)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(changes) > 0 && changes[0].Kind != tc.severe {
				t.Errorf("most severe kind %s, want %s", changes[0].Kind, tc.severe)
			}
			// The Go API lines are apidiff's, with its verdict as their kind.
			fromAPIDiff := 0
			for _, c := range changes {
				if c.apidiff != nil {
					fromAPIDiff++
					if want := c.apidiff.Compatible; (c.Kind == Compatible) != want {
						t.Errorf("%s: apidiff says compatible=%v", c, want)
					}
				} else if c.Kind == Compatible {
					t.Errorf("%s: a compatible line apidiff did not report", c)
				}
			}
			if (fromAPIDiff > 0) != tc.goAPI {
				t.Errorf("%d lines from apidiff, want some: %v", fromAPIDiff, tc.goAPI)
			}
		})
	}
}

// A body whose required $ref properties fan out (40 per schema, 4 levels:
// 40^4 = 2.56M paths) is listed up to maxRequiredPaths, not walked whole.
func TestRequiredFieldsBounded(t *testing.T) {
	s := &spec.Spec{}
	for level := 0; level < 4; level++ {
		sc := &spec.Schema{Type: "object"}
		for i := 0; i < 40; i++ {
			name := "p" + strings.Repeat("x", i)
			sc.Required = append(sc.Required, name)
			p := &spec.Schema{Type: "string"}
			if level < 3 {
				p = &spec.Schema{Ref: spec.RefPrefix + "L" + string(rune('1'+level))}
			}
			sc.Properties = append(sc.Properties, spec.NamedSchema{Name: name, Schema: p})
		}
		s.Schemas = append(s.Schemas, spec.NamedSchema{Name: "L" + string(rune('0'+level)), Schema: sc})
	}
	got := requiredFields(s, &spec.Schema{Ref: spec.RefPrefix + "L0"})
	if len(got) != maxRequiredPaths {
		t.Fatalf("%d paths; want the bound, %d", len(got), maxRequiredPaths)
	}
	if !got["p"] || !got["p.p.p.p"] {
		t.Errorf("the first paths are missing: %v", len(got))
	}
}
