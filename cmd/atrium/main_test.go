package main

import (
	"os"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// TestMain runs the package's tests, or — when ATRIUM_TEST_RUN_MAIN=1 — the
// atrium command itself, so that tests can check real exit codes by running
// the test binary as the CLI (see runCLI).
func TestMain(m *testing.M) {
	if os.Getenv("ATRIUM_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	dbtest.Main(m)
}
