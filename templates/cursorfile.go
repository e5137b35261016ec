package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// FileCursorStore keeps every key's cursor in one JSON file, replaced atomically on each save.
//
// Each Save re-reads the file, sets its key, writes a temporary file in the
// same directory (mode 0600), syncs it and renames it over the file, so a
// crash leaves the old file or the new one, never part of one. Stores of
// one path in one process share a lock, so concurrent saves of different
// keys all land. A missing file holds no cursors; a corrupt one is an
// error, on Load and on Save, never a silent restart from zero.
func FileCursorStore(path string) CursorStore {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	mu, _ := cursorFileLocks.LoadOrStore(abs, new(sync.Mutex))
	return &fileCursorStore{path: path, mu: mu.(*sync.Mutex)}
}

// cursorFileLocks holds a lock per absolute cursor file path.
var cursorFileLocks sync.Map

type fileCursorStore struct {
	path string
	mu   *sync.Mutex
}

func (s *fileCursorStore) Load(ctx context.Context, key string) (Cursor, error) {
	if err := ctx.Err(); err != nil {
		return Cursor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.read()
	if err != nil {
		return Cursor{}, err
	}
	return all[key], nil
}

func (s *fileCursorStore) Save(ctx context.Context, key string, cur Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.read()
	if err != nil {
		return err
	}
	all[key] = cur
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("cursor file %s: %w", s.path, err)
	}
	return writeCursorFile(s.path, append(data, '\n'))
}

// read returns every key's cursor; none when the file does not exist.
func (s *fileCursorStore) read() (map[string]Cursor, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Cursor{}, nil
	}
	if err != nil {
		return nil, err // an *fs.PathError: it names the file
	}
	var all map[string]Cursor
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return nil, fmt.Errorf("cursor file %s: corrupt or truncated: not a JSON object", s.path)
	}
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("cursor file %s: corrupt or truncated: %w", s.path, err)
	}
	return all, nil
}

// writeCursorFile replaces path with data: a synced temporary file renamed
// over it, then the directory synced (best effort: not every file system
// or platform can sync a directory, and without it a crash can only bring
// back the previous cursor).
func writeCursorFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
