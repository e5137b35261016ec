package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	conngen "github.com/conngen/conngen"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
)

const shapesDoc = "testdata/import/shapes.yaml"

func shapeType(t *testing.T, c *model.Connector, name string) *model.Type {
	t.Helper()
	for _, typ := range c.Types {
		if typ.Name == name {
			return typ
		}
	}
	t.Fatalf("no type %s", name)
	return nil
}

// TestImportShapesModel: what the model decides for the shapes of issue
// 19 — a oneOf told apart by an inferred tag becomes a tagged union, one
// that is not stays a merged struct that loses neither enum values nor
// an empty object an alternative requires, properties beside
// requirement-only alternatives are a struct.
func TestImportShapesModel(t *testing.T) {
	s, _, err := openapi.Import(shapesDoc, openapi.Options{Auth: "token"})
	if err != nil {
		t.Fatal(err)
	}
	c := model.Build(s)
	part := shapeType(t, c, "Part")
	if part.Kind != model.Union || part.Discriminator != "type" {
		t.Fatalf("Part: kind %v discriminator %q, want a union by \"type\"", part.Kind, part.Discriminator)
	}
	var got []string
	for _, v := range part.Variants {
		got = append(got, v.GoName+"="+v.Tag)
	}
	if want := []string{"TextPart=text", "PartImage=image", "PartEmpty=empty"}; !slices.Equal(got, want) {
		t.Errorf("Part variants %v, want %v", got, want)
	}

	format := shapeType(t, c, "Format")
	if format.Kind != model.Struct {
		t.Fatalf("Format: kind %v, want a merged struct", format.Kind)
	}
	fields := map[string]*model.Field{}
	for _, f := range format.Fields {
		fields[f.JSONName] = f
	}
	typ := fields["type"]
	if typ == nil || typ.Type.Kind != model.Pointer {
		t.Fatalf("Format.type = %+v", typ)
	}
	var values []string
	for _, v := range shapeType(t, c, typ.Type.Elem.Name).Values {
		values = append(values, v.Value)
	}
	if want := []string{"text", "json_object", "json_schema"}; !slices.Equal(values, want) {
		t.Errorf("Format.type values %v, want every alternative's %v", values, want)
	}
	if is := fields["item_schema"]; is == nil || is.OmitEmpty || !is.OmitZero || is.Type.Kind != model.Map {
		t.Errorf("Format.item_schema = %+v, want a map tagged omitzero", is)
	}
	if st := fields["strict"]; st == nil || !st.OmitEmpty || st.OmitZero {
		t.Errorf("Format.strict = %+v, want omitempty", st)
	}

	att := shapeType(t, c, "Attachment")
	if att.Kind != model.Struct || len(att.Fields) != 3 {
		t.Errorf("Attachment: kind %v fields %d, want a struct of 3", att.Kind, len(att.Fields))
	}
}

// TestImportShapesCall imports the document, then calls the connector
// (through conngen call, so through Invoke, the typed methods and the
// union JSON methods) against a loopback server that echoes bodies:
// each alternative comes back as it was sent, the merged struct sends
// an empty object, and the action that accepts only another OAuth2
// scheme sends that scheme's token as a bearer token.
func TestImportShapesCall(t *testing.T) {
	callSetup(t)
	code, specYAML, errOut := run("import", "--auth", "token", shapesDoc)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "warning: #/paths/~1org~1members/get/security: Auth: the document accepts only orgAuth here, not token") ||
		!strings.Contains(errOut, "as an access token of the OAuth2 scheme orgAuth, in Authorization: Bearer") {
		t.Errorf("import warnings lack the per-action OAuth2 credential:\n%s", errOut)
	}
	specPath := filepath.Join(t.TempDir(), "acmeshapes.yaml")
	if err := os.WriteFile(specPath, []byte(specYAML), 0o644); err != nil {
		t.Fatal(err)
	}

	type seen struct{ path, auth, body string }
	var mu sync.Mutex
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, seen{r.URL.Path, r.Header.Get("Authorization"), string(body)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "GET" {
			w.Write([]byte(`{"id":"m1"}`))
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	t.Setenv(model.EnvName("acmeshapes", "BaseURL"), srv.URL)
	t.Setenv(model.EnvName("acmeshapes", "AccessToken"), "personal-t0ken")
	t.Setenv(model.EnvName("acmeshapes", "OrgAuth"), "org-t0ken")
	last := func() seen {
		mu.Lock()
		defer mu.Unlock()
		if len(reqs) == 0 {
			t.Fatal("nothing sent")
		}
		return reqs[len(reqs)-1]
	}
	sameJSON := func(a, b string) bool {
		var x, y any
		return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && jsonEqual(x, y)
	}

	for _, c := range []struct{ action, body string }{
		{"createPart", `{"type":"text","text":"hello"}`},
		{"createPart", `{"type":"image","url":"https://x.test/a.png","detail":"low"}`},
		{"createPart", `{"type":"empty","meta":{}}`},
		{"setFormat", `{"type":"json_schema","item_schema":{}}`},
		{"setFormat", `{"type":"text"}`},
		{"attach", `{"url":"https://x.test/f","name":"f"}`},
	} {
		code, out, errOut := run("call", specPath, c.action, "body="+c.body)
		if code != 0 {
			t.Errorf("%s %s: exit %d\n%s", c.action, c.body, code, errOut)
			continue
		}
		if got := last(); !sameJSON(got.body, c.body) || got.auth != "Bearer personal-t0ken" {
			t.Errorf("%s sent %s with %q, want %s with the connector's token", c.action, got.body, got.auth, c.body)
		}
		if !sameJSON(out, c.body) {
			t.Errorf("%s: the answer decoded and printed as %s, want %s", c.action, out, c.body)
		}
	}

	// The requirement alternatives are Invoke's to check: neither file_id
	// nor url is refused before anything is sent.
	n := len(reqs)
	if code, _, errOut := run("call", specPath, "attach", `body={"name":"f"}`); code != 1 || !strings.Contains(errOut, "matches none of the 2 alternatives") {
		t.Errorf("attach without file_id or url: exit %d\n%s", code, errOut)
	}
	if len(reqs) != n {
		t.Error("a refused input was sent")
	}

	code, out, errOut := run("call", specPath, "listOrgMembers")
	if code != 0 || !strings.Contains(out, `"m1"`) {
		t.Fatalf("listOrgMembers: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := last(); got.path != "/org/members" || got.auth != "Bearer org-t0ken" {
		t.Errorf("listOrgMembers sent %+v, want the orgAuth token as a bearer token", got)
	}
	if strings.Contains(out+errOut, "org-t0ken") || strings.Contains(out+errOut, "personal-t0ken") {
		t.Error("a token was printed")
	}
}

// unionRoundTrip is a test of the generated package: each alternative of
// Part decodes into the field its tag names, and encodes back as it came.
const unionRoundTrip = `package acmeshapes

import (
	"encoding/json"
	"testing"
)

func TestPartRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in  string
		set func(p Part) bool
	}{
		{` + "`" + `{"text":"hello","type":"text"}` + "`" + `, func(p Part) bool { return p.TextPart != nil && p.TextPart.Text == "hello" && p.PartImage == nil && p.PartEmpty == nil }},
		{` + "`" + `{"detail":"low","type":"image","url":"u"}` + "`" + `, func(p Part) bool { return p.PartImage != nil && p.PartImage.URL == "u" && *p.PartImage.Detail == PartImageDetailLow && p.TextPart == nil }},
		{` + "`" + `{"meta":{},"type":"empty"}` + "`" + `, func(p Part) bool { return p.PartEmpty != nil && p.PartEmpty.Meta != nil && len(p.PartEmpty.Meta) == 0 }},
		{` + "`" + `{"type":"video","x":1}` + "`" + `, func(p Part) bool { return p.TextPart == nil && p.PartImage == nil && p.PartEmpty == nil && string(p.Unknown) != "" }},
	} {
		var p Part
		if err := json.Unmarshal([]byte(c.in), &p); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !c.set(p) {
			t.Errorf("%s decoded as %+v", c.in, p)
		}
		out, err := json.Marshal(p)
		if err != nil || string(out) != c.in {
			t.Errorf("%s encoded back as %s (%v)", c.in, out, err)
		}
	}
	// Built in Go, not decoded: the tag is the caller's to set.
	out, _ := json.Marshal(Part{PartImage: &PartImage{Type: PartImageTypeImage, URL: "v"}})
	if string(out) != ` + "`" + `{"type":"image","url":"v"}` + "`" + ` {
		t.Errorf("built PartImage encoded as %s", out)
	}
	out, _ = json.Marshal(Format{Type: new(FormatTypeJSONSchema), ItemSchema: map[string]any{}})
	if string(out) != ` + "`" + `{"type":"json_schema","item_schema":{}}` + "`" + ` {
		t.Errorf("Format with an empty item_schema encoded as %s", out)
	}
	out, _ = json.Marshal(Format{Type: new(FormatTypeText)})
	if string(out) != ` + "`" + `{"type":"text"}` + "`" + ` {
		t.Errorf("Format without item_schema encoded as %s", out)
	}
}
`

// TestImportShapesGenerated generates the imported connector into a
// module of its own and runs unionRoundTrip there.
func TestImportShapesGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a connector")
	}
	dir := t.TempDir()
	code, specYAML, errOut := run("import", "--auth", "token", shapesDoc)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	specPath := filepath.Join(dir, "acmeshapes.yaml")
	os.WriteFile(specPath, []byte(specYAML), 0o644)
	if code, _, errOut := run("generate", "-o", filepath.Join(dir, "out"), specPath); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, errOut)
	}
	version, sum, err := conngen.Requirement(conngen.OAuth2)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "out", "go.mod"), []byte("module shapes\n\ngo 1.26.0\n\nrequire "+conngen.OAuth2+" "+version+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "out", "go.sum"), []byte(sum), 0o644)
	os.WriteFile(filepath.Join(dir, "out", "acmeshapes", "roundtrip_test.go"), []byte(unionRoundTrip), 0o644)
	cmd := exec.Command("go", "test", "-run", "^TestPartRoundTrip$", "./acmeshapes")
	cmd.Dir = filepath.Join(dir, "out")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok") || strings.Contains(string(out), "no tests to run") {
		t.Fatalf("go test in the generated package: %v\n%s", err, out)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
