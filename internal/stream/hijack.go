package stream

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// Buffer sizes of an upgraded connection. net/http hands a hijacked
// connection over with its 4 KiB read and write buffers; an idle socket
// would keep both for its whole life. Clients send small messages, so the
// read buffer is small; the write buffer holds a typical event frame or
// two, so that one frame is still one write (larger batches are written
// straight from the frame's bytes).
const (
	readBufSize  = 512
	writeBufSize = 1536
)

// smallBuffers wraps a ResponseWriter so that Hijack returns the connection
// with smaller buffers.
// The connection is handed over wrapped in a wireConn (wire.go), kept in
// wire for the gateway's own writes.
type smallBuffers struct {
	http.ResponseWriter
	wire *wireConn
}

func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Carry over whatever the client already sent behind the handshake.
	var pending []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		pending = append(pending, b...)
	}
	r := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(pending), conn), max(readBufSize, len(pending)))
	if len(pending) > 0 {
		if _, err := r.Peek(len(pending)); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	w.wire = newWireConn(conn)
	return w.wire, bufio.NewReadWriter(r, bufio.NewWriterSize(w.wire, writeBufSize)), nil
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
