package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/testsupport"
)

// CallResult is the median of the per-call benchmark runs of one client.
type CallResult struct {
	NsPerOp, BytesPerOp, AllocsPerOp float64
	Runs                             int
}

// CallModule generates the per-call scratch module in dir from
// testdata/pets.yaml: package cpets by conngen (in process; the same code
// the CLI writes), package opets by oapi-codegen when oapi is not nil, and
// the harness from testdata/call.
func CallModule(dir string, oapi *Tool) (*Module, error) {
	doc := filepath.Join(RepoRoot(), "internal", "bench", "testdata", "pets.yaml")
	out, _, err := InProcess(doc, "cpets")
	if err != nil {
		return nil, fmt.Errorf("conngen on pets.yaml: %w", err)
	}
	if err := generator.Write(dir, out); err != nil {
		return nil, err
	}
	harness := []string{"call_test.go"}
	req := ""
	if oapi != nil {
		if _, err := oapi.Generate(doc, dir, "opets"); err != nil {
			return nil, fmt.Errorf("oapi-codegen on pets.yaml: %w", err)
		}
		harness = append(harness, "oapi_test.go")
		req = "require github.com/oapi-codegen/runtime " + OapiRuntimeVersion + "\n"
	}
	for _, h := range harness {
		src, err := os.ReadFile(filepath.Join(RepoRoot(), "internal", "bench", "testdata", "call", h+".txt"))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, h), src, 0o644); err != nil {
			return nil, err
		}
	}
	mod := "module benchcall\n\ngo 1.24\n\n" + req
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		return nil, err
	}
	m := &Module{Dir: dir}
	if oapi != nil {
		if _, err := m.Go("mod", "tidy"); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// RunCalls builds the harness once, then runs its BenchmarkCall count
// times, one process per round so the clients interleave (go test -count
// would run each client's repetitions back to back), and returns the
// median per client.
func (m *Module) RunCalls(count int, benchtime string) (map[string]CallResult, string, error) {
	if out, err := m.Go("test", "-c", "-o", "call.test"); err != nil {
		return nil, out, err
	}
	var all strings.Builder
	for i := 0; i < count; i++ {
		cmd := exec.Command(filepath.Join(m.Dir, "call.test"), "-test.run", "^$", "-test.bench", "^BenchmarkCall$",
			"-test.benchmem", "-test.benchtime", benchtime)
		cmd.Dir = m.Dir
		b, err := cmd.CombinedOutput()
		all.Write(b)
		if err != nil {
			return nil, all.String(), fmt.Errorf("call benchmark: %v\n%s", err, testsupport.FirstLines(string(b), 30))
		}
	}
	out := all.String()
	samples := map[string][][3]float64{}
	for _, r := range ParseBench(strings.NewReader(out)) {
		name := strings.TrimPrefix(r.Name, "BenchmarkCall/")
		samples[name] = append(samples[name], [3]float64{r.Metrics["ns/op"], r.Metrics["B/op"], r.Metrics["allocs/op"]})
	}
	res := map[string]CallResult{}
	for name, s := range samples {
		var c CallResult
		c.Runs = len(s)
		for k, dst := range []*float64{&c.NsPerOp, &c.BytesPerOp, &c.AllocsPerOp} {
			vals := make([]float64, len(s))
			for i := range s {
				vals[i] = s[i][k]
			}
			*dst = median(vals)
		}
		res[name] = c
	}
	if len(res) == 0 {
		return nil, out, fmt.Errorf("no BenchmarkCall results in:\n%s", testsupport.FirstLines(out, 30))
	}
	return res, out, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// Result is one benchmark of `go test -bench` output: a result line, or a
// skipped benchmark (N == 0) with the message it logged (run with -v to
// have go test print it).
type Result struct {
	Name    string // without the -GOMAXPROCS suffix
	N       int
	Metrics map[string]float64 // unit → value: "ns/op", "B/op", "lines", ...
	Skip    string
}

// ParseBench reads `go test -bench` output.
func ParseBench(r io.Reader) []Result {
	var out []Result
	msg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "    ") && strings.Contains(line, ".go:") {
			_, m, _ := strings.Cut(strings.TrimSpace(line), ": ")
			msg = m
			continue
		}
		if name, ok := strings.CutPrefix(line, "--- SKIP: "); ok {
			name, _, _ = strings.Cut(name, " (")
			out = append(out, Result{Name: strings.TrimSpace(name), Skip: msg})
			msg = ""
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		res := Result{Name: trimProcs(f[0]), N: n, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			res.Metrics[f[i+1]] = v
		}
		out = append(out, res)
		msg = ""
	}
	return out
}

// trimProcs drops the "-2" GOMAXPROCS suffix go test adds to names.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}
