package generator

import (
	"bytes"

	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff returns a unified diff from old (committed) to new
// (generated), or "" when they are equal: one hunk per change, with three
// lines of context, as `git diff` shows it. The diff is go-udiff's, a port
// of the one gopls uses: two one-line edits far apart give two small hunks,
// not one hunk spanning everything between them.
func UnifiedDiff(path string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	return udiff.Unified(path+" (committed)", path+" (generated)", string(old), string(new))
}
