// Package templates holds the Go source that is the same in every generated
// connector. The generator emits each file into the connector package,
// renaming the package clause and adding the "Code generated" header, so the
// files are written as a real package here to be compiled and tested.
//
// runtime.go is always emitted; the others only when a connector needs them,
// so they may depend on runtime.go but it depends on none of them.
package templates

import "embed"

// Files holds the emitted sources.
//
//go:embed runtime.go paginate.go encode.go ratelimit.go oauth2.go union.go webhook.go revoke.go monitor.go cursorfile.go stream.go sse.go invoke.go schemacheck.go check.go query.go
var Files embed.FS

// RunnerMain is the main.go of the program conngen call and conngen mcp run
// over a connector (templates/runner; generator/emit.Runner fills in the
// connector's import path).
//
//go:embed runner/main.go
var RunnerMain []byte
