// Package generated holds the connectors conngen generates from ../specs,
// committed so that users can read them and tests can pin them: this
// directory is the golden set. Regenerate with go generate ./generated (or
// make generate); CI fails when a file here is stale.
package generated

//go:generate go run github.com/conngen/conngen/cmd/conngen generate -o . ../specs
