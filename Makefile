# conngen — see README.md. Every target runs from a fresh clone.
GO ?= go

.PHONY: build test generate check fuzz vet bench prism mcpclient e2e

build:
	$(GO) build -o bin/conngen ./cmd/conngen

# The README's test command: go vet and go test on every package, then the
# two nested interop modules (the providers' own webhook libraries, a real
# SSE server), then the end-to-end package, verbose (filtered) so its
# per-document Prism counts are printed. Without Prism (make prism) or the
# TypeScript MCP client (make mcpclient) those end-to-end tests skip, saying
# so; without the shared OpenAPI documents the corpus tests skip, and this
# says so first. internal/corpus TestUnused builds staticcheck at the version
# pinned in tools/staticcheck and fails on any U1000 finding in generated/.
test: SHELL := /bin/bash
test:
	@if [ -z "$$CONNGEN_OPENAPI_DIR" ] && [ ! -d ../shared/openapi ] && [ ! -d ../../shared/openapi ]; then \
		echo "note: no shared/openapi beside the repository: the corpus tests (real OpenAPI documents) skip; set CONNGEN_OPENAPI_DIR to run them"; fi
	$(GO) vet ./...
	$(GO) test $$($(GO) list ./... | grep -v /internal/e2e$$)
	cd internal/interop && $(GO) vet ./... && $(GO) test ./...
	cd internal/sseinterop && $(GO) vet ./... && $(GO) test ./...
	set -o pipefail; $(GO) test -v -timeout 20m ./internal/e2e | grep -E '^(--- |ok |FAIL|PASS|panic)|operations called|SKIP|^\s+\S+_test.go:[0-9]+: ' | cut -c1-400

# Stoplight Prism, pinned in tools/prism/package-lock.json, for the
# end-to-end tests (internal/e2e; see docs/e2e.md). Needs node and npm.
prism:
	npm ci --prefix tools/prism --no-audit --no-fund

# The official TypeScript MCP client, pinned in tools/mcpclient/package-lock.json,
# for the end-to-end test of conngen mcp's results (TestMCPNodeClient).
mcpclient:
	npm ci --prefix tools/mcpclient --no-audit --no-fund

# The end-to-end tests alone, verbose: per-document counts of the Prism run,
# the OAuth2 flows and conngen login.
e2e: prism
	$(GO) test -count=1 -v -run 'TestPrism|TestOAuth2' ./internal/e2e
	$(GO) test -count=1 -run 'TestLogin' ./internal/cli

generate:
	$(GO) run ./cmd/conngen generate -o generated specs

check:
	$(GO) run ./cmd/conngen check -o generated specs

# Fuzz the spec loader (seeded from specs/ and testdata) and the whole
# pipeline on random schema graphs (generator FuzzPipeline), longer than CI
# does. FUZZTIME=10m make fuzz for a real search.
FUZZTIME ?= 2m
fuzz:
	$(GO) test ./generator/spec -run '^$$' -fuzz FuzzLoad -fuzztime 20s -fuzzminimizetime 100x
	$(GO) test ./templates -run '^$$' -fuzz FuzzSSE -fuzztime 20s -fuzzminimizetime 100x
	$(GO) test ./templates -run '^$$' -fuzz FuzzInvokeInput -fuzztime 20s -fuzzminimizetime 100x
	$(GO) test ./templates -run '^$$' -fuzz FuzzJSONReader -fuzztime 20s -fuzzminimizetime 100x
	$(GO) test ./generator -run '^$$' -fuzz FuzzPipeline -fuzztime $(FUZZTIME) -fuzzminimizetime 100x

# Benchmarks against the peers (see BENCHMARKS.md): installs them at pinned
# versions into bin/peers, runs internal/bench in five groups (raw output in
# bin/bench/*.txt) and prints the comparison tables (bin/bench/table.md).
PEERS := $(CURDIR)/bin/peers
BENCHOUT := bin/bench
BENCH := CONNGEN_PEERS_BIN=$(PEERS) $(GO) test ./internal/bench -v -run '^$$' -benchmem -timeout 90m
bench: SHELL := /bin/bash
bench:
	GOBIN=$(PEERS) $(GO) install github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2
	GOBIN=$(PEERS) $(GO) install github.com/ogen-go/ogen/cmd/ogen@v1.24.0
	mkdir -p $(BENCHOUT)
	set -o pipefail; $(BENCH) -bench '^BenchmarkInProcess$$' -benchtime 5x | tee $(BENCHOUT)/inprocess.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkCLI$$' -benchtime 10x | tee $(BENCHOUT)/cli.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkCompile$$' -benchtime 1x | tee $(BENCHOUT)/compile.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkCall$$' -benchtime 1x | tee $(BENCHOUT)/call.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkRecursiveSchemas$$' -benchtime 5x | tee $(BENCHOUT)/recursive.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkStream$$' -benchtime 3s | tee $(BENCHOUT)/stream.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkCallStart$$' -benchtime 20x | tee $(BENCHOUT)/callstart.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkSearch$$' -benchtime 2000x | tee $(BENCHOUT)/search.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkMCPList$$' -benchtime 1x | tee $(BENCHOUT)/mcplist.txt
	set -o pipefail; $(BENCH) -bench '^BenchmarkMCPStart$$' -benchtime 10x | tee $(BENCHOUT)/mcpstart.txt
	set -o pipefail; $(GO) run ./internal/bench/cmd/benchtable $(BENCHOUT)/*.txt | tee $(BENCHOUT)/table.md
