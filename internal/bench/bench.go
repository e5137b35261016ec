// Package bench measures conngen against its peers, oapi-codegen and ogen,
// side by side in one run on one machine: generation time, output size,
// compile time of the generated package, peak memory of the generator and
// the cost of one generated API call; and how conngen's time and memory
// grow with the number of schemas, on synthetic documents of recursive
// schemas generated at bench time (recursive.go). See BENCHMARKS.md and
// `make bench`.
//
// The benchmarks are in bench_test.go; this file holds what they share:
// finding the corpus and the peers, running a generator on a document,
// counting its output and building a scratch module for the generated
// packages. The corpus documents (../shared/openapi) are read in place and
// every generated file goes to a temporary directory: nothing derived from
// them is ever written into the repository.
package bench

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
	"github.com/conngen/conngen/internal/testsupport"
)

// Pinned peer versions; the Makefile's bench target installs these.
const (
	OapiCodegenModule  = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	OapiCodegenVersion = "v2.8.2"
	// OapiRuntimeVersion is the github.com/oapi-codegen/runtime that
	// oapi-codegen's output is compiled against.
	OapiRuntimeVersion = "v1.9.0"
	OgenModule         = "github.com/ogen-go/ogen/cmd/ogen"
	OgenVersion        = "v1.24.0"
)

// Scaling are the documents of the operation-count scaling series, smallest
// first.
var Scaling = []string{
	"petstore-expanded-oai-v3.0.yaml",
	"spotify-web-api.fixed.yaml",
	"github-api.ogen-testdata.json",
	"kubernetes.swagger2.unprocessed.k8s-client-js.json",
}

// Largest is the largest document of the corpus, for peak memory.
const Largest = "kubernetes.swagger2.unprocessed.k8s-client-js.json"

// RepoRoot is the conngen module root.
func RepoRoot() string { return testsupport.RepoRoot() }

// CorpusDir finds shared/openapi beside the repository (or
// $CONNGEN_OPENAPI_DIR), or returns "".
func CorpusDir() string { return testsupport.OpenAPIDir() }

// Documents lists the corpus documents (base names, sorted).
func Documents(dir string) []string {
	var docs []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".json", ".yaml", ".yml":
			docs = append(docs, e.Name())
		}
	}
	return docs
}

// PkgName is the Go package (and connector) name used for a document by
// every generator: "c" and the lowercase letters and digits of its name.
func PkgName(doc string) string {
	base := strings.TrimSuffix(filepath.Base(doc), filepath.Ext(doc))
	return "c" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return -1
	}, base)
}

// PeersDir is where the peers are installed: $CONNGEN_PEERS_BIN, or
// bin/peers in the repository (`make bench` installs them there).
func PeersDir() string {
	if d := os.Getenv("CONNGEN_PEERS_BIN"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "bin", "peers")
}

// Tool is a generator run as a command on one document.
type Tool struct {
	Name string
	// Bin is the executable; Missing says why it cannot run ("" when it can).
	Bin     string
	Missing string
	// gen runs the generator on doc, writing package pkg into dir/pkg.
	gen func(t *Tool, doc, dir, pkg string) (Run, error)
}

// Run is one generator run.
type Run struct {
	Wall    time.Duration
	MaxRSS  int64  // peak resident set size of the largest process, bytes
	PkgDir  string // the generated package
	Ops     int    // operations generated (conngen only; 0 when unknown)
	Command string // what ran, for the record
}

// Generate runs the tool on doc (a path), writing package pkg into
// dir/pkg. A non-nil error is the generator's failure on the document,
// with the first lines of its output.
func (t *Tool) Generate(doc, dir, pkg string) (Run, error) {
	if t.Missing != "" {
		return Run{}, errors.New(t.Missing)
	}
	return t.gen(t, doc, dir, pkg)
}

// Tools returns conngen's CLI (conngenBin, built by the caller) and the
// peers, each with Missing set when it is not installed.
func Tools(conngenBin string) []*Tool {
	peer := func(name, module, version string, gen func(*Tool, string, string, string) (Run, error)) *Tool {
		t := &Tool{Name: name, Bin: filepath.Join(PeersDir(), name), gen: gen}
		if _, err := os.Stat(t.Bin); err != nil {
			t.Missing = fmt.Sprintf("%s not installed in %s (make bench installs it: GOBIN=%s go install %s@%s)",
				name, PeersDir(), PeersDir(), module, version)
		}
		return t
	}
	return []*Tool{
		{Name: "conngen", Bin: conngenBin, gen: genConngenCLI},
		peer("oapi-codegen", OapiCodegenModule, OapiCodegenVersion, genOapiCodegen),
		peer("ogen", OgenModule, OgenVersion, genOgen),
	}
}

// genConngenCLI is `conngen import --name PKG DOC > spec.yaml` then
// `conngen generate -o DIR spec.yaml`: two processes, both timed.
func genConngenCLI(t *Tool, doc, dir, pkg string) (Run, error) {
	specFile := filepath.Join(dir, pkg+".conngen.yaml")
	out, err := os.Create(specFile)
	if err != nil {
		return Run{}, err
	}
	defer os.Remove(specFile)
	imp := exec.Command(t.Bin, "import", "--name", pkg, doc)
	imp.Stdout = out
	r1, err := run(imp)
	out.Close()
	if err != nil {
		return Run{}, err
	}
	r2, err := run(exec.Command(t.Bin, "generate", "-o", dir, specFile))
	if err != nil {
		return Run{}, err
	}
	return Run{
		Wall:    r1.Wall + r2.Wall,
		MaxRSS:  max(r1.MaxRSS, r2.MaxRSS),
		PkgDir:  filepath.Join(dir, pkg),
		Command: "conngen import --name PKG DOC > spec.yaml && conngen generate -o DIR spec.yaml",
	}, nil
}

// genOapiCodegen is `oapi-codegen -generate types,client -package PKG DOC`,
// whose stdout is the package's one file.
func genOapiCodegen(t *Tool, doc, dir, pkg string) (Run, error) {
	pkgDir := filepath.Join(dir, pkg)
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		return Run{}, err
	}
	var stdout bytes.Buffer
	cmd := exec.Command(t.Bin, "-generate", "types,client", "-package", pkg, doc)
	cmd.Stdout = &stdout
	r, err := run(cmd)
	if err != nil {
		return Run{}, err
	}
	if err := os.WriteFile(filepath.Join(pkgDir, pkg+".gen.go"), stdout.Bytes(), 0o644); err != nil {
		return Run{}, err
	}
	r.PkgDir = pkgDir
	r.Command = "oapi-codegen -generate types,client -package PKG DOC > PKG/PKG.gen.go"
	return r, nil
}

// OgenConfig makes ogen generate the client only. Without
// ignore_not_implemented ogen refuses a document as soon as one operation
// uses a feature it does not implement; with it, ogen skips those
// operations (its usual setting for large real-world documents).
const OgenConfig = `generator:
  features:
    disable_all: true
    enable: ["paths/client"]
  ignore_not_implemented: ["all"]
`

// genOgen is `ogen --config client-only.yml --target DIR/PKG --package PKG --clean DOC`.
func genOgen(t *Tool, doc, dir, pkg string) (Run, error) {
	cfg := filepath.Join(dir, "ogen-client-only.yml")
	if err := os.WriteFile(cfg, []byte(OgenConfig), 0o644); err != nil {
		return Run{}, err
	}
	pkgDir := filepath.Join(dir, pkg)
	r, err := run(exec.Command(t.Bin, "--config", cfg, "--target", pkgDir, "--package", pkg, "--clean", doc))
	if err != nil {
		os.RemoveAll(pkgDir)
		return Run{}, err
	}
	r.PkgDir = pkgDir
	r.Command = "ogen --config client-only.yml --target PKG --package PKG --clean DOC"
	return r, nil
}

// run runs cmd, timing it and reading its peak RSS from rusage.
func run(cmd *exec.Cmd) (Run, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if cmd.Stdout == nil {
		cmd.Stdout = &stderr
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return Run{}, fmt.Errorf("%s: %v: %s", filepath.Base(cmd.Path), err, FirstLine(stderr.String()))
	}
	return Run{Wall: wall, MaxRSS: maxRSS(cmd.ProcessState)}, nil
}

// FirstLine picks the line of a generator's output that says why it
// failed: ogen's "- file:line:col -> reason", else the first line that
// mentions an error and is not an INFO or WARN log line, else the last
// non-empty line; shortened.
func FirstLine(s string) string {
	pick, errLine := "", ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "warning:") || line == "generation failed:":
			continue
		case strings.HasPrefix(line, "- ") && strings.Contains(line, " -> "):
			return shorten(line)
		case errLine == "" && !strings.HasPrefix(line, "INFO") && !strings.HasPrefix(line, "WARN") &&
			strings.Contains(strings.ToLower(line), "error"):
			errLine = line
		}
		pick = line
	}
	return shorten(cmp.Or(errLine, pick))
}

func shorten(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

// InProcess imports doc and generates its package in memory, the way the
// CLI does (import → spec YAML → load and validate → generate). It returns
// the number of actions generated.
func InProcess(doc, pkg string) (*generator.Output, int, error) {
	s, _, err := openapi.Import(doc, openapi.Options{Name: pkg})
	if err != nil {
		return nil, 0, err
	}
	data, err := spec.Marshal(s)
	if err != nil {
		return nil, 0, err
	}
	s2, _, err := spec.Load(pkg+".yaml", data)
	if err != nil {
		return nil, 0, err
	}
	out, err := generator.Generate(s2)
	if err != nil {
		return nil, 0, err
	}
	return out, len(s2.Actions), nil
}

// CountOutput counts the lines and bytes of the .go files in dir.
func CountOutput(dir string) (lines, size int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		return 0, 0, fmt.Errorf("no Go files in %s", dir)
	}
	for _, f := range files {
		if filepath.Base(f) == touchFile {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, 0, err
		}
		lines += bytes.Count(data, []byte("\n"))
		size += len(data)
	}
	return lines, size, nil
}

// BuildConngen builds the conngen CLI into dir and returns its path.
func BuildConngen(dir string) (string, error) {
	bin := filepath.Join(dir, "conngen")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/conngen")
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/conngen: %v\n%s", err, out)
	}
	return bin, nil
}

// Module is a scratch Go module holding generated packages.
type Module struct{ Dir string }

// NewModule writes dir/go.mod with the requirements the tool's output
// needs. conngen's output needs x/oauth2 at the version this repository
// uses (its go.sum is copied); the peers' runtime libraries are resolved
// by `go mod tidy` through the module proxy, from their pinned versions.
func NewModule(dir, tool string) (*Module, error) {
	req := ""
	switch tool {
	case "conngen":
		v, err := testsupport.RequiredVersion("golang.org/x/oauth2")
		if err != nil {
			return nil, err
		}
		req = "require golang.org/x/oauth2 " + v + "\n"
		sum, _ := os.ReadFile(filepath.Join(RepoRoot(), "go.sum"))
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
			return nil, err
		}
	case "oapi-codegen":
		req = "require github.com/oapi-codegen/runtime " + OapiRuntimeVersion + "\n"
	case "ogen":
		req = "require github.com/ogen-go/ogen " + OgenVersion + "\n"
	}
	mod := "module benchmod\n\ngo 1.24\n\n" + req
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		return nil, err
	}
	return &Module{Dir: dir}, nil
}

// Go runs a go command in the module and returns its combined output.
func (m *Module) Go(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, testsupport.FirstLines(string(out), 15))
	}
	return string(out), nil
}

// Touch changes the package in pkgDir so that the next `go build` compiles
// it again (the build cache is keyed by content, not modification time):
// it rewrites one extra file holding only a comment that differs each time.
func Touch(pkgDir string, n int) error {
	files, _ := filepath.Glob(filepath.Join(pkgDir, "*.go"))
	pkg := ""
	for _, f := range files {
		if pkg = packageClause(f); pkg != "" {
			break
		}
	}
	if pkg == "" {
		return fmt.Errorf("no package clause in %s", pkgDir)
	}
	src := fmt.Sprintf("package %s\n\n// bench touch %d %d\n", pkg, n, time.Now().UnixNano())
	return os.WriteFile(filepath.Join(pkgDir, touchFile), []byte(src), 0o644)
}

// touchFile is the file Touch writes; CountOutput leaves it out.
const touchFile = "zz_bench_touch.go"

func packageClause(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "package" {
			return f[1]
		}
	}
	return ""
}
