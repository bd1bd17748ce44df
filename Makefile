# syncer: see README.md. `make help` lists the targets.
GO        ?= go
BIN       ?= bin/syncer
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# No database defaults here: the tests use TEST_DATABASE_URL, else
# postgres://postgres@127.0.0.1:5432/test (internal/pgtest); the demo uses
# its own database on the server DATABASE_URL names, else the local one.

.DEFAULT_GOAL := help
.PHONY: help build testdb test test-chaos soak test-pg-restart test-short demo bench lint fmt tidy clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/syncer
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/syncer

testdb: ## create the test database (TEST_DATABASE_URL, default .../test) when its server answers and it is missing
	$(GO) run ./internal/pgtest/testdb

test: testdb ## run every test with -race against the Postgres at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

test-chaos: testdb ## run the reliability suite with every crash point (faults, kill -9, bad input, secrets)
	$(GO) test -race -count=1 -tags chaos -timeout 20m -v ./internal/chaos/...

SOAK ?= 10m
soak: testdb ## run `syncer serve` for SOAK (default 10m) under API faults; fail on stuck runs or memory/goroutine growth
	SYNCER_SOAK=$(SOAK) $(GO) test -count=1 -timeout 2h -run TestSoakServeUnderFaults -v ./internal/chaos/

PG_RESTART ?= pg_ctlcluster --skip-systemctl-redirect 15 main restart
test-pg-restart: ## restart the local PostgreSQL in the middle of a load (disturbs every other user of the server)
	SYNCER_CHAOS_PG_RESTART="$(PG_RESTART)" $(GO) test -count=1 -timeout 10m -run TestPostgresRestartMidLoad -v ./internal/chaos/

test-short: ## run the tests that need no database
	$(GO) test -short -count=1 ./...

demo: build ## run the whole job end to end on the built-in emulator, in its own database (syncer_demo_<user>) on the local Postgres or DATABASE_URL's server
	$(BIN) demo

bench: build ## run the benchmarks and the peer comparison; write bench/results/latest.json and bench/README.md (STEPS=forward,peer for some)
	$(GO) build ./...
	$(GO) run ./cmd/benchreport -syncer $(BIN) $(if $(STEPS),-steps $(STEPS))

lint: ## go vet, gofmt check and staticcheck when installed
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; else echo "staticcheck not installed; skipped"; fi

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

tidy: ## go mod tidy
	$(GO) mod tidy

clean: ## remove build output
	rm -rf bin
