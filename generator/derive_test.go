package generator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

// deriveDir copies the derived spec testdata/derive/mail.yaml and its
// overlay into a temporary directory, with doc (mail-v1.yaml or
// mail-v2.yaml: the provider's document before and after an update
// shaped like Resend's: operation ids added, a format dropped, a field
// removed, an input made required, an endpoint added) as the document
// it follows.
func deriveDir(t *testing.T, doc string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	cp := func(src, dst string) {
		data, err := os.ReadFile(filepath.Join("testdata", "derive", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp("mail.yaml", "mail.yaml")
	cp("mail.fix.yaml", "mail.fix.yaml")
	cp(doc, "mail.openapi.yaml")
	for i := 0; i+1 < len(extra); i += 2 {
		if err := os.WriteFile(filepath.Join(dir, extra[i]), []byte(extra[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func actionNames(s *spec.Spec) []string {
	var out []string
	for _, a := range s.Actions {
		out = append(out, a.Name)
	}
	return out
}

func findAction(s *spec.Spec, name string) *spec.Action {
	for i := range s.Actions {
		if s.Actions[i].Name == name {
			return &s.Actions[i]
		}
	}
	return nil
}

// The overrides, the overlay and the exclusion hold on both versions of
// the document, and loading writes nothing next to the spec.
func TestDerivedSpecSurvivesUpdate(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		actions []string
	}{
		{"mail-v1.yaml", []string{"listDomains", "postEmails", "getEmailsEmailId"}},
		{"mail-v2.yaml", []string{"listDomains", "sendEmail", "getEmail", "listAudiences"}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			dir := deriveDir(t, tc.doc)
			l, err := Load(OSReader{}, filepath.Join(dir, "mail.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			s := l.Spec
			if got := actionNames(s); !sameSet(got, tc.actions) {
				t.Errorf("actions = %v, want %v", got, tc.actions)
			}
			if findAction(s, "deleteDomain") != nil {
				t.Error("deleteDomain is excluded but was imported")
			}
			ld := findAction(s, "listDomains")
			if ld == nil || ld.Paginate == nil || ld.Paginate.Style != "cursor" || ld.Paginate.NextCursor != "next" || ld.Paginate.Next != "" {
				t.Errorf("listDomains paginate = %+v, want the override (cursor, nothing of the imported nextURL left)", ld.Paginate)
			}
			if ld != nil && ld.Description != "Lists the domains, oldest first." {
				t.Errorf("listDomains description = %q, want the overlay's", ld.Description)
			}
			if s.Retry == nil || s.Retry.MaxAttempts == nil || *s.Retry.MaxAttempts != 3 {
				t.Errorf("retry = %+v, want the override", s.Retry)
			}
			if s.Title != "Mail" || s.BaseURL != "https://api.mail.test" {
				t.Errorf("title %q baseURL %q: want the import's", s.Title, s.BaseURL)
			}
			if !l.Derived || len(l.Files) != 3 {
				t.Errorf("derived %v, files read %d, want 3 (spec, overlay, document)", l.Derived, len(l.Files))
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 3 {
				t.Errorf("the directory holds %d files after loading, want the 3 it had", len(entries))
			}
			// The same files give the same bytes.
			a, _ := spec.Marshal(s)
			l2, err := Load(OSReader{}, filepath.Join(dir, "mail.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := spec.Marshal(l2.Spec)
			if !bytes.Equal(a, b) {
				t.Error("two loads of the same files differ")
			}
			if _, err := Generate(s); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// An override of an action the provider renamed names nothing in the
// new version: the user learns it at the override's line, with the
// closest names the import has.
func TestDerivedOverrideOfRenamedAction(t *testing.T) {
	const spec = `conngen: 1
name: mail
from:
  openapi: mail.openapi.yaml
actions:
  - name: listDomains
    title: Domains
  - name: postEmails
    title: Send one email
`
	dir := deriveDir(t, "mail-v1.yaml", "renamed.yaml", spec)
	if _, err := Load(OSReader{}, filepath.Join(dir, "renamed.yaml")); err != nil {
		t.Fatalf("v1: %v", err)
	}
	dir = deriveDir(t, "mail-v2.yaml", "renamed.yaml", spec)
	_, err := Load(OSReader{}, filepath.Join(dir, "renamed.yaml"))
	if err == nil {
		t.Fatal("v2: no error for an override naming a renamed action")
	}
	msg := err.Error()
	for _, want := range []string{"renamed.yaml:8:5: actions[1]: postEmails: the import has no action of that name, so this is a new action and needs method and path", "sendEmail"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

// A type the override changes replaces the imported mapping whole; null
// removes a key.
func TestDerivedMergeReplacesOnTypeAndNullRemoves(t *testing.T) {
	const spec = `conngen: 1
name: mail
from:
  openapi: mail.openapi.yaml
auth: {type: apiKey, in: header, name: X-Key}
version: null
actions:
  - name: listDomains
    params:
      - name: after
        in: query
        description: the id of the last domain seen
`
	dir := deriveDir(t, "mail-v1.yaml", "m.yaml", spec)
	l, err := Load(OSReader{}, filepath.Join(dir, "m.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := l.Spec
	if s.Auth.Type != "apiKey" || s.Auth.Name != "X-Key" {
		t.Errorf("auth = %+v", s.Auth)
	}
	if s.Version != "" {
		t.Errorf("version = %q, want removed", s.Version)
	}
	ld := findAction(s, "listDomains")
	if len(ld.Params) != 1 || ld.Params[0].Description != "the id of the last domain seen" || ld.Params[0].Schema == nil {
		t.Errorf("params = %+v, want the imported param with the override's description", ld.Params)
	}
}

// A document that is not a regular file (a device that never ends) is an
// error, not a read that hangs.
func TestDerivedDocumentNotRegular(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	p := filepath.Join(t.TempDir(), "z.yaml")
	os.WriteFile(p, []byte("conngen: 1\nname: z\nfrom:\n  openapi: /dev/zero\n"), 0o644)
	_, err := Load(OSReader{}, p)
	if err == nil || !strings.Contains(err.Error(), "z.yaml:4:12: from.openapi: cannot read the document: /dev/zero: not a regular file") {
		t.Errorf("err = %v", err)
	}
}

// Named list entries merge by their keys: an action by name, a param by
// name and in, or by name alone when the override gives no in; an entry
// that matches nothing is added, an entry without a name too.
func TestMergeNamedByKeys(t *testing.T) {
	parse := func(src string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		return n.Content[0]
	}
	base := parse(`[{name: id, in: path, d: 1}, {name: id, in: query, d: 2}, {name: limit, in: query, d: 3}]`)
	over := parse(`[{name: id, in: query, d: 20}, {name: limit, d: 30}, {name: new, in: header}, {in: query, d: 99}]`)
	got := mergeNamed(base, over, []string{"name", "in"}, "actions[].params[]")
	var out []map[string]any
	if err := got.Decode(&out); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"name": "id", "in": "path", "d": 1},
		{"name": "id", "in": "query", "d": 20},
		{"name": "limit", "in": "query", "d": 30},
		{"name": "new", "in": "header"},
		{"in": "query", "d": 99},
	}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("merged params:\n got %v\nwant %v", out, want)
	}
	over = parse(`[{name: id, d: 10}]`)
	got = mergeNamed(base, over, []string{"name", "in"}, "actions[].params[]")
	if err := got.Decode(&out); err != nil || out[0]["d"] != 10 || out[1]["d"] != 2 || len(out) != 3 {
		t.Errorf("an override without in merges into the first param of that name: %v", out)
	}
}
