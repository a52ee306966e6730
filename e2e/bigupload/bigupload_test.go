// Package bigupload_test is the acceptance test of resumable uploads of
// large files, run against the real atrium binary on a fresh data
// directory: a 2 GiB file is uploaded in chunks, the transfer is cut in the
// middle of a chunk, the client asks the server where it is (HEAD), goes on
// from there, completes the upload with the file's SHA-256 and downloads
// it again, comparing checksums — while the server's resident memory is
// sampled from /proc and must stay flat (far below what holding the file,
// or one chunk of it, would take).
//
// The bytes are pseudo-random, generated as they are sent and never held
// by the test either. `go test -short` skips it (it moves about 8 GiB
// through the disk).
package bigupload_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/e2e/atriumbin"
)

const (
	fileSize  = 2 << 30   // 2 GiB
	chunkSize = 512 << 20 // what one PATCH announces
	// cutAfter is how much of the second chunk is sent before the
	// connection is dropped.
	cutAfter = 300<<20 + 12345
	// peakLimit bounds the server's peak resident memory over the whole
	// test: a server holding one chunk, let alone the file, goes past it.
	peakLimit = 256 << 20
)

// gen is the file's content: blocks of ChaCha8 output, each seeded by its
// index, so any range can be produced again without the bytes before it.
type gen struct {
	off, end int64
	blk      int64 // the block in buf
	buf      [genBlock]byte
}

const genBlock = 64 << 10

func (g *gen) Read(p []byte) (int, error) {
	if g.off >= g.end {
		return 0, io.EOF
	}
	if blk := g.off / genBlock; blk != g.blk {
		var seed [32]byte
		copy(seed[:], "atrium big upload")
		binary.LittleEndian.PutUint64(seed[24:], uint64(blk))
		_, _ = rand.NewChaCha8(seed).Read(g.buf[:])
		g.blk = blk
	}
	in := g.off - g.blk*genBlock
	n := copy(p, g.buf[in:min(int64(genBlock), in+g.end-g.off)])
	g.off += int64(n)
	return n, nil
}

func content(from, to int64) io.Reader { return &gen{off: from, end: to, blk: -1} }

// server is a running `atrium serve`.
type server struct {
	*atriumbin.Proc
	url string
}

func (s *server) output() string { return s.Output() }

func serve(t *testing.T) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{Proc: atriumbin.Start(t, "serve", "--data-dir", t.TempDir(), "--addr", addr, "--log-level", "warn"), url: "http://" + addr}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if s.Exited() || time.Now().After(deadline) {
			t.Fatalf("server did not start: %v\n%s", err, s.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// memory reads the process's resident set (VmRSS) and its peak (VmHWM).
func memory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// client speaks to the server with a bearer token.
type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(t *testing.T, method, path string, body io.Reader, size int64, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.ContentLength = size
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, data
}

func (c *client) json(t *testing.T, method, path string, in, out any, want int) http.Header {
	t.Helper()
	var body io.Reader
	var size int64
	if in != nil {
		b, _ := json.Marshal(in)
		body, size = bytes.NewReader(b), int64(len(b))
	}
	resp, data := c.do(t, method, path, body, size, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.Header
}

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// owner sets the fresh server up and signs its owner in.
func owner(t *testing.T, s *server) *client {
	t.Helper()
	var tok string
	for i := 0; i < 500 && tok == ""; i++ {
		if m := setupRe.FindStringSubmatch(s.output()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if tok == "" {
		t.Fatalf("no setup link:\n%s", s.output())
	}
	c := &client{base: s.url, http: &http.Client{Timeout: 10 * time.Minute}}
	const pw = "correct horse battery"
	c.json(t, "POST", "/api/v1/setup", map[string]any{"token": tok,
		"organization": map[string]any{"name": "Big Upload Inc", "region": "CN"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@bigupload.test", "password": pw}}, nil, http.StatusCreated)
	var lr struct {
		Token string `json:"token"`
	}
	c.json(t, "POST", "/api/v1/auth/login", map[string]any{"email": "owner@bigupload.test", "password": pw, "bearer": true}, &lr, http.StatusOK)
	c.token = lr.Token
	return c
}

// cutChunk sends a PATCH announcing size bytes from off, sends only send
// of them and closes the connection: a transfer cut mid-chunk.
func cutChunk(t *testing.T, c *client, id string, off, size, send int64) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("PATCH /api/v1/drive/uploads/%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nUpload-Offset: %d\r\n"+
		"Content-Type: application/offset+octet-stream\r\nAuthorization: Bearer %s\r\n\r\n",
		id, strings.TrimPrefix(c.base, "http://"), size, off, c.token)
	if _, err := io.Copy(conn, io.MultiReader(strings.NewReader(head), content(off, off+send))); err != nil {
		t.Fatal(err)
	}
	// Closing sends what is still buffered, then the end of the stream:
	// the server reads a body cut short.
	conn.Close()
}

type upload struct {
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
}

func TestResumeTwoGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 8 GiB through the disk")
	}
	start := time.Now()
	h := sha256.New()
	if _, err := io.Copy(h, content(0, fileSize)); err != nil {
		t.Fatal(err)
	}
	sum := hex.EncodeToString(h.Sum(nil))

	s := serve(t)
	c := owner(t, s)
	pid := s.Cmd.Process.Pid
	base, _, err := memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Sample the server's memory all along.
	var peakRSS int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _, err := memory(pid); err == nil {
				peakRSS = max(peakRSS, rss)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	var sp struct {
		RootID string `json:"root_id"`
	}
	c.json(t, "GET", "/api/v1/drive/spaces/me", nil, &sp, http.StatusOK)
	var u upload
	hdr := c.json(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "big.bin", "size": fileSize,
		"sha256": sum, "content_type": "application/octet-stream"}, &u, http.StatusCreated)
	if hdr.Get("Upload-Offset") != "0" {
		t.Fatalf("created: %+v %v", u, hdr)
	}
	patch := func(off, size int64) upload {
		t.Helper()
		resp, data := c.do(t, "PATCH", "/api/v1/drive/uploads/"+u.ID, content(off, off+size), size,
			map[string]string{"Upload-Offset": strconv.FormatInt(off, 10), "Content-Type": "application/offset+octet-stream"})
		var got upload
		if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &got) != nil || got.Offset != off+size {
			t.Fatalf("chunk at %d: %d %s", off, resp.StatusCode, data)
		}
		return got
	}
	// One whole chunk, then the next one cut mid-way.
	patch(0, chunkSize)
	cutChunk(t, c, u.ID, chunkSize, chunkSize, cutAfter)
	// The client asks where the server is, and waits for the cut chunk to
	// be recorded.
	var off int64
	for deadline := time.Now().Add(2 * time.Minute); ; {
		resp, _ := c.do(t, "HEAD", "/api/v1/drive/uploads/"+u.ID, nil, 0, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Upload-Length") != strconv.Itoa(fileSize) {
			t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
		}
		off, _ = strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
		if off == chunkSize+cutAfter || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if off != chunkSize+cutAfter {
		t.Fatalf("offset after the cut: %d, want %d", off, chunkSize+cutAfter)
	}
	// Going on from there, in whole chunks.
	for off < fileSize {
		n := min(chunkSize, fileSize-off)
		off = patch(off, n).Offset
	}
	var it struct {
		ID     string `json:"id"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	c.json(t, "POST", "/api/v1/drive/uploads/"+u.ID+"/complete", map[string]any{"sha256": sum}, &it, http.StatusCreated)
	if it.Size != fileSize || it.SHA256 != sum {
		t.Fatalf("completed: %+v", it)
	}
	uploaded := time.Since(start)

	// The download, streamed and hashed.
	req, _ := http.NewRequest("GET", c.base+"/api/v1/drive/items/"+it.ID+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	dh := sha256.New()
	n, err := io.Copy(dh, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || n != fileSize {
		t.Fatalf("download: %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	if got := hex.EncodeToString(dh.Sum(nil)); got != sum {
		t.Fatalf("downloaded checksum %s, uploaded %s", got, sum)
	}

	close(stop)
	<-sampled
	_, hwm, err := memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2 GiB resumed after a cut at %d and checked: upload %v, all %v; server RSS %d MiB at start, sampled peak %d MiB, VmHWM %d MiB",
		chunkSize+cutAfter, uploaded.Round(time.Second), time.Since(start).Round(time.Second), base>>20, peakRSS>>20, hwm>>20)
	if hwm > peakLimit || peakRSS > peakLimit {
		t.Fatalf("server memory peaked at %d MiB (sampled %d MiB), over %d MiB: a body is held in memory", hwm>>20, peakRSS>>20, peakLimit>>20)
	}
}
