package templates

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// FileCursorStore keeps every key's cursor under path, in one file per
// key in the directory path+".d" beside it (created with mode 0700 on the
// first save); it never writes the file at path itself. Several processes
// may share path while each watches keys of its own: a save writes only
// its key's file and nothing is ever removed, so no save is lost and no
// key disappears, and no lock is needed, because no file holds two keys
// for one process to read, change and write back over another's save.
//
// A key's file is named by a readable prefix of the key (at most 32 ASCII
// letters, digits, '-' and '_'; any other character becomes '_') and a
// hash of the exact key, so keys that differ only in case or hold '/',
// "..", NUL or any other text get names of their own, inside the
// directory, on every file system, case-insensitive ones included. The
// file holds {"key": ..., "cursor": ...}, and a file whose key is not the
// one asked for is an error naming it. Each Save writes a temporary file
// in the directory (mode 0600), syncs it, renames it over the key's file
// and syncs the directory (best effort), so a reader, or a restart after
// a crash, finds the old cursor or the new one, never part of one.
//
// A path that is a symbolic link is followed, at most 40 links deep and
// also when the file it points to does not exist yet, before anything is
// read or written: the link stays a link, the directory is beside the
// file it points to, and stores of the link and of its target share
// their cursors.
//
// Earlier versions kept every key in one JSON object in the file at path.
// A key that has no file of its own yet is loaded from there, so their
// cursors still load; that file is only read, never written (remove it
// once every key in it has been saved again). Save never reads it, so a
// corrupt old file does not stop a key from being saved (its own file
// overrides the old cursor from then on), while Load of any key that has
// no file of its own reports it. A corrupt or truncated file, a key's own
// or the old one, is an error naming the file, never a silent restart
// from zero; a path that is a directory is an error naming it.
//
// Two processes saving the same key are a mistake the store does not
// detect: each save is whole, and the last one renamed wins.
//
// Platforms: the guarantees rest on a rename in one directory replacing
// the file in one step, as POSIX systems do (Linux, macOS, the BSDs and
// other unixes). On Windows os.Rename is MoveFileEx with
// MOVEFILE_REPLACE_EXISTING, which replaces the file but fails (access
// denied, sharing violation) while another process has it open, for
// example while loading that key: that Save returns the error and the key
// keeps its previous cursor until a later save succeeds. Plan 9 is not
// covered: there os.Rename removes the old file first, so a reader can
// find no file for the key and load the cursor of earlier versions, or
// none.
func FileCursorStore(path string) CursorStore {
	return &fileCursorStore{path: path}
}

type fileCursorStore struct {
	path string
}

// cursorKeyDoc is the content of one key's cursor file.
type cursorKeyDoc struct {
	Key    *string `json:"key"`
	Cursor *Cursor `json:"cursor"`
}

func (s *fileCursorStore) Load(ctx context.Context, key string) (Cursor, error) {
	if err := ctx.Err(); err != nil {
		return Cursor{}, err
	}
	legacy, dir, err := s.locate()
	if err != nil {
		return Cursor{}, err
	}
	name := filepath.Join(dir, cursorKeyFile(key))
	data, err := os.ReadFile(name)
	if err == nil {
		return readCursorKeyFile(name, key, data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Cursor{}, err // an *fs.PathError: it names the file
	}
	all, err := readCursorFile(legacy)
	if err != nil {
		return Cursor{}, err
	}
	return all[key], nil
}

func (s *fileCursorStore) Save(ctx context.Context, key string, cur Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, dir, err := s.locate()
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(cursorKeyDoc{Key: &key, Cursor: &cur}, "", "  ")
	if err != nil {
		return fmt.Errorf("cursor file for key %q in %s: %w", key, dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err == nil {
		syncCursorDir(filepath.Dir(dir))
	} else if !errors.Is(err, fs.ErrExist) {
		return err
	}
	return writeCursorFile(filepath.Join(dir, cursorKeyFile(key)), append(data, '\n'))
}

// locate resolves the store's path through symbolic links and returns
// the file earlier versions wrote there and the directory of the keys'
// files beside it.
func (s *fileCursorStore) locate() (legacy, dir string, err error) {
	if s.path == "" {
		return "", "", errors.New("FileCursorStore: empty path")
	}
	p := filepath.Clean(s.path)
	for range cursorLinkHops {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, p + ".d", nil
		}
		if err != nil {
			return "", "", err
		}
		if fi.IsDir() {
			if p != filepath.Clean(s.path) {
				p = s.path + " -> " + p
			}
			return "", "", fmt.Errorf("cursor file %s: is a directory", p)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, p + ".d", nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", "", err
		}
		if !filepath.IsAbs(target) {
			// Relative to the directory the link is in, as the system reads
			// it: through the directory's own links, before any "..".
			dir, err := filepath.EvalSymlinks(filepath.Dir(p))
			if err != nil {
				dir = filepath.Dir(p)
			}
			if filepath.VolumeName(target) == "" && target != "" && os.IsPathSeparator(target[0]) {
				target = filepath.VolumeName(dir) + target // Windows: rooted on the link's volume
			} else {
				target = filepath.Join(dir, target)
			}
		}
		p = filepath.Clean(target)
	}
	return "", "", fmt.Errorf("cursor file %s: more than %d symbolic links", s.path, cursorLinkHops)
}

// cursorLinkHops bounds the symbolic links FileCursorStore follows, as
// Linux bounds them in a path (MAXSYMLINKS).
const cursorLinkHops = 40

// cursorKeyFile returns the name of key's cursor file: at most 32
// characters of the key in letters, digits, '-' and '_' (nothing that
// could be a path, a device name, hidden or a temporary file), then 128
// bits of the key's SHA-256 in lowercase hex, which alone tells keys
// apart, also where names differing in case are one file.
func cursorKeyFile(key string) string {
	var b strings.Builder
	for _, r := range key {
		if b.Len() == 32 {
			break
		}
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '-' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() > 0 {
		b.WriteByte('-')
	}
	sum := sha256.Sum256([]byte(key))
	b.WriteString(hex.EncodeToString(sum[:16]))
	b.WriteString(".json")
	return b.String()
}

// readCursorKeyFile decodes the content of key's cursor file name.
func readCursorKeyFile(name, key string, data []byte) (Cursor, error) {
	var doc cursorKeyDoc
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return Cursor{}, fmt.Errorf("cursor file %s: corrupt or truncated: not a JSON object", name)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Cursor{}, fmt.Errorf("cursor file %s: corrupt or truncated: %w", name, err)
	}
	if doc.Key == nil || doc.Cursor == nil {
		return Cursor{}, fmt.Errorf(`cursor file %s: corrupt: want {"key": ..., "cursor": {...}}`, name)
	}
	want := key
	if !utf8.ValidString(key) {
		// JSON holds text: each byte that is not UTF-8 was saved as U+FFFD.
		want = strings.Map(func(r rune) rune { return r }, key)
	}
	if *doc.Key != want {
		return Cursor{}, fmt.Errorf("cursor file %s: holds the cursor of key %q, not of %q", name, *doc.Key, key)
	}
	return *doc.Cursor, nil
}

// readCursorFile returns every key's cursor in a file of earlier
// versions, which held them all; none when the file does not exist.
func readCursorFile(path string) (map[string]Cursor, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Cursor{}, nil
	}
	if err != nil {
		return nil, err // an *fs.PathError: it names the file
	}
	var all map[string]Cursor
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return nil, fmt.Errorf("cursor file %s: corrupt or truncated: not a JSON object", path)
	}
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("cursor file %s: corrupt or truncated: %w", path, err)
	}
	return all, nil
}

// writeCursorFile replaces path with data: a synced temporary file renamed
// over it, then the directory synced.
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
	syncCursorDir(dir)
	return nil
}

// syncCursorDir syncs a directory, so that the names just written in it
// survive a crash. It is best effort: not every file system or platform
// can sync a directory, and without it a crash can only bring back the
// previous cursor.
func syncCursorDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
