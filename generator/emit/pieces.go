package emit

import (
	"bytes"
	"fmt"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
)

// Pieces of a template: the lines between "//conngen:if NAME..." and
// "//conngen:end" (each alone on its line) are kept when the model lists
// one of the NAMEs in Runtime.Pieces, and dropped otherwise; the marker
// lines themselves are always dropped. In templates/ every piece is
// present, so the package there compiles and is tested whole.
const (
	pieceIf  = "//conngen:if "
	pieceEnd = "//conngen:end"
)

// keepPieces removes from src the pieces not in keep, and every marker
// line. Where lines were left out, two blank lines in a row become one and
// a blank line after an opening or before a closing brace goes, so
// gofmt-formatted input stays formatted (TestPiecesFormatted checks every
// piece on its own).
func keepPieces(name string, src []byte, keep []string) ([]byte, error) {
	if !bytes.Contains(src, []byte("//conngen:")) {
		return src, nil
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	out := make([]byte, 0, len(src))
	var stack []bool // whether each open piece is kept
	kept := func() bool { return !slices.Contains(stack, false) }
	seam := false // a marker line, or a dropped piece, was just left out
	for i, line := range lines {
		t := strings.TrimSpace(string(line))
		switch {
		case strings.HasPrefix(t, pieceIf):
			on := slices.ContainsFunc(strings.Fields(t[len(pieceIf):]), func(n string) bool { return slices.Contains(keep, n) })
			stack = append(stack, on)
			seam = true
			continue
		case t == pieceEnd:
			if len(stack) == 0 {
				return nil, fmt.Errorf("template %s:%d: %s without %s", name, i+1, pieceEnd, pieceIf)
			}
			stack = stack[:len(stack)-1]
			seam = true
			continue
		case strings.HasPrefix(t, "//conngen:"):
			return nil, fmt.Errorf("template %s:%d: unknown marker %q", name, i+1, t)
		}
		if !kept() {
			continue
		}
		if seam && t == "" && (endsBlank(out) || bytes.HasSuffix(bytes.TrimRight(out, " \t\n"), []byte("{")) || bytes.HasSuffix(bytes.TrimRight(out, " \t\n"), []byte("("))) {
			continue
		}
		if seam && (t == "}" || t == ")") && endsBlank(out) {
			out = out[:len(out)-1]
		}
		seam = false
		out = append(out, line...)
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("template %s: %s without %s", name, pieceIf, pieceEnd)
	}
	out = dropUnusedImports(out)
	for endsBlank(out) {
		out = out[:len(out)-1]
	}
	return out, nil
}

// dropUnusedImports removes the imports that the pieces left in src no
// longer use: those whose name never stands before a "." outside the
// import block (go/scanner tokens, so comments and strings do not count).
// Templates import each package under its own name.
func dropUnusedImports(src []byte) []byte {
	start, end, ok := importBlock(src)
	if !ok {
		return src
	}
	end++ // the block's last line keeps its line break
	used := map[string]bool{}
	var s scanner.Scanner
	fset := token.NewFileSet()
	rest := src[end:]
	s.Init(fset.AddFile("", -1, len(rest)), rest, nil, 0)
	prev := ""
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.PERIOD && prev != "" {
			used[prev] = true
		}
		prev = ""
		if tok == token.IDENT {
			prev = lit
		}
	}
	var block []byte
	for _, line := range bytes.SplitAfter(src[start:end], []byte("\n")) {
		path := strings.Trim(strings.TrimSpace(string(line)), `"`)
		if path == "" {
			if !endsBlank(block) && len(block) > 0 {
				block = append(block, line...)
			}
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if v := strings.TrimPrefix(name, "v"); v != name && strings.Trim(v, "0123456789") == "" && strings.Contains(path, "/") {
			p := path[:strings.LastIndex(path, "/")]
			name = p[strings.LastIndex(p, "/")+1:] // math/rand/v2: rand
		}
		if used[name] {
			block = append(block, line...)
		}
	}
	block = bytes.TrimSuffix(block, []byte("\n\n"))
	if len(block) > 0 && !bytes.HasSuffix(block, []byte("\n")) {
		block = append(block, '\n')
	}
	if len(block) == 0 { // no import left: no import declaration
		head := src[:start-len("import (\n")]
		tail := bytes.TrimPrefix(src[end:], []byte(")\n"))
		return append(append([]byte{}, head...), bytes.TrimPrefix(tail, []byte("\n"))...)
	}
	return append(append(append([]byte{}, src[:start]...), block...), src[end:]...)
}

// endsBlank reports whether b ends with an empty line.
func endsBlank(b []byte) bool {
	return bytes.HasSuffix(b, []byte("\n\n"))
}

// templatePieces lists the piece names a template declares, in order.
func templatePieces(src []byte) []string {
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, pieceIf) {
			for _, n := range strings.Fields(t[len(pieceIf):]) {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}
