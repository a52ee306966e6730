package drive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rsc.io/pdf"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// Search. Names, and the text of text and PDF files, are found through a
// derived index (drive_search with its text index drive_fts: FTS5 trigram
// on SQLite, pg_trgm on PostgreSQL), the only plaintext copy of them: it
// is left out of backups, rebuilt by Reindex (`atrium search reindex`,
// restores) and its rows go with their item (a foreign key), so deleting,
// purging the trash and erasure purge it.
//
// A name is indexed in the transaction that writes it. A file's text is
// read off the request path: a change of content marks the row stale
// (text_sha256 no longer the file's checksum) and asks for the indexing
// job (IndexSoon), which runs IndexPending. Only text/* files (and JSON)
// and PDFs are read, at most maxIndexRead bytes of them, and at most
// maxIndexText bytes of text are kept. A PDF that does not parse is
// indexed by its name alone.
//
// Searches see what the caller may open — the spaces they are a member
// of (or one of them), and the items shared with them one by one with
// everything below, with the rights the shares give — and never what is
// in the trash. Queries of three or more characters use the text index;
// shorter ones — common in Chinese — cannot use trigrams and scan the
// index rows of what the caller may open with LIKE, at most shortWindow
// of the newest.

const (
	// maxIndexText is how much text of a file the index keeps.
	maxIndexText = 1 << 20
	// maxIndexPDF is the largest PDF whose text is extracted.
	maxIndexPDF = 32 << 20
	// maxPDFPages is how many pages of a PDF are read.
	maxPDFPages = 2000
	// maxSearchResults bounds a search's answer.
	maxSearchResults = 100
	// shortWindow is how many of the newest index rows a query of one or
	// two characters scans.
	shortWindow = 5000
	// snippetRunes is about how much text a snippet shows.
	snippetRunes = 80
)

// SearchHit is an item found by a search, with where the words were found
// (match: name or content) and, for content, the text around them.
type SearchHit struct {
	Item
	Match   string `json:"match"`
	Snippet string `json:"snippet,omitempty"`
}

// SearchList is the answer of a search.
type SearchList struct {
	Items []SearchHit `json:"items"`
}

// indexable reports whether a file's text is extracted for the index.
func indexable(contentType string) (text, isPDF bool) {
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	ct = strings.TrimSpace(ct)
	switch {
	case ct == "application/pdf":
		return false, true
	case strings.HasPrefix(ct, "text/"), ct == "application/json", ct == "application/xml":
		return true, false
	}
	return false, false
}

// indexName writes an item's name to the search index, in ctx's
// transaction. When a file's content is not indexed yet it asks for the
// indexing job; a file whose text is not read (not text or PDF) has none.
func (s *Service) indexName(ctx context.Context, it itemRow) error {
	if it.ParentID == "" {
		return nil
	}
	rid, body, sha, err := upsertSearchName(ctx, s.DB, it.ID, it.Name)
	if err != nil {
		return err
	}
	if it.Kind == ItemFile && sha != it.SHA256 {
		text, isPDF := indexable(it.ContentType)
		if !text && !isPDF {
			body = ""
			if err := setSearchText(ctx, s.DB, rid, "", it.SHA256); err != nil {
				return err
			}
		} else if s.IndexSoon != nil {
			if err := s.IndexSoon(ctx); err != nil {
				return err
			}
		}
	}
	return setTextIndex(ctx, s.DB, rid, indexBody(it.Name, body))
}

// indexBody is what the text index holds of an item: its name, then its
// text.
func indexBody(name, text string) string {
	if text == "" {
		return name
	}
	return name + "\n" + text
}

// IndexPending reads the text of the files whose content changed since it
// was last indexed, a batch at a time, and returns how many it indexed.
// The indexing job runs it; it is safe to run on several nodes at once.
func (s *Service) IndexPending(ctx context.Context) (int, error) {
	n := 0
	for {
		rows, err := staleTexts(ctx, s.DB, 50)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		for _, r := range rows {
			text, err := s.extract(ctx, r)
			if err != nil {
				// The file store failed for a moment: the job fails and
				// runs again later, rather than recording "no text".
				return n, err
			}
			if err := s.DB.Tx(ctx, func(ctx context.Context) error {
				ok, err := setSearchTextIf(ctx, s.DB, r.rid, text, r.sha, r.oldSHA)
				if err != nil || !ok {
					return err
				}
				return setTextIndex(ctx, s.DB, r.rid, indexBody(r.name, text))
			}); err != nil {
				return n, err
			}
			n++
		}
		if len(rows) < 50 {
			return n, nil
		}
	}
}

// extract reads a file's text for the index: "" when it has none, or
// when its body is gone or can never be read (its key destroyed). Any
// other failure of the file store is returned, to be tried again.
func (s *Service) extract(ctx context.Context, r staleText) (string, error) {
	if s.Blobs == nil {
		return "", nil
	}
	text, isPDF := indexable(r.contentType)
	if isPDF && r.size > maxIndexPDF {
		return "", nil
	}
	o, _, err := s.Blobs.Open(ctx, r.blobKey)
	if err != nil {
		if unreadable(err) {
			s.Log.Debug("drive: index: a file that cannot be read", "item", r.itemID, "err", err)
			return "", nil
		}
		return "", fmt.Errorf("drive: index: open a file: %w", err)
	}
	defer o.Close()
	limit := int64(maxIndexText)
	if isPDF {
		limit = maxIndexPDF
	}
	b, err := io.ReadAll(io.LimitReader(o, limit))
	if err != nil {
		if unreadable(err) {
			return "", nil
		}
		return "", fmt.Errorf("drive: index: read a file: %w", err)
	}
	switch {
	case text:
		return cleanText(b), nil
	case isPDF:
		t, err := PDFText(b, maxIndexText)
		if err != nil {
			s.Log.Debug("drive: index: a PDF without readable text", "item", r.itemID, "err", err)
		}
		return t, nil
	}
	return "", nil
}

// unreadable reports whether a file store error is for good: the body is
// gone, or can never be decrypted.
func unreadable(err error) bool {
	return errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrUnreadable) || errors.Is(err, keyring.ErrKeyDestroyed)
}

// cleanText makes b valid UTF-8 text (a cut character at the end dropped,
// invalid bytes and NULs replaced).
func cleanText(b []byte) string {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	t := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.ReplaceAll(t, "\x00", " ")
}

// PDFText extracts the text of a PDF, at most max bytes of it: the text
// its pages show, in the order they draw it, a line break where a text
// line or block ends. A file that is not a readable PDF is an error, never
// a panic.
func PDFText(b []byte, max int) (text string, err error) {
	var sb strings.Builder
	defer func() {
		switch p := recover(); {
		case p == errPDFEnough:
			text, err = cleanText([]byte(sb.String()[:min(sb.Len(), max)])), nil
		case p != nil:
			text, err = "", fmt.Errorf("drive: unreadable PDF: %v", p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", err
	}
	fonts := map[string]pdf.TextEncoding{}
	deadline := time.Now().Add(pdfTimeBudget)
	for _, pg := range pdfPages(r.Trailer().Key("Root").Key("Pages")) {
		if sb.Len() >= max {
			break
		}
		pageText(&sb, pdf.Page{V: pg}, fonts, max, deadline)
		sb.WriteByte('\n')
	}
	out := sb.String()
	if len(out) > max {
		out = out[:max]
	}
	return cleanText([]byte(out)), nil
}

// errPDFEnough stops reading a PDF: enough text was read, or its time is up.
var errPDFEnough = errors.New("drive: enough of the PDF was read")

// pdfTimeBudget bounds the time spent reading one PDF.
const pdfTimeBudget = 10 * time.Second

// pdfPages lists the pages of a page tree in order. It walks the tree
// itself, at most maxPDFPages pages and 32 levels deep: a broken file's
// tree may loop, or claim more pages than it has.
func pdfPages(root pdf.Value) []pdf.Value {
	var out []pdf.Value
	nodes := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		nodes++
		if depth > 32 || nodes > 4*maxPDFPages || len(out) >= maxPDFPages {
			return
		}
		switch v.Key("Type").Name() {
		case "Page":
			out = append(out, v)
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len() && len(out) < maxPDFPages; i++ {
				walk(kids.Index(i), depth+1)
			}
		}
	}
	walk(root, 0)
	return out
}

// pageText writes the text a page shows to sb (the text operators of its
// content stream, decoded with each font's encoding).
func pageText(sb *strings.Builder, p pdf.Page, fonts map[string]pdf.TextEncoding, max int, deadline time.Time) {
	if p.V.IsNull() {
		return
	}
	var enc pdf.TextEncoding
	ops := 0
	show := func(s string) {
		if enc != nil {
			s = enc.Decode(s)
		}
		sb.WriteString(s)
	}
	newline := func() {
		if t := sb.String(); t != "" && t[len(t)-1] != '\n' {
			sb.WriteByte('\n')
		}
	}
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		if ops++; sb.Len() >= max || (ops%1024 == 0 && time.Now().After(deadline)) {
			// Enough text, or a stream that takes too long (one that
			// inflates to gigabytes): stop reading the file.
			panic(errPDFEnough)
		}
		switch op {
		case "T*", "Td", "TD", "ET":
			newline()
		case "Tf":
			if n != 2 {
				return
			}
			name := args[0].Name()
			e, ok := fonts[name]
			if !ok {
				e = p.Font(name).Encoder()
				fonts[name] = e
			}
			enc = e
		case "'", "\"":
			newline()
			if n > 0 {
				show(args[n-1].RawString())
			}
		case "Tj":
			if n == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if n != 1 {
				return
			}
			for i := 0; i < args[0].Len(); i++ {
				if x := args[0].Index(i); x.Kind() == pdf.String {
					show(x.RawString())
				}
			}
		}
	})
}

// Search finds the items whose names or contents (text and PDF files)
// contain q, ignoring case, in the spaces the caller may open and among
// the items shared with them (one space when spaceID is given), newest
// first, at most 100. Items found by their contents carry a snippet of
// the text around the match.
func (s *Service) Search(ctx context.Context, spaceID, q string) (SearchList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return SearchList{}, err
	}
	q = strings.TrimSpace(q)
	if q == "" || len(q) > 200 || !utf8.ValidString(q) {
		return SearchList{}, apperr.InvalidField("q", "1 to 200 bytes")
	}
	roles := map[string]string{} // the caller's spaces and their role in each
	itemRoles := map[string]string{}
	spaceRows := map[string]spaceRow{}
	if spaceID != "" {
		sp, role, err := s.space(ctx, c, spaceID, RoleViewer)
		if err != nil {
			return SearchList{}, err
		}
		roles[sp.ID] = role
	} else {
		l, err := s.ListSpaces(ctx)
		if err != nil {
			return SearchList{}, err
		}
		for _, sp := range l.Items {
			roles[sp.ID] = sp.MyRole
		}
	}
	sc := searchScope{spaces: make([]string, 0, len(roles))}
	for id := range roles {
		sc.spaces = append(sc.spaces, id)
	}
	sort.Strings(sc.spaces)
	if spaceID == "" {
		// And the items shared with the caller one by one, with what is
		// below them, in the spaces they are not a member of.
		f, err := c.groups(ctx, s)
		if err != nil {
			return SearchList{}, err
		}
		sh, err := sharedRoots(ctx, s.DB, c.OrgID, c.MemberID, f.Departments, f.Roles)
		if err != nil {
			return SearchList{}, err
		}
		for _, x := range sh {
			if _, ok := roles[x.spaceID]; !ok {
				sc.shared = append(sc.shared, x.id)
			}
		}
	}
	var hits []searchRow
	if utf8.RuneCountInString(q) >= 3 {
		hits, err = searchIndex(ctx, s.DB, c.OrgID, sc, q, maxSearchResults)
	} else {
		hits, err = searchShort(ctx, s.DB, c.OrgID, sc, q, shortWindow, maxSearchResults)
	}
	if err != nil {
		return SearchList{}, err
	}
	rows := make([]itemRow, len(hits))
	for i := range hits {
		rows[i] = hits[i].item
	}
	s.openNames(ctx, rows)
	// An item found through a share has the rights its shares give: asked
	// again of each such hit, as any use of it would (itemRole).
	for i := range rows {
		if _, ok := roles[rows[i].SpaceID]; ok {
			continue
		}
		sp, err := s.spaceCached(ctx, c, rows[i].SpaceID, spaceRows)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return SearchList{}, err
		}
		role, err := s.itemRole(ctx, c, sp, rows[i])
		if err != nil {
			return SearchList{}, err
		}
		itemRoles[rows[i].ID] = role
	}
	out := SearchList{Items: make([]SearchHit, 0, len(hits))}
	for i, h := range hits {
		role, ok := roles[rows[i].SpaceID]
		if !ok {
			role = itemRoles[rows[i].ID]
		}
		if role == "" {
			continue // a share ended since the search began
		}
		hit := SearchHit{Item: itemOf(rows[i], role), Match: "name"}
		if !containsFold(rows[i].Name, q) {
			snip, ok := snippet(h.body, q)
			if !ok {
				continue // the index row is stale: the name changed since
			}
			hit.Match, hit.Snippet = "content", snip
		}
		out.Items = append(out.Items, hit)
	}
	return out, nil
}

// spaceCached loads a space of the caller's organization once per search.
func (s *Service) spaceCached(ctx context.Context, c *caller, id string, cache map[string]spaceRow) (spaceRow, error) {
	if sp, ok := cache[id]; ok {
		return sp, nil
	}
	sp, err := getSpace(ctx, s.DB, c.OrgID, id)
	if err != nil {
		return spaceRow{}, err
	}
	cache[id] = sp
	return sp, nil
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// snippet returns the text around the first match of q in text, on one
// line, with "…" where it was cut.
func snippet(text, q string) (string, bool) {
	lower := strings.ToLower(text)
	i := strings.Index(lower, strings.ToLower(q))
	if i < 0 || len(lower) != len(text) {
		// Lower-casing changed byte lengths: match rune by rune instead.
		i = indexFold(text, q)
	}
	if i < 0 {
		return "", false
	}
	rs := []rune(text[:i])
	start := max(0, len(rs)-snippetRunes/2)
	after := []rune(text[i:])
	end := min(len(after), snippetRunes/2+utf8.RuneCountInString(q))
	out := string(rs[start:]) + string(after[:end])
	out = strings.Join(strings.FieldsFunc(out, unicode.IsSpace), " ")
	if start > 0 {
		out = "…" + out
	}
	if end < len(after) {
		out += "…"
	}
	return out, true
}

// indexFold is the byte offset of the first match of q in s ignoring
// case, or -1.
func indexFold(s, q string) int {
	n := utf8.RuneCountInString(q)
	for i := range s {
		j, k := i, 0
		for k < n && j < len(s) {
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
			k++
		}
		if k == n && strings.EqualFold(s[i:j], q) {
			return i
		}
	}
	return -1
}

// Reindex rebuilds the drive's search index from the items (atrium search
// reindex, and restores: the index is left out of backups) and returns
// how many items it indexed. Names are opened with keys (the keyring);
// names whose key was destroyed are not indexed. With a file store the
// text of text and PDF files is read again (IndexPending).
func Reindex(ctx context.Context, d *db.DB, keys Sealer, files blob.Store, progress func(done int64)) (int64, error) {
	s := New(d, nil, slog.Default())
	s.Sealer, s.Blobs = keys, files
	if err := emptySearch(ctx, d); err != nil {
		return 0, err
	}
	var done int64
	after := ""
	for {
		rows, err := itemsAfter(ctx, d, after, 1000)
		if err != nil || len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].ID
		s.openNames(ctx, rows)
		err = d.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				if r.Name == "" {
					continue
				}
				if err := s.indexName(ctx, r); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		if progress != nil {
			progress(done)
		}
	}
	if files != nil {
		if _, err := s.IndexPending(ctx); err != nil {
			return done, err
		}
	}
	return done, nil
}
