package generated_test

// Actions as data on every maintained spec: every Input and Output schema
// compiles as draft 2020-12 with a real validator, an example input made
// from each Input validates, and Invoke sends byte for byte the request the
// typed method sends for the same values.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/oauth2"

	"github.com/conngen/conngen/generated/digitalocean"
	"github.com/conngen/conngen/generated/github"
	"github.com/conngen/conngen/generated/internal/testutil"
	"github.com/conngen/conngen/generated/okta"
	"github.com/conngen/conngen/generated/openai"
	"github.com/conngen/conngen/generated/openweather"
	"github.com/conngen/conngen/generated/paypal"
	"github.com/conngen/conngen/generated/publicholidays"
	"github.com/conngen/conngen/generated/resend"
	"github.com/conngen/conngen/generated/slack"
	"github.com/conngen/conngen/generated/spotify"
	"github.com/conngen/conngen/generated/stripe"
	"github.com/conngen/conngen/generated/twilio"
	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// info is the part of ActionInfo the test reads, the same in every package.
type info struct {
	Name, Method, Path string
	ReadOnly           bool
	Input, Output      json.RawMessage
}

type connector struct {
	name    string
	actions []info
	newFn   any // func(Config) (*Client, error)
	reroute []string
}

func infos[T any](list []T) []info {
	var out []info
	for _, a := range list {
		v := reflect.ValueOf(a)
		out = append(out, info{
			Name: v.FieldByName("Name").String(), Method: v.FieldByName("Method").String(), Path: v.FieldByName("Path").String(),
			ReadOnly: v.FieldByName("ReadOnly").Bool(),
			Input:    v.FieldByName("Input").Bytes(), Output: v.FieldByName("Output").Bytes(),
		})
	}
	return out
}

var connectors = []connector{
	{"digitalocean", infos(digitalocean.Actions()), digitalocean.New, nil},
	{"github", infos(github.Actions()), github.New, nil},
	{"okta", infos(okta.Actions()), okta.New, nil},
	{"openai", infos(openai.Actions()), openai.New, nil},
	{"openweather", infos(openweather.Actions()), openweather.New, nil},
	{"paypal", infos(paypal.Actions()), paypal.New, []string{"api-m.paypal.com"}},
	{"publicholidays", infos(publicholidays.Actions()), publicholidays.New, nil},
	{"resend", infos(resend.Actions()), resend.New, nil},
	{"slack", infos(slack.Actions()), slack.New, nil},
	{"spotify", infos(spotify.Actions()), spotify.New, []string{"accounts.spotify.com"}},
	{"stripe", infos(stripe.Actions()), stripe.New, nil},
	{"twilio", infos(twilio.Actions()), twilio.New, nil},
}

func compile(t *testing.T, where string, schema json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", where, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "mem:///" + where + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: does not compile as draft 2020-12: %v", where, err)
	}
	return s
}

func TestActionsSchemas(t *testing.T) {
	for _, c := range connectors {
		t.Run(c.name, func(t *testing.T) {
			if len(c.actions) == 0 {
				t.Fatal("no actions")
			}
			for _, a := range c.actions {
				where := c.name + "." + a.Name
				in := compile(t, where+".input", a.Input)
				compile(t, where+".output", a.Output)
				var top map[string]any
				json.Unmarshal(a.Input, &top)
				if top["$schema"] != "https://json-schema.org/draft/2020-12/schema" || top["type"] != "object" || top["additionalProperties"] != false {
					t.Errorf("%s: input schema is not a closed draft 2020-12 object: %s", where, a.Input)
				}
				if want := a.Method == "GET" || a.Method == "HEAD" || a.Method == "OPTIONS"; a.ReadOnly != want {
					t.Errorf("%s: ReadOnly %v for %s", where, a.ReadOnly, a.Method)
				}
				ex := example(t, a.Input)
				inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(ex))
				if err := in.Validate(inst); err != nil {
					t.Errorf("%s: example input %s does not validate: %v", where, ex, err)
				}
				// Unknown keys are refused by the schema too.
				var extra map[string]any
				json.Unmarshal(ex, &extra)
				extra["noSuchField"] = 1
				if in.Validate(extra) == nil {
					t.Errorf("%s: input schema accepts an unknown field", where)
				}
			}
		})
	}
}

// example builds a value that fits the schema: every property of the
// input object (so every param is exercised), and the required ones of
// nested objects.
func example(t *testing.T, schema json.RawMessage) json.RawMessage {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	v := exampleOf(root, defs, 0, true)
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var candidates = []string{"x", "DE", "10.50", "MG0123456789abcdef0123456789abcdef", "AC0123456789abcdef0123456789abcdef", "SM0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdef", "abc123"}

func exampleOf(s map[string]any, defs map[string]any, depth int, all bool) any {
	if depth > 12 {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		d, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		return exampleOf(d, defs, depth+1, false)
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if alts, ok := s[k].([]any); ok && len(alts) > 0 {
			if k == "allOf" {
				merged := map[string]any{}
				for _, a := range alts {
					if m, ok := exampleOf(a.(map[string]any), defs, depth+1, false).(map[string]any); ok {
						for kk, vv := range m {
							merged[kk] = vv
						}
					}
				}
				return merged
			}
			return exampleOf(alts[0].(map[string]any), defs, depth+1, false)
		}
	}
	typ := s["type"]
	if l, ok := typ.([]any); ok {
		typ = l[0]
	}
	switch typ {
	case "string":
		switch s["format"] {
		case "date-time":
			return "2026-01-02T03:04:05Z"
		case "date":
			return "2026-01-02"
		case "uuid":
			return "0b6e6d4c-5f1a-4a8e-9a57-3c1d2b3a4f5e"
		case "email":
			return "a@example.com"
		case "uri":
			return "https://example.com/x"
		case "byte":
			return "eA=="
		}
		str := "x"
		if p, ok := s["pattern"].(string); ok {
			re := regexp.MustCompile(p)
			for _, c := range candidates {
				if re.MatchString(c) {
					str = c
					break
				}
			}
		}
		if n, ok := s["minLength"].(float64); ok && len(str) < int(n) {
			str = strings.Repeat("x", int(n))
		}
		return str
	case "integer":
		if n, ok := s["minimum"].(float64); ok {
			return int(n)
		}
		return 1
	case "number":
		if n, ok := s["minimum"].(float64); ok {
			return n
		}
		return 1.5
	case "boolean":
		return true
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{exampleOf(items, defs, depth+1, false)}
	}
	props, _ := s["properties"].(map[string]any)
	if typ == "object" || props != nil {
		out := map[string]any{}
		req, _ := s["required"].([]any)
		for k, p := range props {
			if all || slices.Contains(req, any(k)) {
				out[k] = exampleOf(p.(map[string]any), defs, depth+1, false)
			}
		}
		return out
	}
	return "x"
}

// newClient makes a Client of the connector against srv, every Config
// string field set.
func newClient(t *testing.T, c connector, srv *testutil.Server) reflect.Value {
	fn := reflect.ValueOf(c.newFn)
	cfg := reflect.New(fn.Type().In(0)).Elem()
	for i := 0; i < cfg.NumField(); i++ {
		f := cfg.Field(i)
		switch {
		case f.Kind() == reflect.String:
			f.SetString("test-" + strings.ToLower(cfg.Type().Field(i).Name))
		case f.Type() == reflect.TypeFor[*oauth2.Token]():
			f.Set(reflect.ValueOf(&oauth2.Token{AccessToken: "tok", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}))
		}
	}
	cfg.FieldByName("BaseURL").SetString(srv.URL)
	cfg.FieldByName("HTTPClient").Set(reflect.ValueOf(srv.HTTPClient(c.reroute...)))
	out := fn.Call([]reflect.Value{cfg})
	if err, _ := out[1].Interface().(error); err != nil {
		t.Fatalf("New: %v", err)
	}
	return out[0]
}

func answer(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/token") {
		testutil.WriteJSON(w, 200, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
		return
	}
	testutil.WriteJSON(w, 200, `null`)
}

// apiRequests drops the OAuth2 token requests.
func apiRequests(rs []testutil.Request) []testutil.Request {
	var out []testutil.Request
	for _, r := range rs {
		if r.OriginalURL == "" || !strings.HasSuffix(r.Path, "/token") {
			out = append(out, r)
		}
	}
	return out
}

func TestInvokeSendsWhatTheMethodSends(t *testing.T) {
	ctx := context.Background()
	for _, c := range connectors {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, a := range c.actions {
				input := example(t, a.Input)

				srvInvoke := testutil.NewServer(t, answer)
				invoke := newClient(t, c, srvInvoke).MethodByName("Invoke")
				res := invoke.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(a.Name), reflect.ValueOf(json.RawMessage(input))})
				if err, _ := res[1].Interface().(error); err != nil && strings.Contains(err.Error(), "invalid input") {
					t.Errorf("%s.%s: Invoke refused its example input %s: %v", c.name, a.Name, input, err)
					continue
				}

				// The typed method, with a Params struct filled field by
				// field from the same values under their Go names.
				srvTyped := testutil.NewServer(t, answer)
				client := newClient(t, c, srvTyped)
				m := client.MethodByName(names.Go(a.Name))
				if !m.IsValid() {
					t.Fatalf("%s: no method %s", a.Name, names.Go(a.Name))
				}
				args := []reflect.Value{reflect.ValueOf(ctx)}
				if m.Type().NumIn() == 2 {
					p := reflect.New(m.Type().In(1)).Elem()
					var fields map[string]json.RawMessage
					json.Unmarshal(input, &fields)
					for k, raw := range fields {
						f := p.FieldByName(names.Go(k))
						if k == "body" {
							f = p.FieldByName("Body")
						}
						if !f.IsValid() {
							t.Fatalf("%s: no field for %q", a.Name, k)
						}
						if f.Type().String() == "io.Reader" {
							var s string
							json.Unmarshal(raw, &s)
							f.Set(reflect.ValueOf(strings.NewReader(s)))
							continue
						}
						if err := json.Unmarshal(raw, f.Addr().Interface()); err != nil {
							t.Fatalf("%s: %s: %v", a.Name, k, err)
						}
					}
					args = append(args, p)
				}
				typed := m.Call(args)
				ie, _ := res[1].Interface().(error)
				te, _ := typed[1].Interface().(error)
				if (ie == nil) != (te == nil) {
					t.Errorf("%s.%s: Invoke error %v, method error %v", c.name, a.Name, ie, te)
				}
				got, want := apiRequests(srvInvoke.Requests()), apiRequests(srvTyped.Requests())
				if len(got) != 1 || len(want) != 1 {
					t.Errorf("%s.%s: %d requests by Invoke, %d by the method", c.name, a.Name, len(got), len(want))
					continue
				}
				g, w := got[0], want[0]
				if g.Method != w.Method || g.RequestURI != w.RequestURI || !bytes.Equal(g.Body, w.Body) || !reflect.DeepEqual(g.Header, w.Header) {
					t.Errorf("%s.%s: Invoke sent\n%s %s %v\n%s\nthe method sent\n%s %s %v\n%s", c.name, a.Name,
						g.Method, g.RequestURI, g.Header, g.Body, w.Method, w.RequestURI, w.Header, w.Body)
				}
				if g.Method != a.Method {
					t.Errorf("%s.%s: sent %s, ActionInfo says %s", c.name, a.Name, g.Method, a.Method)
				}
			}
		})
	}
}

func TestInvokeRefusesBadInput(t *testing.T) {
	srv := testutil.NewServer(t, nil)
	c, err := openweather.New(openweather.Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = c.Invoke(ctx, "geocodeReverse", json.RawMessage(`{"lat":"north","limit":9,"extra":true}`))
	if err == nil {
		t.Fatal("bad input accepted")
	}
	for _, want := range []string{"openweather: geocodeReverse: invalid input", "extra: unknown field", "lat: want number, got string", "limit: want at most 5", "lon: required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := c.Invoke(ctx, "geocodeReverse", json.RawMessage(`[1]`)); err == nil || !strings.Contains(err.Error(), "want a JSON object") {
		t.Errorf("array input: %v", err)
	}
	if _, err := c.Invoke(ctx, "noSuchAction", nil); !errors.Is(err, openweather.ErrUnknownAction) {
		t.Errorf("unknown action: %v", err)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("refused input sent %d requests", n)
	}

	// A valid call returns the service's own JSON, fields the types do not know included.
	srv2 := testutil.NewServer(t, testutil.Status(200, `{"name":"Berlin","lat":52.5,"lon":13.4,"country":"DE","zip":"10115","unknown":[1,2]}`))
	c2, _ := openweather.New(openweather.Config{BaseURL: srv2.URL, HTTPClient: srv2.HTTPClient(), APIKey: "k"})
	resp, err := c2.Invoke(ctx, "geocodeZip", json.RawMessage(`{"zip":"10115,DE"}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(string(resp.Body), `"unknown":[1,2]`) {
		t.Errorf("got %d %s", resp.StatusCode, resp.Body)
	}
	if got := srv2.Last(t).Query.Get("zip"); got != "10115,DE" {
		t.Errorf("zip sent as %q", got)
	}

	// An API error is the typed method's *APIError.
	srv3 := testutil.NewServer(t, testutil.Status(401, `{"cod":401,"message":"Invalid API key."}`))
	c3, _ := openweather.New(openweather.Config{BaseURL: srv3.URL, HTTPClient: srv3.HTTPClient(), APIKey: "k"})
	_, err = c3.Invoke(ctx, "geocodeZip", json.RawMessage(`{"zip":"1"}`))
	var apiErr *openweather.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Message != "Invalid API key." {
		t.Errorf("API error: %v", err)
	}
	_ = fmt.Sprint()
}

// A streamed body (response.stream) comes back from Invoke as a JSON
// string: the text, or base64 when it is not UTF-8.
func TestInvokeStreamedBody(t *testing.T) {
	for body, want := range map[string]string{"ID3\xff\x00audio": `"SUQz/wBhdWRpbw=="`, "plain words": `"plain words"`} {
		srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "audio/mpeg")
			w.Write([]byte(body))
		})
		c, err := openai.New(openai.Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: "k"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Invoke(context.Background(), "createSpeech", json.RawMessage(`{"body":{"model":"tts-1","input":"hi","voice":"alloy"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != want {
			t.Errorf("body %s, want %s", resp.Body, want)
		}
	}
	for _, a := range openai.Actions() {
		if a.Name == "createSpeech" && !strings.Contains(string(a.Output), `"type":"string"`) {
			t.Errorf("createSpeech output %s", a.Output)
		}
	}
}

// The attack a security review reproduced, through a real package: a key
// that matches a body field only in case, which encoding/json would decode
// into the field (the last key winning) past the enum the checker saw, is
// refused with its name, and so is every other way around the schema;
// nothing is sent. The same input with exact keys goes out as given.
func TestInvokeKeysMatchExactly(t *testing.T) {
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write([]byte("ID3"))
	})
	c, err := openai.New(openai.Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), AccessToken: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const fields = `"model":"tts-1","input":"hi","voice":"alloy","response_format":"mp3"`
	attack := `{"body":{` + fields + `,"Response_format":"destroy_everything"}}`
	var direct struct{ Body openai.SpeechRequest }
	if err := json.Unmarshal([]byte(attack), &direct); err != nil || direct.Body.ResponseFormat == nil || *direct.Body.ResponseFormat != "destroy_everything" {
		t.Fatalf("encoding/json alone does not take the folded key (%v); the attack proves nothing", err)
	}
	for input, want := range map[string]string{
		attack: `body.Response_format: matches field "response_format" only in case; keys match exactly`,
		`{"body":{` + fields + `,"\u017fpeed":4}}`:                                              `body.ſpeed: matches field "speed" only in case`,
		`{"Body":{` + fields + `}}`:                                                             `Body: matches field "body" only in case`,
		`{"body":{` + fields + `,"stream":true}}`:                                               `body.stream: unknown field`,
		`{"body":{` + fields + `},"extra":1}`:                                                   `extra: unknown field`,
		`{"body":{"response_format":"destroy_everything",` + fields + `}}`:                      `body.response_format: appears twice`,
		`{"body":{"model":"tts-1","input":"hi","voice":"alloy","response_format":"wipe_disk"}}`: `body.response_format: want one of`,
	} {
		_, err := c.Invoke(ctx, "createSpeech", json.RawMessage(input))
		if err == nil || !strings.Contains(err.Error(), "openai: createSpeech: invalid input: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", input, err, want)
		}
	}
	if n := srv.Count(); n != 0 {
		t.Fatalf("refused input sent %d requests", n)
	}
	if _, err := c.Invoke(ctx, "createSpeech", json.RawMessage(`{"body":{`+fields+`}}`)); err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(srv.Last(t).Body, &sent); err != nil || sent["response_format"] != "mp3" || len(sent) != 4 {
		t.Errorf("sent %s (%v)", srv.Last(t).Body, err)
	}
}

// An Input schema claims no more than the Go types keep: an object with
// properties is a struct, which would drop keys it does not declare, so
// its additionalProperties is not written (Invoke then refuses such keys);
// a map keeps its additionalProperties; a property no struct tag can name
// is left out; a union told apart by a discriminator accepts in each
// alternative only that alternative's tag.
func TestInputSchemaClaimsWhatTheTypesKeep(t *testing.T) {
	doc := `conngen: 1
name: t
baseURL: https://example.com
auth: {type: none}
actions:
  - name: put
    method: PUT
    path: /x
    body: {required: true, schema: {$ref: "#/schemas/Job"}}
schemas:
  Job:
    type: object
    additionalProperties: {type: string}
    required: [name, "a,b"]
    properties:
      name: {type: string}
      "a,b": {type: string}
      labels: {type: object, additionalProperties: {type: string}}
      pet:
        oneOf: [{$ref: "#/schemas/Cat"}, {$ref: "#/schemas/Dog"}]
        discriminator: {propertyName: kind, mapping: {cat: "#/schemas/Cat", dog: "#/schemas/Dog"}}
  Cat:
    type: object
    required: [kind]
    properties: {kind: {type: string}, lives: {type: integer}}
  Dog:
    type: object
    required: [kind]
    properties: {kind: {type: string}, bark: {type: boolean}}
`
	s, _, err := spec.Load("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := model.Build(s)
	e := c.Registry[0]
	var parts []string
	for _, d := range e.InputDefs {
		parts = append(parts, d.JSON)
	}
	schema := e.Input + `,"$defs":{` + strings.Join(parts, ",") + "}}"
	var root struct {
		Defs map[string]map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal([]byte(schema), &root); err != nil {
		t.Fatalf("%v\n%s", err, schema)
	}
	job := root.Defs["Job"]
	props, _ := job["properties"].(map[string]any)
	if _, ok := job["additionalProperties"]; ok {
		t.Errorf("Job, a struct, claims additionalProperties: %s", schema)
	}
	if labels, _ := props["labels"].(map[string]any); labels == nil || labels["additionalProperties"] == nil {
		t.Errorf("labels, a map, lost its additionalProperties: %s", schema)
	}
	if _, ok := props["a,b"]; ok || strings.Contains(fmt.Sprint(job["required"]), ",") {
		t.Errorf(`"a,b" has no struct field but is in the schema: %s`, schema)
	}
	pet, _ := props["pet"].(map[string]any)
	alts, _ := pet["oneOf"].([]any)
	if len(alts) != 2 || !strings.Contains(fmt.Sprint(alts[0]), "kind:map[enum:[cat]]") || !strings.Contains(fmt.Sprint(alts[1]), "kind:map[enum:[dog]]") {
		t.Errorf("union alternatives do not pin their tags: %v", alts)
	}
	compile(t, "t.put", json.RawMessage(schema))
}

// TestActionsAreTheModelsSchemas: Actions(), which assembles each schema
// from the registry's shared pieces at first use, returns byte for byte
// the whole schemas the model describes (Entry.InputSchema, OutputSchema),
// which conngen mcp and the search index read without building the
// package.
func TestActionsAreTheModelsSchemas(t *testing.T) {
	for _, cn := range connectors {
		s, _, err := generator.LoadFile(filepath.Join("..", "specs", cn.name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		c := model.Build(s)
		if len(c.Registry) != len(cn.actions) {
			t.Fatalf("%s: %d actions, the model has %d", cn.name, len(cn.actions), len(c.Registry))
		}
		for i, e := range c.Registry {
			a := cn.actions[i]
			if string(a.Input) != e.InputSchema() {
				t.Errorf("%s %s: Input differs from the model's:\n%s\n%s", cn.name, a.Name, a.Input, e.InputSchema())
			}
			if string(a.Output) != e.OutputSchema() {
				t.Errorf("%s %s: Output differs from the model's:\n%s\n%s", cn.name, a.Name, a.Output, e.OutputSchema())
			}
		}
	}
}

// TestActionsReturnsCopies: what one caller of Actions changes in its
// list (a scope, a schema's bytes) reaches no later caller, and the
// list names every action in spec order, each found by Invoke.
func TestActionsReturnsCopies(t *testing.T) {
	first := spotify.Actions()
	i := slices.IndexFunc(first, func(a spotify.ActionInfo) bool { return len(a.Scopes) > 0 })
	if i < 0 {
		t.Fatal("no spotify action with scopes")
	}
	scope, input := first[i].Scopes[0], string(first[i].Input)
	first[i].Scopes[0] = "changed"
	first[i].Input[0] = 'X'
	again := spotify.Actions()
	if again[i].Scopes[0] != scope || string(again[i].Input) != input {
		t.Errorf("a caller's change to Actions()[%d] reached the next caller: scopes %v, input %.20s", i, again[i].Scopes, again[i].Input)
	}
	c, err := spotify.New(spotify.Config{ClientID: "id", ClientSecret: "secret", Token: &oauth2.Token{AccessToken: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again {
		// Input that no action accepts: Invoke refuses it without sending,
		// and not as an unknown action.
		if _, err := c.Invoke(t.Context(), a.Name, json.RawMessage(`[]`)); err == nil || errors.Is(err, spotify.ErrUnknownAction) {
			t.Errorf("Invoke(%q): %v, want the action found and its input refused", a.Name, err)
		}
	}
}
