package templates

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

type formAddr struct {
	City string  `json:"city"`
	Zip  *string `json:"zip,omitempty"`
}

type formBody struct {
	Name     string         `json:"name"`
	Age      int64          `json:"age"`
	Price    float64        `json:"price"`
	Active   bool           `json:"active"`
	Off      bool           `json:"off"`
	Tags     []string       `json:"tags"`
	Address  formAddr       `json:"address"`
	Items    []formAddr     `json:"items"`
	Skipped  *string        `json:"skipped,omitempty"`
	Null     *string        `json:"null"`
	Metadata map[string]any `json:"metadata"`
	Hidden   string         `json:"-"`
}

func TestEncodeForm(t *testing.T) {
	body := formBody{
		Name:     "Ann & Bob",
		Age:      1 << 62,
		Price:    9.99,
		Active:   true,
		Tags:     []string{"b", "a"},
		Address:  formAddr{City: "Oslo", Zip: Ptr("0150")},
		Items:    []formAddr{{City: "A"}, {City: "B"}},
		Metadata: map[string]any{"k": "v", "n": []any{1, 2}, "deep": map[string]any{"x": nil, "y": []any{map[string]any{"z": 1}}}},
		Hidden:   "no",
	}
	got, err := encodeForm(body, "")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := encodeForm(body, "")
	if !bytes.Equal(got, again) {
		t.Errorf("not deterministic:\n%s\n%s", got, again)
	}
	req, _ := http.NewRequest("POST", "/", bytes.NewReader(got))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := req.ParseForm(); err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"name":                    {"Ann & Bob"},
		"age":                     {"4611686018427387904"},
		"price":                   {"9.99"},
		"active":                  {"true"},
		"off":                     {"false"},
		"tags":                    {"b", "a"},
		"address[city]":           {"Oslo"},
		"address[zip]":            {"0150"},
		"items[0][city]":          {"A"},
		"items[1][city]":          {"B"},
		"metadata[k]":             {"v"},
		"metadata[n]":             {"1", "2"},
		"metadata[deep][y][0][z]": {"1"},
	}
	if !reflect.DeepEqual(req.PostForm, want) {
		t.Errorf("form %v\nwant %v", req.PostForm, want)
	}

	for _, v := range []any{nil, (*formBody)(nil), map[string]any{}} {
		if got, err := encodeForm(v, ""); err != nil || len(got) != 0 {
			t.Errorf("encodeForm(%#v) = %q, %v; want empty", v, got, err)
		}
	}
	if got, err := encodeForm(url.Values{"a": {"1"}}, ""); err != nil || string(got) != "a=1" {
		t.Errorf("url.Values: %q, %v", got, err)
	}
	if _, err := encodeForm([]int{1}, ""); err == nil {
		t.Error("array body: no error")
	}
	if _, err := encodeForm(map[string]any{"f": func() {}}, ""); err == nil {
		t.Error("unencodable: no error")
	}
}

type Embedded struct {
	Inner string `json:"inner"`
}

type uploadBody struct {
	Embedded
	Title    string     `json:"title"`
	Count    int        `json:"count"`
	Public   *bool      `json:"public,omitempty"`
	Private  *bool      `json:"private,omitempty"`
	Empty    string     `json:"empty,omitempty"`
	Zero     int        `json:"zero"`
	File     []byte     `json:"file"`
	Stream   io.Reader  `json:"stream"`
	NoStream io.Reader  `json:"nostream,omitempty"`
	Meta     formAddr   `json:"meta"`
	List     []string   `json:"list"`
	When     time.Time  `json:"when"`
	WhenPtr  *time.Time `json:"whenPtr,omitzero"`
	Untagged string
	Hidden   string `json:"-"`
	private  string
}

func parseMultipart(t *testing.T, body []byte, contentType string) (map[string][]string, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if err := req.ParseMultipartForm(1 << 20); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for name, fhs := range req.MultipartForm.File {
		for _, fh := range fhs {
			f, err := fh.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(f)
			f.Close()
			files[name] = fh.Filename + ":" + string(data)
		}
	}
	return req.MultipartForm.Value, files
}

func TestEncodeMultipart(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := &uploadBody{
		Embedded: Embedded{Inner: "in"},
		Title:    "Report",
		Count:    3,
		Public:   Ptr(false),
		File:     []byte("PDF\x00bytes"),
		Stream:   strings.NewReader("streamed"),
		Meta:     formAddr{City: "Oslo"},
		List:     []string{"a", "b"},
		When:     when,
		Untagged: "u",
		Hidden:   "h",
		private:  "p",
	}
	body, ct, err := encodeMultipart(v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
		t.Errorf("content type %q", ct)
	}
	values, files := parseMultipart(t, body, ct)
	wantValues := map[string][]string{
		"inner":    {"in"},
		"title":    {"Report"},
		"count":    {"3"},
		"public":   {"false"},
		"zero":     {"0"},
		"meta":     {`{"city":"Oslo"}`},
		"list":     {`["a","b"]`},
		"when":     {"2024-01-02T03:04:05Z"},
		"Untagged": {"u"},
	}
	if !reflect.DeepEqual(values, wantValues) {
		t.Errorf("values %v\nwant %v", values, wantValues)
	}
	wantFiles := map[string]string{"file": "file:PDF\x00bytes", "stream": "stream:streamed"}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("files %q\nwant %q", files, wantFiles)
	}

	body, ct, err = encodeMultipart(map[string]any{"b": 2, "a": "x", "f": []byte("data"), "nil": nil, "obj": map[string]int{"k": 1}})
	if err != nil {
		t.Fatal(err)
	}
	values, files = parseMultipart(t, body, ct)
	if want := map[string][]string{"a": {"x"}, "b": {"2"}, "obj": {`{"k":1}`}}; !reflect.DeepEqual(values, want) {
		t.Errorf("map values %v, want %v", values, want)
	}
	if want := map[string]string{"f": "f:data"}; !reflect.DeepEqual(files, want) {
		t.Errorf("map files %q, want %q", files, want)
	}

	if _, _, err := encodeMultipart(42); err == nil {
		t.Error("scalar body: no error")
	}
	if body, ct, err := encodeMultipart(nil); err != nil || ct == "" {
		t.Errorf("nil body: %q, %q, %v", body, ct, err)
	}
}

func TestEncodeFormArrayStyles(t *testing.T) {
	body := map[string]any{"tags": []string{"a", "b"}, "meta": map[string]any{"k": "v"}}
	for style, want := range map[string]string{
		"":         "meta%5Bk%5D=v&tags=a&tags=b",
		"repeat":   "meta%5Bk%5D=v&tags=a&tags=b",
		"brackets": "meta%5Bk%5D=v&tags%5B%5D=a&tags%5B%5D=b",
		"indexed":  "meta%5Bk%5D=v&tags%5B0%5D=a&tags%5B1%5D=b",
	} {
		got, err := encodeForm(body, style)
		if err != nil || string(got) != want {
			t.Errorf("encodeForm(%q) = %q, %v; want %q", style, got, err, want)
		}
	}
}
