//go:build unix

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/internal/testsupport"
)

// defaultDocuments are the documents of ../shared/openapi that TestPrism
// calls when CONNGEN_E2E_OPENAPI is not set: the six of issue 4, and
// Swagger Petstore 3, whose getInventory takes an api_key header while the
// connector holds an OAuth2 token (an action with its own auth, which
// Prism checks).
var defaultDocuments = []string{
	"spotify-web-api.fixed.yaml",
	"twilio-api-v2010.json",
	"box-openapi.json",
	"digitalocean-public.v2.bundled.json",
	"discord-openapi.json",
	"slack-web-openapi-v2.swagger2.json",
	"petstore3-swagger-api.yaml",
}

// Kinds of known failures.
const (
	kindPrism       = "prism-limitation" // Prism cannot check or answer the call; not conngen's fault
	kindUnsupported = "unsupported"      // the document asks for what conngen does not implement (the import warns)
)

// knownIssue explains failures: a failed call of document doc whose error,
// Prism violations or response body contains match. Failures of kind
// prism-limitation are counted apart and never fail the test; the others
// are reported as known failures, and fail the test only with
// CONNGEN_E2E_STRICT=1, so that the bugs they stand for are visible in
// every run while they are being fixed. A failure that matches no entry
// fails the test. Keep every entry justified; remove it when it is fixed.
type knownIssue struct {
	doc, match, kind, cause string
}

var knownIssues = []knownIssue{
	// Prism cannot validate the request, or cannot answer it.
	{"", "json-schema-faker/dist", kindPrism, "Prism's response generator (json-schema-faker) crashes on the response schema"},
	{"", "We currently do not support this type of security scheme", kindPrism, "Prism does not check mutualTLS (and the connector cannot send a client certificate from a spec: the import warns)"},
	{"digitalocean-public.v2.bundled.json", "must match exactly one schema in oneOf", kindPrism,
		"Prism ignores the discriminator, and this oneOf's alternatives overlap (droplet_action_snapshot is allOf droplet_action plus an optional name): every body fits both, so none matches exactly one"},
	{"box-openapi.json", "must have required property 'grant_type'", kindPrism,
		"Box's PostOAuth2Revoke requires grant_type without declaring it; the import adds the property and the connector sends it, but Prism reads only the declared properties of a form body, so it never sees it (checked by hand: curl --data 'grant_type=test&...' gets the same 400)"},
	{"box-openapi.json", "attributes must be object", kindPrism, "Prism reads multipart parts as strings, so a JSON object part (attributes) never validates"},

	// What conngen does not implement.
	{"security-schemes.ogen-positive.json", "Invalid security scheme used", kindUnsupported,
		"customSecurity takes only HTTP Digest auth, a challenge-response scheme conngen does not implement (the import warns: http scheme \"digest\" not supported)"},
}

// classify finds the known issue that explains a failed call.
func classify(doc string, r Result) *knownIssue {
	text := r.Error + "\n" + violations(r.Violations) + "\n" + r.Violations + "\n" + r.Body
	for i, k := range knownIssues {
		if (k.doc == "" || k.doc == doc) && strings.Contains(text, k.match) {
			return &knownIssues[i]
		}
	}
	return nil
}

// prismPath finds the Prism CLI installed by `make prism`. Locally the test
// is skipped without it; in CI (CI set) it must be there.
func prismPath(t *testing.T) string {
	p := filepath.Join(testsupport.RepoRoot(), "tools", "prism", "node_modules", ".bin", "prism")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("prism is not installed at %s: CI must run `make prism` first", p)
		}
		t.Skipf("prism is not installed (%s missing): run `make prism` to install it into tools/prism", p)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: prism needs it")
	}
	return p
}

// documents is CONNGEN_E2E_OPENAPI (colon-separated paths) or the default six.
func documents(t *testing.T) []string {
	if env := os.Getenv("CONNGEN_E2E_OPENAPI"); env != "" {
		var docs []string
		for _, p := range strings.Split(env, ":") {
			if p = strings.TrimSpace(p); p != "" {
				docs = append(docs, p)
			}
		}
		return docs
	}
	dir := testsupport.OpenAPIDir()
	if dir == "" {
		t.Skip("shared/openapi not found (set CONNGEN_E2E_OPENAPI to name documents)")
	}
	var docs []string
	for _, d := range defaultDocuments {
		docs = append(docs, filepath.Join(dir, d))
	}
	return docs
}

// connectorName is a package name derived from the document's file name.
func connectorName(doc string) string {
	base := filepath.Base(doc)
	return "e" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base))))
}

// TestPrism imports each document, generates its connector and a driver
// that calls every action, starts `prism mock` on the document and runs
// the driver against it. Prism validates every request against the
// document and answers 4xx/422 when it does not conform; every response
// must decode into the action's generated type. Prism runs without
// --errors, which would replace a made-up response that breaks the
// document by a 500: the response is decoded as it is (the violations
// are reported), as a client meets it.
func TestPrism(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the Prism end-to-end run")
	}
	prism := prismPath(t)
	docs := documents(t)
	mod := t.TempDir()
	if keep := os.Getenv("CONNGEN_E2E_KEEP"); keep != "" {
		// Keep the generated module (packages, drivers) for debugging.
		mod = keep
		if err := os.MkdirAll(mod, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	summary := map[string]string{}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		keys := make([]string, 0, len(summary))
		for k := range summary {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Logf("%s: %s", k, summary[k])
		}
	})
	for _, doc := range docs {
		base := filepath.Base(doc)
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			line := runDocument(t, prism, mod, doc)
			mu.Lock()
			summary[base] = line
			mu.Unlock()
		})
	}
}

// brokenRef finds, in Prism's log, its refusal of a document with a $ref
// to nothing (swagger-parser's petstore-3.1-more points at a missing
// #/components/schemas/Cat; conngen imports it with a warning) or to a
// URL it cannot fetch (the GitHub document's SCIM examples hold "$ref"
// members, data that Prism takes for references to download; tests reach
// nothing but loopback).
var brokenRef = regexp.MustCompile(`message: '[^']*does not exist'|ResolverError: Error downloading \S+`)

// runDocument runs one document and returns its summary line.
func runDocument(t *testing.T, prism, mod, doc string) string {
	base := filepath.Base(doc)
	name := connectorName(doc)
	s, warns, err := openapi.Import(doc, openapi.Options{Name: name})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	noSuccess := map[string]bool{}    // operation pointers
	stringParams := map[string]bool{} // operation pointer + " " + parameter name
	for _, w := range warns {
		if w.Message == openapi.NoSuccessWarning {
			noSuccess[strings.TrimSuffix(w.Pointer, "/responses")] = true
		}
		if text, ok := strings.CutSuffix(w.Message, openapi.StringParamWarning); ok {
			if op, _, ok := strings.Cut(w.Pointer, "/parameters/"); ok {
				stringParams[op+" "+strings.TrimPrefix(text, "schema of parameter ")] = true
			}
		}
	}
	leaveOut := map[string]bool{}
	for _, a := range s.Actions {
		for _, p := range a.Params {
			if stringParams[openapi.OperationPointer(a.Method, a.Path)+" "+p.Name] {
				leaveOut[a.Name+" "+p.Name] = true
			}
		}
	}
	if len(s.Actions) == 0 {
		t.Skip("the document has no operations")
	}

	// Start Prism first: it takes a few seconds to read a large document.
	start := time.Now()
	srv := startPrism(t, prism, doc)

	pkg := generateInto(t, mod, s, name, leaveOut)
	bin := filepath.Join(mod, "bin", name)
	goCmd(t, mod, "build", "-o", bin, pkg)
	built := time.Since(start)

	if err := srv.wait(3 * time.Minute); err != nil {
		if m := brokenRef.FindString(srv.log()); m != "" {
			// Nothing can validate the calls; the import, generation and
			// build above did pass.
			t.Skipf("generated and built, but Prism cannot load the document: %s", m)
		}
		t.Fatalf("prism: %v\n%s", err, srv.log())
	}
	ready := time.Since(start)
	cmd := exec.Command(bin, srv.url, "6")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("driver: %v\n%s", err, stderr.String())
	}
	t.Logf("built in %v, prism ready in %v, calls done in %v", built.Round(time.Second), ready.Round(time.Second), time.Since(start).Round(time.Second))
	var results []Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("driver output %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	sort.Slice(results, func(i, j int) bool { return results[i].Name < results[j].Name })
	if len(results) != len(s.Actions) {
		t.Errorf("the driver reported %d calls for %d actions", len(results), len(s.Actions))
	}

	passed, limited, known := 0, 0, 0
	var failures, limits, knowns, examples, broken, errorOnly []string
	for _, r := range results {
		if r.ExampleError != "" {
			examples = append(examples, fmt.Sprintf("  %s: %s", r.Name, r.ExampleError))
		}
		if !r.Passed && r.Status != 0 && noSuccess[openapi.OperationPointer(r.Method, r.Path)] && !requestViolated(r.Violations) {
			// The document declares no success; Prism validated the
			// request and answered a status it lists.
			passed++
			errorOnly = append(errorOnly, fmt.Sprintf("  %s (%s %s): %d", r.Name, r.Method, r.Path, r.Status))
			continue
		}
		if r.Passed {
			passed++
			if responseOnly(r.Violations) {
				broken = append(broken, fmt.Sprintf("  %s: %s", r.Name, truncate(violations(r.Violations), 200)))
			}
			continue
		}
		var k *knownIssue
		if cause := brokenResponse(r); cause != "" {
			k = &knownIssue{kind: kindPrism, cause: cause}
		} else {
			k = classify(base, r)
		}
		switch {
		case k == nil:
			failures = append(failures, describeFailure(r))
		case k.kind == kindPrism:
			limited++
			limits = append(limits, fmt.Sprintf("  %s (%s %s): %s", r.Name, r.Method, r.Path, truncate(k.cause, 300)))
		default:
			known++
			knowns = append(knowns, fmt.Sprintf("  [%s] %s (%s %s): %s", k.kind, r.Name, r.Method, r.Path, k.cause))
		}
	}
	line := fmt.Sprintf("operations called %d / passed %d", len(results), passed)
	if limited > 0 {
		line += fmt.Sprintf(" / prism-limitation %d", limited)
	}
	if known > 0 {
		line += fmt.Sprintf(" / known failures %d", known)
	}
	if len(failures) > 0 {
		line += fmt.Sprintf(" / FAILED %d", len(failures))
	}
	t.Log(line)
	if len(examples) > 0 {
		t.Logf("the document's example did not decode, a response generated from its schema did (%d):\n%s", len(examples), strings.Join(examples, "\n"))
	}
	if len(errorOnly) > 0 {
		t.Logf("passed with an *APIError, as the document declares no 2xx or default response (%d):\n%s", len(errorOnly), strings.Join(errorOnly, "\n"))
	}
	if len(broken) > 0 {
		t.Logf("passed, though Prism's made-up response broke the document (%d):\n%s", len(broken), strings.Join(broken, "\n"))
	}
	if len(limits) > 0 {
		t.Logf("prism-limitation (%d):\n%s", len(limits), strings.Join(limits, "\n"))
	}
	if len(knowns) > 0 {
		msg := fmt.Sprintf("KNOWN FAILURES (%d; bugs to fix, see knownIssues):\n%s", len(knowns), strings.Join(knowns, "\n"))
		if os.Getenv("CONNGEN_E2E_STRICT") != "" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	if len(failures) > 0 {
		t.Errorf("%d of %d operations failed:\n%s", len(failures), len(results), strings.Join(failures, "\n"))
	}
	return line
}

// brokenResponse explains a call whose request passed validation and
// whose 2xx response did not decode, every time it was asked for, because
// Prism made that response up against the document: its violations name
// the field that did not decode (or, when the decoder names no field, a
// wrong type or format). It returns "" for any other failure.
func brokenResponse(r Result) string {
	if r.Status != 0 || r.Error == "" || !responseOnly(r.Violations) {
		return ""
	}
	why := "Prism's made-up response breaks the document where it does not decode: " + testsupport.FirstLines(violations(r.Violations), 1)
	field := fieldRE.FindStringSubmatch(r.Error)
	for _, v := range readViolations(r.Violations) {
		if len(v.location) < 2 || v.location[0] != "response" || v.location[1] != "body" {
			continue
		}
		if field == nil {
			if v.code == "type" || v.code == "format" {
				return why
			}
			continue
		}
		var path []string // the body location without array indexes
		for _, seg := range v.location[2:] {
			if strings.Trim(seg, "0123456789") != "" {
				path = append(path, seg)
			}
		}
		if strings.HasSuffix("."+strings.Join(path, "."), "."+field[1]) {
			return why
		}
	}
	return ""
}

// fieldRE reads the JSON path of the field in an encoding/json error.
var fieldRE = regexp.MustCompile(`Go struct field [A-Za-z0-9_]+\.([^ ]+) of type`)

func describeFailure(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s (%s %s): status %d: %s", r.Name, r.Method, r.Path, r.Status, r.Error)
	if v := violations(r.Violations); v != "" {
		fmt.Fprintf(&b, "\n    prism violations: %s", v)
	}
	if r.Body != "" {
		body := r.Body
		var problem struct {
			Title      string          `json:"title"`
			Detail     string          `json:"detail"`
			Validation json.RawMessage `json:"validation"`
		}
		if json.Unmarshal([]byte(r.Body), &problem) == nil && problem.Title != "" {
			body = problem.Title
			if problem.Detail != "" {
				body += ": " + problem.Detail
			}
			if v := violations(string(problem.Validation)); v != "" {
				body += " [" + v + "]"
			}
		}
		fmt.Fprintf(&b, "\n    response: %s", testsupport.FirstLines(body, 5))
	}
	if r.Notes != "" {
		fmt.Fprintf(&b, "\n    driver notes: %s", r.Notes)
	}
	return b.String()
}

// prismServer is a running `prism mock`.
type prismServer struct {
	url  string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (p *prismServer) log() string {
	lines := strings.Split(p.out.String(), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// startPrism starts `prism mock doc` on a free loopback port, in a
// process group of its own that is killed when the test ends.
func startPrism(t *testing.T, prism, doc string) *prismServer {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(prism, "mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port),
		// Prism logs every request and response body at the default
		// level, which costs more than mocking on large documents.
		"-v", "error",
		// A fixed seed makes dynamically generated responses the same in
		// every run, so a run's outcome can be reproduced.
		"--seed", "conngen",
		doc)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &prismServer{url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prism: %v", err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	return p
}

// wait returns when Prism answers HTTP, or an error when it exits or the
// timeout passes.
func (p *prismServer) wait(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("exited before listening: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not listening after %v", timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// violations formats Prism's validation report (the sl-violations header
// or the validation member of its problem body) as "location: message; ...".
func violations(raw string) string {
	if raw == "" {
		return ""
	}
	raw = strings.TrimPrefix(raw, "Too many violations! ")
	var list []struct {
		Location []string `json:"location"`
		Message  string   `json:"message"`
	}
	if json.Unmarshal([]byte(raw), &list) != nil {
		return raw
	}
	var parts []string
	for _, v := range list {
		parts = append(parts, strings.Join(v.Location, ".")+": "+v.Message)
	}
	return strings.Join(parts, "; ")
}

// requestViolated reports whether Prism found the request invalid.
func requestViolated(raw string) bool {
	for _, v := range readViolations(raw) {
		if len(v.location) == 0 || v.location[0] != "response" {
			return true
		}
	}
	return false
}

// responseOnly reports whether Prism found violations, all of them in the
// response it generated (none in the request).
func responseOnly(raw string) bool {
	return violationRE.MatchString(raw) && !requestViolated(raw)
}

// violationRef is where one violation is and what kind it is.
type violationRef struct {
	location []string // "request"/"response", then the path
	code     string   // "type", "format", "required", ... ("" when cut off)
}

// readViolations reads the violations of Prism's sl-violations header. A
// long list comes as "Too many violations! [..." and cut short, which is no
// longer JSON, so the entries are found in the text.
func readViolations(raw string) []violationRef {
	var out []violationRef
	for _, m := range violationRE.FindAllStringSubmatch(raw, -1) {
		out = append(out, violationRef{location: strings.Split(strings.Trim(m[1], `"`), `","`), code: m[2]})
	}
	return out
}

var violationRE = regexp.MustCompile(`"location":\s*\[\s*((?:"[^"]*",?\s*)*)\](?:,\s*"severity":"[A-Za-z]+",\s*"code":"([^"]*)")?`)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
