package templates

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

type item struct {
	ID int `json:"id"`
}

// pageServer serves the items 1..total, pageSize at a time, through page(),
// which writes one page given the index of its first item; it records every
// request URI.
func pageServer(t *testing.T, total, pageSize int, page func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool)) (*Client, func() []string) {
	var mu sync.Mutex
	var seen []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		q := r.URL.Query()
		size := pageSize
		if l, err := strconv.Atoi(q.Get("limit")); err == nil {
			size = l
		}
		start, _ := strconv.Atoi(q.Get("offset"))
		if p, err := strconv.Atoi(q.Get("page")); err == nil {
			start = (p - 1) * size
		}
		if cur := q.Get("after"); cur != "" {
			start, _ = strconv.Atoi(strings.TrimPrefix(cur, "c"))
		}
		var items []item
		for i := start; i < min(start+size, total); i++ {
			items = append(items, item{i + 1})
		}
		page(w, r, start, items, start+size < total)
	})
	return c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, error) {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func ids(items []item) []int {
	var out []int
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func checkRun(t *testing.T, got []item, err error, wantN int, reqs, wantReqs []string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, wantN)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("items %v, want %v", ids(got), want)
	}
	if !slices.Equal(reqs, wantReqs) {
		t.Errorf("requests\n%q\nwant\n%q", reqs, wantReqs)
	}
}

func TestPaginateOffset(t *testing.T) {
	c, reqs := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
		writeJSON(w, map[string]any{"data": map[string]any{"items": items}})
	})
	p := pager{style: "offset", items: "data.items", limit: "limit", offset: "offset"}

	// A known limit stops at the first short page.
	req := Request{RelativeURL: "/items", Query: url.Values{"limit": {"3"}}}
	got, err := collect(t, paginate[item](t.Context(), c, req, p, nil))
	checkRun(t, got, err, 7, reqs(), []string{"/api/v2/items?limit=3", "/api/v2/items?limit=3&offset=3", "/api/v2/items?limit=3&offset=6"})
	if len(req.Query) != 1 {
		t.Errorf("caller's query modified: %v", req.Query)
	}

	// Without one, at the first empty page; the request's own offset is the start.
	c, reqs = pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
		writeJSON(w, map[string]any{"data": map[string]any{"items": items}})
	})
	got, err = collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items", Query: url.Values{"offset": {"1"}}}, p, nil))
	if err != nil || !slices.Equal(ids(got), []int{2, 3, 4, 5, 6, 7}) {
		t.Errorf("items %v, %v", ids(got), err)
	}
	if want := []string{"/api/v2/items?offset=1", "/api/v2/items?offset=4", "/api/v2/items?offset=7"}; !slices.Equal(reqs(), want) {
		t.Errorf("requests %q, want %q", reqs(), want)
	}
}

func TestPaginatePage(t *testing.T) {
	c, reqs := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
		writeJSON(w, items) // the body is the array itself
	})
	got, err := collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items"}, pager{style: "page", page: "page"}, nil))
	checkRun(t, got, err, 7, reqs(), []string{"/api/v2/items", "/api/v2/items?page=2", "/api/v2/items?page=3", "/api/v2/items?page=4"})

	// The sequence can be run again, from the start.
	seq := paginate[item](t.Context(), c, Request{RelativeURL: "/items"}, pager{style: "page", page: "page"}, nil)
	first, _ := collect(t, seq)
	second, err := collect(t, seq)
	if err != nil || len(first) != 7 || len(second) != 7 {
		t.Errorf("runs yielded %d and %d items, err %v", len(first), len(second), err)
	}

	c, reqs = pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) { writeJSON(w, items) })
	got, err = collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items", Query: url.Values{"page": {"3"}}}, pager{style: "page", page: "page"}, nil))
	if err != nil || !slices.Equal(ids(got), []int{7}) || len(reqs()) != 2 {
		t.Errorf("from page 3: %v, %v, %q", ids(got), err, reqs())
	}
}

func TestPaginateCursor(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		c, reqs := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
			var next any // null on the last page
			if more {
				next = "c" + strconv.Itoa(start+len(items))
				if numeric {
					next = json.Number(strconv.Itoa(start + len(items)))
				}
			}
			writeJSON(w, map[string]any{"results": items, "cursors": map[string]any{"after": next}})
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items"}, pager{style: "cursor", items: "results", cursor: "after", nextCursor: "cursors.after"}, nil))
		want := []string{"/api/v2/items", "/api/v2/items?after=c3", "/api/v2/items?after=c6"}
		if numeric {
			want = []string{"/api/v2/items", "/api/v2/items?after=3", "/api/v2/items?after=6"}
		}
		checkRun(t, got, err, 7, reqs(), want)
	}

	t.Run("missing or empty cursor stops", func(t *testing.T) {
		for _, body := range []string{`{"results":[{"id":1}]}`, `{"results":[{"id":1}],"cursors":{"after":""}}`, `{"results":[{"id":1}],"cursors":"x"}`} {
			n := 0
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { n++; io.WriteString(w, body) })
			got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "cursor", items: "results", cursor: "after", nextCursor: "cursors.after"}, nil))
			if err != nil || len(got) != 1 || n != 1 {
				t.Errorf("%s: %v, %v after %d requests", body, got, err, n)
			}
		}
	})
	t.Run("repeated cursor stops", func(t *testing.T) {
		n := 0
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n++
			io.WriteString(w, `{"results":[{"id":1}],"next":"same"}`)
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "cursor", items: "results", cursor: "after", nextCursor: "next"}, nil))
		if err != nil || len(got) != 2 || n != 2 {
			t.Errorf("%v, %v after %d requests", got, err, n)
		}
	})
	t.Run("empty page with a cursor continues", func(t *testing.T) {
		n := 0
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n++
			switch r.URL.Query().Get("after") {
			case "":
				io.WriteString(w, `{"results":[],"next":"a"}`)
			default:
				io.WriteString(w, `{"results":[{"id":1}]}`)
			}
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "cursor", items: "results", cursor: "after", nextCursor: "next"}, nil))
		if err != nil || len(got) != 1 || n != 2 {
			t.Errorf("%v, %v after %d requests", got, err, n)
		}
	})
}

func TestPaginateNextURL(t *testing.T) {
	var base string
	links := []func(page int) string{
		func(page int) string { return fmt.Sprintf("/api/v2/items?page=%d", page) },                // host-relative
		func(page int) string { return fmt.Sprintf("%s/api/v2/items?page=%d", base, page) },        // absolute
		func(page int) string { return fmt.Sprintf("items?page=%d", page) },                        // path-relative
		func(page int) string { return fmt.Sprintf("%s/api/v2/items?page=%d&a=%%2F", base, page) }, // kept verbatim
	}
	for i, link := range links {
		c, reqs := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
			body := map[string]any{"items": items, "links": map[string]any{"next": nil}}
			if more {
				body["links"] = map[string]any{"next": link(start/3 + 2)}
			}
			writeJSON(w, body)
		})
		base = c.baseURL.Scheme + "://" + c.baseURL.Host
		got, err := collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items", Query: url.Values{"limit": {"3"}}}, pager{style: "nextURL", items: "items", next: "links.next"}, nil))
		want := []string{"/api/v2/items?limit=3", "/api/v2/items?page=2", "/api/v2/items?page=3"}
		if i == 3 {
			want = []string{"/api/v2/items?limit=3", "/api/v2/items?page=2&a=%2F", "/api/v2/items?page=3&a=%2F"}
		}
		checkRun(t, got, err, 7, reqs(), want)
	}

	t.Run("other host", func(t *testing.T) {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"items":[{"id":1}],"next":"https://evil.example/steal"}`)
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "nextURL", items: "items", next: "next"}, nil))
		if len(got) != 1 || err == nil || !strings.Contains(err.Error(), "evil.example") {
			t.Errorf("%v, %v", got, err)
		}
	})
	t.Run("repeated link stops", func(t *testing.T) {
		n := 0
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n++
			io.WriteString(w, `{"items":[{"id":1}],"next":"/again"}`)
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "nextURL", items: "items", next: "next"}, nil))
		if err != nil || len(got) != 2 || n != 2 {
			t.Errorf("%v, %v after %d requests", got, err, n)
		}
	})
}

func TestPaginateLinkHeader(t *testing.T) {
	c, reqs := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
		page := start/3 + 1
		w.Header().Add("Link", fmt.Sprintf(`<http://%s/api/v2/items?page=1>; rel="first"`, r.Host))
		if more {
			w.Header().Add("Link", fmt.Sprintf(`<http://%s/api/v2/items?page=%d>; rel="next", <http://%s/api/v2/items?page=3>; rel="last"`, r.Host, page+1, r.Host))
		}
		writeJSON(w, items)
	})
	got, err := collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items"}, pager{style: "linkHeader"}, nil))
	checkRun(t, got, err, 7, reqs(), []string{"/api/v2/items", "/api/v2/items?page=2", "/api/v2/items?page=3"})
}

func TestLinkNext(t *testing.T) {
	tests := []struct{ header, want string }{
		{`<https://a.example/2>; rel="next"`, "https://a.example/2"},
		{`<https://a.example/1>; rel="prev", <https://a.example/3>; rel="next"`, "https://a.example/3"},
		{`<https://a.example/x,y>; title="a, b"; rel="next"`, "https://a.example/x,y"},
		{`<https://a.example/3>; REL=next`, "https://a.example/3"},
		{`<https://a.example/3>; rel="last next"`, "https://a.example/3"},
		{`<https://a.example/3>; rel="nextish"`, ""},
		{`<https://a.example/3>; rel="last"`, ""},
		{`garbage`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := linkNext(http.Header{"Link": {tt.header}}); got != tt.want {
			t.Errorf("linkNext(%s) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestPaginateEarlyBreak(t *testing.T) {
	c, reqs := pageServer(t, 100, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) { writeJSON(w, items) })
	var got []int
	for it, err := range paginate[item](t.Context(), c, Request{}, pager{style: "page", page: "page"}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, it.ID)
		if len(got) == 4 {
			break
		}
	}
	if !slices.Equal(got, []int{1, 2, 3, 4}) || len(reqs()) != 2 {
		t.Errorf("items %v after %d requests", got, len(reqs()))
	}
}

func TestPaginateErrors(t *testing.T) {
	t.Run("API error", func(t *testing.T) {
		c, _ := pageServer(t, 7, 3, func(w http.ResponseWriter, r *http.Request, start int, items []item, more bool) {
			if start > 0 {
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"message":"slow down"}`)
				return
			}
			writeJSON(w, items)
		})
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "page", page: "page"}, nil))
		apiErr, ok := errors.AsType[*APIError](err)
		if len(got) != 3 || !ok || apiErr.StatusCode != 429 || apiErr.Message != "slow down" {
			t.Errorf("%v, %v", got, err)
		}
	})
	for name, body := range map[string]string{
		"not JSON":        "<html>",
		"items not array": `{"items":{"id":1}}`,
		"bad item":        `{"items":[{"id":"one"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			_, err := collect(t, paginate[item](t.Context(), c, Request{RelativeURL: "/items?key=SECRET"}, pager{style: "page", items: "items", page: "page"}, nil))
			if err == nil || !strings.HasPrefix(err.Error(), "test: GET /items: decode") {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("missing items is an empty page", func(t *testing.T) {
		n := 0
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { n++; io.WriteString(w, `{"other":1}`) })
		got, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "offset", items: "data.items", offset: "offset"}, nil))
		if err != nil || len(got) != 0 || n != 1 {
			t.Errorf("%v, %v after %d", got, err, n)
		}
	})
	t.Run("transport error", func(t *testing.T) {
		c, srv := newTestClient(t, nil)
		srv.Close()
		_, err := collect(t, paginate[item](t.Context(), c, Request{}, pager{style: "page", page: "page"}, nil))
		if err == nil {
			t.Error("no error")
		}
	})
}

func TestPaginateRawItems(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "" {
			io.WriteString(w, `{"items":[{"big":12345678901234567890},"s"]}`)
		}
	})
	got, err := collect(t, paginate[json.RawMessage](t.Context(), c, Request{}, pager{style: "page", items: "items", page: "page"}, nil))
	if err != nil || len(got) != 2 || string(got[0]) != `{"big":12345678901234567890}` || string(got[1]) != `"s"` {
		t.Errorf("%q, %v", got, err)
	}
}

// TestPaginateRequestError: a request that could not be built is the
// sequence's one element, and nothing is sent.
func TestPaginateRequestError(t *testing.T) {
	want := errors.New("bad params")
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("sent %s", r.URL)
	})
	n := 0
	for v, err := range paginate[item](t.Context(), c, Request{}, pager{style: "page", page: "page"}, want) {
		n++
		if err != want || v != (item{}) {
			t.Errorf("got %v, %v", v, err)
		}
	}
	if n != 1 {
		t.Errorf("%d elements, want 1", n)
	}
}
