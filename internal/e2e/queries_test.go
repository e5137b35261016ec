package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestQueryStylesAcceptRedirect generates testdata/queries.yaml and runs
// testdata/queriesflow.go.txt against a loopback server that records what
// each call sent: object query params in every style (form exploded and
// not, deepObject nested and with lists), the Accept header of each kind
// of answer, and an action whose answer is a redirect, which must come
// back as an *APIError with its Location, not be followed.
func TestQueryStylesAcceptRedirect(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a generated package")
	}
	type seen struct {
		query  url.Values
		accept string
	}
	var mu sync.Mutex
	got := map[string]seen{}
	landed := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := got[r.URL.Path]; !ok { // the first call: deep, before deepNone
			got[r.URL.Path] = seen{r.URL.Query(), r.Header.Get("Accept")}
		} else if r.URL.Path == "/deep" && r.URL.RawQuery != "" {
			t.Errorf("deep without a filter sent %q", r.URL.RawQuery)
		}
		switch r.URL.Path {
		case "/jump", "/follow":
			http.Redirect(w, r, "/landing", http.StatusFound)
		case "/landing":
			landed++
			io.WriteString(w, "{}")
		case "/events":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: hi\n\n")
		case "/file":
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, "bytes")
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		}
	}))
	defer srv.Close()

	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	s, _, err := generator.LoadFile(filepath.Join("testdata", "queries.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := generator.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := generator.Write(mod, out); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "queriesflow.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(mod, "flows", "queriesflow")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
	bin := filepath.Join(mod, "bin", "queriesflow")
	goCmd(t, mod, "build", "-o", bin, "./flows/queriesflow")

	cmd := exec.Command(bin, srv.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("flow: %v\n%s", err, stderr.String())
	}
	type result struct {
		Action   string `json:"action"`
		Status   int    `json:"status"`
		APIError int    `json:"apiError"`
		Location string `json:"location"`
		Err      string `json:"err"`
	}
	results := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("flow output %q: %v", sc.Text(), err)
		}
		results[r.Action] = r
	}
	for _, name := range []string{"formExplode", "formFlat", "freeForm", "deep", "deepNone", "deepList", "readJSON", "readXML", "readStream", "readWithHeader", "tail", "follow"} {
		if r, ok := results[name]; !ok || r.Status != 200 || r.Err != "" {
			t.Errorf("%s: %+v, want status 200", name, r)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, tc := range []struct {
		path string
		want url.Values
	}{
		{"/form", url.Values{"status": {"open"}, "tags": {"b", "a"}}},
		{"/flat", url.Values{"filter": {"first,Al,ex,role,admin"}}},
		{"/free", url.Values{"k1": {"v1"}, "k2": {"v2"}}},
		{"/deep", url.Values{
			"filter[status]": {"open & new"}, "filter[tags][0]": {"b"}, "filter[tags][1]": {"a"},
			"filter[created][gt]": {"5"}, "filter[created][lte]": {"10"},
			"filter[owner][team][name]": {"core"}, "limit": {"3"},
		}},
		{"/deeplist", url.Values{"ids[0]": {"x"}, "ids[1]": {"y"}}},
	} {
		if q := got[tc.path].query; !reflect.DeepEqual(q, tc.want) {
			t.Errorf("%s: query %v, want %v", tc.path, q, tc.want)
		}
	}
	for path, want := range map[string]string{
		"/form":   "application/json",
		"/json":   "application/json",
		"/xml":    "application/xml, text/xml; q=0.9",
		"/file":   "*/*",
		"/header": "application/vnd.example+json",
		"/events": "text/event-stream",
		"/jump":   "application/json",
	} {
		if a := got[path].accept; a != want {
			t.Errorf("%s: Accept %q, want %q", path, a, want)
		}
	}

	if r := results["jump"]; r.APIError != http.StatusFound || r.Location != "/landing" {
		t.Errorf("jump: %+v, want an *APIError 302 with Location /landing", r)
	}
	if landed != 1 {
		t.Errorf("/landing reached %d times, want once (by follow, not by jump)", landed)
	}
}
