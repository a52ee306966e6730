//go:build unix

package stream

import "syscall"

// writeNonblocking writes b on the descriptor (which the runtime keeps in
// non-blocking mode) without waiting for room.
func writeNonblocking(raw syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				werr = errWouldBlock
				return true
			case err != nil:
				werr = err
				return true
			case m <= 0:
				werr = errWouldBlock
				return true
			}
		}
		return true
	})
	if werr == nil {
		werr = err
	}
	return n, werr
}
