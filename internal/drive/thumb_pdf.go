package drive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// The first page of a PDF is rendered by poppler's pdftoppm (Debian's
// poppler-utils): Go has no renderer good enough. It runs without a
// shell, in a private temporary directory that is removed afterwards,
// with an empty environment, a time limit and a bounded input; -scale-to
// bounds the pixels it draws whatever page size the file declares.

// FindPDFToPPM returns the path of pdftoppm on PATH ("" when it is not
// installed: PDFs then get no thumbnail).
func FindPDFToPPM() string {
	p, err := exec.LookPath("pdftoppm")
	if err != nil {
		return ""
	}
	return p
}

func (t *Thumbnails) maxPDFBytes() int64 {
	if t.MaxPDFBytes > 0 {
		return t.MaxPDFBytes
	}
	return 256 << 20
}

func (t *Thumbnails) pdfTimeout() time.Duration {
	if t.PDFTimeout > 0 {
		return t.PDFTimeout
	}
	return 20 * time.Second
}

// renderPDF renders the first page of the PDF in body as a PNG whose
// longer side is ThumbLarge pixels.
func (s *Service) renderPDF(ctx context.Context, body io.Reader) ([]byte, error) {
	dir, err := os.MkdirTemp("", "atrium-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	f, err := os.OpenFile(in, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	limit := s.Thumbs.maxPDFBytes()
	n, err := io.Copy(f, io.LimitReader(body, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errors.Join(errNoPicture, errors.New("larger than the PDFs rendered"))
	}
	run, cancel := context.WithTimeout(ctx, s.Thumbs.pdfTimeout())
	defer cancel()
	out := filepath.Join(dir, "page")
	cmd := exec.CommandContext(run, s.Thumbs.PDFToPPM, "-q", "-f", "1", "-l", "1", "-singlefile", "-png",
		"-scale-to", strconv.Itoa(ThumbLarge), in, out)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "TMPDIR=" + dir}
	cmd.WaitDelay = 2 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limited{w: &stderr, n: 2048}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			// Shutting down: the job runs again.
			return nil, ctx.Err()
		}
		if run.Err() != nil {
			return nil, errors.Join(errNoPicture, fmt.Errorf("pdftoppm ran out of time (%s)", s.Thumbs.pdfTimeout()))
		}
		return nil, errors.Join(errNoPicture, fmt.Errorf("pdftoppm: %w: %s", err, bytes.TrimSpace(stderr.Bytes())))
	}
	st, err := os.Stat(out + ".png")
	if err != nil {
		return nil, errors.Join(errNoPicture, errors.New("pdftoppm wrote no page"))
	}
	if st.Size() > s.Thumbs.maxImageBytes() {
		return nil, errors.Join(errNoPicture, errors.New("the rendered page is too large"))
	}
	return os.ReadFile(out + ".png")
}

// limited keeps the first n bytes written to it and drops the rest.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
