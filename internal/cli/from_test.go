package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/conngen/conngen/generator/openapi"
)

const deriveData = "../../generator/testdata/derive"

// mailDir writes the derived spec of generator/testdata/derive into dir
// (dir/specs/mail.yaml, its overlay, and doc as the document it follows,
// in dir/openapi/).
func mailDir(t *testing.T, dir, doc string) {
	t.Helper()
	for _, f := range []struct{ src, dst string }{
		{"mail.yaml", "specs/mail.yaml"},
		{"mail.fix.yaml", "specs/mail.fix.yaml"},
		{doc, "specs/mail.openapi.yaml"},
	} {
		data, err := os.ReadFile(filepath.Join(deriveData, f.src))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolveAndGenerateDerived(t *testing.T) {
	dir := t.TempDir()
	mailDir(t, dir, "mail-v1.yaml")
	specPath := filepath.Join(dir, "specs", "mail.yaml")
	code, stdout, stderr := run("resolve", specPath)
	if code != exitOK {
		t.Fatalf("resolve: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"name: mail\n", "style: cursor", "maxAttempts: 3", "The domain name, such as example.com."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("resolve output lacks %q", want)
		}
	}
	if strings.Contains(stdout, "\nfrom:") || strings.Contains(stdout, "deleteDomain") {
		t.Error("resolve output keeps from: or the excluded action")
	}
	// The resolved spec is a plain spec that generates the same package.
	plain := filepath.Join(t.TempDir(), "mail.yaml")
	os.WriteFile(plain, []byte(stdout), 0o644)
	out := filepath.Join(t.TempDir(), "gen")
	if code, _, stderr := run("generate", "-o", out, specPath); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if code, diff, stderr := run("check", plain, "-o", out); code != exitOK {
		t.Errorf("check of the resolved spec against the derived spec's output: exit %d\n%s%s", code, diff, stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "specs"))
	if len(entries) != 3 {
		t.Errorf("specs/ holds %d files, want the 3 written (nothing imported beside the spec)", len(entries))
	}
}

// generate prints one line for a derived spec's import warnings;
// validate and resolve print them all.
func TestImportWarningsCount(t *testing.T) {
	dir := t.TempDir()
	doc := `openapi: 3.0.3
info: {title: Warn, version: "1"}
servers: [{url: "https://api.warn.test"}]
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: session, in: cookie, schema: {type: string}}
        - {name: theme, in: cookie, schema: {type: string}}
      responses:
        "200": {description: ok}
`
	os.WriteFile(filepath.Join(dir, "warn.openapi.yaml"), []byte(doc), 0o644)
	specPath := filepath.Join(dir, "warn.yaml")
	os.WriteFile(specPath, []byte("conngen: 1\nname: warn\nfrom:\n  openapi: warn.openapi.yaml\n"), 0o644)

	code, _, stderr := run("generate", "-o", t.TempDir(), specPath)
	want := "conngen: " + specPath + ": 2 import warnings (conngen resolve shows them)\n"
	if code != exitOK || stderr != want {
		t.Errorf("generate: exit %d, stderr %q, want %q", code, stderr, want)
	}
	for _, cmd := range []string{"validate", "resolve"} {
		code, _, stderr := run(cmd, specPath)
		if code != exitOK || strings.Count(stderr, "cookie parameter") != 2 || strings.Contains(stderr, "import warnings") {
			t.Errorf("%s: exit %d, stderr %q, want both warnings in full", cmd, code, stderr)
		}
	}
}

func TestDiffDerivedUpdate(t *testing.T) {
	v1, v2 := t.TempDir(), t.TempDir()
	mailDir(t, v1, "mail-v1.yaml")
	mailDir(t, v2, "mail-v2.yaml")
	old, new := filepath.Join(v1, "specs", "mail.yaml"), filepath.Join(v2, "specs", "mail.yaml")
	code, stdout, stderr := run("diff", old, new)
	if code != exitFail {
		t.Fatalf("diff: exit %d, want 1 (breaking): %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"breaking: Email.CreatedAt: type *time.Time → *string (schema Email, field created_at)\n",
		"breaking: Email.Tags: field removed (schema Email, field tags)\n",
		"breaking: action postEmails removed (func (*Client) PostEmails); POST /emails is now action sendEmail (func (*Client) SendEmail)\n",
		"compatible: action sendEmail added (func (*Client) SendEmail)\n",
		"compatible: action listAudiences added (func (*Client) ListAudiences)\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff output lacks %q:\n%s", want, stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	seenCompatible := false
	for _, l := range lines {
		if strings.HasPrefix(l, "compatible: ") {
			seenCompatible = true
		} else if seenCompatible {
			t.Errorf("%q after a compatible line: breaking lines come first", l)
		}
	}
	if code, _, _ := run("diff", "--fail-on", "none", old, new); code != exitOK {
		t.Errorf("--fail-on none: exit %d, want 0", code)
	}
	// flags after the positional arguments
	if code, _, _ := run("diff", old, new, "--fail-on", "none"); code != exitOK {
		t.Errorf("diff OLD NEW --fail-on none: exit %d, want 0", code)
	}
	if code, stdout, _ := run("diff", "--fail-on", "any", old, old); code != exitOK || stdout != "" {
		t.Errorf("diff of a spec with itself: exit %d, output %q", code, stdout)
	}
	if code, _, _ := run("diff", "--fail-on", "sometimes", old, new); code != exitUsage {
		t.Errorf("--fail-on sometimes: exit %d, want 2", code)
	}
	if code, _, stderr := run("diff", old, filepath.Join(v2, "nope.yaml")); code != exitUsage || stderr == "" {
		t.Errorf("a spec that does not load: exit %d, stderr %q, want 2", code, stderr)
	}
}

// REF:PATH reads the spec and every file it references from git.
func TestDiffGitRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitRun("init", "-q", "-b", "main")
	mailDir(t, repo, "mail-v1.yaml")
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "v1")
	// The working tree follows the provider's next version.
	mailDir(t, repo, "mail-v2.yaml")
	t.Chdir(repo)

	code, stdout, stderr := run("diff", "main:specs/mail.yaml", "specs/mail.yaml")
	if code != exitFail || !strings.Contains(stdout, "breaking: Email.Tags: field removed") {
		t.Fatalf("diff main:specs/mail.yaml specs/mail.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
	// Against itself at main: nothing changed.
	if code, stdout, stderr := run("diff", "--fail-on", "any", "main:specs/mail.yaml", "main:specs/mail.yaml"); code != exitOK || stdout != "" {
		t.Errorf("main against main: exit %d\n%s%s", code, stdout, stderr)
	}
	// ./PATH is relative to the current directory, as git show reads it.
	t.Chdir(filepath.Join(repo, "specs"))
	if code, stdout2, stderr := run("diff", "main:./mail.yaml", "mail.yaml"); code != exitFail || stdout2 != stdout {
		t.Errorf("main:./mail.yaml from specs/: exit %d\n%s%s", code, stdout2, stderr)
	}
	t.Chdir(repo)
	// A reference outside the repository is an error.
	os.WriteFile(filepath.Join(repo, "specs", "out.yaml"), []byte("conngen: 1\nname: mail\nfrom:\n  openapi: ../../elsewhere.yaml\n"), 0o644)
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "out")
	if code, _, stderr := run("diff", "main:specs/out.yaml", "specs/mail.yaml"); code != exitUsage || !strings.Contains(stderr, "outside the repository") {
		t.Errorf("reference outside the repository: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run("diff", "nosuchref:specs/mail.yaml", "specs/mail.yaml"); code != exitUsage || !strings.Contains(stderr, "nosuchref") {
		t.Errorf("unknown ref: exit %d, stderr %q", code, stderr)
	}
}

// A cached runner is found through the spec's index only while every
// file the spec read (a derived spec's document too) has the same bytes.
func TestRunnerCacheKeyedByEveryFile(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	specPath, docPath := filepath.Join(dir, "mail.yaml"), filepath.Join(dir, "mail.openapi.yaml")
	os.WriteFile(specPath, []byte("spec"), 0o644)
	os.WriteFile(docPath, []byte("document v1"), 0o644)
	files := map[string][]byte{specPath: []byte("spec"), docPath: []byte("document v1")}
	key, idx := inputsKey(files)
	bin := filepath.Join(root, "run", key, "runner")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	os.WriteFile(bin, []byte("x"), 0o755)
	idxPath := filepath.Join(root, "run", "index", "mail.json")
	writeIndex(idxPath, key, idx)
	if got, ok := cachedRunner(root, idxPath, "runner"); !ok || got != bin {
		t.Fatalf("cachedRunner = %q, %v; want %q", got, ok, bin)
	}
	os.WriteFile(docPath, []byte("document v2"), 0o644)
	if _, ok := cachedRunner(root, idxPath, "runner"); ok {
		t.Error("the document changed but the cached runner is still used")
	}
	files[docPath] = []byte("document v2")
	if key2, _ := inputsKey(files); key2 == key {
		t.Error("a changed document gives the same key")
	}
}

// The files a document's $refs name are read from REF's tree too, and a
// $ref that leaves the repository is an error.
func TestDiffGitRefFollowsRefs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	api := func(ref string) string {
		return `openapi: 3.0.3
info: {title: Refs, version: "1"}
servers: [{url: "https://api.refs.test"}]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: '` + ref + `'
`
	}
	gitRun("init", "-q", "-b", "main")
	write("specs/refs.yaml", "conngen: 1\nname: refs\nfrom:\n  openapi: ../openapi/api.yaml\n")
	write("openapi/api.yaml", api("schemas.yaml#/Thing"))
	write("openapi/schemas.yaml", "Thing:\n  type: object\n  properties:\n    size: {type: integer}\n")
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "v1")
	write("openapi/schemas.yaml", "Thing:\n  type: object\n  properties:\n    size: {type: string}\n")
	gitRun("commit", "-q", "-am", "v2")
	// The working tree no longer has the referenced file: REF's tree is read.
	os.Remove(filepath.Join(repo, "openapi", "schemas.yaml"))
	t.Chdir(repo)
	code, stdout, stderr := run("diff", "main~1:specs/refs.yaml", "main:specs/refs.yaml")
	if code != exitFail || stdout != "breaking: Thing.Size: type *int → *string (schema Thing, field size)\n" {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	write("openapi/api.yaml", api("../../outside.yaml#/Thing"))
	gitRun("commit", "-q", "-am", "v3")
	code, _, stderr = run("diff", "main~1:specs/refs.yaml", "main:specs/refs.yaml")
	if code != exitUsage || !strings.Contains(stderr, "conngen diff: main:specs/refs.yaml: a $ref names /outside.yaml, outside the repository") {
		t.Errorf("a $ref outside the repository: exit %d, stderr %q", code, stderr)
	}
}

// import --overlay applies overlays as from.overlays does; a target that
// selects nothing is an error at the overlay's line.
func TestImportOverlay(t *testing.T) {
	doc := "testdata/from/mail.yaml"
	fix := filepath.Join(t.TempDir(), "fix.yaml")
	os.WriteFile(fix, []byte("overlay: 1.0.0\ninfo: {title: t, version: \"1\"}\nactions:\n  - target: $.paths['/domains'].get\n    update: {summary: Every domain}\n"), 0o644)
	code, stdout, stderr := run("import", doc, "--overlay", fix)
	if code != exitOK || !strings.Contains(stdout, "title: Every domain") {
		t.Errorf("import --overlay: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run("import", "--overlay", "testdata/from/stale.fix.yaml", doc)
	if want := "testdata/from/stale.fix.yaml:9:5: actions[1]: target $.paths['/emails'].post selects nothing"; code != exitFail || !strings.Contains(stderr, want) {
		t.Errorf("stale overlay: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		code, _, stderr = run("import", "--overlay", "/dev/zero", doc)
		if code != exitFail || !strings.Contains(stderr, "not a regular file") {
			t.Errorf("--overlay /dev/zero: exit %d, stderr %q; want a refusal, not an endless read", code, stderr)
		}
	}
}

// import reads its document from a pipe (conngen import <(curl …)) to its
// end, and refuses one that never ends once it is larger than any
// document can be, instead of reading until memory runs out.
func TestImportBoundedRead(t *testing.T) {
	doc, err := os.ReadFile("testdata/from/mail.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "doc.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.Write(doc)
			f.Close()
		}
	}()
	if code, stdout, stderr := run("import", fifo); code != exitOK || !strings.Contains(stdout, "actions:") {
		t.Errorf("import FIFO: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		return
	}
	max := openapi.MaxDocumentBytes
	openapi.MaxDocumentBytes = 1 << 20
	defer func() { openapi.MaxDocumentBytes = max }()
	code, _, stderr := run("import", "/dev/zero")
	if code != exitFail || !strings.Contains(stderr, "larger than 1 MiB") {
		t.Errorf("import /dev/zero: exit %d, stderr %q; want a refusal once past the bound", code, stderr)
	}
}
