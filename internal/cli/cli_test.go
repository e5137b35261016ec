package cli

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/errors/*/stderr.txt")

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestErrorGoldens: each testdata/errors/<case>/spec.yaml is a broken spec;
// validate and generate must print exactly stderr.txt, exit 1, and write
// nothing.
func TestErrorGoldens(t *testing.T) {
	cases, _ := filepath.Glob("testdata/errors/*")
	if len(cases) == 0 {
		t.Fatal("no error cases")
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			specPath := filepath.Join(dir, "spec.yaml")
			code, _, stderr := run("validate", specPath)
			if code != exitFail {
				t.Errorf("validate exit = %d, want %d", code, exitFail)
			}
			golden := filepath.Join(dir, "stderr.txt")
			if *update {
				os.WriteFile(golden, []byte(stderr), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if stderr != string(want) {
				t.Errorf("stderr (-want +got):\n-%s\n+%s", strings.ReplaceAll(string(want), "\n", "\n-"), strings.ReplaceAll(stderr, "\n", "\n+"))
			}
			out := t.TempDir()
			code, _, stderr2 := run("generate", "-o", out, specPath)
			if code != exitFail || stderr2 != stderr {
				t.Errorf("generate: exit %d, stderr differs from validate's:\n%s", code, stderr2)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("generate wrote %d entries for a broken spec", len(entries))
			}
		})
	}
}

// A broken spec among good ones stops the whole run before any write.
func TestGenerateWritesNothingWhenAnySpecFails(t *testing.T) {
	out := t.TempDir()
	code, _, _ := run("generate", "-o", out, "../../specs/publicholidays.yaml", "testdata/errors/cross-refs/spec.yaml")
	if code != exitFail {
		t.Fatalf("exit = %d, want 1", code)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("wrote %d entries", len(entries))
	}
}

func TestGenerateAndCheck(t *testing.T) {
	out := t.TempDir()
	spec := "../../specs/publicholidays.yaml"
	if code, _, stderr := run("check", "-o", out, spec); code != exitFail || !strings.Contains(stderr, "stale") {
		t.Errorf("check on empty dir: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run("generate", "-o", out, spec); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := run("check", "-o", out, spec); code != exitOK || stdout != "" {
		t.Errorf("check after generate: exit %d\n%s%s", code, stdout, stderr)
	}
	client := filepath.Join(out, "publicholidays", "client.go")
	data, _ := os.ReadFile(client)
	os.WriteFile(client, bytes.Replace(data, []byte("package publicholidays"), []byte("package publicholidays // edited"), 1), 0o644)
	code, stdout, _ := run("check", "-o", out, spec)
	if code != exitFail || !strings.Contains(stdout, "-package publicholidays // edited") || !strings.Contains(stdout, "+package publicholidays") {
		t.Errorf("check after edit: exit %d, diff:\n%s", code, stdout)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := run(); code != exitUsage {
		t.Errorf("no args: exit %d", code)
	}
	if code, _, stderr := run("frobnicate"); code != exitUsage || !strings.Contains(stderr, "unknown command") {
		t.Errorf("unknown command: exit %d %q", code, stderr)
	}
	if code, stdout, _ := run("version"); code != exitOK || !strings.HasPrefix(stdout, "conngen ") {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	if code, _, _ := run("validate"); code != exitUsage {
		t.Errorf("validate without files: exit %d", code)
	}
	if code, _, stderr := run("validate", "does-not-exist.yaml"); code != exitFail || !strings.Contains(stderr, "does-not-exist.yaml") {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}
}

// TestCheckTwoHunks: two one-line edits far apart in committed output are
// reported as two hunks with their context, not one hunk spanning
// everything between them (testdata/check/stdout.txt).
func TestCheckTwoHunks(t *testing.T) {
	out := t.TempDir()
	specPath := filepath.Join("testdata", "check", "spec.yaml")
	if code, _, stderr := run("generate", "-o", out, specPath); code != exitOK {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	models := filepath.Join(out, "hunks", "models.go")
	data, err := os.ReadFile(models)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "A1 *string", "A1 *int", 1)
	edited = strings.Replace(edited, "E5 *string", "E5 *bool", 1)
	if edited == string(data) || strings.Count(edited, "\n") < 40 {
		t.Fatalf("the edits did not apply to models.go:\n%s", data)
	}
	os.WriteFile(models, []byte(edited), 0o644)
	code, stdout, stderr := run("check", "-o", out, specPath)
	if code != exitFail {
		t.Fatalf("check: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	got := strings.ReplaceAll(stdout+stderr, out, "OUT")
	if n := strings.Count(got, "\n@@ "); n != 2 {
		t.Errorf("%d hunks, want 2:\n%s", n, got)
	}
	golden := filepath.Join("testdata", "check", "stdout.txt")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("check printed:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

// parseArgs tells a "--" that ends the flags from one that is a flag's
// value, wherever either stands.
func TestParseArgsDashes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		tag  string
		name string
		pos  []string
	}{
		{[]string{"--tag", "--name", "--", "X"}, "--name", "", []string{"X"}},
		{[]string{"--tag", "--name", "--", "X", "--name", "v"}, "--name", "", []string{"X", "--name", "v"}},
		{[]string{"--name", "--", "X"}, "", "--", []string{"X"}},
		{[]string{"--name", "n", "--", "--tag"}, "", "n", []string{"--tag"}},
		{[]string{"X", "--tag", "t", "Y"}, "t", "", []string{"X", "Y"}},
		{[]string{"--", "--tag", "t"}, "", "", []string{"--tag", "t"}},
		{[]string{"X", "--name", "--", "Y"}, "", "--", []string{"X", "Y"}},
	} {
		fs := newFlags("import", io.Discard)
		tag := fs.String("tag", "", "")
		name := fs.String("name", "", "")
		pos, err := parseArgs(fs, tt.args)
		if err != nil || *tag != tt.tag || *name != tt.name || !slices.Equal(pos, tt.pos) {
			t.Errorf("parseArgs(%q) = %q, --tag %q, --name %q, %v; want %q, %q, %q", tt.args, pos, *tag, *name, err, tt.pos, tt.tag, tt.name)
		}
	}
}
