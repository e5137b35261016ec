package github

// The streamed download (response.stream): GitHub answers a tarball
// request with a redirect to codeload; the client follows it and hands the
// archive over unread.

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDownloadRepoTarballStreamed(t *testing.T) {
	archive := strings.Repeat("tar bytes ", 100000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos/golang/go/tarball/master":
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(401)
				io.WriteString(w, `{"message":"Bad credentials"}`)
				return
			}
			http.Redirect(w, r, "/codeload/golang/go/legacy.tar.gz/master", http.StatusFound)
		case "/codeload/golang/go/legacy.tar.gz/master":
			w.Header().Set("Content-Type", "application/x-gzip")
			io.WriteString(w, archive)
		default:
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"Not Found"}`)
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.Client(), AccessToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.DownloadRepoTarball(t.Context(), DownloadRepoTarballParams{Owner: "golang", Repo: "go", Ref: "master"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != archive || resp.Header.Get("Content-Type") != "application/x-gzip" {
		t.Fatalf("got %d bytes, %v, %q", len(body), err, resp.Header.Get("Content-Type"))
	}
	_, err = c.DownloadRepoTarball(t.Context(), DownloadRepoTarballParams{Owner: "golang", Repo: "nope", Ref: "master"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Message != "Not Found" {
		t.Fatalf("err %v, want a 404 *APIError", err)
	}
}
