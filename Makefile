# Atrium — run `make help` for the targets.
.DEFAULT_GOAL := help
GO ?= go

.PHONY: help run build ui test test-go lint screenshots fuzz crash bench clean

help: ## List the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Build the web app if needed and run the server on embedded SQLite (./data)
	@scripts/run.sh

build: ## Build bin/atrium (embeds web/dist if built)
	$(GO) build -o bin/atrium ./cmd/atrium

ui: ## Build the web app into web/dist (needs Node/npm)
	@scripts/build-web.sh

test: ## Run every test: Go on SQLite and PostgreSQL, web unit tests, browser e2e
	@scripts/test.sh

test-go: ## Run only the Go tests
	$(GO) test ./...

lint: ## Static checks: tidy go.mod, go vet, architecture tests, staticcheck (pinned in tools/go.mod)
	@scripts/lint.sh

screenshots: ## Refresh docs/screenshots: the browser tests with ATRIUM_SCREENSHOTS=docs (make test leaves them alone)
	@ATRIUM_SCREENSHOTS=docs scripts/test-web.sh

fuzz: ## Run every Go fuzz target for FUZZTIME each (default 30s; FUZZ=regexp picks targets)
	@FUZZTIME=$${FUZZTIME:-30s} scripts/fuzz.sh

crash: ## Long crash-safety run: CRASH_CYCLES SIGKILL/restart cycles (default 200) on both databases
	CRASH_CYCLES=$${CRASH_CYCLES:-200} $(GO) test -count=1 -timeout 60m -run 'TestCrashSafety|TestMigrationKilled' -v ./e2e/crash/

clean: ## Remove build output
	rm -rf bin web/dist/assets web/dist/index.html
