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

// ReadAll reads r, named name in errors, at most MaxDocumentBytes of it.
func ReadAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > MaxDocumentBytes {
		return nil, &os.PathError{Op: "read", Path: name, Err: fmt.Errorf("larger than %d MiB, more than an OpenAPI document can be", MaxDocumentBytes>>20)}
	}
	return data, nil
}
