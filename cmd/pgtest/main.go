// Command pgtest starts a throwaway PostgreSQL cluster for the test suite,
// prints its URL, and stops it when its standard input closes or it receives
// a signal. `make test` runs it so that every test package shares one server.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func main() {
	url, stop, err := dbtest.StartCluster()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		os.Exit(1)
	}
	fmt.Println(url)
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	select {
	case <-done:
	case <-sig:
	}
	stop()
}
