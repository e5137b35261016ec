# conngen — see README.md. Every target runs from a fresh clone.
GO ?= go

.PHONY: build test generate check fuzz vet bench

build:
	$(GO) build -o bin/conngen ./cmd/conngen

# The README's test command.
test:
	$(GO) vet ./...
	$(GO) test ./...

generate:
	$(GO) run ./cmd/conngen generate -o generated specs

check:
	$(GO) run ./cmd/conngen check -o generated specs

# A short fuzz run of the spec loader, seeded from specs/ and testdata.
fuzz:
	$(GO) test ./generator/spec -run '^$$' -fuzz FuzzLoad -fuzztime 20s -fuzzminimizetime 100x

bench:
	$(GO) test ./... -run '^$$' -bench . -benchmem
