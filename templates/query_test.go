package templates

import (
	"net/url"
	"testing"
)

type queryRange struct {
	Gt  *int64 `json:"gt,omitempty"`
	Lte *int64 `json:"lte,omitempty"`
}

type queryFilter struct {
	Status  string      `json:"status"`
	Limit   int64       `json:"limit"`
	Active  bool        `json:"active"`
	Tags    []string    `json:"tags,omitempty"`
	Created *queryRange `json:"created,omitempty"`
	Note    *string     `json:"note"`
}

func TestEncodeQuery(t *testing.T) {
	f := queryFilter{Status: "open & closed", Limit: 1 << 60, Active: true, Tags: []string{"b", "a"}, Created: &queryRange{Gt: Ptr[int64](5)}}
	for _, tc := range []struct {
		name, style string
		explode     bool
		v           any
		want        string
	}{
		{"form explode struct", "form", true, f,
			"active=true&created=%7B%22gt%22%3A5%7D&limit=1152921504606846976&status=open+%26+closed&tags=b&tags=a"},
		{"form explode map", "form", true, map[string]string{"b": "2", "a": "1"}, "a=1&b=2"},
		{"form no explode", "form", false, map[string]string{"b": "2", "a": "x,y"}, "filter=a%2Cx%2Cy%2Cb%2C2"},
		{"form no explode list member", "form", false, queryFilter{Status: "s", Tags: []string{"x", "y"}},
			"filter=active%2Cfalse%2Climit%2C0%2Cstatus%2Cs%2Ctags%2Cx%2Cy"},
		{"deepObject", "deepObject", true, map[string]string{"k1": "v1", "k2": "v2"}, "filter%5Bk1%5D=v1&filter%5Bk2%5D=v2"},
		{"deepObject nested and lists", "deepObject", true, f,
			"filter%5Bactive%5D=true&filter%5Bcreated%5D%5Bgt%5D=5&filter%5Blimit%5D=1152921504606846976&filter%5Bstatus%5D=open+%26+closed&filter%5Btags%5D%5B0%5D=b&filter%5Btags%5D%5B1%5D=a"},
		{"deepObject list", "deepObject", true, []string{"x", "y"}, "filter%5B0%5D=x&filter%5B1%5D=y"},
		{"nil pointer", "deepObject", true, (*queryFilter)(nil), ""},
		{"nil map", "form", true, map[string]string(nil), ""},
		{"empty object no explode", "form", false, map[string]string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"other": {"1"}}
			if err := encodeQuery(q, "filter", tc.style, tc.explode, tc.v); err != nil {
				t.Fatal(err)
			}
			q.Del("other")
			if got := q.Encode(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestEncodeQueryKeepsOtherParams(t *testing.T) {
	q := url.Values{"a": {"1"}}
	if err := encodeQuery(q, "f", "form", true, map[string]string{"b": "2"}); err != nil {
		t.Fatal(err)
	}
	if got := q.Encode(); got != "a=1&b=2" {
		t.Errorf("got %s", got)
	}
}

func TestEncodeQueryError(t *testing.T) {
	if err := encodeQuery(url.Values{}, "f", "form", true, map[string]any{"c": make(chan int)}); err == nil {
		t.Error("no error for a value JSON cannot encode")
	}
}
