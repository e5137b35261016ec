package generator

import (
	"bytes"
	"fmt"
	"strings"
)

// UnifiedDiff returns a unified diff from old to new, or "" when they are
// equal. It trims the common head and tail and shows the rest as one hunk
// with three lines of context: not always minimal, but linear in the
// file size and exact, which is what a stale-output report needs.
func UnifiedDiff(path string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	const ctx = 3
	start := max(pre-ctx, 0)
	endA := min(len(a)-suf+ctx, len(a))
	endB := min(len(b)-suf+ctx, len(b))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s (committed)\n+++ %s (generated)\n", path, path)
	fmt.Fprintf(&sb, "@@ -%s +%s @@\n", span(start, endA), span(start, endB))
	for _, l := range a[start:pre] {
		sb.WriteString(" " + l + "\n")
	}
	for _, l := range a[pre : len(a)-suf] {
		sb.WriteString("-" + l + "\n")
	}
	for _, l := range b[pre : len(b)-suf] {
		sb.WriteString("+" + l + "\n")
	}
	for _, l := range a[len(a)-suf : endA] {
		sb.WriteString(" " + l + "\n")
	}
	return sb.String()
}

func span(start, end int) string {
	if end-start == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, end-start)
}

func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
