package templates

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cfKeyPath is the file FileCursorStore(path) keeps key's cursor in.
func cfKeyPath(path, key string) string {
	return filepath.Join(path+".d", cursorKeyFile(key))
}

func TestFileCursorStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cursors.json")
	s := FileCursorStore(path)
	if c, err := s.Load(ctx, "orders"); err != nil || !reflect.DeepEqual(c, Cursor{}) {
		t.Fatalf("missing file: %+v, %v", c, err)
	}
	orders := Cursor{Started: true, Since: "2024-05-01T10:00:00.5+02:00", IDs: []string{"a", "b"}}
	users := Cursor{Started: true, IDs: []string{"u1"}}
	if err := s.Save(ctx, "orders", orders); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "users", users); err != nil {
		t.Fatal(err)
	}
	for _, st := range []CursorStore{s, FileCursorStore(path)} {
		for key, want := range map[string]Cursor{"orders": orders, "users": users, "unknown": {}} {
			got, err := st.Load(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			wantCursor(t, got, want)
		}
	}
	orders.Since, orders.IDs = "2024-05-01T10:00:01Z", nil
	if err := s.Save(ctx, "orders", orders); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx, "orders"); !reflect.DeepEqual(got, orders) {
		t.Errorf("after overwrite: %+v", got)
	}
	if got, _ := s.Load(ctx, "users"); !reflect.DeepEqual(got, users) {
		t.Errorf("other key changed: %+v", got)
	}
	data, err := os.ReadFile(cfKeyPath(path, "orders"))
	var doc struct {
		Key    string         `json:"key"`
		Cursor map[string]any `json:"cursor"`
	}
	if err != nil || json.Unmarshal(data, &doc) != nil || doc.Key != "orders" || doc.Cursor["since"] != orders.Since {
		t.Errorf("orders' file = %s (%v)", data, err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("saves made a file at path: %v", err)
	}
	cfWantKeyFiles(t, path, "orders", "users")
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(cfKeyPath(path, "orders")); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v; want 0600", fi.Mode())
		}
		if fi, err := os.Stat(path + ".d"); err != nil {
			t.Error(err)
		} else if !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("directory mode = %v; want 0700", fi.Mode())
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Save(cctx, "orders", Cursor{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with an ended ctx: %v", err)
	}
	if _, err := s.Load(cctx, "orders"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with an ended ctx: %v", err)
	}
	if got, _ := s.Load(ctx, "orders"); !reflect.DeepEqual(got, orders) {
		t.Errorf("after a canceled save: %+v", got)
	}
}

func TestFileCursorStoreConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "cursors.json")
	stores := []CursorStore{FileCursorStore(path), FileCursorStore(dir + string(filepath.Separator) + "." + string(filepath.Separator) + "cursors.json")}
	const goroutines, saves = 12, 15
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*saves)
	var keys []string
	for g := range goroutines {
		keys = append(keys, fmt.Sprint("key", g))
		wg.Go(func() {
			s := stores[g%len(stores)]
			for i := range saves {
				if err := s.Save(ctx, fmt.Sprint("key", g), Cursor{Started: true, Since: strconv.Itoa(i)}); err != nil {
					errs <- err
				}
				if _, err := s.Load(ctx, fmt.Sprint("key", g)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for g := range goroutines {
		got, err := FileCursorStore(path).Load(ctx, fmt.Sprint("key", g))
		if err != nil || got.Since != strconv.Itoa(saves-1) {
			t.Errorf("key%d = %+v, %v; want its last save", g, got, err)
		}
	}
	monOnlyFile(t, dir, "cursors.json.d")
	cfWantKeyFiles(t, path, keys...)
}

// monOnlyFile checks that dir holds name and nothing else: no temporary
// file is left behind.
func monOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{name}) {
		t.Errorf("directory holds %q, want only %q", names, name)
	}
}

// cfWantKeyFiles checks that the directory of FileCursorStore(path) holds
// the files of keys and nothing else: no temporary file is left behind.
func cfWantKeyFiles(t *testing.T, path string, keys ...string) {
	t.Helper()
	entries, err := os.ReadDir(path + ".d")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	for _, k := range keys {
		want = append(want, cursorKeyFile(k))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s.d holds %q, want %q", path, got, want)
	}
}

func TestFileCursorStoreNoPartialFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows a rename over a file another reader has open can fail")
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	s := FileCursorStore(path)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%04d", i)
	}
	// Readers in another goroutine never see a partial file.
	done := make(chan struct{})
	var reads atomic.Int64
	readerErr := make(chan error, 1)
	go func() {
		defer close(readerErr)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(cfKeyPath(path, fmt.Sprint("k", i%3)))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err == nil && !json.Valid(data) {
				err = fmt.Errorf("read a partial file of %d bytes", len(data))
			}
			if err != nil {
				readerErr <- err
				return
			}
			reads.Add(1)
		}
	}()
	for i := range 60 {
		if err := s.Save(ctx, fmt.Sprint("k", i%3), Cursor{Started: true, Since: strconv.Itoa(i), IDs: ids[:i*15]}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	if err := <-readerErr; err != nil {
		t.Error(err)
	}
	monOnlyFile(t, dir, "c.json.d")
	cfWantKeyFiles(t, path, "k0", "k1", "k2")
	if got, err := s.Load(ctx, "k2"); err != nil || got.Since != "59" || len(got.IDs) != 885 {
		t.Errorf("last save: since %q, %d ids, %v", got.Since, len(got.IDs), err)
	}
}

func TestFileCursorStoreCorrupt(t *testing.T) {
	ctx := context.Background()
	good, err := json.Marshal(map[string]Cursor{"orders": {Started: true, Since: "2024-05-01T10:00:00Z", IDs: []string{"a", "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"truncated":    good[:len(good)/2],
		"one byte":     good[:1],
		"empty":        {},
		"garbage":      []byte("\x00\x00\x00\x00"),
		"null":         []byte("null"),
		"array":        []byte(`[{"started":true}]`),
		"wrong types":  []byte(`{"orders":{"started":"yes"}}`),
		"trailing":     append(slices.Clone(good), []byte(`{"x":{}}`)...),
		"cursor array": []byte(`{"orders":[1,2]}`),
	}
	users := Cursor{Started: true, Since: "7"}
	// The file of earlier versions: an error on Load of any key it would
	// hold, never a zero cursor; never rewritten; no obstacle to saving a
	// key, whose own file overrides it from then on.
	for name, content := range bad {
		t.Run("legacy "+name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cursors.json")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s := FileCursorStore(path)
			if c, err := s.Load(ctx, "orders"); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %+v, %v; want an error naming %s", c, err, path)
			}
			if err := s.Save(ctx, "users", users); err != nil {
				t.Errorf("Save: %v", err)
			}
			if data, _ := os.ReadFile(path); !bytes.Equal(data, content) {
				t.Errorf("Save replaced the corrupt file with %s", data)
			}
			if c, err := s.Load(ctx, "users"); err != nil || !reflect.DeepEqual(c, users) {
				t.Errorf("Load(users) = %+v, %v; want the saved cursor", c, err)
			}
			if c, err := s.Load(ctx, "orders"); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load after a save = %+v, %v; want an error naming %s", c, err, path)
			}
		})
	}
	// A key's own file: an error on Load naming it; a save replaces it.
	perKey := map[string][]byte{
		"no key":       []byte(`{"cursor":{"started":true}}`),
		"no cursor":    []byte(`{"key":"orders"}`),
		"null cursor":  []byte(`{"key":"orders","cursor":null}`),
		"key a number": []byte(`{"key":1,"cursor":{"started":true}}`),
		"other key":    []byte(`{"key":"users","cursor":{"started":true}}`),
		"key in case":  []byte(`{"key":"Orders","cursor":{"started":true}}`),
		"bad cursor":   []byte(`{"key":"orders","cursor":{"started":"yes"}}`),
		"legacy shape": good,
	}
	for name, content := range bad {
		perKey[name] = content
	}
	for name, content := range perKey {
		t.Run("own "+name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cursors.json")
			if err := os.Mkdir(path+".d", 0o700); err != nil {
				t.Fatal(err)
			}
			file := cfKeyPath(path, "orders")
			if err := os.WriteFile(file, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s := FileCursorStore(path)
			if c, err := s.Load(ctx, "orders"); err == nil || !strings.Contains(err.Error(), file) {
				t.Errorf("Load = %+v, %v; want an error naming %s", c, err, file)
			}
			if c, err := s.Load(ctx, "users"); err != nil || !reflect.DeepEqual(c, Cursor{}) {
				t.Errorf("Load(users) = %+v, %v; want a zero cursor", c, err)
			}
			if err := s.Save(ctx, "orders", users); err != nil {
				t.Fatal(err)
			}
			if c, err := s.Load(ctx, "orders"); err != nil || !reflect.DeepEqual(c, users) {
				t.Errorf("Load after a save = %+v, %v", c, err)
			}
		})
	}
	t.Run("a directory", func(t *testing.T) {
		path := t.TempDir()
		s := FileCursorStore(path)
		if _, err := s.Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load = %v; want an error naming %s", err, path)
		}
		if err := s.Save(ctx, "k", Cursor{Started: true}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Save = %v; want an error naming %s", err, path)
		}
		if _, err := os.Lstat(path + ".d"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Save made %s.d: %v", path, err)
		}
	})
	t.Run("a link to a directory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "cursors.json")
		cfSymlink(t, dir, path)
		if _, err := FileCursorStore(path).Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), dir) {
			t.Errorf("Load = %v; want an error naming %s and %s", err, path, dir)
		}
	})
	t.Run("the directory a file", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows reports a missing file under a file")
		}
		path := filepath.Join(t.TempDir(), "cursors.json")
		if err := os.WriteFile(path+".d", []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := FileCursorStore(path)
		if _, err := s.Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), path+".d") {
			t.Errorf("Load = %v; want an error naming %s.d", err, path)
		}
		if err := s.Save(ctx, "k", Cursor{Started: true}); err == nil || !strings.Contains(err.Error(), path+".d") {
			t.Errorf("Save = %v; want an error naming %s.d", err, path)
		}
	})
	t.Run("a loop of links", func(t *testing.T) {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		cfSymlink(t, "b", a)
		cfSymlink(t, "a", b)
		s := FileCursorStore(a)
		if _, err := s.Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), a) {
			t.Errorf("Load = %v; want an error naming %s", err, a)
		}
		if err := s.Save(ctx, "k", Cursor{Started: true}); err == nil || !strings.Contains(err.Error(), a) {
			t.Errorf("Save = %v; want an error naming %s", err, a)
		}
	})
	t.Run("no path", func(t *testing.T) {
		if _, err := FileCursorStore("").Load(ctx, "k"); err == nil {
			t.Error("Load with an empty path succeeded")
		}
		if err := FileCursorStore("").Save(ctx, "k", Cursor{}); err == nil {
			t.Error("Save with an empty path succeeded")
		}
	})
}

// cfSymlink makes link point to target, or skips the test where the
// system or the user cannot make links.
func cfSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
}

func TestFileCursorStoreSymlink(t *testing.T) {
	ctx := context.Background()
	orders := Cursor{Started: true, Since: "2024-05-01T10:00:00Z", IDs: []string{"a"}}
	legacyUsers := Cursor{Started: true, Since: "3"}
	legacy, err := json.Marshal(map[string]Cursor{"users": legacyUsers})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		// setup makes the link at root/link and returns the target it is
		// meant to reach.
		setup func(t *testing.T, root string) (target string)
	}{
		{"to a file", func(t *testing.T, root string) string {
			target := filepath.Join(root, "data", "cursors.json")
			if err := os.WriteFile(target, legacy, 0o600); err != nil {
				t.Fatal(err)
			}
			cfSymlink(t, target, filepath.Join(root, "link"))
			return target
		}},
		{"to no file yet, relative", func(t *testing.T, root string) string {
			cfSymlink(t, filepath.Join("data", "cursors.json"), filepath.Join(root, "link"))
			return filepath.Join(root, "data", "cursors.json")
		}},
		{"through two links", func(t *testing.T, root string) string {
			target := filepath.Join(root, "data", "cursors.json")
			if err := os.WriteFile(target, legacy, 0o600); err != nil {
				t.Fatal(err)
			}
			cfSymlink(t, filepath.Join("data", "middle"), filepath.Join(root, "link"))
			cfSymlink(t, "cursors.json", filepath.Join(root, "data", "middle"))
			return target
		}},
		{"relative with .. in a linked directory", func(t *testing.T, root string) string {
			// root/alias -> data/sub; data/sub/link -> ../cursors.json,
			// which the system reads as data/cursors.json, not root/cursors.json.
			if err := os.Mkdir(filepath.Join(root, "data", "sub"), 0o700); err != nil {
				t.Fatal(err)
			}
			cfSymlink(t, filepath.Join(root, "data", "sub"), filepath.Join(root, "alias"))
			cfSymlink(t, filepath.Join("..", "cursors.json"), filepath.Join(root, "data", "sub", "link"))
			cfSymlink(t, filepath.Join(root, "alias", "link"), filepath.Join(root, "link"))
			return filepath.Join(root, "data", "cursors.json")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.Mkdir(filepath.Join(root, "data"), 0o700); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(root, "link")
			target := tt.setup(t, root)
			before, _ := os.ReadFile(target)
			readlink, err := os.Readlink(link)
			if err != nil {
				t.Fatal(err)
			}
			if err := FileCursorStore(link).Save(ctx, "orders", orders); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil {
				t.Error(err)
			} else if fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("after a save, %s is %v, not a link", link, fi.Mode())
			}
			if now, err := os.Readlink(link); err != nil || now != readlink {
				t.Errorf("the link points to %q (%v), not %q", now, err, readlink)
			}
			if after, _ := os.ReadFile(target); !bytes.Equal(after, before) {
				t.Errorf("the target changed: %s", after)
			}
			if _, err := os.Lstat(link + ".d"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the save made a directory beside the link: %v", err)
			}
			cfWantKeyFiles(t, target, "orders")
			for _, p := range []string{link, target} {
				got, err := FileCursorStore(p).Load(ctx, "orders")
				if err != nil {
					t.Fatal(err)
				}
				wantCursor(t, got, orders)
				want := Cursor{}
				if len(before) > 0 {
					want = legacyUsers
				}
				if got, err := FileCursorStore(p).Load(ctx, "users"); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("Load(%s, users) = %+v, %v; want %+v", p, got, err, want)
				}
			}
		})
	}
}

// Cursors saved by earlier versions, all keys in one JSON object at path,
// still load; saves never rewrite that file, so no key disappears.
func TestFileCursorStoreLegacy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cursors.json")
	old := map[string]Cursor{
		"orders":    {Started: true, Since: "2024-05-01T10:00:00Z", IDs: []string{"a", "b"}},
		"users":     {Started: true, IDs: []string{"u1", "u2"}},
		"golang/go": {Started: true, Since: "2024-04-30T00:00:00Z"},
		"empty":     {},
	}
	data, err := json.MarshalIndent(old, "", "  ") // as earlier versions wrote it
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s := FileCursorStore(path)
	for key, want := range old {
		got, err := s.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		wantCursor(t, got, want)
	}
	orders := Cursor{Started: true, Since: "2024-05-02T00:00:00Z", IDs: []string{"c"}}
	if err := s.Save(ctx, "orders", orders); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
		t.Errorf("the save rewrote the old file:\n%s", now)
	}
	old["orders"] = orders
	for _, st := range []CursorStore{s, FileCursorStore(path)} {
		for key, want := range old {
			got, err := st.Load(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			wantCursor(t, got, want)
		}
	}
	cfWantKeyFiles(t, path, "orders")
}

func TestFileCursorStoreKeyNames(t *testing.T) {
	ctx := context.Background()
	keys := []string{
		"orders", "Orders", "ORDERS", "oRdErS",
		"", ".", "..", "../x", "../../etc/passwd", "a/b", "a\\b", "/abs", "C:x", `C:\x`, "a:b",
		"a\x00b", "a\x00c", "\x00",
		"CON", "con", "NUL", "aux.txt", "COM1", "LPT1.x",
		"trailing.", "trailing ", " leading", "-leading", ".hidden", ".x.tmp",
		"a b", "a*b?c", "<>|\"", "\t\n\r",
		"ü", "u\u0308", "Ü", "日本語", "😀", "ǅ", "ǆ", "ß", "SS", "ss",
		"\xff", "\xfe", "\xe6\x97", "a\xffb",
		strings.Repeat("k", 300), strings.Repeat("k", 301), strings.Repeat("K", 300), strings.Repeat("é", 5000),
		strings.Repeat("k", 32) + "1", strings.Repeat("k", 32) + "2",
	}
	root := t.TempDir()
	path := filepath.Join(root, "cursors.json")
	s := FileCursorStore(path)
	for i, key := range keys {
		if err := s.Save(ctx, key, Cursor{Started: true, Since: strconv.Itoa(i)}); err != nil {
			t.Fatalf("Save(%q): %v", key, err)
		}
	}
	for _, st := range []CursorStore{s, FileCursorStore(path)} {
		for i, key := range keys {
			got, err := st.Load(ctx, key)
			if err != nil || got.Since != strconv.Itoa(i) {
				t.Errorf("Load(%q) = %+v, %v; want since %d", key, got, err, i)
			}
		}
	}
	if got, err := s.Load(ctx, "never saved"); err != nil || !reflect.DeepEqual(got, Cursor{}) {
		t.Errorf("Load(never saved) = %+v, %v", got, err)
	}
	// Every file is directly in the directory, named in characters every
	// file system keeps apart, and no two names are one when case is not
	// told apart.
	cfWantKeyFiles(t, path, keys...)
	monOnlyFile(t, root, "cursors.json.d")
	valid := regexp.MustCompile(`^([A-Za-z0-9_][A-Za-z0-9_-]{0,31}-)?[0-9a-f]{32}\.json$`)
	folded := map[string]string{}
	for _, key := range keys {
		name := cursorKeyFile(key)
		if !valid.MatchString(name) {
			t.Errorf("key %q: file name %q", key, name)
		}
		if other, ok := folded[strings.ToLower(name)]; ok {
			t.Errorf("keys %q and %q: file names %q and %q differ only in case", other, key, cursorKeyFile(other), name)
		}
		folded[strings.ToLower(name)] = key
	}
	if name := cursorKeyFile("golang/go"); !strings.HasPrefix(name, "golang_go-") {
		t.Errorf("file of golang/go = %q; want the key readable in it", name)
	}
}

// The processes of TestFileCursorStoreProcesses.
const (
	cfProcs = 4
	cfSaves = 300
)

func cfProcKey(i int) string { return fmt.Sprint("proc", i) }

// TestFileCursorStoreProcessChild is one of the processes
// TestFileCursorStoreProcesses starts: once its stdin closes it saves its
// own key (CURSOR_CHILD_KEY) cfSaves times in the store at CURSOR_CHILD_FILE
// and after each save loads every key, which must be there (the parent
// saved them all first) and never older than before.
func TestFileCursorStoreProcessChild(t *testing.T) {
	path := os.Getenv("CURSOR_CHILD_FILE")
	if path == "" {
		t.Skip("run by TestFileCursorStoreProcesses")
	}
	me, err := strconv.Atoi(os.Getenv("CURSOR_CHILD_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := FileCursorStore(path)
	fmt.Fprintln(os.Stdout, "ready")
	io.Copy(io.Discard, os.Stdin) // every process starts together
	seen := make([]int, cfProcs)
	reads, stale, missing := 0, 0, 0
	for i := 1; i <= cfSaves; i++ {
		if err := s.Save(ctx, cfProcKey(me), Cursor{Started: true, Since: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
		for k := range cfProcs {
			c, err := s.Load(ctx, cfProcKey(k))
			if err != nil {
				t.Fatal(err)
			}
			reads++
			if !c.Started {
				missing++
				if missing <= 3 {
					t.Errorf("after save %d, %s is missing, having been %d", i, cfProcKey(k), seen[k])
				}
				continue
			}
			got, err := strconv.Atoi(c.Since)
			if err != nil {
				t.Fatal(err)
			}
			want := seen[k]
			if k == me {
				want = i // its own last save
			}
			if got < want {
				stale++
				if stale <= 3 {
					t.Errorf("after save %d, %s is %d, having been %d", i, cfProcKey(k), got, want)
				}
			}
			seen[k] = max(seen[k], got)
		}
	}
	fmt.Fprintf(os.Stdout, "reads %d stale %d missing %d\n", reads, stale, missing)
}

// Several processes share one store, each saving its own key: no read sees
// a key missing or older than it saw it before, and every key ends at its
// last save. The old store, which rewrote one file of every key, failed
// this at 8-35% of the reads, and replaced the link with a file.
func TestFileCursorStoreProcesses(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1", "ios", "android":
		t.Skip("needs a unix that can re-exec the test binary")
	}
	if testing.Short() {
		t.Skip("runs 4 processes of 300 saves each")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, mode := range []string{"new", "old file and a link"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, "cursors.json")
			link := path
			if mode == "new" {
				for k := range cfProcs {
					if err := FileCursorStore(path).Save(ctx, cfProcKey(k), Cursor{Started: true, Since: "0"}); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				// Cursors of an earlier version, all in the file at path, and
				// half the processes reach it through a link.
				old := map[string]Cursor{}
				for k := range cfProcs {
					old[cfProcKey(k)] = Cursor{Started: true, Since: "0"}
				}
				data, err := json.Marshal(old)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				link = filepath.Join(dir, "link.json")
				cfSymlink(t, "cursors.json", link)
			}
			runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute) // against a hang, not for the result
			defer cancel()
			type child struct {
				cmd    *exec.Cmd
				stdin  io.Closer
				out    *bufio.Reader
				stderr bytes.Buffer
			}
			var children []*child
			for k := range cfProcs {
				c := &child{cmd: exec.CommandContext(runCtx, exe, "-test.run=^TestFileCursorStoreProcessChild$")}
				p := path
				if k%2 == 1 {
					p = link
				}
				c.cmd.Env = append(os.Environ(), "CURSOR_CHILD_FILE="+p, "CURSOR_CHILD_KEY="+strconv.Itoa(k))
				c.cmd.Stderr = &c.stderr
				if c.stdin, err = c.cmd.StdinPipe(); err != nil {
					t.Fatal(err)
				}
				stdout, err := c.cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				c.out = bufio.NewReader(stdout)
				if err := c.cmd.Start(); err != nil {
					t.Fatal(err)
				}
				children = append(children, c)
			}
			var outs []string
			for _, c := range children { // wait until every one is ready
				var out strings.Builder
				for {
					line, err := c.out.ReadString('\n')
					out.WriteString(line)
					if line == "ready\n" || err != nil {
						break
					}
				}
				outs = append(outs, out.String())
			}
			for _, c := range children {
				c.stdin.Close()
			}
			for k, c := range children {
				rest, _ := io.ReadAll(c.out)
				out := outs[k] + string(rest)
				err := c.cmd.Wait()
				if i := strings.Index(out, "reads "); i >= 0 {
					t.Logf("process %d: %s", k, strings.TrimSpace(strings.SplitN(out[i:], "\n", 2)[0]))
				}
				if err != nil {
					t.Errorf("process %d: %v\n%s%s", k, err, out, c.stderr.Bytes())
				}
			}
			for k := range cfProcs {
				for _, p := range []string{path, link} {
					got, err := FileCursorStore(p).Load(ctx, cfProcKey(k))
					if err != nil || got.Since != strconv.Itoa(cfSaves) {
						t.Errorf("%s in %s = %+v, %v; want its last save, %d", cfProcKey(k), p, got, err, cfSaves)
					}
				}
			}
			if link != path {
				if fi, err := os.Lstat(link); err != nil {
					t.Error(err)
				} else if fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("%s is %v, no longer a link", link, fi.Mode())
				}
			}
			var keys []string
			for k := range cfProcs {
				keys = append(keys, cfProcKey(k))
			}
			cfWantKeyFiles(t, path, keys...)
		})
	}
}
