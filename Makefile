# Atrium — run `make help` for the targets.
.DEFAULT_GOAL := help
GO ?= go

.PHONY: help run build ui test test-go fuzz bench clean

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

clean: ## Remove build output
	rm -rf bin web/dist/assets web/dist/index.html
