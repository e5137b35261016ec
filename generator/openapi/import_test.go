package openapi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

// imp imports doc and checks that the result is a spec the loader accepts.
func imp(t *testing.T, doc string, opts Options) (*spec.Spec, []Warning) {
	t.Helper()
	s, warns, err := ImportData([]byte(doc), "", opts)
	if err != nil {
		t.Fatalf("ImportData: %v", err)
	}
	out, err := yaml.Marshal(s)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if _, _, err := spec.Load("imported.yaml", out); err != nil {
		t.Fatalf("spec.Load: %v\n%s", err, out)
	}
	return s, warns
}

func hasWarning(warns []Warning, ptr, substr string) bool {
	for _, w := range warns {
		if w.Pointer == ptr && strings.Contains(w.Message, substr) {
			return true
		}
	}
	return false
}

func wantWarning(t *testing.T, warns []Warning, ptr, substr string) {
	t.Helper()
	if !hasWarning(warns, ptr, substr) {
		t.Errorf("no warning %q at %s; got:\n%s", substr, ptr, warnList(warns))
	}
}

func warnList(warns []Warning) string {
	var b strings.Builder
	for _, w := range warns {
		b.WriteString("  " + w.String() + "\n")
	}
	return b.String()
}

func action(t *testing.T, s *spec.Spec, name string) *spec.Action {
	t.Helper()
	for i := range s.Actions {
		if s.Actions[i].Name == name {
			return &s.Actions[i]
		}
	}
	var names []string
	for _, a := range s.Actions {
		names = append(names, a.Name)
	}
	t.Fatalf("no action %s; have %v", name, names)
	return nil
}

func param(t *testing.T, a *spec.Action, name string) *spec.Param {
	t.Helper()
	for i := range a.Params {
		if a.Params[i].Name == name {
			return &a.Params[i]
		}
	}
	t.Fatalf("action %s has no param %s", a.Name, name)
	return nil
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

const head = `openapi: 3.0.3
info: {title: Test API, version: "1.0"}
servers: [{url: "https://api.example.com/v1"}]
`

func TestWarningString(t *testing.T) {
	w := Warning{Pointer: "#/paths/~1x/get", Message: "cookie parameter session not supported; dropped"}
	eq(t, "String", w.String(), "#/paths/~1x/get: cookie parameter session not supported; dropped")
}

func TestErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":      "",
		"not yaml":   "{{{: [",
		"no openapi": "title: x\n",
		"a list":     "- a\n- b\n",
	} {
		if _, _, err := ImportData([]byte(doc), "", Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, _, err := Import("/nonexistent/openapi.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/openapi.yaml") {
		t.Errorf("Import of a missing file: %v, want an error naming the path", err)
	}
}

func TestName(t *testing.T) {
	for title, want := range map[string]string{
		"Spotify Web API": "spotifywebapi",
		"42 Things v2":    "thingsv2",
		"":                "connector",
		"!!!":             "connector",
		"Café API":        "cafapi",
	} {
		s, _ := imp(t, "openapi: 3.0.0\ninfo: {title: "+yamlQuote(title)+", version: '1'}\nservers: [{url: 'https://x.example.com'}]\npaths: {}\n", Options{})
		eq(t, "name of "+title, s.Name, want)
	}
	s, _ := imp(t, head+"paths: {}\n", Options{Name: "mine"})
	eq(t, "--name", s.Name, "mine")
	s, warns := imp(t, head+"paths: {}\n", Options{Name: "My-Name"})
	eq(t, "bad --name", s.Name, "myname")
	wantWarning(t, warns, "", "not ^[a-z][a-z0-9]*$")
}

func yamlQuote(s string) string {
	b, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(b))
}

func TestActionNames(t *testing.T) {
	for in, want := range map[string]string{
		"repos/list-for-org": "reposListForOrg",
		"GetUser":            "getUser",
		"GET_USER":           "getUser",
		"chat.postMessage":   "chatPostMessage",
		"listHTTPServers":    "listHTTPServers",
		"2fa-enable":         "op2faEnable",
		"get_my_oauth2_app":  "getMyOauth2App",
	} {
		eq(t, "lowerCamel("+in+")", lowerCamel(in), want)
	}
	s, _ := imp(t, head+`paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
    delete:
      operationId: authPing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /a:
    get: {operationId: list, responses: {"200": {description: ok}}}
    post: {operationId: listAll, responses: {"200": {description: ok}}}
    put: {operationId: List, responses: {"200": {description: ok}}}
    delete: {operationId: new, responses: {"200": {description: ok}}}
`, Options{})
	var names []string
	for _, a := range s.Actions {
		names = append(names, a.Name)
	}
	// /a sorts first; GET PUT POST DELETE order within a path
	eq(t, "names", names, []string{"list", "list2", "listAll2", "new2", "getPetsId", "authPing2"})
}

func TestAuthChoice(t *testing.T) {
	schemes := `components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
    basic: {type: http, scheme: basic}
    code:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: /oauth/authorize
          tokenUrl: https://auth.example.com/token
          refreshUrl: https://auth.example.com/token
          scopes: {write: w, read: r}
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {admin: a}
`
	// tie (one operation each): oauth2 authorizationCode is preferred
	doc := head + `paths:
  /me:
    get: {security: [{code: [read, undeclared]}], responses: {"200": {description: ok}}}
  /keys:
    get: {security: [{key: []}], responses: {"200": {description: ok}}}
` + schemes
	s, warns := imp(t, doc, Options{})
	eq(t, "auth.type", s.Auth.Type, "oauth2")
	eq(t, "grant", s.Auth.Grant, "authorizationCode")
	eq(t, "authorizeURL (relative, resolved against the server)", s.Auth.AuthorizeURL, "https://api.example.com/oauth/authorize")
	eq(t, "tokenURL", s.Auth.TokenURL, "https://auth.example.com/token")
	eq(t, "refreshURL (same as token: omitted)", s.Auth.RefreshURL, "")
	eq(t, "scopes (union, sorted)", s.Auth.Scopes, []string{"admin", "read", "write"})
	eq(t, "action scopes", action(t, s, "getMe").Scopes, []string{"read"})
	wantWarning(t, warns, "#/paths/~1me/get/security", `scope "undeclared"`)
	wantWarning(t, warns, "#/components/securitySchemes/key", "not used")
	eq(t, "ping", s.Ping, &spec.Ping{Method: "GET", Path: "/me", Expect: []int{200}})

	// the most used scheme wins, global security counting for every operation without its own
	doc = head + `security: [{basic: []}]
paths:
  /a: {get: {responses: {"200": {description: ok}}}}
  /b: {get: {responses: {"200": {description: ok}}}}
  /c: {get: {security: [{code: []}], responses: {"200": {description: ok}}}}
  /d: {get: {security: [], responses: {"200": {description: ok}}}}
` + schemes
	s, _ = imp(t, doc, Options{})
	eq(t, "auth.type by count", s.Auth.Type, "basic")
	eq(t, "ping is authenticated", s.Ping.Path, "/a")

	// --auth wins
	s, _ = imp(t, doc, Options{Auth: "key"})
	eq(t, "--auth key", s.Auth, spec.Auth{Type: "apiKey", In: "header", Name: "X-API-Key"})
	// --auth naming no scheme is an error listing the schemes, closest first
	_, _, err := ImportData([]byte(doc), "", Options{Auth: "kye"})
	var oe OptionErrors
	if !errors.As(err, &oe) || len(oe) != 1 || oe[0].Option != "auth" || len(oe[0].Known) < 2 || oe[0].Known[0] != "key" {
		t.Fatalf("--auth kye: got %v, want an OptionError listing key first", err)
	}
}

func TestFiltersNamingNothing(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /a: {get: {operationId: listWidgets, tags: [widgets], responses: {"200": {description: ok}}}}
  /b: {get: {operationId: getStatus, tags: [status], responses: {"200": {description: ok}}}}
`
	_, _, err := ImportData([]byte(doc), "", Options{Tags: []string{"widget", "status"}, Operations: []string{"listWidget"}})
	var oe OptionErrors
	if !errors.As(err, &oe) {
		t.Fatalf("got %v, want OptionErrors", err)
	}
	got := oe.Error()
	want := "--tag widget: no operation has this tag; the document has widgets, status\n" +
		"--operation listWidget: no operation has this operationId; the document has listWidgets, getStatus"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// a filter that names something keeps only that
	s, _ := imp(t, doc, Options{Tags: []string{"status"}})
	if len(s.Actions) != 1 || s.Actions[0].Name != "getStatus" {
		t.Fatalf("--tag status kept %+v", s.Actions)
	}
}

func TestAuthMapping(t *testing.T) {
	empty := ""
	cases := []struct {
		name   string
		scheme string
		want   spec.Auth
		warn   string
	}{
		{"basic", `{type: http, scheme: Basic}`, spec.Auth{Type: "basic"}, ""},
		{"bearer", `{type: http, scheme: bearer, bearerFormat: JWT}`, spec.Auth{Type: "bearer"}, ""},
		{"query key", `{type: apiKey, in: query, name: appid}`, spec.Auth{Type: "apiKey", In: "query", Name: "appid"}, ""},
		{"cookie key", `{type: apiKey, in: cookie, name: sid}`, spec.Auth{Type: "apiKey", In: "cookie", Name: "sid"}, ""},
		{"authorization key", `{type: apiKey, in: header, name: Authorization, description: "Discord bot token"}`,
			spec.Auth{Type: "apiKey", In: "header", Name: "Authorization", Prefix: &empty}, `"Bot " prefix`},
		{"implicit", `{type: oauth2, flows: {implicit: {authorizationUrl: "https://x.example.com/auth", scopes: {a: b}}}}`,
			spec.Auth{Type: "bearer"}, "implicit flow not supported"},
		{"password", `{type: oauth2, flows: {password: {tokenUrl: "https://x.example.com/token", scopes: {}}}}`,
			spec.Auth{Type: "bearer"}, "password flow not supported"},
		{"client credentials", `{type: oauth2, flows: {clientCredentials: {tokenUrl: "https://x.example.com/token", scopes: {b: x, a: y}}}}`,
			spec.Auth{Type: "oauth2", Grant: "clientCredentials", TokenURL: "https://x.example.com/token", Scopes: []string{"a", "b"}}, ""},
		{"openIdConnect", `{type: openIdConnect, openIdConnectUrl: "https://x.example.com/.well-known/openid-configuration"}`,
			spec.Auth{Type: "bearer"}, "openIdConnect not supported"},
		{"digest", `{type: http, scheme: digest}`, spec.Auth{Type: "none"}, "not supported"},
		{"mutualTLS", `{type: mutualTLS}`, spec.Auth{Type: "none"}, "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + `security: [{s: []}]
paths:
  /me: {get: {responses: {"200": {description: ok}}}}
components:
  securitySchemes:
    s: ` + tc.scheme + "\n"
			s, warns := imp(t, doc, Options{})
			if tc.want.Type == "none" {
				// unsupported schemes are not chosen by the rule
				eq(t, "auth", s.Auth.Type, "none")
				if s.Ping != nil {
					t.Errorf("ping %v with auth none", s.Ping)
				}
			} else {
				eq(t, "auth", s.Auth, tc.want)
			}
			if tc.warn != "" {
				wantWarning(t, warns, "#/components/securitySchemes/s", tc.warn)
			}
		})
	}
}

func TestServers(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers:
  - url: "{scheme}://{region}.api.example.com/{baseUrl}/"
    variables:
      scheme: {default: https, enum: [https, http]}
      region: {default: us, enum: [us, eu, "bad/value"], description: Data centre region}
      baseUrl: {default: v2}
paths: {}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "baseURL", s.BaseURL, "https://{region}.api.example.com/{baseUrlParam}")
	eq(t, "connection", s.Connection, []spec.ConnParam{
		{Name: "region", Description: "Data centre region", Default: "us", Enum: []string{"us", "eu"}},
		{Name: "baseUrlParam", Default: "v2"},
	})
	wantWarning(t, warns, "#/servers/0/variables/region/enum", "not host-safe")
	wantWarning(t, warns, "#/servers/0/variables/baseUrl", "renamed to connection parameter baseUrlParam")
	wantWarning(t, warns, "#/servers/0/url", "scheme given by variable")

	s, warns = imp(t, "openapi: 3.0.0\ninfo: {title: T, version: '1'}\nservers: [{url: /api/v3}]\npaths: {}\n", Options{})
	eq(t, "relative baseURL", s.BaseURL, "https://{host}/api/v3")
	eq(t, "host param", s.Connection, []spec.ConnParam{{Name: "host", Description: "API host name", Required: true}})
	wantWarning(t, warns, "#/servers/0", "not absolute")

	s, warns = imp(t, "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths: {}\n", Options{})
	eq(t, "no servers", s.BaseURL, "https://{host}")
	wantWarning(t, warns, "#/servers", "no server URL")

	// the first absolute server wins over a relative one
	s, _ = imp(t, "openapi: 3.0.0\ninfo: {title: T, version: '1'}\nservers: [{url: /v1}, {url: 'http://b.example.com/v1/'}]\npaths: {}\n", Options{})
	eq(t, "absolute server", s.BaseURL, "http://b.example.com/v1")
}

func TestParams(t *testing.T) {
	doc := head + `paths:
  /items/{itemId}/{other}:
    parameters:
      - {name: itemId, in: path, required: true, schema: {type: integer, format: int64}}
      - {name: q, in: query, description: path-level, schema: {type: string}}
    get:
      operationId: getItem
      parameters:
        - {name: q, in: query, description: operation-level, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: Authorization, in: header, schema: {type: string}}
        - {name: X-Trace, in: header, required: true, schema: {type: string}}
        - {name: ids, in: query, style: form, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {a: {type: string}}}}
        - {name: obj, in: query, schema: {type: object, properties: {a: {type: string}}}}
        - {name: kind, in: query, schema: {$ref: "#/components/schemas/Kind"}}
        - {name: gone, in: path, required: true, schema: {type: string}}
        - {name: flat, in: query, explode: false, schema: {type: object, additionalProperties: {type: string}}}
        - {name: ranks, in: query, style: deepObject, schema: {type: array, items: {type: integer}}}
        - {name: scalar, in: query, style: deepObject, schema: {type: string}}
        - {name: list, in: query, schema: {type: array, items: {type: object}}}
        - {name: Accept, in: header, required: true, schema: {type: string, enum: [application/vnd.x+json]}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Kind: {type: string, enum: [a, b], default: a}
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
`
	s, warns := imp(t, doc, Options{})
	a := action(t, s, "getItem")
	var names []string
	for _, p := range a.Params {
		names = append(names, p.In+":"+p.Name)
	}
	eq(t, "params", names, []string{"path:itemId", "query:q", "header:X-Trace", "query:ids", "query:tags", "query:filter", "query:obj", "query:kind",
		"query:flat", "query:ranks", "query:scalar", "query:list", "path:other"})
	eq(t, "merged q", param(t, a, "q").Description, "operation-level")
	eq(t, "itemId", *param(t, a, "itemId"), spec.Param{Name: "itemId", In: "path", Required: true, Schema: &spec.Schema{Type: "integer", Format: "int64"}})
	f := false
	eq(t, "ids explode", param(t, a, "ids").Explode, &f)
	eq(t, "tags explode", param(t, a, "tags").Explode, (*bool)(nil))
	objA := &spec.Schema{Type: "object", Properties: spec.Schemas{{Name: "a", Schema: &spec.Schema{Type: "string"}}}}
	eq(t, "filter (deepObject)", *param(t, a, "filter"), spec.Param{Name: "filter", In: "query", Style: spec.StyleDeepObject, Schema: objA})
	eq(t, "obj (form, exploded)", *param(t, a, "obj"), spec.Param{Name: "obj", In: "query", Schema: objA})
	eq(t, "flat (form, not exploded)", *param(t, a, "flat"), spec.Param{Name: "flat", In: "query", Explode: &f,
		Schema: &spec.Schema{Type: "object", AdditionalProperties: &spec.AdditionalProperties{Schema: &spec.Schema{Type: "string"}}}})
	eq(t, "ranks (deepObject list)", *param(t, a, "ranks"), spec.Param{Name: "ranks", In: "query", Style: spec.StyleDeepObject,
		Schema: &spec.Schema{Type: "array", Items: &spec.Schema{Type: "integer"}}})
	eq(t, "scalar (deepObject)", param(t, a, "scalar").Schema, &spec.Schema{Type: "string"})
	eq(t, "list of objects", param(t, a, "list").Schema, &spec.Schema{Type: "string"})
	eq(t, "Accept kept as response.accept", a.Response.Accept, []string{"application/vnd.x+json"})
	eq(t, "kind (inlined)", param(t, a, "kind").Schema, &spec.Schema{Type: "string", Enum: []any{"a", "b"}, Default: "a"})
	eq(t, "other (undeclared)", *param(t, a, "other"), spec.Param{Name: "other", In: "path", Required: true, Schema: &spec.Schema{Type: "string"}})
	op := "#/paths/~1items~1{itemId}~1{other}/get"
	wantWarning(t, warns, op+"/parameters/1", "cookie parameter session not supported; dropped")
	wantWarning(t, warns, op+"/parameters/2", "header parameter Authorization dropped")
	for _, w := range warns {
		if strings.HasPrefix(w.Pointer, op+"/parameters/6") || strings.HasPrefix(w.Pointer, op+"/parameters/7") || strings.HasPrefix(w.Pointer, op+"/parameters/10") || strings.HasPrefix(w.Pointer, op+"/parameters/11") {
			t.Errorf("warning on an object query param the connector encodes: %s: %s", w.Pointer, w.Message)
		}
	}
	wantWarning(t, warns, op+"/parameters/12/schema", "schema of parameter scalar"+StringParamWarning)
	wantWarning(t, warns, op+"/parameters/13/schema", "schema of parameter list"+StringParamWarning)
	wantWarning(t, warns, op+"/parameters/9", "not in the path")
	wantWarning(t, warns, op, "path parameter other is not declared")
}

func TestBodies(t *testing.T) {
	doc := head + `paths:
  /json:
    post:
      requestBody:
        required: true
        content:
          text/plain: {schema: {type: string}}
          application/x-www-form-urlencoded: {schema: {type: object}}
          application/vnd.api+json: {schema: {$ref: "#/components/schemas/New"}}
      responses: {"201": {description: ok}}
  /form:
    post:
      requestBody:
        content:
          multipart/form-data: {schema: {type: object, properties: {f: {type: string, format: binary}}}}
          application/x-www-form-urlencoded: {schema: {type: object, properties: {a: {type: string}}}}
      responses: {"200": {description: ok}}
  /text:
    put:
      requestBody:
        content:
          text/plain: {schema: {type: string}}
      responses: {"200": {description: ok}}
components:
  schemas:
    New: {type: object, properties: {name: {type: string}}}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "json body", action(t, s, "postJson").Body, &spec.Body{ContentType: "application/json", Required: true, Schema: &spec.Schema{Ref: "#/schemas/New"}})
	eq(t, "form body", action(t, s, "postForm").Body.ContentType, "application/x-www-form-urlencoded")
	// Other media types stay raw bytes sent with their own Content-Type.
	eq(t, "text body", action(t, s, "putText").Body, &spec.Body{ContentType: "text/plain", Schema: &spec.Schema{Type: "string", Format: "binary"}})
	_ = warns
}

func TestResponses(t *testing.T) {
	doc := head + `paths:
  /a:
    get:
      responses:
        "202": {description: later, content: {application/json: {schema: {type: string}}}}
        "200": {description: ok, content: {application/json; charset=utf-8: {schema: {$ref: "#/components/schemas/A"}}}}
        default: {description: err, content: {application/json: {schema: {type: object}}}}
  /b:
    get:
      responses:
        "200": {description: ok, content: {text/csv: {schema: {type: string}}}}
        "201": {description: ok, content: {application/problem+json: {schema: {type: integer}}}}
  /c:
    get:
      responses:
        "200": {description: ok, content: {application/xml: {schema: {type: string}}, text/xml: {schema: {type: string}}}}
  /d:
    get:
      responses:
        "200": {description: ok, content: {application/pdf: {schema: {type: string, format: binary}}, image/*: {schema: {type: string, format: binary}}}}
  /f:
    get:
      responses:
        "200": {description: ok, content: {text/event-stream: {schema: {type: string}}}}
  /e:
    get:
      parameters:
        - {name: accept, in: header, schema: {type: string}}
      responses:
        "302": {description: elsewhere, headers: {Location: {schema: {type: string}}}}
        "404": {description: none}
components:
  schemas:
    A: {type: object, properties: {x: {type: string}}}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "lowest 2xx JSON", action(t, s, "getA").Response, &spec.Response{Schema: &spec.Schema{Ref: "#/schemas/A"}})
	eq(t, "+json", action(t, s, "getB").Response, &spec.Response{Schema: &spec.Schema{Type: "integer"}, Accept: []string{"application/problem+json"}})
	eq(t, "no JSON", action(t, s, "getC").Response, &spec.Response{Accept: []string{"application/xml", "text/xml"}})
	eq(t, "stream", action(t, s, "getD").Response, &spec.Response{Stream: true, Accept: []string{"application/pdf", "image/*"}})
	eq(t, "redirect", action(t, s, "getE").Response, &spec.Response{Redirect: true})
	eq(t, "events only", action(t, s, "getF").Response, &spec.Response{Accept: []string{"text/event-stream"}})
	wantWarning(t, warns, "#/paths/~1e/get/responses", NoSuccessWarning)
	wantWarning(t, warns, "#/paths/~1e/get/parameters", "header parameter accept dropped")
}

func TestSchemas(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: T, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /n:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}
components:
  schemas:
    Node:
      type: object
      required: [id, missing]
      properties:
        id: {type: [string, "null"], format: uuid, readOnly: true, example: x}
        count: {type: integer, format: weird, default: "ten", minimum: 0}
        size: {type: integer, default: 3, enum: [1, 3, null]}
        kind: {const: leaf}
        either: {type: [string, integer]}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        meta: {type: object, additionalProperties: {type: string}}
        closed: {type: object, additionalProperties: false}
        not: {not: {type: string}}
        long: {type: string, description: "` + strings.Repeat("word ", 200) + `"}
    node: {allOf: [{$ref: "#/components/schemas/Node"}, {type: object, properties: {extra: {type: boolean}}}]}
    "Bad Name!": {oneOf: [{type: string}, {type: integer}], discriminator: {propertyName: x}}
`
	s, warns := imp(t, doc, Options{})
	var names []string
	for _, ns := range s.Schemas {
		names = append(names, ns.Name)
	}
	eq(t, "schema names", names, []string{"Bad_Name", "Node", "node2"})
	node := s.Schemas.Get("Node")
	p := func(name string) *spec.Schema { return node.Properties.Get(name) }
	eq(t, "required", node.Required, []string{"id", "missing"})
	eq(t, "missing", p("missing"), &spec.Schema{})
	eq(t, "id", p("id"), &spec.Schema{Type: "string", Format: "uuid", Nullable: true})
	eq(t, "count", p("count"), &spec.Schema{Type: "integer", Minimum: new(float64)})
	eq(t, "size", p("size"), &spec.Schema{Type: "integer", Enum: []any{int64(1), int64(3)}, Nullable: true, Default: int64(3)})
	eq(t, "kind", p("kind"), &spec.Schema{Type: "string", Enum: []any{"leaf"}})
	eq(t, "either", p("either"), &spec.Schema{})
	eq(t, "children", p("children"), &spec.Schema{Type: "array", Items: &spec.Schema{Ref: "#/schemas/Node"}})
	eq(t, "meta", p("meta").AdditionalProperties, &spec.AdditionalProperties{Schema: &spec.Schema{Type: "string"}})
	eq(t, "closed", p("closed").AdditionalProperties, &spec.AdditionalProperties{Allowed: false})
	if d := p("long").Description; len(d) > 610 || !strings.HasSuffix(d, "...") {
		t.Errorf("long description not cut: %d bytes", len(d))
	}
	eq(t, "node2", s.Schemas.Get("node2").AllOf[0], &spec.Schema{Ref: "#/schemas/Node"})
	eq(t, "Bad_Name", s.Schemas.Get("Bad_Name"), &spec.Schema{OneOf: []*spec.Schema{{Type: "string"}, {Type: "integer"}}, Discriminator: &spec.Discriminator{PropertyName: "x"}})
	wantWarning(t, warns, "#/components/schemas/Node/properties/either/type", "not supported")
	wantWarning(t, warns, "#/components/schemas/Node/properties/not/not", "not is not supported")
	wantWarning(t, warns, "#/components/schemas/Bad Name!", "renamed Bad_Name")
	wantWarning(t, warns, "#/components/schemas/node", "renamed node2")
	wantWarning(t, warns, "#/components/schemas/Node/required/1", `required property "missing" is declared nowhere`)
}

// A required name that no property declares (not the schema's own, not
// one of its allOf parts') becomes a property of any JSON value, so that a
// client can send it.
func TestUndeclaredRequired(t *testing.T) {
	body := func(schema string) string {
		return "      requestBody:\n        required: true\n        content:\n          application/json: {schema: " + schema + "}\n      responses: {\"204\": {description: ok}}\n"
	}
	doc := head + "paths:\n" +
		"  /own:\n    post:\n" + body(`{$ref: "#/components/schemas/Revoke"}`) +
		"  /nested:\n    post:\n" + body(`{type: object, required: [by], properties: {by: {type: object, required: [id], properties: {login: {type: string}}}}}`) +
		"  /allof:\n    post:\n" + body(`{type: object, allOf: [{$ref: "#/components/schemas/Check"}], required: [name, method, kind, name]}`) +
		"  /both:\n    post:\n" + body(`{type: object, allOf: [{$ref: "#/components/schemas/Check"}], properties: {extra: {type: integer}}, required: [extra, name, other]}`) +
		"  /parts:\n    post:\n" + body(`{allOf: [{$ref: "#/components/schemas/Check"}, {type: object, properties: {extra: {type: integer}}, required: [name, extra, gone]}]}`) +
		"  /branches:\n    post:\n" + body(`{type: object, properties: {a: {type: string}}, required: [a, x], oneOf: [{type: object, properties: {x: {type: string}}, required: [x, y]}, {required: [a]}]}`) +
		"  /free:\n    post:\n" + body(`{type: object, required: [anything]}`) +
		`components:
  schemas:
    Revoke:
      type: object
      properties:
        token: {type: string}
        client_id: {type: string}
      required: [grant_type, token]
    Check:
      type: object
      properties:
        name: {type: string}
      allOf: [{$ref: "#/components/schemas/Base"}]
    Base: {type: object, properties: {kind: {type: string}}}
`
	s, warns := imp(t, doc, Options{})
	undeclared := func(name string) string {
		return `required property "` + name + `" is declared nowhere: typed as any JSON value`
	}
	bodyOf := func(name string) *spec.Schema { return action(t, s, name).Body.Schema }
	propNames := func(x *spec.Schema) []string {
		var out []string
		for _, p := range x.Properties {
			out = append(out, p.Name)
		}
		return out
	}

	// own properties: the missing name joins them, in name order
	revoke := s.Schemas.Get("Revoke")
	eq(t, "Revoke properties", propNames(revoke), []string{"client_id", "grant_type", "token"})
	eq(t, "Revoke grant_type", revoke.Properties.Get("grant_type"), &spec.Schema{})
	eq(t, "Revoke required", revoke.Required, []string{"grant_type", "token"})
	wantWarning(t, warns, "#/components/schemas/Revoke/required/0", undeclared("grant_type"))

	by := bodyOf("postNested").Properties.Get("by")
	eq(t, "nested properties", propNames(by), []string{"id", "login"})
	eq(t, "nested required", by.Required, []string{"id"})
	wantWarning(t, warns, "#/paths/~1nested/post/requestBody/content/application~1json/schema/properties/by/required/0", undeclared("id"))

	// allOf: the missing name is a property beside the allOf; a name a
	// part declares (name), or a part of a part (kind), is not repeated
	check := bodyOf("postAllof")
	eq(t, "allOf body", check, &spec.Schema{
		Type:       "object",
		Properties: spec.Schemas{{Name: "method", Schema: &spec.Schema{}}},
		Required:   []string{"name", "method", "kind"},
		AllOf:      []*spec.Schema{{Ref: "#/schemas/Check"}},
	})
	wantWarning(t, warns, "#/paths/~1allof/post/requestBody/content/application~1json/schema/required/1", undeclared("method"))
	for _, i := range []string{"0", "2", "3"} {
		if hasWarning(warns, "#/paths/~1allof/post/requestBody/content/application~1json/schema/required/"+i, "declared nowhere") {
			t.Errorf("warning for required/%s, which Check or its part Base declares:\n%s", i, warnList(warns))
		}
	}

	// own properties and allOf: names of the parts stay required
	both := bodyOf("postBoth")
	eq(t, "both properties", propNames(both), []string{"extra", "other"})
	eq(t, "both required", both.Required, []string{"extra", "name", "other"})
	wantWarning(t, warns, "#/paths/~1both/post/requestBody/content/application~1json/schema/required/2", undeclared("other"))

	// an inline allOf part: a name a sibling part declares is not added
	part := bodyOf("postParts").AllOf[1]
	eq(t, "part properties", propNames(part), []string{"extra", "gone"})
	eq(t, "part required", part.Required, []string{"extra", "gone"})

	// oneOf alternatives and property-less objects are left alone
	br := bodyOf("postBranches")
	eq(t, "branches properties", propNames(br), []string{"a"})
	eq(t, "branches required", br.Required, []string{"a"})
	eq(t, "branch 0 properties", propNames(br.OneOf[0]), []string{"x"})
	eq(t, "free", bodyOf("postFree"), &spec.Schema{Type: "object"})

	var got []string
	for _, w := range warns {
		if strings.Contains(w.Message, "declared nowhere") {
			got = append(got, w.Message)
		}
	}
	eq(t, "undeclared warnings", got, []string{undeclared("grant_type"), undeclared("method"), undeclared("other"), undeclared("id"), undeclared("gone")})

	// the generator merges the allOf with the added property: the body
	// struct has both, each required
	eq(t, "fields of postAllof's body", bodyFields(t, s, "postAllof"), []string{"kind string omitempty=false", "name string omitempty=false", "method RawMessage omitempty=false"})
}

// bodyFields lists the fields of the Go type of action's request body as
// "json type omitempty=bool".
func bodyFields(t *testing.T, s *spec.Spec, action string) []string {
	t.Helper()
	c := model.Build(s)
	var typeName string
	for _, a := range c.Actions {
		if a.Name == action && a.Body != nil {
			typeName = a.Body.Type.Name
			if a.Body.Type.Kind == model.Pointer {
				typeName = a.Body.Type.Elem.Name
			}
		}
	}
	var fields []string
	for _, typ := range c.Types {
		if typ.Name == typeName {
			for _, f := range typ.Fields {
				typ := f.Type.Name
				switch f.Type.Kind {
				case model.Pointer:
					typ = "*" + f.Type.Elem.Name
				case model.Slice:
					typ = "[]" + f.Type.Elem.Name
				}
				fields = append(fields, fmt.Sprintf("%s %s omitempty=%v", f.JSONName, typ, f.OmitEmpty))
			}
		}
	}
	if fields == nil {
		t.Errorf("%s: body type %q is not a struct", action, typeName)
	}
	return fields
}

// TestRequirementOnlyParts: DigitalOcean's firewall bodies are {allOf:
// [firewall, {required: [name]}, {anyOf: [{required: [inbound_rules]},
// {required: [outbound_rules]}]}]}. The parts that only add requirements
// keep them, and the body is one struct (not json.RawMessage) in which
// name is required and the anyOf's names stay optional. A part that adds
// an untyped property (an undeclared required name) after the part that
// types it does not untype it.
func TestRequirementOnlyParts(t *testing.T) {
	body := func(schema string) string {
		return "      requestBody:\n        required: true\n        content:\n          application/json: {schema: " + schema + "}\n      responses: {\"204\": {description: ok}}\n"
	}
	doc := head + "paths:\n" +
		"  /fw:\n    post:\n" + body(`{allOf: [{$ref: "#/components/schemas/Firewall"}, {required: [name]}, {anyOf: [{title: In, required: [in]}, {title: Out, required: [out]}]}]}`) +
		"  /late:\n    post:\n" + body(`{allOf: [{type: object, properties: {items: {type: array, items: {type: string}}}}, {$ref: "#/components/schemas/Paging"}]}`) +
		"  /beside:\n    post:\n" + body(`{type: object, properties: {file_id: {type: string}, url: {type: string}, detail: {type: string}}, required: [detail], oneOf: [{required: [file_id]}, {required: [url]}]}`) +
		"  /shaped:\n    post:\n" + body(`{type: object, properties: {archived: {type: boolean}}, oneOf: [{properties: {options: {type: array, items: {type: string}}}, required: [options]}, {title: other type}]}`) +
		"  /mixed:\n    post:\n" + body(`{allOf: [{$ref: "#/components/schemas/Paging"}], properties: {items: {type: array, items: {type: string}}, cursor: {type: string}}, anyOf: [{required: [next]}, {required: [cursor]}]}`) +
		`components:
  schemas:
    Firewall:
      type: object
      properties:
        name: {type: string}
        in: {type: array, items: {type: string}}
        out: {type: array, items: {type: string}}
    Paging:
      type: object
      properties:
        next: {type: string}
      required: [items]
`
	s, _ := imp(t, doc, Options{})
	fw := action(t, s, "postFw").Body.Schema
	eq(t, "required part", fw.AllOf[1], &spec.Schema{Required: []string{"name"}})
	eq(t, "anyOf part", fw.AllOf[2], &spec.Schema{AnyOf: []*spec.Schema{{Required: []string{"in"}}, {Required: []string{"out"}}}})
	eq(t, "fields of postFw's body", bodyFields(t, s, "postFw"),
		[]string{"in []string omitempty=true", "name string omitempty=false", "out []string omitempty=true"})
	eq(t, "fields of postLate's body", bodyFields(t, s, "postLate"),
		[]string{"items []string omitempty=false", "next *string omitempty=true"})
	// Beside properties (OpenAI's and Intercom's "file_id or url"), the
	// alternatives that only list required names keep them, for Invoke's
	// check, and the object is its struct: those fields stay optional.
	beside := action(t, s, "postBeside").Body.Schema
	eq(t, "oneOf beside properties", beside.OneOf, []*spec.Schema{{Required: []string{"file_id"}}, {Required: []string{"url"}}})
	eq(t, "fields of postBeside's body", bodyFields(t, s, "postBeside"),
		[]string{"detail string omitempty=false", "file_id *string omitempty=true", "url *string omitempty=true"})
	// Intercom's update_data_attribute_request: an alternative that
	// declares nothing beside one that adds a property: a merged struct,
	// options tagged omitzero (an alternative requires it; an empty list
	// is sent, nil is not).
	eq(t, "fields of postShaped's body", bodyFields(t, s, "postShaped"),
		[]string{"options []string omitempty=false", "archived *bool omitempty=true"})
	eq(t, "fields of postMixed's body", bodyFields(t, s, "postMixed"),
		[]string{"items []string omitempty=false", "next *string omitempty=true", "cursor *string omitempty=true"})
}

func TestBrokenRefs(t *testing.T) {
	doc := head + `paths:
  /a:
    get:
      parameters: [{$ref: "#/components/parameters/Missing"}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Gone"}}}}
  /b:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "https://example.com/schema.json"}}}}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "actions", len(s.Actions), 2)
	wantWarning(t, warns, "#/paths/~1a/get/responses/200/content/application~1json/schema", "does not resolve")
	wantWarning(t, warns, "#/paths/~1a/get/parameters/0", "does not resolve")
	wantWarning(t, warns, "#/paths/~1b/get/responses/200/content/application~1json/schema", "remote $ref")
}

func TestRelativeFileRefs(t *testing.T) {
	dir := t.TempDir()
	main := `openapi: 3.1.0
info: {title: Files, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "schemas/pet.yaml#/Pet"}}
  /owners:
    $ref: "paths/owners.yaml"
`
	pet := `Pet:
  type: object
  properties:
    name: {type: [string, "null"]}
    owner: {$ref: "#/Owner"}
Owner:
  type: object
  properties:
    id: {type: integer}
`
	owners := `get:
  operationId: listOwners
  responses:
    "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
`
	for name, body := range map[string]string{"openapi.yaml": main, "schemas/pet.yaml": pet, "paths/owners.yaml": owners} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, warns, err := Import(filepath.Join(dir, "openapi.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := yaml.Marshal(s)
	if _, _, err := spec.Load("x.yaml", out); err != nil {
		t.Fatalf("spec.Load: %v\n%s", err, out)
	}
	eq(t, "actions", len(s.Actions), 2)
	items := action(t, s, "listPets").Response.Schema.Items
	pet2 := s.Schemas.Get(items.RefName())
	if pet2 == nil {
		t.Fatalf("items %v: no schema; warnings:\n%s\n%s", items, warnList(warns), out)
	}
	eq(t, "pet name", pet2.Properties.Get("name"), &spec.Schema{Type: "string", Nullable: true})
	if owner := pet2.Properties.Get("owner"); owner.RefName() == "" || s.Schemas.Get(owner.RefName()) == nil {
		t.Errorf("owner = %v, want a reference to a schema", owner)
	}

	// without a location, file refs are warnings, not errors
	data, _ := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
	_, warns, err = ImportData(data, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantWarning(t, warns, "#/paths/~1pets/get/responses/200/content/application~1json/schema/items", "no location")
}

func TestSwagger2(t *testing.T) {
	doc := `{
  "swagger": "2.0",
  "info": {"title": "Old API", "version": "1"},
  "host": "old.example.com",
  "basePath": "/api",
  "schemes": ["http", "https"],
  "securityDefinitions": {
    "oauth": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://old.example.com/oauth/authorize",
      "tokenUrl": "https://old.example.com/oauth/token", "scopes": {"read": "r"}}
  },
  "security": [{"oauth": ["read"]}],
  "paths": {
    "/users/me": {"get": {"operationId": "me", "produces": ["application/json"],
      "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/User"}}}}},
    "/users": {"post": {"operationId": "createUser", "consumes": ["application/x-www-form-urlencoded"],
      "parameters": [{"name": "name", "in": "formData", "type": "string", "required": true},
                     {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"}, "collectionFormat": "csv"}],
      "responses": {"201": {"description": "ok"}}}}
  },
  "definitions": {
    "User": {"type": "object", "properties": {"name": {"type": "string", "x-nullable": true},
      "tags": {"type": "array", "items": [{"type": "string"}, {"type": "null"}]}}}
  }
}`
	s, warns := imp(t, doc, Options{})
	eq(t, "baseURL (https preferred)", s.BaseURL, "https://old.example.com/api")
	eq(t, "auth", s.Auth, spec.Auth{Type: "oauth2", Grant: "authorizationCode", AuthorizeURL: "https://old.example.com/oauth/authorize",
		TokenURL: "https://old.example.com/oauth/token", Scopes: []string{"read"}})
	eq(t, "me", action(t, s, "me").Response, &spec.Response{Schema: &spec.Schema{Ref: "#/schemas/User"}})
	eq(t, "me scopes", action(t, s, "me").Scopes, []string{"read"})
	cu := action(t, s, "createUser")
	eq(t, "form body", cu.Body.ContentType, "application/x-www-form-urlencoded")
	f := false
	eq(t, "csv explode", param(t, cu, "ids").Explode, &f)
	user := s.Schemas.Get("User")
	eq(t, "x-nullable", user.Properties.Get("name"), &spec.Schema{Type: "string", Nullable: true})
	eq(t, "tuple items", user.Properties.Get("tags"), &spec.Schema{Type: "array", Items: &spec.Schema{Type: "string"}})
	wantWarning(t, warns, "#/definitions/User/properties/tags/items", "tuple items")
	eq(t, "ping", s.Ping.Path, "/users/me")

	s, warns = imp(t, `{"swagger": "2.0", "info": {"title": "K", "version": "1"}, "paths": {}}`, Options{})
	eq(t, "no host", s.BaseURL, "https://{host}")
	wantWarning(t, warns, "#/host", "no server URL")
}

func TestPagination(t *testing.T) {
	doc := head + `paths:
  /offset:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer}}, {name: offset, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Page"}}}}}
  /offsetArray:
    get:
      parameters: [{name: per_page, in: query, schema: {type: integer}}, {name: start, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
  /page:
    get:
      parameters: [{name: page, in: query, schema: {type: integer}}, {name: page_size, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {results: {type: array, items: {type: string}}, total: {type: integer}}}}}}}
  /cursor:
    get:
      parameters: [{name: cursor, in: query, schema: {type: string}}, {name: limit, in: query, schema: {type: integer}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/Meta"}
                  - {type: object, properties: {members: {type: array, items: {type: string}}}}
  /next:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {type: string}}, _links: {type: object, properties: {next: {type: object, properties: {href: {type: string}}}}}}}}}}
  /link:
    get:
      parameters: [{name: per_page, in: query, schema: {type: integer}}]
      responses:
        "200":
          description: ok
          headers: {Link: {schema: {type: string}}}
          content: {application/json: {schema: {type: array, items: {type: string}}}}
  /none:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer}}, {name: offset, in: query, schema: {type: integer}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {a: {type: array, items: {type: string}}, b: {type: array, items: {type: string}}}}}}}}
components:
  schemas:
    Page: {type: object, properties: {items: {type: array, items: {type: string}}, total: {type: integer}}}
    Meta: {type: object, properties: {response_metadata: {type: object, properties: {next_cursor: {type: string}}}}}
`
	s, _ := imp(t, doc, Options{})
	eq(t, "offset", action(t, s, "getOffset").Paginate, &spec.Paginate{Style: "offset", Items: "items", Limit: "limit", Offset: "offset"})
	eq(t, "offset array", action(t, s, "getOffsetArray").Paginate, &spec.Paginate{Style: "offset", Limit: "per_page", Offset: "start"})
	eq(t, "page", action(t, s, "getPage").Paginate, &spec.Paginate{Style: "page", Items: "results", Limit: "page_size", Page: "page"})
	eq(t, "cursor", action(t, s, "getCursor").Paginate, &spec.Paginate{Style: "cursor", Items: "members", Limit: "limit", Cursor: "cursor", NextCursor: "response_metadata.next_cursor"})
	eq(t, "nextURL", action(t, s, "getNext").Paginate, &spec.Paginate{Style: "nextURL", Items: "data", Next: "_links.next.href"})
	eq(t, "linkHeader", action(t, s, "getLink").Paginate, &spec.Paginate{Style: "linkHeader", Limit: "per_page"})
	eq(t, "ambiguous items", action(t, s, "getNone").Paginate, (*spec.Paginate)(nil))
}

func TestPing(t *testing.T) {
	sec := `components: {securitySchemes: {k: {type: apiKey, in: header, name: X-Key}}}
security: [{k: []}]
`
	ok := `{responses: {"200": {description: ok}}}`
	s, _ := imp(t, head+sec+`paths:
  /a/b: {get: `+ok+`}
  /zz: {get: `+ok+`}
  /v2/users/@me: {get: `+ok+`}
  /users/me: {get: `+ok+`}
  /users/{id}: {get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}}
`, Options{})
	eq(t, "identity path", s.Ping, &spec.Ping{Method: "GET", Path: "/users/me", Expect: []int{200}})

	s, _ = imp(t, head+sec+`paths:
  /a/b: {get: `+ok+`}
  /zz: {get: {responses: {"204": {description: ok}, "200": {description: ok}}}}
  /q: {get: {parameters: [{name: x, in: query, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}}
  /open: {get: {security: [], responses: {"200": {description: ok}}}}
`, Options{})
	eq(t, "shortest", s.Ping, &spec.Ping{Method: "GET", Path: "/zz", Expect: []int{200, 204}})

	s, warns := imp(t, head+sec+`paths:
  /x: {post: `+ok+`}
`, Options{})
	eq(t, "fallback", s.Ping, &spec.Ping{Method: "GET", Path: "/", Expect: []int{200}})
	wantWarning(t, warns, "#/paths", "no parameterless authenticated GET")

	s, _ = imp(t, head+`paths:
  /me: {get: `+ok+`}
`, Options{})
	if s.Ping != nil {
		t.Errorf("auth none: ping %v", s.Ping)
	}
}

func TestFilters(t *testing.T) {
	doc := head + `paths:
  /a: {get: {operationId: a, tags: [x], responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}}}}
  /b: {get: {operationId: b, tags: [y], responses: {"200": {description: ok}}}}
  /c: {get: {operationId: c, responses: {"200": {description: ok}}}}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: "#/components/schemas/B"}}}
    B: {type: string}
    Unused: {type: string}
`
	s, _ := imp(t, doc, Options{Tags: []string{"x"}, Operations: []string{"c"}})
	var names []string
	for _, a := range s.Actions {
		names = append(names, a.Name)
	}
	eq(t, "union of filters", names, []string{"a", "c"})
	eq(t, "pruned schemas", len(s.Schemas), 2)
	s, _ = imp(t, doc, Options{})
	eq(t, "no filter", len(s.Actions), 3)
	eq(t, "all schemas", len(s.Schemas), 3)
}

func TestPathCleanup(t *testing.T) {
	doc := head + `paths:
  /files/{id}#copy:
    post:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /do?action=run:
    post: {responses: {"200": {description: ok}}}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "fragment", action(t, s, "postFilesId").Path, "/files/{id}")
	run := action(t, s, "postDo")
	eq(t, "query path", run.Path, "/do")
	eq(t, "fixed query", *param(t, run, "action"), spec.Param{Name: "action", In: "query", Required: true, Schema: &spec.Schema{Type: "string", Enum: []any{"run"}, Default: "run"}})
	wantWarning(t, warns, "#/paths/~1files~1{id}#copy", "fragment")
}

func TestYAMLQuirks(t *testing.T) {
	doc := `openapi: 3.0.0
info:
  title: Quirks
  version: 1.10
servers:
  - url: https://{env}.example.com
    variables:
      env: {default: 1, enum: [1, 2]}
components:
  schemas:
    base: &base {type: object, properties: {id: {type: integer}}}
    Dup:
      description: first
      description: second
      <<: *base
paths:
  /x:
    get:
      responses:
        200:
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Dup"}}}
`
	s, warns := imp(t, doc, Options{})
	eq(t, "version", s.Version, "1.1")
	eq(t, "env default", s.Connection[0].Default, "1")
	dup := s.Schemas.Get("Dup")
	eq(t, "duplicate key: last wins", dup.Description, "second")
	eq(t, "merge key", dup.Properties.Get("id"), &spec.Schema{Type: "integer"})
	wantWarning(t, warns, "#/components/schemas/Dup/description", "duplicate key")
	eq(t, "int response code", action(t, s, "getX").Response.Schema.Ref, "#/schemas/Dup")
}

func TestDeterministic(t *testing.T) {
	doc := head + `paths:
  /b: {get: {responses: {"200": {description: ok}}}}
  /a: {get: {responses: {"200": {description: ok}}}, post: {responses: {"200": {description: ok}}}}
components:
  schemas:
    Z: {type: object, properties: {b: {type: string}, a: {type: string}}}
    A: {type: string}
`
	first, w1 := imp(t, doc, Options{})
	b1, _ := yaml.Marshal(first)
	for range 5 {
		s, w := imp(t, doc, Options{})
		b, _ := yaml.Marshal(s)
		if string(b) != string(b1) || !reflect.DeepEqual(w, w1) {
			t.Fatal("imports differ")
		}
	}
}

// Values of the wrong JSON type are dropped with a warning, never an error.
func TestMalformed(t *testing.T) {
	cases := []struct{ doc, ptr string }{
		{head + "paths:\n  /x:\n    get:\n      responses:\n        '200': ok\n", "#/paths/~1x/get/responses/200"},
		{head + "paths:\n  /x: hello\n  /y: {get: {responses: {}}}\n", "#/paths/~1x"},
		{head + "paths:\n  /x:\n    get:\n      parameters: {a: b}\n      responses: {}\n", "#/paths/~1x/get/parameters"},
		{head + "paths:\n  /x:\n    get:\n      parameters: [{name: a, in: query, schema: {type: string, minLength: -1}}]\n      responses: {}\n",
			"#/paths/~1x/get/parameters/0/schema/minLength"},
		{head + "paths:\n  /x:\n    get:\n      tags: x\n      responses: {}\n", "#/paths/~1x/get/tags"},
		{head + "components:\n  schemas:\n    A: {type: object, properties: {a: {type: string, required: true}}}\npaths: {}\n",
			"#/components/schemas/A/properties/a/required"},
		{`{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "host": "x.example.com",
		  "paths": {"/x": {"get": {"responses": {"200": "ok"}}}, "/y": {"get": {"tags": "t", "responses": {}}}}}`, ""},
	}
	for i, tc := range cases {
		s, warns, err := ImportData([]byte(tc.doc), "", Options{})
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		out, _ := yaml.Marshal(s)
		if _, _, err := spec.Load("x.yaml", out); err != nil {
			t.Errorf("case %d: spec.Load: %v", i, err)
		}
		if tc.ptr != "" {
			wantWarning(t, warns, tc.ptr, "cannot be read as OpenAPI")
		} else if len(warns) == 0 {
			t.Errorf("case %d: no warnings", i)
		}
	}
}

// TestOtherAuthNote: Discord's connector authenticates with the bot token
// (an API key that is the whole Authorization header), while a few
// operations accept only a user's OAuth2 token. They are kept, with a
// warning and a description that says how to call them; operations the
// key authorizes, or that need no auth, get no note.
func TestOtherAuthNote(t *testing.T) {
	doc := head + `security: [{Bot: []}]
paths:
  /me:
    get:
      operationId: getMe
      description: The current user.
      security: [{User: [identify]}]
      responses: {"204": {description: ok}}
  /guilds:
    get:
      operationId: getGuilds
      security: [{Bot: []}, {User: [guilds]}]
      responses: {"204": {description: ok}}
  /channels:
    get:
      operationId: getChannels
      responses: {"204": {description: ok}}
  /public:
    get:
      operationId: getPublic
      security: [{}, {Bot: []}]
      responses: {"204": {description: ok}}
  /audit:
    get:
      operationId: getAudit
      description: The audit log.
      security: [{User: [identify], Signed: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    Bot: {type: apiKey, in: header, name: Authorization}
    Signed: {type: http, scheme: basic}
    User:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://example.com/token", scopes: {identify: x, guilds: y}}
`
	s, warns := imp(t, doc, Options{Auth: "Bot"})
	eq(t, "auth", s.Auth.Type, spec.AuthAPIKey)
	// Basic cannot be a template, so getAudit keeps the connector's key,
	// which can carry "Bearer " + a User token.
	audit := action(t, s, "getAudit")
	if !strings.HasPrefix(audit.Description, "The audit log.\n\nAuth: the document accepts only Signed and User here, not Bot") ||
		!strings.Contains(audit.Description, BearerKeyHint) || audit.Auth != nil {
		t.Errorf("getAudit description = %q, auth %+v", audit.Description, audit.Auth)
	}
	wantWarning(t, warns, "#/paths/~1audit/get/security", "accepts only Signed and User here")
	// Another OAuth2 scheme alone: the action sends a User access token
	// from a connection parameter as a bearer token.
	me := action(t, s, "getMe")
	if me.Auth == nil || !reflect.DeepEqual(*me.Auth, spec.Auth{Type: spec.AuthCustom, Headers: map[string]string{"Authorization": "Bearer {user}"}}) {
		t.Errorf("getMe auth = %+v", me.Auth)
	}
	wantWarning(t, warns, "#/paths/~1me/get/security", "accepts only User here, not Bot")
	wantWarning(t, warns, "#/paths/~1me/get/security", "sends the connection parameter user (Config.User) as an access token of the OAuth2 scheme User, in Authorization: Bearer")
	if len(s.Connection) != 1 || s.Connection[0].Name != "user" || !s.Connection[0].Secret || s.Connection[0].Required ||
		!strings.Contains(s.Connection[0].Description, "Access token of the User OAuth2 security scheme") {
		t.Errorf("connection = %+v", s.Connection)
	}
	for _, name := range []string{"getGuilds", "getPublic"} {
		if d := action(t, s, name).Description; strings.Contains(d, "Auth:") {
			t.Errorf("%s description = %q, want no auth note", name, d)
		}
	}
}

// An operation that accepts only another API key or bearer scheme gets its
// own auth, from one secret connection parameter per scheme.
func TestOtherAuthOwnCredential(t *testing.T) {
	doc := head + `security: [{oauth: [read]}]
paths:
  /inventory:
    get:
      operationId: getInventory
      security: [{api_key: []}]
      responses: {"204": {description: ok}}
  /stock:
    get:
      operationId: getStock
      security: [{api_key: []}]
      responses: {"204": {description: ok}}
  /search:
    get:
      operationId: search
      security: [{basicAuth: []}, {sig: []}]
      responses: {"204": {description: ok}}
  /agents:
    get:
      operationId: listAgents
      security: [{agent: []}]
      responses: {"204": {description: ok}}
  /both:
    get:
      operationId: both
      security: [{api_key: [], sig: []}]
      responses: {"204": {description: ok}}
  /pets:
    get:
      operationId: listPets
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://example.com/token", scopes: {read: x}}
    api_key: {type: apiKey, in: header, name: api_key}
    sig: {type: apiKey, in: query, name: signature}
    basicAuth: {type: http, scheme: basic}
    agent: {type: http, scheme: bearer}
`
	s, warns := imp(t, doc, Options{Auth: "oauth"})
	eq(t, "auth", s.Auth.Type, spec.AuthOAuth2)
	var conn []string
	for _, p := range s.Connection {
		if !p.Secret || p.Required || p.Default != "" {
			t.Errorf("connection parameter %s = %+v, want secret and optional", p.Name, p)
		}
		conn = append(conn, p.Name)
	}
	// apiKey Go-names to Config.APIKey, which every Config reserves.
	eq(t, "connection", strings.Join(conn, ","), "agent,apiKeyParam,sig") // in operation order
	for name, want := range map[string]spec.Auth{
		"getInventory": {Type: spec.AuthCustom, Headers: map[string]string{"api_key": "{apiKeyParam}"}},
		"getStock":     {Type: spec.AuthCustom, Headers: map[string]string{"api_key": "{apiKeyParam}"}},
		"search":       {Type: spec.AuthCustom, Query: map[string]string{"signature": "{sig}"}}, // basic cannot be a template
		"listAgents":   {Type: spec.AuthCustom, Headers: map[string]string{"Authorization": "Bearer {agent}"}},
	} {
		a := action(t, s, name)
		if a.Auth == nil || !reflect.DeepEqual(*a.Auth, want) {
			t.Errorf("%s auth = %+v, want %+v", name, a.Auth, want)
		}
		if strings.Contains(a.Description, "Auth:") {
			t.Errorf("%s description = %q: the generated doc comment says it", name, a.Description)
		}
	}
	wantWarning(t, warns, "#/paths/~1inventory/get/security", "sends the connection parameter apiKeyParam (Config.APIKeyParam) as api_key")
	// Schemes asked for together are sent together.
	if b := action(t, s, "both"); b.Auth == nil || !reflect.DeepEqual(*b.Auth, spec.Auth{Type: spec.AuthCustom,
		Headers: map[string]string{"api_key": "{apiKeyParam}"}, Query: map[string]string{"signature": "{sig}"}}) {
		t.Errorf("both: auth %+v", b.Auth)
	}
	if a := action(t, s, "listPets").Auth; a != nil {
		t.Errorf("listPets auth = %+v, want the connector's", a)
	}
}

// An operation that lists only error or redirect answers gets a warning:
// its action can only return *APIError.
func TestNoSuccessResponse(t *testing.T) {
	doc := head + `paths:
  /media:
    get:
      operationId: getMedia
      responses: {"307": {description: see Location}}
  /pets:
    post:
      operationId: addPet
      responses: {"405": {description: invalid input}}
    get:
      operationId: listPets
      responses: {default: {description: anything}}
  /ok:
    get:
      operationId: getOK
      responses: {"204": {description: ok}, "404": {description: missing}}
`
	_, warns := imp(t, doc, Options{})
	wantWarning(t, warns, "#/paths/~1media/get/responses", NoSuccessWarning)
	wantWarning(t, warns, "#/paths/~1pets/post/responses", NoSuccessWarning)
	for _, ptr := range []string{"#/paths/~1pets/get/responses", "#/paths/~1ok/get/responses"} {
		if hasWarning(warns, ptr, NoSuccessWarning) {
			t.Errorf("warning %q at %s, which declares a success", NoSuccessWarning, ptr)
		}
	}
}

// A key and a token that every operation asks for together (Trello) make
// the connector's auth custom, with both as required secret parameters; an
// operation asking for a scheme together with the connector's single
// credential keeps the connector's auth, with the note.
func TestCombinedAuth(t *testing.T) {
	doc := head + `security: [{key: [], token: []}]
paths:
  /boards:
    get:
      operationId: listBoards
      responses: {"204": {description: ok}}
  /cards:
    get:
      operationId: listCards
      responses: {"204": {description: ok}}
  /me:
    get:
      operationId: getMe
      security: [{session: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: key}
    token: {type: apiKey, in: query, name: token}
    session: {type: apiKey, in: cookie, name: sid}
`
	s, warns := imp(t, doc, Options{})
	// token Go-names to Config.Token, which every Config reserves.
	want := spec.Auth{Type: spec.AuthCustom, Query: map[string]string{"key": "{key}", "token": "{tokenParam}"}}
	if !reflect.DeepEqual(s.Auth, want) {
		t.Errorf("auth = %+v, want %+v", s.Auth, want)
	}
	wantWarning(t, warns, "#/components/securitySchemes/key", "asked for together with token")
	for _, p := range s.Connection[:2] {
		if !p.Secret || !p.Required {
			t.Errorf("connection parameter %+v: want secret and required", p)
		}
	}
	if a := action(t, s, "listBoards").Auth; a != nil {
		t.Errorf("listBoards auth = %+v, want the connector's", a)
	}
	me := action(t, s, "getMe").Auth
	if me == nil || !reflect.DeepEqual(me.Headers, map[string]string{"Cookie": "sid={session}"}) {
		t.Errorf("getMe auth = %+v, want the session cookie", me)
	}
	eq(t, "ping", s.Ping.Path, "/boards")

	// With an OAuth2 connector, a requirement of its token and a key cannot
	// be a template (the token is not a parameter): the note stays.
	doc = head + `security: [{oauth: []}]
paths:
  /a:
    get:
      operationId: a
      responses: {"204": {description: ok}}
  /b:
    get:
      operationId: b
      security: [{oauth: [], key: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: key}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://example.com/token", scopes: {}}
`
	s, _ = imp(t, doc, Options{})
	eq(t, "auth", s.Auth.Type, spec.AuthOAuth2)
	if len(s.Connection) != 0 {
		t.Errorf("connection = %+v, want none", s.Connection)
	}
	if b := action(t, s, "b"); b.Auth != nil || !strings.Contains(b.Description, "accepts only key and oauth here, not oauth") {
		t.Errorf("b: auth %+v, description %q", b.Auth, b.Description)
	}
}

// An operation that takes no credential, or one the connector does not
// hold, gets none; one that takes the connector's, or none, keeps it.
func TestOptionalOtherAuth(t *testing.T) {
	doc := head + `security: [{Bot: []}]
paths:
  /a:
    get:
      operationId: optionalOther
      security: [{}, {User: []}]
      responses: {"204": {description: ok}}
  /b:
    get:
      operationId: optionalOwn
      security: [{}, {Bot: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    Bot: {type: apiKey, in: header, name: X-Bot}
    User: {type: http, scheme: basic}
`
	s, _ := imp(t, doc, Options{})
	if a := action(t, s, "optionalOther").Auth; a == nil || a.Type != spec.AuthNone {
		t.Errorf("optionalOther auth = %+v, want none", a)
	}
	if a := action(t, s, "optionalOwn").Auth; a != nil {
		t.Errorf("optionalOwn auth = %+v, want the connector's", a)
	}
}

// A string under */* is the body's text itself, not a JSON string: the
// action returns the bytes. A structured schema under */* stays JSON.
func TestWildcardStringResponse(t *testing.T) {
	doc := head + `paths:
  /proxy:
    get:
      operationId: proxy
      responses: {"200": {description: ok, content: {"*/*": {schema: {type: string}}}}}
  /status:
    get:
      operationId: status
      responses: {"200": {description: ok, content: {"*/*": {schema: {type: object, properties: {ok: {type: boolean}}}}}}}
`
	s, _ := imp(t, doc, Options{})
	if r := action(t, s, "proxy").Response; r == nil || r.Schema == nil || r.Schema.Type != "string" || r.Schema.Format != "binary" {
		t.Errorf("proxy response = %+v, want string/binary", r)
	}
	if r := action(t, s, "status").Response; r == nil || r.Schema == nil || r.Schema.Type != "object" {
		t.Errorf("status response = %+v, want the object", r)
	}
}
