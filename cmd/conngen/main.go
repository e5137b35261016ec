// Command conngen generates Go API connectors from connector specs.
// See the README for usage; every command lives in internal/cli so tests
// run exactly what users run.
package main

import (
	"os"

	"github.com/conngen/conngen/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
