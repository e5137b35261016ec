// Package testsupport serves the tests and benchmarks that build generated
// connectors outside the repository: finding the repository and the shared
// OpenAPI corpus, and making a scratch module that can compile generated
// packages with the same golang.org/x/oauth2 this repository uses.
package testsupport

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/conngen/conngen"
)

// RepoRoot is the conngen module root.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// OpenAPIDir is $CONNGEN_OPENAPI_DIR, else shared/openapi in the first
// directory above the repository that has one (CI lays shared/ beside the
// clone), else "".
func OpenAPIDir() string {
	if d := os.Getenv("CONNGEN_OPENAPI_DIR"); d != "" {
		return d
	}
	for dir := RepoRoot(); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "openapi")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
	}
	return ""
}

// RequiredVersion is the version the repository's go.mod requires of path.
func RequiredVersion(path string) (string, error) {
	v, _, err := conngen.Requirement(path)
	return v, err
}

// WriteModule makes dir a module called modPath that builds generated
// connectors from the module cache: it requires x/oauth2 at the
// repository's version and carries the repository's go.sum.
func WriteModule(dir, modPath string) error {
	v, err := RequiredVersion("golang.org/x/oauth2")
	if err != nil {
		return err
	}
	mod := "module " + modPath + "\n\ngo 1.24\n\nrequire golang.org/x/oauth2 " + v + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(RepoRoot(), "go.sum"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// Go runs the go command with args in dir and returns its combined output;
// the error carries the first lines of it.
func Go(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, FirstLines(string(out), 60))
	}
	return string(out), nil
}

// FirstLines cuts s to its first n lines, marking the cut.
func FirstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}
