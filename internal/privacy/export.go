package privacy

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// ExportFormat names the format of data.json (docs/export-schema.json).
const ExportFormat = "atrium.export/1"

// Export states.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportReady   = "ready"
	ExportFailed  = "failed"
	ExportExpired = "expired"
)

// Export is one "download my data" request.
type Export struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Progress  int    `json:"progress"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
	CreatedAt int64  `json:"created_at"`
	ReadyAt   int64  `json:"ready_at,omitempty"`
	ExpiresAt int64  `json:"expires_at,omitempty"`
	// DownloadURL is set when the export is ready.
	DownloadURL string `json:"download_url,omitempty"`

	accountID string
	jobID     string
	blobKey   string
}

// ExportFile is a file in the ZIP, listed in data.json.
type ExportFile struct {
	Path        string `json:"path"`
	Table       string `json:"table"`
	RowID       string `json:"row_id"`
	OrgID       string `json:"org_id,omitempty"`
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// ExportOrg describes one organization in the export.
type ExportOrg struct {
	OrgID                  string `json:"org_id"`
	MemberID               string `json:"member_id"`
	Status                 string `json:"status"`
	IncludesOthersMessages bool   `json:"includes_others_messages"`
}

// ExportData is data.json.
type ExportData struct {
	Format        string       `json:"format"`
	GeneratedAt   int64        `json:"generated_at"`
	AccountID     string       `json:"account_id"`
	Organizations []ExportOrg  `json:"organizations"`
	Sections      []Section    `json:"sections"`
	Files         []ExportFile `json:"files"`
}

// RequestExport starts building the caller's export; if one is already
// being built, that one is returned.
func (s *Service) RequestExport(ctx context.Context) (Export, error) {
	a, err := caller(ctx)
	if err != nil {
		return Export{}, err
	}
	if s.Jobs == nil || s.Blobs == nil {
		return Export{}, apperr.New(apperr.KindUnavailable, "exports_unavailable", "exports are not available on this server")
	}
	var e Export
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if cur, err := activeExport(ctx, s.DB, a.AccountID); err == nil {
			e = cur
			if s.settle(ctx, &e); e.Status != ExportFailed {
				return nil
			}
			// Its job gave up (the file store failed every attempt, or the
			// node running it died each time): build the same export again
			// under a new job; its request completes when it is ready.
			jobID, err := s.Jobs.Enqueue(ctx, JobExport, exportPayload{ExportID: e.ID}, jobs.Options{MaxAttempts: 5})
			if err != nil {
				return err
			}
			if err := restartExport(ctx, s.DB, e.ID, jobID); err != nil {
				return err
			}
			e.jobID, e.Status, e.Progress = jobID, ExportQueued, 0
			_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "export.progress", map[string]any{"id": e.ID, "status": e.Status, "progress": 0})
			return err
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		e = Export{ID: ids.New("exp"), Status: ExportQueued, CreatedAt: s.nowMS(), accountID: a.AccountID}
		jobID, err := s.Jobs.Enqueue(ctx, JobExport, exportPayload{ExportID: e.ID}, jobs.Options{MaxAttempts: 5})
		if err != nil {
			return err
		}
		e.jobID = jobID
		if err := insertExport(ctx, s.DB, e); err != nil {
			return err
		}
		if _, err := s.openRequest(ctx, a.AccountID, "", RequestExport, ExportQueued, e.ID, ""); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "export.progress", map[string]any{"id": e.ID, "status": e.Status, "progress": 0}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.export.request", TargetKind: "export", TargetID: e.ID})
	})
	return e, err
}

// Exports lists the caller's exports, newest first.
func (s *Service) Exports(ctx context.Context) ([]Export, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	list, err := listExports(ctx, s.DB, a.AccountID)
	for i := range list {
		s.settle(ctx, &list[i])
		s.decorate(&list[i])
	}
	return nonNil(list), err
}

// GetExport returns one of the caller's exports.
func (s *Service) GetExport(ctx context.Context, id string) (Export, error) {
	a, err := caller(ctx)
	if err != nil {
		return Export{}, err
	}
	e, err := getExport(ctx, s.DB, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && e.accountID != a.AccountID) {
		return Export{}, apperr.ErrNotFound
	}
	if err != nil {
		return Export{}, err
	}
	s.settle(ctx, &e)
	s.decorate(&e)
	return e, nil
}

// settle shows as failed an export still queued or running whose job has
// given up (or is gone), so that the person can ask for it again.
func (s *Service) settle(ctx context.Context, e *Export) {
	if (e.Status != ExportQueued && e.Status != ExportRunning) || s.Jobs == nil {
		return
	}
	info, err := s.Jobs.Get(ctx, e.jobID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && info.State == jobs.Failed) {
		e.Status = ExportFailed
	}
}

func (s *Service) decorate(e *Export) {
	if e.Status == ExportReady && e.ExpiresAt > 0 && e.ExpiresAt <= s.nowMS() {
		e.Status = ExportExpired
	}
	if e.Status == ExportReady {
		e.DownloadURL = "/api/v1/me/exports/" + e.ID + "/download"
	}
}

// OpenExport returns the caller's finished export as a ZIP stream. The link
// works only for the signed-in person and only until the export expires.
func (s *Service) OpenExport(ctx context.Context, id string) (io.ReadCloser, Export, error) {
	e, err := s.GetExport(ctx, id)
	if err != nil {
		return nil, Export{}, err
	}
	switch e.Status {
	case ExportExpired:
		return nil, Export{}, apperr.New(apperr.KindGone, "export_expired", "this export has expired; request a new one")
	case ExportReady:
	default:
		return nil, Export{}, apperr.Conflict("export_not_ready", "the export is not ready yet").With("status", e.Status)
	}
	obj, _, err := s.Blobs.Open(ctx, e.blobKey)
	if err != nil {
		return nil, Export{}, err
	}
	if err := audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.export.download", TargetKind: "export", TargetID: e.ID}); err != nil {
		obj.Close()
		return nil, Export{}, err
	}
	return &openReader{ctx: ctx, k: s.Keys, owner: e.accountID, id: e.ID, src: bufio.NewReader(obj), c: obj}, e, nil
}

// ---- the job ------------------------------------------------------------------

// Job kinds of the privacy center.
const (
	JobExport       = "privacy.export"
	JobExpire       = "privacy.exports.expire"
	JobErase        = "privacy.erase"
	JobRetention    = "privacy.retention"
	JobRetentionAll = "privacy.retention.schedule"
	JobDisbandScan  = "privacy.disband.scan"
)

type exportPayload struct {
	ExportID string `json:"export_id"`
}

// RegisterJobs installs the privacy handlers on q.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	q.Handle(JobExport, s.runExport)
	q.Handle(JobExpire, s.runExpire)
	q.Handle(JobErase, s.runErase)
	q.Handle(JobRetention, s.runRetention)
	q.Handle(JobRetentionAll, s.runRetentionSchedule)
	q.Handle(JobDisbandScan, s.runScan)
	q.Every(JobDisbandScan, 10*time.Minute, nil)
	q.Every(JobExpire, time.Hour, nil)
	q.Every(JobRetentionAll, 24*time.Hour, nil)
}

func (s *Service) progress(ctx context.Context, j *jobs.Job, e Export, pct int) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := setExportProgress(ctx, s.DB, e.ID, ExportRunning, pct); err != nil {
			return err
		}
		if err := j.Save(ctx, "", pct); err != nil {
			return err
		}
		_, err := events.Append(ctx, s.DB, "", events.ScopeAccount, e.accountID, "export.progress", map[string]any{"id": e.ID, "status": ExportRunning, "progress": pct})
		return err
	})
}

func (s *Service) runExport(ctx context.Context, j *jobs.Job) error {
	var p exportPayload
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	e, err := getExport(ctx, s.DB, p.ExportID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // the person was erased meanwhile
	}
	if err != nil {
		return err
	}
	if e.Status != ExportQueued && e.Status != ExportRunning {
		return nil
	}
	if err := s.progress(ctx, j, e, 5); err != nil {
		return err
	}
	data, files, err := s.collect(ctx, e.accountID, func(pct int) error { return s.progress(ctx, j, e, 5+pct*6/10) })
	if err != nil {
		return err
	}
	data.GeneratedAt = s.nowMS()
	key, size, err := s.writeExport(ctx, e, data, files, func(pct int) error { return s.progress(ctx, j, e, 65+pct*3/10) })
	if err != nil {
		return err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		// Only while this node still holds the job: another that took it
		// over writes its own file.
		if err := j.Save(ctx, "", 99); err != nil {
			return err
		}
		if err := finishExport(ctx, s.DB, e.ID, key, size, now.UnixMilli(), now.Add(s.exportTTL()).UnixMilli()); err != nil {
			return err
		}
		if err := s.completeRequestsFor(ctx, e.accountID, RequestExport, e.ID); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, e.accountID, "export.ready",
			map[string]any{"id": e.ID, "status": ExportReady, "progress": 100, "download_url": "/api/v1/me/exports/" + e.ID + "/download"}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.export.ready", TargetKind: "export", TargetID: e.ID,
			Details: map[string]any{"account_id": e.accountID, "size_bytes": size, "files": len(files)}})
	})
	if err != nil {
		// The file no row names would stay in the store for good.
		if derr := s.Blobs.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.Log.WarnContext(ctx, "privacy: delete an export file that was not recorded", "export", e.ID, "err", derr)
		}
	}
	return err
}

func (s *Service) exportTTL() time.Duration {
	if s.ExportTTL > 0 {
		return s.ExportTTL
	}
	return 7 * 24 * time.Hour
}

// collector gathers sections and files (the domains' ExportWriter).
type collector struct {
	mu       sync.Mutex
	sections []Section
	files    []datamap.File
}

func (c *collector) AddSection(s Section) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.Rows == nil {
		s.Rows = []Row{}
	}
	if s.Categories == nil {
		s.Categories = []string{}
	}
	c.sections = append(c.sections, s)
}

func (c *collector) AddFile(f datamap.File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files = append(c.files, f)
}

// collect asks every domain for what it holds about the person, with what
// each organization lets them take.
func (s *Service) collect(ctx context.Context, accountID string, progress func(int) error) (ExportData, []datamap.File, error) {
	p, ms, err := s.person(ctx, accountID)
	if err != nil {
		return ExportData{}, nil, err
	}
	data := ExportData{Format: ExportFormat, AccountID: accountID, Organizations: []ExportOrg{}}
	req := datamap.ExportRequest{Subject: p}
	for _, m := range ms {
		set, err := s.orgSettings(ctx, m.OrgID)
		if err != nil {
			return ExportData{}, nil, err
		}
		data.Organizations = append(data.Organizations, ExportOrg{OrgID: m.OrgID, MemberID: m.MemberID, Status: m.Status, IncludesOthersMessages: set.ExportOthersMessages})
		req.Orgs = append(req.Orgs, datamap.OrgExport{OrgID: m.OrgID, MemberID: m.MemberID, OthersMessages: set.ExportOthersMessages})
	}
	c := &collector{}
	cs := s.Contracts()
	for i, x := range cs {
		if err := x.Export(ctx, req, c); err != nil {
			return ExportData{}, nil, fmt.Errorf("export %v: %w", x.Tables(), err)
		}
		if progress != nil {
			if err := progress((i + 1) * 80 / len(cs)); err != nil {
				return ExportData{}, nil, err
			}
		}
	}
	// One order whatever the domains' order: by table and organization,
	// the person's own rows before others' shown beside them.
	sort.SliceStable(c.sections, func(i, j int) bool {
		a, b := c.sections[i], c.sections[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Note != b.Note {
			return a.Note < b.Note
		}
		return a.OrgID < b.OrgID
	})
	data.Sections = nonNil(c.sections)
	data.Files = []ExportFile{}
	return data, c.files, nil
}

// ---- the ZIP ------------------------------------------------------------------

// chunkSize is the plaintext size of one sealed chunk of a stored export.
const chunkSize = 1 << 20

func (s *Service) writeExport(ctx context.Context, e Export, data ExportData, files []datamap.File, progress func(int) error) (string, int64, error) {
	pr, pw := io.Pipe()
	type result struct {
		key string
		err error
	}
	done := make(chan result, 1)
	go func() {
		info, err := s.Blobs.Put(ctx, pr, 0)
		pr.CloseWithError(err)
		done <- result{info.Key, err}
	}()
	sw := &sealWriter{ctx: ctx, k: s.Keys, owner: e.accountID, id: e.ID, dst: pw}
	size, err := s.writeZip(ctx, sw, data, files, progress)
	if err == nil {
		err = sw.Close()
	}
	pw.CloseWithError(err)
	res := <-done
	if err != nil {
		if res.key != "" {
			_ = s.Blobs.Delete(context.WithoutCancel(ctx), res.key)
		}
		return "", 0, err
	}
	return res.key, size, res.err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (s *Service) writeZip(ctx context.Context, w io.Writer, data ExportData, files []datamap.File, progress func(int) error) (int64, error) {
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	used := map[string]bool{}
	for i, f := range files {
		obj, err := f.Open(ctx)
		if err != nil {
			s.log().WarnContext(ctx, "privacy: export file missing", "table", f.Table, "row_id", f.RowID)
			continue
		}
		p := filePath(f, used)
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate, Modified: time.UnixMilli(data.GeneratedAt).UTC()})
		if err != nil {
			obj.Close()
			return 0, err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), obj)
		obj.Close()
		if err != nil {
			return 0, err
		}
		data.Files = append(data.Files, ExportFile{Path: p, Table: f.Table, RowID: f.RowID, OrgID: f.OrgID, Name: f.Name,
			ContentType: f.ContentType, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		if progress != nil && i%10 == 0 {
			if err := progress(i * 90 / len(files)); err != nil {
				return 0, err
			}
		}
	}
	js, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return 0, err
	}
	mod := time.UnixMilli(data.GeneratedAt).UTC()
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "data.json", Method: zip.Deflate, Modified: mod})
	if err != nil {
		return 0, err
	}
	if _, err := fw.Write(js); err != nil {
		return 0, err
	}
	fw, err = zw.CreateHeader(&zip.FileHeader{Name: "index.html", Method: zip.Deflate, Modified: mod})
	if err != nil {
		return 0, err
	}
	if err := s.renderExportFor(ctx, fw, data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

// filePath is a safe, unique path inside the ZIP for f.
func filePath(f datamap.File, used map[string]bool) string {
	name := sanitizeName(f.Name)
	if name == "" {
		name = "file"
	}
	base := path.Join("files", sanitizeName(f.Table), sanitizeName(f.RowID)+"-"+name)
	p := base
	for i := 2; used[p]; i++ {
		p = base + "." + strconv.Itoa(i)
	}
	used[p] = true
	return p
}

func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r < 32 || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), ". ")
	if len(out) > 120 {
		out = out[:120]
	}
	return out
}

// sealWriter seals a stream in chunks with the owner's key: each chunk is
// written as a 4-byte length and the sealed bytes; the AAD binds the
// export id, the chunk number and whether it is the last, so chunks cannot
// be reordered, dropped or cut off unnoticed.
type sealWriter struct {
	ctx   context.Context
	k     Keyring
	owner string
	id    string
	dst   io.Writer
	buf   []byte
	n     int
}

func chunkAAD(id string, n int, last bool) string {
	s := "privacy_exports:" + id + ":" + strconv.Itoa(n)
	if last {
		s += ":last"
	}
	return s
}

func (w *sealWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		room := chunkSize - len(w.buf)
		take := min(room, len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == chunkSize {
			if err := w.flush(false); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

func (w *sealWriter) flush(last bool) error {
	sealed, err := w.k.Seal(w.ctx, w.owner, chunkAAD(w.id, w.n, last), w.buf)
	if err != nil {
		return err
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(sealed)))
	if _, err := w.dst.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := w.dst.Write(sealed); err != nil {
		return err
	}
	w.n++
	w.buf = w.buf[:0]
	return nil
}

func (w *sealWriter) Close() error { return w.flush(true) }

// openReader reverses sealWriter.
type openReader struct {
	ctx   context.Context
	k     Keyring
	owner string
	id    string
	src   *bufio.Reader
	c     io.Closer
	n     int
	cur   []byte
	done  bool
}

func (r *openReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var hdr [4]byte
		if _, err := io.ReadFull(r.src, hdr[:]); err != nil {
			return 0, fmt.Errorf("privacy: export truncated: %w", err)
		}
		sealed := make([]byte, binary.BigEndian.Uint32(hdr[:]))
		if _, err := io.ReadFull(r.src, sealed); err != nil {
			return 0, fmt.Errorf("privacy: export truncated: %w", err)
		}
		_, err := r.src.Peek(1)
		last := errors.Is(err, io.EOF)
		pt, oerr := r.k.Open(r.ctx, r.owner, chunkAAD(r.id, r.n, last), sealed)
		if oerr != nil {
			return 0, fmt.Errorf("privacy: export chunk %d: %w", r.n, oerr)
		}
		r.n++
		r.cur = pt
		r.done = last
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *openReader) Close() error { return r.c.Close() }

// runExpire deletes the files of expired exports.
func (s *Service) runExpire(ctx context.Context, j *jobs.Job) error {
	list, err := expiredExports(ctx, s.DB, s.nowMS())
	if err != nil {
		return err
	}
	for _, e := range list {
		if e.blobKey != "" {
			if err := s.Blobs.Delete(ctx, e.blobKey); err != nil {
				return err
			}
		}
		if err := markExportExpired(ctx, s.DB, e.ID); err != nil {
			return err
		}
	}
	return nil
}
