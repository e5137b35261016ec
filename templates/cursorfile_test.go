package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

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
	data, _ := os.ReadFile(path)
	var doc map[string]map[string]any
	if err := json.Unmarshal(data, &doc); err != nil || doc["orders"]["started"] != true {
		t.Errorf("file = %s (%v)", data, err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, %v; want 0600", fi.Mode(), err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Save(cctx, "orders", Cursor{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with an ended ctx: %v", err)
	}
}

func TestFileCursorStoreConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "cursors.json")
	stores := []CursorStore{FileCursorStore(path), FileCursorStore(filepath.Join(dir, ".", "cursors.json"))}
	const goroutines, saves = 12, 15
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*saves)
	for g := range goroutines {
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
	monOnlyFile(t, dir, "cursors.json")
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

func TestFileCursorStoreNoPartialFile(t *testing.T) {
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
		for {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(path)
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
	monOnlyFile(t, dir, "c.json")
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
	for name, content := range map[string][]byte{
		"truncated":    good[:len(good)/2],
		"one byte":     good[:1],
		"empty":        {},
		"garbage":      []byte("\x00\x00\x00\x00"),
		"null":         []byte("null"),
		"array":        []byte(`[{"started":true}]`),
		"wrong types":  []byte(`{"orders":{"started":"yes"}}`),
		"trailing":     append(slices.Clone(good), []byte(`{"x":{}}`)...),
		"cursor array": []byte(`{"orders":[1,2]}`),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cursors.json")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s := FileCursorStore(path)
			if c, err := s.Load(ctx, "orders"); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %+v, %v; want an error naming %s", c, err, path)
			}
			if err := s.Save(ctx, "users", Cursor{Started: true}); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Save = %v; want an error naming %s", err, path)
			}
			if data, _ := os.ReadFile(path); !bytes.Equal(data, content) {
				t.Errorf("Save replaced the corrupt file with %s", data)
			}
		})
	}
	t.Run("a directory", func(t *testing.T) {
		path := t.TempDir()
		if _, err := FileCursorStore(path).Load(ctx, "k"); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load = %v; want an error naming %s", err, path)
		}
	})
}
