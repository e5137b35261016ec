package cli

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conngen/conngen/generator/model"
)

// The call and mcp tests share one spec and one runner cache, so the
// runner is built once per test binary.
const callSpec = `conngen: 1
name: acmepets
title: Acme Pets
baseURL: https://pets.example.com
auth: {type: apiKey, in: header, name: X-Api-Key}
connection:
  - {name: XRequestID, description: A request id., secret: false}
ping: {path: /me}
actions:
  - name: getPet
    title: Get a pet
    method: GET
    path: /pets/{id}
    params:
      - {name: id, in: path, schema: {type: integer, minimum: 1}}
      - {name: zip, in: query, schema: {type: string}}
    response: {schema: {$ref: "#/schemas/Pet"}}
  - name: createPet
    title: Create a pet
    description: Adds a pet.
    method: POST
    path: /pets
    body: {required: true, schema: {$ref: "#/schemas/Pet"}}
    response: {schema: {$ref: "#/schemas/Pet"}}
  - name: deletePet
    method: DELETE
    path: /pets/{id}
    params:
      - {name: id, in: path, schema: {type: integer}}
schemas:
  Pet:
    type: object
    required: [name]
    properties:
      id: {type: integer}
      name: {type: string, minLength: 1}
      tag: {type: string, enum: [dog, cat]}
      parent: {$ref: "#/schemas/Pet"}
`

const apiKey = "k3y-s3cr3t-value"

var (
	callOnce sync.Once
	callDir  string
)

// callSetup writes the spec and points the runner cache at a directory
// shared by the tests of this binary.
func callSetup(t *testing.T) string {
	t.Helper()
	callOnce.Do(func() {
		d, err := os.MkdirTemp("", "conngen-call-test-")
		if err != nil {
			t.Fatal(err)
		}
		callDir = d
		os.WriteFile(filepath.Join(d, "acmepets.yaml"), []byte(callSpec), 0o644)
	})
	t.Setenv("CONNGEN_CACHE_DIR", filepath.Join(callDir, "cache"))
	return filepath.Join(callDir, "acmepets.yaml")
}

type recorded struct {
	method, uri, key, reqID string
	body                    string
}

// petServer answers like the service on 127.0.0.1 and records requests.
func petServer(t *testing.T) (*httptest.Server, *[]recorded) {
	t.Helper()
	var mu sync.Mutex
	var got []recorded
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, recorded{r.Method, r.RequestURI, r.Header.Get("X-Api-Key"), r.Header.Get("X-Request-Id"), string(body)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("X-Api-Key") != apiKey:
			w.WriteHeader(401)
			w.Write([]byte(`{"message":"bad key"}`))
		case r.URL.Path == "/me":
			w.Write([]byte(`{"id":"me"}`))
		case r.URL.Path == "/pets/404":
			w.WriteHeader(404)
			w.Write([]byte(`{"message":"no such pet"}`))
		case r.URL.Path == "/pets/500": // a proxy's plain-text page, echoing the credential
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			w.Write([]byte("upstream exploded\nkey was " + apiKey + "\n" + strings.Repeat("x", 8000)))
		case r.URL.Path == "/pets/13": // JSON that decodes but does not fit Pet: tag is no enum value
			w.Write([]byte(`{"id":13,"name":"Rex","tag":"bird"}`))
		case r.URL.Path == "/pets/1000": // over 1 MiB
			w.Write([]byte(`{"id":1000,"name":"` + strings.Repeat("n", 1100_000) + `"}`))
		case r.Method == "DELETE":
			w.WriteHeader(204)
		case r.Method == "POST":
			w.WriteHeader(201)
			w.Write(body)
		default:
			w.Write([]byte(`{"id":7,"name":"Rex","extra":"kept"}`))
		}
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestEnvName(t *testing.T) {
	for _, c := range [][3]string{
		{"openweather", "APIKey", "OPENWEATHER_API_KEY"}, {"spotify", "ClientSecret", "SPOTIFY_CLIENT_SECRET"},
		{"acme", "BaseURL", "ACME_BASE_URL"}, {"acme", "XRequestID", "ACME_X_REQUEST_ID"}, {"acmepets", "HTTPClient", "ACMEPETS_HTTP_CLIENT"},
		{"acme", "Region2Name", "ACME_REGION2_NAME"},
	} {
		if got := model.EnvName(c[0], c[1]); got != c[2] {
			t.Errorf("EnvName(%s, %s) = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

func TestCall(t *testing.T) {
	specPath := callSetup(t)
	srv, got := petServer(t)
	t.Setenv("ACMEPETS_BASE_URL", srv.URL)
	t.Setenv("ACMEPETS_API_KEY", apiKey)

	start := time.Now()
	code, out, errOut := run("call", specPath)
	t.Logf("first call (build included): %v", time.Since(start))
	if code != 0 {
		t.Fatalf("list: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"authPing", "getPet", "GET", "/pets/{id}", "Get a pet", "createPet", "POST", "deletePet", "DELETE"} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
	start = time.Now()
	code, out, errOut = run("call", specPath, "getPet", "id=7", "zip=01234")
	t.Logf("cached call: %v", time.Since(start))
	if code != 0 || !strings.Contains(out, `"extra": "kept"`) || !strings.Contains(out, "\n  \"id\": 7") || strings.TrimSpace(errOut) != "200 OK" {
		t.Fatalf("getPet: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if last := (*got)[len(*got)-1]; last.uri != "/pets/7?zip=01234" || last.key != apiKey {
		t.Errorf("sent %+v", last)
	}

	// --input with pairs overriding it; --set for a non-secret field.
	code, out, errOut = run("call", "--set", "XRequestID=req-1", "--input", `{"body":{"name":"Old"}}`, specPath, "createPet", `body={"name":"Tom","tag":"cat"}`)
	if code != 0 || !strings.Contains(out, `"name": "Tom"`) || !strings.Contains(errOut, "201 Created") {
		t.Fatalf("createPet: exit %d\n%s\n%s", code, out, errOut)
	}
	if last := (*got)[len(*got)-1]; last.body != `{"name":"Tom","tag":"cat"}` || last.method != "POST" {
		t.Errorf("sent %+v", last)
	}
	inFile := filepath.Join(t.TempDir(), "in.json")
	os.WriteFile(inFile, []byte(`{"id":3}`), 0o644)
	if code, _, errOut = run("call", "--input", "@"+inFile, specPath, "deletePet"); code != 0 || !strings.Contains(errOut, "204 No Content") {
		t.Errorf("deletePet: exit %d %s", code, errOut)
	}

	// Refused input: every problem named, nothing sent.
	n := len(*got)
	code, out, errOut = run("call", specPath, "createPet", `body={"tag":"fish"}`, "color=red")
	if code != 1 || out != "" {
		t.Errorf("refused input: exit %d stdout %q", code, out)
	}
	for _, want := range []string{"invalid input", "body.name: required", "body.tag: want one of", "color: unknown field"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("refusal %q does not say %q", errOut, want)
		}
	}
	if code, _, errOut = run("call", specPath, "getPet"); code != 1 || !strings.Contains(errOut, "id: required") {
		t.Errorf("missing id: exit %d %s", code, errOut)
	}
	if len(*got) != n {
		t.Errorf("refused input sent %d requests", len(*got)-n)
	}

	// An API error: exit 1 with the service's message.
	code, out, errOut = run("call", specPath, "getPet", "id=404")
	if code != 1 || !strings.Contains(errOut, "404 Not Found: no such pet") || !strings.Contains(out, "no such pet") {
		t.Errorf("API error: exit %d\n%s\n%s", code, out, errOut)
	}

	// authPing: the Builder's Test connection.
	code, out, _ = run("call", specPath, "authPing")
	var ping struct {
		Working         bool
		ServiceResponse struct{ StatusCode int }
	}
	if json.Unmarshal([]byte(out), &ping); code != 0 || !ping.Working || ping.ServiceResponse.StatusCode != 200 {
		t.Errorf("authPing: exit %d %s", code, out)
	}
	t.Setenv("ACMEPETS_API_KEY", "wrong-key")
	code, out, errOut = run("call", specPath, "authPing")
	if json.Unmarshal([]byte(out), &ping); code != 1 || ping.Working || !strings.Contains(errOut, "bad key") {
		t.Errorf("failing authPing: exit %d %s %s", code, out, errOut)
	}
	t.Setenv("ACMEPETS_API_KEY", apiKey)

	// Usage errors: exit 2.
	code, _, errOut = run("call", "--set", "APIKey=x", specPath, "getPet", "id=1")
	if code != 2 || !strings.Contains(errOut, "ACMEPETS_API_KEY") || strings.Contains(errOut, apiKey) {
		t.Errorf("--set secret: exit %d %s", code, errOut)
	}
	if code, _, errOut = run("call", specPath, "noSuchAction"); code != 2 || !strings.Contains(errOut, "unknown action") {
		t.Errorf("unknown action: exit %d %s", code, errOut)
	}
	if code, _, _ = run("call", specPath, "getPet", "novalue"); code != 2 {
		t.Errorf("bad pair: exit %d", code)
	}
	if code, _, _ = run("call"); code != 2 {
		t.Errorf("no spec: exit %d", code)
	}

	// The secret never reaches stdout or stderr.
	for _, args := range [][]string{{"call", specPath, "getPet", "id=404"}, {"call", specPath, "authPing"}, {"call", specPath, "getPet", "id=7"}} {
		_, out, errOut := run(args...)
		if strings.Contains(out+errOut, apiKey) {
			t.Errorf("%v printed the API key", args)
		}
	}
}

func TestCallMissingConfig(t *testing.T) {
	specPath := callSetup(t)
	t.Setenv("ACMEPETS_API_KEY", "")
	code, _, errOut := run("call", specPath, "getPet", "id=1")
	// The error names the remedy: the variable to set.
	if code != 1 || !strings.Contains(errOut, "acmepets: missing APIKey: set ACMEPETS_API_KEY") {
		t.Errorf("exit %d %s", code, errOut)
	}
}

func TestCallToken(t *testing.T) {
	callSetup(t)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "acmeauth.yaml")
	os.WriteFile(specPath, []byte(`conngen: 1
name: acmeauth
baseURL: https://auth.example.com
auth:
  type: oauth2
  grant: authorizationCode
  authorizeURL: https://auth.example.com/authorize
  tokenURL: https://auth.example.com/token
ping: {path: /me}
actions:
  - {name: getMe, method: GET, path: /me}
`), 0o644)
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		w.Write([]byte(`{"id":"me"}`))
	}))
	defer srv.Close()
	t.Setenv("ACMEAUTH_BASE_URL", srv.URL)
	t.Setenv("ACMEAUTH_CLIENT_ID", "cid")
	tok := filepath.Join(dir, "token.json")
	os.WriteFile(tok, []byte(`{"access_token":"tok-s3cr3t","token_type":"Bearer","expiry":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`), 0o600)
	code, out, errOut := run("call", "--token", tok, specPath, "getMe")
	if code != 0 || gotAuth != "Bearer tok-s3cr3t" || !strings.Contains(out, `"id": "me"`) {
		t.Fatalf("exit %d auth %q\n%s\n%s", code, gotAuth, out, errOut)
	}
	if strings.Contains(out+errOut, "tok-s3cr3t") {
		t.Error("the token was printed")
	}
	if code, _, errOut := run("call", "--set", "Token=x", specPath, "getMe"); code != 2 || !strings.Contains(errOut, "ACMEAUTH_TOKEN") {
		t.Errorf("--set Token: exit %d %s", code, errOut)
	}
	if code, _, _ := run("call", "--token", filepath.Join(dir, "missing.json"), specPath, "getMe"); code != 1 {
		t.Errorf("missing token file: exit %d", code)
	}
}

func TestCallFindAndHelp(t *testing.T) {
	specPath := callSetup(t)
	code, out, errOut := run("call", "--find", "remove a pet", specPath)
	if code != 0 || !strings.HasPrefix(out, "deletePet") {
		t.Errorf("--find: exit %d\n%s%s", code, out, errOut)
	}
	// Flags after the positional arguments.
	code, out, errOut = run("call", specPath, "getPet", "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d %s", code, errOut)
	}
	for _, want := range []string{"FIELD", "id  ", "integer", "yes", "zip", "string"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not say %q:\n%s", want, out)
		}
	}
	code, out, _ = run("call", specPath, "createPet", "--help")
	if code != 0 || !strings.Contains(out, "body.name") || !strings.Contains(out, `"dog" "cat"`) || !strings.Contains(out, "body  ") {
		t.Errorf("createPet --help:\n%s", out)
	}
	if code, _, _ := run("call", specPath, "nosuch", "--help"); code != 2 {
		t.Errorf("--help of an unknown action: exit %d", code)
	}
}

// TestCallTextError: a non-JSON error body's text reaches stderr, cut and
// without the credential.
func TestCallTextError(t *testing.T) {
	specPath := callSetup(t)
	srv, _ := petServer(t)
	t.Setenv("ACMEPETS_BASE_URL", srv.URL)
	t.Setenv("ACMEPETS_API_KEY", apiKey)
	code, out, errOut := run("call", specPath, "getPet", "id=500")
	if code != 1 || !strings.Contains(errOut, "500 Internal Server Error") || !strings.Contains(errOut, "upstream exploded") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut[:min(len(errOut), 300)])
	}
	if strings.Contains(out+errOut, apiKey) || len(errOut) > 6000 {
		t.Errorf("stderr holds the key or the whole body (%d bytes)", len(errOut))
	}
}
