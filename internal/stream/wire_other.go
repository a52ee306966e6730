//go:build !unix

package stream

import "syscall"

// writeNonblocking is not available here: every write goes through the
// socket's writer goroutine.
func writeNonblocking(syscall.RawConn, []byte) (int, error) { return 0, errWouldBlock }
