package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// run sends each request as a JSON line to serve and decodes its answers.
func run(t *testing.T, reqs ...string) []map[string]any {
	t.Helper()
	var out bytes.Buffer
	serve(strings.NewReader(strings.Join(reqs, "\n")+"\n"), &out)
	var replies []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r map[string]any
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("answer is not JSON: %v (%q)", err, out.String())
		}
		replies = append(replies, r)
	}
	if len(replies) != len(reqs) {
		t.Fatalf("%d requests, %d answers", len(reqs), len(replies))
	}
	return replies
}

func TestServeListAndDescribe(t *testing.T) {
	r := run(t, `{"op":"list","noOutput":true}`, `{"op":"describe","action":"getAvailableCountries"}`,
		`{"op":"describe","action":"nope"}`, `not json`, `{"op":"dance","set":{"BaseURL":"http://127.0.0.1:1"}}`)
	actions, _ := r[0]["actions"].([]any)
	if r[0]["connector"] != "publicholidays" || len(actions) == 0 {
		t.Fatalf("list = %v", r[0])
	}
	for _, a := range actions {
		if _, ok := a.(map[string]any)["output"]; ok {
			t.Errorf("noOutput list carries an output schema: %v", a)
		}
	}
	if got, _ := r[1]["actions"].([]any); len(got) != 1 {
		t.Errorf("describe = %v", r[1])
	}
	if r[2]["kind"] != "unknown" || r[3]["kind"] != "usage" || r[4]["kind"] != "usage" {
		t.Errorf("describe nope = %v; bad line = %v; unknown op = %v", r[2], r[3], r[4])
	}
}

func TestServeCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v3/AvailableCountries" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"countryCode":"NL","name":"Netherlands"}]`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html>down</html>"))
	}))
	defer srv.Close()
	set := `"set":{"BaseURL":"` + srv.URL + `"}`
	r := run(t,
		`{"op":"call","action":"getAvailableCountries",`+set+`}`,
		`{"op":"call","action":"getPublicHolidays","input":{"year":2026,"countryCode":"NL"},`+set+`}`,
		`{"op":"call","action":"getAvailableCountries","set":{"Nope":"x"}}`)
	if r[0]["status"] != float64(200) || !strings.Contains(string(mustJSON(r[0]["body"])), "Netherlands") {
		t.Errorf("call = %v", r[0])
	}
	if r[1]["status"] != float64(500) || r[1]["kind"] != "api" || r[1]["text"] != "<html>down</html>" {
		t.Errorf("a non-JSON 500 = %v", r[1])
	}
	if r[2]["kind"] != "usage" || !strings.Contains(r[2]["error"].(string), "no such Config field") {
		t.Errorf("--set of an unknown field = %v", r[2])
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
