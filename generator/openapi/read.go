package openapi

import (
	"fmt"
	"io"
	"os"
)

// MaxDocumentBytes bounds what is read of one OpenAPI document or file a
// $ref names. The largest real documents are tens of MiB; the bound is
// there so that /dev/zero, or a pipe that never ends, is an error instead
// of all the memory there is. A variable so tests can lower it.
var MaxDocumentBytes int64 = 256 << 20

// ReadFile reads the file at path, at most MaxDocumentBytes of it. It
// reads pipes too (conngen import <(curl …)), to their end.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path)
}

// ReadAll reads r, named name in errors, at most MaxDocumentBytes of it. A
// regular file is read in one allocation of its size, as os.ReadFile
// does (growing a buffer by doubling costs a large document a measurable
// amount).
func ReadAll(r io.Reader, name string) ([]byte, error) {
	size := int64(512)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = min(st.Size(), MaxDocumentBytes) + 1
		}
	}
	data := make([]byte, 0, size)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > MaxDocumentBytes {
			return nil, &os.PathError{Op: "read", Path: name, Err: fmt.Errorf("larger than %d MiB, more than an OpenAPI document can be", MaxDocumentBytes>>20)}
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // let append pick the next size
		}
	}
}
