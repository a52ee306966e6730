package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// All SQL of the chat domain lives in this file. Functions take the
// database and use the transaction carried by ctx when there is one.

// tuneSQLiteWriter merges the search index's segments in larger, rarer
// steps (the writer's pragmas are platform/db's).
func tuneSQLiteWriter(d *db.DB) {
	_, _ = d.Writer().Exec(`INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 8)`)
}

// ---- conversations and members ------------------------------------------

const convCols = `c.id, c.kind, c.org_id, c.owner_id, COALESCE(c.pair_key, ''), c.name, c.topic, c.announcement,
	c.last_seq, c.last_message_at, c.dissolved_at, c.created_by, c.created_at, c.updated_at, c.profile, c.profile_key`

const memberViewCols = `m.role, m.muted, m.pinned_at, m.read_seq, m.cleared_seq, m.joined_seq, m.marked_unread`

type rowScanner = interface{ Scan(dest ...any) error }

func scanConv(r rowScanner, extra ...any) (Conversation, error) {
	var c Conversation
	dest := []any{&c.ID, &c.Kind, &c.OrgID, &c.OwnerID, &c.pairKey, &c.Name, &c.Topic, &c.Announcement,
		&c.LastSeq, &c.LastMessageAt, &c.dissolvedAt, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.profile, &c.profileKey}
	err := r.Scan(append(dest, extra...)...)
	c.Dissolved = c.dissolvedAt > 0
	return c, err
}

func scanConvView(r rowScanner, extra ...any) (Conversation, error) {
	var c Conversation
	dest := []any{&c.Role, &c.Muted, &c.pinnedAt, &c.ReadSeq, &c.ClearedSeq, &c.joinedSeq, &c.MarkedUnread}
	cc, err := scanConv(r, append(dest, extra...)...)
	cc.Role, cc.Muted, cc.pinnedAt, cc.ReadSeq, cc.ClearedSeq, cc.joinedSeq = c.Role, c.Muted, c.pinnedAt, c.ReadSeq, c.ClearedSeq, c.joinedSeq
	cc.MarkedUnread = c.MarkedUnread
	cc.Pinned = cc.pinnedAt > 0
	return cc, err
}

func insertConversation(ctx context.Context, d *db.DB, c *Conversation) error {
	var pair any
	if c.pairKey != "" {
		pair = c.pairKey
	}
	name, topic, ann := c.Name, c.Topic, c.Announcement
	if len(c.profile) > 0 {
		name, topic, ann = "", "", ""
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO conversations
		(id, kind, org_id, owner_id, pair_key, name, topic, announcement, created_by, created_at, updated_at, profile, profile_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.Kind, c.OrgID, c.OwnerID, pair, name, topic, ann, c.CreatedBy, c.CreatedAt, c.UpdatedAt, nullBytes(c.profile), c.profileKey)
	return d.Classify(err)
}

func directByPair(ctx context.Context, d *db.DB, pairKey string) (string, error) {
	var id string
	err := d.R(ctx).QueryRowContext(ctx, `SELECT id FROM conversations WHERE pair_key = $1`, pairKey).Scan(&id)
	return id, d.Classify(err)
}

func insertMember(ctx context.Context, d *db.DB, convID, accountID, role string, joinedSeq, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO conversation_members
		(conversation_id, account_id, role, joined_seq, read_seq, joined_at) VALUES ($1, $2, $3, $4, $4, $5)`,
		convID, accountID, role, joinedSeq, now)
	return d.Classify(err)
}

// getConversation loads a conversation without any member's view.
func getConversation(ctx context.Context, d *db.DB, id string) (Conversation, error) {
	c, err := scanConv(d.R(ctx).QueryRowContext(ctx, `SELECT `+convCols+` FROM conversations c WHERE c.id = $1`, id))
	return c, d.Classify(err)
}

// queryRow runs q on ctx's transaction or the reader pool. Hot statements
// need no cache here: the SQLite driver keeps each connection's recently
// used statements prepared (platform/db, stmtcache.go), pgx its own.
func queryRow(ctx context.Context, d *db.DB, q string, args ...any) *sql.Row {
	return d.R(ctx).QueryRowContext(ctx, q, args...)
}

// getView loads a conversation as accountID sees it; ErrNotFound when the
// account is not a member.
func getView(ctx context.Context, d *db.DB, convID, accountID string) (Conversation, error) {
	c, err := scanConvView(queryRow(ctx, d, `SELECT `+convCols+`, `+memberViewCols+`
		FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id AND m.account_id = $2
		WHERE c.id = $1`, convID, accountID))
	return c, d.Classify(err)
}

// unreadCap bounds the unread count of one conversation ("999+").
const unreadCap = 1000

// readFloor is the position below which nothing counts as unread.
const readFloor = `CASE WHEN m.read_seq > m.cleared_seq THEN m.read_seq ELSE m.cleared_seq END`

// listViews lists accountID's conversations, each with its unread count,
// member count, direct peer and the newest message accountID sees (still
// sealed: the service opens it) — one query for the whole list.
func listViews(ctx context.Context, d *db.DB, accountID string) ([]Conversation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (Conversation, error) {
		var unread, members int
		var peer, att string
		var last Message
		c, err := scanConvView(s, &unread, &members, &peer,
			&last.ID, &last.SenderID, &last.Kind, &last.Body, &last.HTML, &att, &last.DeletedAt, &last.CreatedAt, &last.box, &last.boxKey)
		c.UnreadCount, c.MemberCount, c.PeerID = unread, members, peer
		c.PeerGone = c.Kind == KindDirect && peer == ""
		if err == nil && last.ID != "" {
			last.ConversationID, last.Deleted = c.ID, last.DeletedAt > 0
			if att != "" {
				last.Attachment = new(Attachment)
				if err := json.Unmarshal([]byte(att), last.Attachment); err != nil {
					return c, fmt.Errorf("message %s attachment: %w", last.ID, err)
				}
			}
			c.last = &last
		}
		return c, err
	}, `SELECT `+convCols+`, `+memberViewCols+`,
		(SELECT count(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > `+readFloor+`
			AND x.sender_id <> $1 AND x.deleted_at = 0
			AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $1 AND h.message_id = x.id) LIMIT `+strconv.Itoa(unreadCap)+`) u),
		(SELECT count(*) FROM conversation_members y WHERE y.conversation_id = c.id),
		COALESCE((SELECT z.account_id FROM conversation_members z WHERE c.kind = 'direct' AND z.conversation_id = c.id AND z.account_id <> $1), ''),
		COALESCE(l.id, ''), COALESCE(l.sender_id, ''), COALESCE(l.kind, ''), COALESCE(l.body, ''), COALESCE(l.html, ''),
		COALESCE(l.attachment, ''), COALESCE(l.deleted_at, 0), COALESCE(l.created_at, 0), l.content, COALESCE(l.content_key, '')
		FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		LEFT JOIN messages l ON l.id = (SELECT x.id FROM messages x WHERE x.conversation_id = c.id AND x.seq > m.cleared_seq
			AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $1 AND h.message_id = x.id)
			ORDER BY x.seq DESC LIMIT 1)
		WHERE m.account_id = $1
		ORDER BY m.pinned_at DESC, c.last_message_at DESC, c.created_at DESC`, accountID)
}

// unreadCount counts the unread messages of one member.
func unreadCount(ctx context.Context, d *db.DB, c *Conversation, accountID string) (int, error) {
	floor := c.ReadSeq
	if c.ClearedSeq > floor {
		floor = c.ClearedSeq
	}
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM messages x
		WHERE x.conversation_id = $1 AND x.seq > $2 AND x.sender_id <> $3 AND x.deleted_at = 0
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $3 AND h.message_id = x.id) LIMIT `+strconv.Itoa(unreadCap)+`) u`,
		c.ID, floor, accountID).Scan(&n)
	return n, err
}

func memberCount(ctx context.Context, d *db.DB, convID string) (int, error) {
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM conversation_members WHERE conversation_id = $1`, convID).Scan(&n)
	return n, err
}

// countMembers counts a conversation's members.
func countMembers(ctx context.Context, d *db.DB, convID string) (int, error) {
	var n int
	err := queryRow(ctx, d, `SELECT COUNT(*) FROM conversation_members WHERE conversation_id = $1`, convID).Scan(&n)
	return n, d.Classify(err)
}

func listMembers(ctx context.Context, d *db.DB, convID string) ([]Member, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (Member, error) {
		var m Member
		err := row.Scan(&m.AccountID, &m.Role, &m.ReadSeq, &m.JoinedAt, &m.joinedSeq)
		return m, err
	}, `SELECT account_id, role, read_seq, joined_at, joined_seq
		FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, account_id`, convID)
}

func isMember(ctx context.Context, d *db.DB, convID, accountID string) (bool, error) {
	var one int
	err := queryRow(ctx, d, `SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND account_id = $2`,
		convID, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func conversationIDsOf(ctx context.Context, d *db.DB, accountID string) ([]string, error) {
	out, err := db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT conversation_id FROM conversation_members WHERE account_id = $1`, accountID)
	if err != nil || out != nil {
		return out, err
	}
	return []string{}, nil
}

// orgGroupsOf lists the internal and external groups of orgID that
// accountID belongs to.
func orgGroupsOf(ctx context.Context, d *db.DB, orgID, accountID string) ([]Conversation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Conversation, error) { return scanConvView(r) }, `SELECT `+convCols+`, `+memberViewCols+`
		FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.account_id = $1 AND c.org_id = $2 AND c.kind IN ('internal', 'external')`, accountID, orgID)
}

func deleteMember(ctx context.Context, d *db.DB, convID, accountID string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM conversation_members WHERE conversation_id = $1 AND account_id = $2`, convID, accountID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func setRole(ctx context.Context, d *db.DB, convID, accountID, role string) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversation_members SET role = $3 WHERE conversation_id = $1 AND account_id = $2`,
		convID, accountID, role)
	return rowsOrNotFound(res, err)
}

func setOwner(ctx context.Context, d *db.DB, convID, ownerID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE conversations SET owner_id = $2, updated_at = $3 WHERE id = $1`, convID, ownerID, now)
	return err
}

func updateConversation(ctx context.Context, d *db.DB, c *Conversation) error {
	name, topic, ann := c.Name, c.Topic, c.Announcement
	if len(c.profile) > 0 {
		name, topic, ann = "", "", ""
	}
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE conversations SET name = $2, topic = $3, announcement = $4, updated_at = $5, profile = $6, profile_key = $7
		WHERE id = $1`, c.ID, name, topic, ann, c.UpdatedAt, nullBytes(c.profile), c.profileKey)
	return err
}

func setDissolved(ctx context.Context, d *db.DB, convID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE conversations SET dissolved_at = $2, updated_at = $2 WHERE id = $1 AND dissolved_at = 0`, convID, now)
	return err
}

func setMuted(ctx context.Context, d *db.DB, convID, accountID string, muted bool) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversation_members SET muted = $3 WHERE conversation_id = $1 AND account_id = $2`, convID, accountID, muted)
	return rowsOrNotFound(res, err)
}

func setMarkedUnread(ctx context.Context, d *db.DB, convID, accountID string, on bool) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversation_members SET marked_unread = $3 WHERE conversation_id = $1 AND account_id = $2`, convID, accountID, on)
	return rowsOrNotFound(res, err)
}

func setPinnedAt(ctx context.Context, d *db.DB, convID, accountID string, at int64) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversation_members SET pinned_at = $3 WHERE conversation_id = $1 AND account_id = $2`, convID, accountID, at)
	return rowsOrNotFound(res, err)
}

// advanceRead moves the read position forward (never back) and returns
// the resulting position.
func advanceRead(ctx context.Context, d *db.DB, convID, accountID string, seq int64) (int64, error) {
	var pos int64
	err := d.W(ctx).QueryRowContext(ctx, `UPDATE conversation_members
		SET read_seq = CASE WHEN read_seq < $3 THEN $3 ELSE read_seq END
		WHERE conversation_id = $1 AND account_id = $2 RETURNING read_seq`, convID, accountID, seq).Scan(&pos)
	return pos, d.Classify(err)
}

// clearUpTo hides every message up to seq from one member and marks them read.
func clearUpTo(ctx context.Context, d *db.DB, convID, accountID string, seq int64) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversation_members
		SET cleared_seq = CASE WHEN cleared_seq < $3 THEN $3 ELSE cleared_seq END,
		    read_seq = CASE WHEN read_seq < $3 THEN $3 ELSE read_seq END
		WHERE conversation_id = $1 AND account_id = $2`, convID, accountID, seq)
	return rowsOrNotFound(res, err)
}

// lastSeqAt is the highest seq of the conversation's messages created at
// or before at (Unix ms); 0 when there are none.
func lastSeqAt(ctx context.Context, d *db.DB, convID string, at int64) (int64, error) {
	var seq int64
	err := d.R(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = $1 AND created_at <= $2`, convID, at).Scan(&seq)
	return seq, err
}

// hideMessageByID hides a message for accountID, if the message still
// exists.
func hideMessageByID(ctx context.Context, d *db.DB, accountID, msgID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO message_hidden (account_id, message_id, conversation_id, hidden_at)
		SELECT $1, id, conversation_id, $3 FROM messages WHERE id = $2
		ON CONFLICT (account_id, message_id) DO NOTHING`, accountID, msgID, now)
	return err
}

func rowsOrNotFound(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// ---- messages -------------------------------------------------------------

const msgCols = `m.rid, m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.kind, m.body, m.html,
	m.attachment, m.location, m.file_id, m.reply_to_id, m.thread_root_id, m.mentions, m.mention_all,
	m.edited_at, m.deleted_at, m.deleted_by, m.created_at, m.content, m.content_key`

func scanMsg(r rowScanner, extra ...any) (Message, error) {
	var m Message
	var att, mentions string
	dest := []any{&m.rid, &m.ID, &m.ConversationID, &m.Seq, &m.SenderID, &m.ClientMsgID, &m.Kind, &m.Body, &m.HTML,
		&att, &m.sealed, &m.fileID, &m.ReplyToID, &m.ThreadRootID, &mentions, &m.MentionAll,
		&m.EditedAt, &m.DeletedAt, &m.DeletedBy, &m.CreatedAt, &m.box, &m.boxKey}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return m, err
	}
	m.Deleted = m.DeletedAt > 0
	if att != "" {
		m.Attachment = new(Attachment)
		if err := json.Unmarshal([]byte(att), m.Attachment); err != nil {
			return m, fmt.Errorf("message %s attachment: %w", m.ID, err)
		}
	}
	if mentions != "" {
		if err := json.Unmarshal([]byte(mentions), &m.Mentions); err != nil {
			return m, fmt.Errorf("message %s mentions: %w", m.ID, err)
		}
	}
	return m, nil
}

// scanPinnedMsg reads msgCols followed by whether the message is pinned.
func scanPinnedMsg(r db.Scanner) (Message, error) {
	var pinned bool
	m, err := scanMsg(r, &pinned)
	m.Pinned = pinned
	return m, err
}

// queryMsgs lists the messages of a query selecting msgCols and whether
// each is pinned.
func queryMsgs(ctx context.Context, d *db.DB, q string, args ...any) ([]Message, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanPinnedMsg, q, args...))
}

func jsonOrEmpty(v any, empty bool) string {
	if empty {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// batchStmts runs the statements of the writer's batches. Their texts
// are few and fixed, multi-row statements carrying powers of two of rows
// (db.Rows), so that the connection's statement cache (pgx's on
// PostgreSQL) keeps them prepared from one batch to the next, where a
// statement prepared in each transaction would be parsed and planned for
// every batch.
type batchStmts struct {
	d *db.DB
}

// bumpSeqs reserves counts[id] sequence numbers in each conversation with
// one statement and returns the last seq of each; conversations missing
// from the result are gone or dissolved. On PostgreSQL the rows are first
// locked in id order, so that writers on several connections or nodes
// never deadlock on each other's conversations.
func (b *batchStmts) bumpSeqs(ctx context.Context, ids []string, counts map[string]int, now int64) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	w := b.d.W(ctx)
	if lock := b.d.Dialect.ForUpdate(); lock != "" {
		stmts, err := lockRows.With(b.d.Kind, "v", `SELECT id FROM conversations WHERE id IN (SELECT id FROM v) ORDER BY id `+lock,
			len(ids), func(i int, vals []any) { vals[0] = ids[i] })
		if err != nil {
			return nil, err
		}
		for _, st := range stmts {
			rows, err := w.QueryContext(ctx, st.Query, st.Args...)
			if err != nil {
				return nil, err
			}
			rows.Close()
		}
	}
	stmts, err := seqRows.With(b.d.Kind, "v", `UPDATE conversations SET last_seq = last_seq + v.n, last_message_at = v.at
		FROM v WHERE conversations.id = v.id AND conversations.dissolved_at = 0
		RETURNING conversations.id, conversations.last_seq`, len(ids), func(i int, vals []any) {
		vals[0], vals[1], vals[2] = ids[i], int64(counts[ids[i]]), now
	})
	if err != nil {
		return nil, err
	}
	for _, st := range stmts {
		err := db.Each(ctx, w, func(r db.Scanner) error {
			var id string
			var last int64
			err := r.Scan(&id, &last)
			out[id] = last
			return err
		}, st.Query, st.Args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seqRows are the (conversation, count, time) rows of bumpSeqs: 512 a
// statement on SQLite, as many as a batch of the writer can touch.
var seqRows = db.Rows{Cols: db.Cols("id text", "n bigint", "at bigint"), PerStmt: 1000}

// lockRows are the conversations bumpSeqs locks first, on PostgreSQL: one
// statement of the same text for any batch.
var lockRows = db.Rows{Cols: db.Cols("id text")}

// messageRows are the columns of a message row as the writer inserts it.
var messageRows = db.Rows{Cols: db.Cols(
	"id text", "conversation_id text", "seq bigint", "sender_id text", "client_msg_id text", "kind text",
	"body text", "html text", "attachment text", "location bytea", "file_id text", "reply_to_id text",
	"thread_root_id text", "mentions text", "mention_all boolean", "created_at bigint", "content bytea", "content_key text",
), PerStmt: 200}

// insertMessages inserts ms with multi-row statements and sets the rid of
// each inserted one; a message whose (sender, client id) already exists is
// skipped and keeps rid 0.
func (b *batchStmts) insertMessages(ctx context.Context, ms []*Message) error {
	if len(ms) == 0 {
		return nil
	}
	stmts, err := messageRows.Insert(b.d.Kind, "messages", `ON CONFLICT (sender_id, client_msg_id) DO NOTHING RETURNING rid, id`, "",
		len(ms), func(i int, v []any) {
			m := ms[i]
			body, html, att := plainColumns(m)
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = m.ID, m.ConversationID, m.Seq, m.SenderID, m.ClientMsgID, m.Kind, body, html
			v[8], v[9], v[10], v[11], v[12] = att, m.sealed, m.fileID, m.ReplyToID, m.ThreadRootID
			v[13], v[14], v[15], v[16], v[17] = jsonOrEmpty(m.Mentions, len(m.Mentions) == 0), m.MentionAll, m.CreatedAt, nullBytes(m.box), m.boxKey
		})
	if err != nil {
		return err
	}
	byID := make(map[string]*Message, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
	}
	for _, st := range stmts {
		err := db.Each(ctx, b.d.W(ctx), func(r db.Scanner) error {
			var rid int64
			var id string
			if err := r.Scan(&rid, &id); err != nil {
				return err
			}
			if m := byID[id]; m != nil {
				m.rid = rid
			}
			return nil
		}, st.Query, st.Args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// plainColumns returns what goes into the plaintext columns body, html and
// attachment: nothing when the content is sealed.
func plainColumns(m *Message) (body, html, att string) {
	if len(m.box) > 0 {
		return "", "", ""
	}
	if m.Attachment != nil {
		att = jsonOrEmpty(m.Attachment, false)
	}
	return m.Body, m.HTML, att
}

// nullBytes stores an empty value as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// indexMessages adds the inserted messages of a batch (rid set) to the
// search index: the plaintext comes from memory, since the stored content
// is sealed. FTS5 flushes its pending terms into a new segment at every
// statement boundary of other tables and at the start of each of its own
// multi-row statements, and merges segments as they pile up, so a batch
// goes in one statement (insertIndex); on PostgreSQL one unnest insert
// into message_fts.
func (b *batchStmts) indexMessages(ctx context.Context, ms []*Message) error {
	var rids []int64
	var bodies []string
	for _, m := range ms {
		if t := indexText(m.Body, m.Attachment); m.rid != 0 && t != "" {
			rids = append(rids, m.rid)
			bodies = append(bodies, t)
		}
	}
	return insertIndex(ctx, b.d, rids, bodies)
}

// indexText is what the search index holds of a message: its text and the
// name of its file, so that files are found by name.
func indexText(body string, a *Attachment) string {
	if a == nil || a.Name == "" {
		return body
	}
	if body == "" {
		return a.Name
	}
	return body + "\n" + a.Name
}

// indexRows are the (rid, body) entries of the search index. One statement
// carries a whole batch of the writer (at most 512 sends on SQLite): every
// further statement would flush another small segment for FTS5 to merge.
// So the rows are padded to a power of two (rid, never NULL, comes first)
// rather than split, which keeps the texts few as well. 2 × 2,048
// parameters stay far below SQLite's limit of 32,766.
var indexRows = db.Rows{Cols: db.Cols("rowid bigint", "body text"), PerStmt: 2048, Pad: true}

// insertIndex adds (rid, body) entries to the search index. An FTS5 table
// takes no upsert, so only PostgreSQL's index replaces an entry that is
// already there.
func insertIndex(ctx context.Context, d *db.DB, rids []int64, bodies []string) error {
	if len(rids) == 0 {
		return nil
	}
	tail := ""
	if d.Kind == db.Postgres {
		tail = "ON CONFLICT (rowid) DO UPDATE SET body = excluded.body"
	}
	stmts, err := indexRows.Insert(d.Kind, "message_fts", tail, "", len(rids), func(i int, v []any) {
		v[0], v[1] = rids[i], bodies[i]
	})
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := d.W(ctx).ExecContext(ctx, st.Query, st.Args...); err != nil {
			return err
		}
	}
	return nil
}

// unindex removes a message from the search index.
func unindex(ctx context.Context, d *db.DB, rid int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM message_fts WHERE rowid = $1`, rid)
	return err
}

func (b *batchStmts) notifyDirectPeer(ctx context.Context, m *Message) ([]string, error) {
	return db.QueryAll(ctx, b.d.W(ctx), db.Value[string], `INSERT INTO chat_notifications (account_id, message_id, conversation_id, kind, created_at)
		SELECT account_id, $2, $1, 'direct', $4 FROM conversation_members
		WHERE conversation_id = $1 AND account_id <> $3 AND muted = FALSE RETURNING account_id`,
		m.ConversationID, m.ID, m.SenderID, m.CreatedAt)
}

// notifyMentions creates mention notifications for the mentioned members
// (muted or not: a personal mention always notifies) and, for @all, for
// every member who has not muted the conversation.
func notifyMentions(ctx context.Context, d *db.DB, m *Message, ids []string, all bool) ([]string, error) {
	args := []any{m.ConversationID, m.ID, m.SenderID, m.CreatedAt}
	cond := "FALSE"
	if len(ids) > 0 {
		// The list repeats its last id up to a power of two, so that the
		// texts are a few that stay prepared.
		n := 1 << bits.Len(uint(len(ids)-1))
		cond = "account_id IN (" + db.Placeholders(5, n) + ")"
		for i := range n {
			args = append(args, ids[min(i, len(ids)-1)])
		}
	}
	if all {
		cond = "(" + cond + " OR muted = FALSE)"
	}
	return db.QueryAll(ctx, d.W(ctx), db.Value[string], `INSERT INTO chat_notifications (account_id, message_id, conversation_id, kind, created_at)
		SELECT account_id, $2, $1, 'mention', $4 FROM conversation_members
		WHERE conversation_id = $1 AND account_id <> $3 AND `+cond+`
		ON CONFLICT (account_id, message_id) DO NOTHING RETURNING account_id`, args...)
}

func messageByClientID(ctx context.Context, d *db.DB, senderID, clientID string) (Message, error) {
	m, err := scanMsg(d.R(ctx).QueryRowContext(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.sender_id = $1 AND m.client_msg_id = $2`,
		senderID, clientID))
	return m, d.Classify(err)
}

// getMessage loads a message of a conversation as accountID sees it:
// ErrNotFound when cleared or deleted for them.
func getMessage(ctx context.Context, d *db.DB, convID, msgID, accountID string, clearedSeq int64) (Message, error) {
	var pinned bool
	m, err := scanMsg(queryRow(ctx, d, `SELECT `+msgCols+`,
		EXISTS (SELECT 1 FROM message_pins p WHERE p.conversation_id = m.conversation_id AND p.message_id = m.id)
		FROM messages m WHERE m.id = $1 AND m.conversation_id = $2 AND m.seq > $3
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $4 AND h.message_id = m.id)`,
		msgID, convID, clearedSeq, accountID), &pinned)
	m.Pinned = pinned
	return m, d.Classify(err)
}

// Page directions of listMessages.
const (
	pageBefore = iota
	pageAfter
)

// listMessages returns up to limit messages visible to accountID with seq
// below (pageBefore, newest first) or above (pageAfter, oldest first)
// bound: an index range scan on (conversation_id, seq).
func listMessages(ctx context.Context, d *db.DB, convID, accountID string, clearedSeq int64, dir int, bound int64, limit int, threadRoot string) ([]Message, error) {
	op, order := "<", "DESC"
	if dir == pageAfter {
		op, order = ">", "ASC"
	}
	thread := ""
	args := []any{convID, bound, clearedSeq, accountID, limit}
	if threadRoot != "" {
		thread = " AND m.thread_root_id = $6"
		args = append(args, threadRoot)
	}
	return queryMsgs(ctx, d, `SELECT `+msgCols+`,
		EXISTS (SELECT 1 FROM message_pins p WHERE p.conversation_id = m.conversation_id AND p.message_id = m.id)
		FROM messages m WHERE m.conversation_id = $1 AND m.seq `+op+` $2 AND m.seq > $3`+thread+`
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $4 AND h.message_id = m.id)
		ORDER BY m.seq `+order+` LIMIT $5`, args...)
}

type threadSummary struct {
	n    int
	last int64
}

// threadSummaries counts the replies (not deleted) of the threads that
// the given messages of a conversation start, with the latest one's time.
func threadSummaries(ctx context.Context, d *db.DB, convID string, msgIDs []string) (map[string]threadSummary, error) {
	out := map[string]threadSummary{}
	if len(msgIDs) == 0 {
		return out, nil
	}
	args := []any{convID}
	for _, id := range msgIDs {
		args = append(args, id)
	}
	err := db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var id string
		var t threadSummary
		if err := s.Scan(&id, &t.n, &t.last); err != nil {
			return err
		}
		out[id] = t
		return nil
	}, `SELECT thread_root_id, count(*), MAX(created_at) FROM messages
		WHERE conversation_id = $1 AND deleted_at = 0 AND thread_root_id IN (`+db.Placeholders(2, len(msgIDs))+`)
		GROUP BY thread_root_id`, args...)
	return out, err
}

// reactionsOf aggregates the reactions of messages.
func reactionsOf(ctx context.Context, d *db.DB, accountID string, msgIDs []string) (map[string][]Reaction, error) {
	out := map[string][]Reaction{}
	if len(msgIDs) == 0 {
		return out, nil
	}
	args := []any{accountID}
	for _, id := range msgIDs {
		args = append(args, id)
	}
	err := db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var id string
		var r Reaction
		var mine, first int64
		if err := s.Scan(&id, &r.Emoji, &r.Count, &mine, &first); err != nil {
			return err
		}
		r.Mine = mine > 0
		out[id] = append(out[id], r)
		return nil
	}, `SELECT message_id, emoji, count(*),
		SUM(CASE WHEN account_id = $1 THEN 1 ELSE 0 END), MIN(created_at)
		FROM message_reactions WHERE message_id IN (`+db.Placeholders(2, len(msgIDs))+`)
		GROUP BY message_id, emoji ORDER BY message_id, MIN(created_at), emoji`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func insertEdit(ctx context.Context, d *db.DB, msgID string, e Edit) error {
	body, html := e.Body, e.HTML
	if len(e.box) > 0 {
		body, html = "", ""
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO message_edits (id, message_id, editor_id, body, html, edited_at, content, content_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, msgID, e.EditorID, body, html, e.EditedAt, nullBytes(e.box), e.boxKey)
	return err
}

func listEdits(ctx context.Context, d *db.DB, msgID string) ([]Edit, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (Edit, error) {
		var e Edit
		err := s.Scan(&e.ID, &e.EditorID, &e.Body, &e.HTML, &e.EditedAt, &e.box, &e.boxKey)
		return e, err
	}, `SELECT id, editor_id, body, html, edited_at, content, content_key FROM message_edits
		WHERE message_id = $1 ORDER BY edited_at, id`, msgID))
}

// updateText stores new text of an edited message and re-indexes it. It
// answers errMessageDeleted when the message was deleted meanwhile (a
// deletion that committed after the edit read it: on PostgreSQL the
// UPDATE waits for it and then finds the row deleted).
func updateText(ctx context.Context, d *db.DB, m *Message) error {
	body, html, att := plainColumns(m)
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE messages SET body = $2, html = $3, attachment = $4, mentions = $5, mention_all = $6, edited_at = $7,
		content = $8, content_key = $9 WHERE id = $1 AND deleted_at = 0`,
		m.ID, body, html, att, jsonOrEmpty(m.Mentions, len(m.Mentions) == 0), m.MentionAll, m.EditedAt, nullBytes(m.box), m.boxKey)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errMessageDeleted
	}
	if err := unindex(ctx, d, m.rid); err != nil {
		return err
	}
	if t := indexText(m.Body, m.Attachment); t != "" {
		return insertIndex(ctx, d, []int64{m.rid}, []string{t})
	}
	return nil
}

// sealedContents returns the sealed content of the messages with the given
// ids that still have one, by id.
func sealedContents(ctx context.Context, d *db.DB, ids []string) (map[string]events.Sealed, error) {
	out := make(map[string]events.Sealed, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var args []any
		q := `SELECT id, content_key, content FROM messages WHERE id IN (` + db.In(&args, chunk) + `) AND content IS NOT NULL`
		err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
			var id string
			var v events.Sealed
			if err := r.Scan(&id, &v.Owner, &v.Box); err != nil {
				return err
			}
			v.AAD = contentAAD(id)
			out[id] = v
			return nil
		}, q, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tombstone removes the content of a message for everyone: its text,
// attachment and location, its earlier versions, reactions, pins and
// notifications, and its search index entry.
func tombstone(ctx context.Context, d *db.DB, m *Message, by string, now int64) error {
	w := d.W(ctx)
	if _, err := w.ExecContext(ctx, `UPDATE messages SET body = '', html = '', attachment = '', location = NULL, file_id = '',
		mentions = '', mention_all = FALSE, content = NULL, content_key = '', deleted_at = $2, deleted_by = $3 WHERE id = $1`, m.ID, now, by); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM message_edits WHERE message_id = $1`,
		`DELETE FROM message_reactions WHERE message_id = $1`,
		`DELETE FROM message_pins WHERE message_id = $1`,
		`DELETE FROM chat_notifications WHERE message_id = $1`,
	} {
		if _, err := w.ExecContext(ctx, q, m.ID); err != nil {
			return err
		}
	}
	return unindex(ctx, d, m.rid)
}

func hideMessage(ctx context.Context, d *db.DB, accountID string, m *Message, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO message_hidden (account_id, message_id, conversation_id, hidden_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, message_id) DO NOTHING`, accountID, m.ID, m.ConversationID, now)
	return err
}

func addReaction(ctx context.Context, d *db.DB, msgID, accountID, emoji string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO message_reactions (message_id, account_id, emoji, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (message_id, account_id, emoji) DO NOTHING`, msgID, accountID, emoji, now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func removeReaction(ctx context.Context, d *db.DB, msgID, accountID, emoji string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM message_reactions WHERE message_id = $1 AND account_id = $2 AND emoji = $3`,
		msgID, accountID, emoji)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func pinMessage(ctx context.Context, d *db.DB, convID, msgID, by string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO message_pins (conversation_id, message_id, pinned_by, pinned_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, message_id) DO NOTHING`, convID, msgID, by, now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func unpinMessage(ctx context.Context, d *db.DB, convID, msgID string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM message_pins WHERE conversation_id = $1 AND message_id = $2`, convID, msgID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func listPinned(ctx context.Context, d *db.DB, convID, accountID string, clearedSeq int64) ([]Message, error) {
	return queryMsgs(ctx, d, `SELECT `+msgCols+`, TRUE
		FROM message_pins p JOIN messages m ON m.id = p.message_id
		WHERE p.conversation_id = $1 AND m.seq > $2
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $3 AND h.message_id = m.id)
		ORDER BY p.pinned_at DESC`, convID, clearedSeq, accountID)
}

// receiptMembers lists the members who count for a message's receipts (in
// the conversation when it was sent, other than the sender) and whether
// each has read it.
func receiptMembers(ctx context.Context, d *db.DB, convID string, seq int64, senderID string) (read, unread []string, err error) {
	read, unread = []string{}, []string{}
	err = db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var id string
		var r bool
		if err := s.Scan(&id, &r); err != nil {
			return err
		}
		if r {
			read = append(read, id)
		} else {
			unread = append(unread, id)
		}
		return nil
	}, `SELECT account_id, read_seq >= $2 FROM conversation_members
		WHERE conversation_id = $1 AND joined_seq < $2 AND account_id <> $3 ORDER BY joined_at, account_id`, convID, seq, senderID)
	if err != nil {
		return nil, nil, err
	}
	return read, unread, nil
}

// ---- files ----------------------------------------------------------------

func insertFile(ctx context.Context, d *db.DB, f *File) error {
	name, ct := f.Name, f.ContentType
	if len(f.meta) > 0 {
		name, ct = "", ""
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO chat_files (id, uploader_id, org_id, blob_key, thumb_key, name, content_type, size, sha256, width, height, created_at, meta, meta_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		f.ID, f.UploaderID, f.orgID, f.blobKey, f.thumbKey, name, ct, f.Size, f.SHA256, f.Width, f.Height, f.CreatedAt, nullBytes(f.meta), f.metaKey)
	return err
}

const fileCols = `id, uploader_id, org_id, blob_key, thumb_key, name, content_type, size, sha256, width, height, created_at, meta, meta_key`

func scanFile(r rowScanner) (File, error) {
	var f File
	err := r.Scan(&f.ID, &f.UploaderID, &f.orgID, &f.blobKey, &f.thumbKey, &f.Name, &f.ContentType,
		&f.Size, &f.SHA256, &f.Width, &f.Height, &f.CreatedAt, &f.meta, &f.metaKey)
	f.HasThumbnail = f.thumbKey != ""
	return f, err
}

func getFile(ctx context.Context, d *db.DB, id string) (File, error) {
	f, err := scanFile(d.R(ctx).QueryRowContext(ctx, `SELECT `+fileCols+` FROM chat_files WHERE id = $1`, id))
	return f, d.Classify(err)
}

// filesSealedBy lists the files uploaded in orgID whose description is
// sealed under owner's key.
func filesSealedBy(ctx context.Context, d *db.DB, orgID, owner string) ([]File, error) {
	return db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM chat_files WHERE org_id = $1 AND meta_key = $2`, orgID, owner)
}

func setFileSealed(ctx context.Context, d *db.DB, id string, meta []byte, key, blobKey, thumbKey string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE chat_files SET meta = $2, meta_key = $3, blob_key = $4, thumb_key = $5 WHERE id = $1`,
		id, meta, key, blobKey, thumbKey)
	return err
}

// fileVisibleTo reports whether a message that accountID can see carries
// the file.
func fileVisibleTo(ctx context.Context, d *db.DB, fileID, accountID string) (bool, error) {
	var one int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT 1 FROM messages m
		JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = $2
		WHERE m.file_id = $1 AND m.deleted_at = 0 AND m.seq > cm.cleared_seq
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $2 AND h.message_id = m.id)
		LIMIT 1`, fileID, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ---- notifications ---------------------------------------------------------

// notificationMember keeps the notifications (n) of conversations the
// account ($1) is still a member of.
const notificationMember = `EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = n.conversation_id AND cm.account_id = $1)`

// listNotifications returns up to limit of accountID's notifications in
// (created_at DESC, message_id DESC) order, strictly after the position
// (beforeAt, beforeID); an empty beforeID means everything below beforeAt.
func listNotifications(ctx context.Context, d *db.DB, accountID string, unreadOnly bool, beforeAt int64, beforeID string, limit int) ([]Notification, error) {
	q := `SELECT n.message_id, n.conversation_id, n.kind, n.created_at, n.read_at,
		COALESCE((SELECT m.sender_id FROM messages m WHERE m.id = n.message_id), '') FROM chat_notifications n
		WHERE n.account_id = $1 AND (n.created_at < $2 OR (n.created_at = $2 AND n.message_id < $3))
		AND ` + notificationMember
	if unreadOnly {
		q += ` AND n.read_at = 0`
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (Notification, error) {
		var n Notification
		err := s.Scan(&n.MessageID, &n.ConversationID, &n.Kind, &n.CreatedAt, &n.ReadAt, &n.SenderID)
		n.Read = n.ReadAt > 0
		return n, err
	}, q+` ORDER BY n.created_at DESC, n.message_id DESC LIMIT $4`, accountID, beforeAt, beforeID, limit))
}

// countUnreadNotifications counts the unread notifications that
// listNotifications can show: those of conversations accountID is in.
func countUnreadNotifications(ctx context.Context, d *db.DB, accountID string) (int, error) {
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM chat_notifications n
		WHERE n.account_id = $1 AND n.read_at = 0 AND `+notificationMember, accountID).Scan(&n)
	return n, err
}

// markNotificationsRead marks the given notifications (all when ids is
// empty) read and returns the message ids that changed.
func markNotificationsRead(ctx context.Context, d *db.DB, accountID string, ids []string, now int64) ([]string, error) {
	args := []any{accountID, now}
	cond := ""
	if len(ids) > 0 {
		cond = " AND message_id IN (" + db.Placeholders(3, len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	return db.QueryAll(ctx, d.W(ctx), db.Value[string], `UPDATE chat_notifications SET read_at = $2
		WHERE account_id = $1 AND read_at = 0`+cond+` RETURNING message_id`, args...)
}

// markConversationNotificationsRead marks the notifications of messages up
// to seq read (reading a conversation reads its notifications).
func markConversationNotificationsRead(ctx context.Context, d *db.DB, convID, accountID string, seq, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE chat_notifications SET read_at = $4
		WHERE account_id = $2 AND conversation_id = $1 AND read_at = 0
		AND EXISTS (SELECT 1 FROM messages x WHERE x.id = chat_notifications.message_id AND x.seq <= $3)`, convID, accountID, seq, now)
	return err
}

// ---- search -----------------------------------------------------------------

// searchFilter narrows a search; zero values mean "any".
type searchFilter struct {
	accountID      string
	conversationID string
	senderID       string
	from, to       int64 // created_at range, [from, to)
	hasFile        bool
	beforeRID      int64
}

// where appends the filter's conditions (on messages m) to args.
func (f searchFilter) where(args []any) (string, []any) {
	var sb strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		sb.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.conversationID != "" {
		add("m.conversation_id = ?", f.conversationID)
	}
	if f.senderID != "" {
		add("m.sender_id = ?", f.senderID)
	}
	if f.from > 0 {
		add("m.created_at >= ?", f.from)
	}
	if f.to > 0 {
		add("m.created_at < ?", f.to)
	}
	if f.hasFile {
		sb.WriteString(" AND m.file_id <> ''")
	}
	if f.beforeRID > 0 {
		add("m.rid < ?", f.beforeRID)
	}
	return sb.String(), args
}

// querySearch lists the messages of a query selecting msgCols, whether
// each is pinned and its conversation's organization.
func querySearch(ctx context.Context, d *db.DB, q string, args ...any) ([]Message, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (Message, error) {
		var org string
		var pinned bool
		m, err := scanMsg(s, &pinned, &org)
		m.Pinned, m.orgID = pinned, org
		return m, err
	}, q, args...))
}

// searchFiles lists the messages with a file that f.accountID may see,
// newest first.
func searchFiles(ctx context.Context, d *db.DB, f searchFilter, limit int) ([]Message, error) {
	args := []any{f.accountID}
	f.hasFile = true
	cond, args := f.where(args)
	args = append(args, limit)
	return querySearch(ctx, d, `SELECT `+msgCols+`,
		EXISTS (SELECT 1 FROM message_pins p WHERE p.conversation_id = m.conversation_id AND p.message_id = m.id), c.org_id
		FROM messages m JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = $1
		JOIN conversations c ON c.id = m.conversation_id
		WHERE m.deleted_at = 0 AND m.seq > cm.cleared_seq
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $1 AND h.message_id = m.id)`+cond+`
		ORDER BY m.rid DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

// searchIndexed finds messages containing text (at least 3 characters)
// through the search index (message_fts, a text index: see db.Dialect)
// among what f.accountID may see, newest first.
func searchIndexed(ctx context.Context, d *db.DB, text string, f searchFilter, limit int) ([]Message, error) {
	visible := `JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = $1
		JOIN conversations c ON c.id = m.conversation_id
		WHERE m.deleted_at = 0 AND m.seq > cm.cleared_seq
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $1 AND h.message_id = m.id)`
	pinned := `EXISTS (SELECT 1 FROM message_pins p WHERE p.conversation_id = m.conversation_id AND p.message_id = m.id), c.org_id`
	// run reads up to n matches with lo < rid <= hi, newest first; rowid
	// is how the query names the rid, in the range and in the order.
	run := func(match, rowid string, lo, hi int64, n int) ([]Message, error) {
		args := []any{f.accountID, d.Dialect.TextPattern(text), lo, hi}
		g := f
		g.beforeRID = 0
		cond, args := g.where(args)
		args = append(args, n)
		return querySearch(ctx, d, `SELECT `+msgCols+`, `+pinned+`
			FROM message_fts x JOIN messages m ON m.rid = x.rowid `+visible+` AND `+match+` AND `+rowid+` > $3 AND `+rowid+` <= $4`+cond+`
			ORDER BY `+rowid+` DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	}
	top := int64(math.MaxInt64)
	if f.beforeRID > 0 {
		top = f.beforeRID - 1
	}
	match := d.Dialect.TextMatch("message_fts", "x.body", "$2")
	if d.Dialect.TextIndexOrdered() {
		return run(match, "x.rowid", 0, top, limit)
	}
	if d.Kind == db.Postgres {
		// The trigram index is on the text without spaces (migration
		// 00217), where a phrase has trigrams across its words; every
		// message containing the text passes this test, and the ILIKE of
		// the text itself decides.
		match += ` AND replace(x.body, ' ', '') ILIKE replace($2, ' ', '') ESCAPE '\'`
	}
	// An index that finds every match, then sorts them all to return the
	// newest few, is slow for common words. So first scan the newest
	// recentWindow messages in rid order without the index (cheap, and
	// enough when the word is common), then ask the index only for older
	// matches. The two ranges do not overlap, so the result is exactly the
	// newest matches.
	if f.beforeRID <= 0 {
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT COALESCE(max(rid), 0) FROM messages`).Scan(&top); err != nil {
			return nil, err
		}
	}
	bound := top - recentWindow
	recent, err := run(d.Dialect.TextScan("message_fts", "x.body", "$2"), "x.rowid", bound, top, limit)
	if err != nil || len(recent) >= limit || bound <= 0 {
		return recent, err
	}
	// The older matches come from the index, then are sorted. The rid is
	// an expression here, in the order and in the range, so that the
	// primary key serves neither: the statement is prepared, and its
	// generic plan cannot tell a rare text from a common one nor a range
	// of every message but the newest few from a narrow one. Ordered by
	// rid, it walked the primary key backwards testing every row; given
	// the range, it read the key's ~1M rids into a bitmap to AND with the
	// text index's few candidates (30-100 ms at 1M messages). The range
	// is a filter on the candidates instead.
	older, err := run(match, "(x.rowid + 0)", 0, bound, limit-len(recent))
	return append(recent, older...), err
}

// recentWindow is how many of the newest messages a search scans before
// it turns to a text index that does not yield matches in order (a
// variable so that tests can cross it with a few messages).
var recentWindow int64 = 2000

// searchScope is one conversation a bounded search scans.
type searchScope struct {
	id               string
	orgID            string
	clearedSeq, last int64
}

// searchScopes lists the caller's conversations, most recently active
// first, at most limit of them.
func searchScopes(ctx context.Context, d *db.DB, accountID, onlyConv string, limit int) ([]searchScope, error) {
	q := `SELECT c.id, c.org_id, m.cleared_seq, c.last_seq FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.account_id = $1`
	args := []any{accountID}
	if onlyConv != "" {
		q += ` AND c.id = $2`
		args = append(args, onlyConv)
	}
	args = append(args, limit)
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (searchScope, error) {
		var s searchScope
		err := row.Scan(&s.id, &s.orgID, &s.clearedSeq, &s.last)
		return s, err
	}, q+` ORDER BY c.last_message_at DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

// recentPage reads, newest first, up to limit messages of one conversation
// visible to f.accountID with floor < seq < below: the bounded scan behind
// short searches, which match the (sealed) text in Go.
func recentPage(ctx context.Context, d *db.DB, sc searchScope, f searchFilter, floor, below int64, limit int) ([]Message, error) {
	args := []any{f.accountID, sc.id, floor, below}
	f.conversationID = ""
	cond, args := f.where(args)
	args = append(args, limit)
	return querySearch(ctx, d, `SELECT `+msgCols+`,
		EXISTS (SELECT 1 FROM message_pins p WHERE p.conversation_id = m.conversation_id AND p.message_id = m.id), ''
		FROM messages m WHERE m.conversation_id = $2 AND m.seq > $3 AND m.seq < $4 AND m.deleted_at = 0
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = $1 AND h.message_id = m.id)`+cond+`
		ORDER BY m.seq DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

// ridOf returns the row id of a message in one of accountID's
// conversations (db.ErrNotFound for any other, so that a cursor tells
// nothing of messages the caller cannot see).
func ridOf(ctx context.Context, d *db.DB, msgID, accountID string) (int64, error) {
	var rid int64
	err := d.R(ctx).QueryRowContext(ctx, `SELECT m.rid FROM messages m
		JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.account_id = $2
		WHERE m.id = $1`, msgID, accountID).Scan(&rid)
	return rid, d.Classify(err)
}

// indexSource is one message as reindex reads it.
type indexSource struct {
	rid      int64
	id, body string
	att      *Attachment
	box      []byte
	boxKey   string
	deleted  bool
}

// emptyIndex empties the search index and returns the newest rid: every
// later message is indexed by the writer as usual.
func emptyIndex(ctx context.Context, d *db.DB) (int64, error) {
	var upTo int64
	err := d.Tx(ctx, func(ctx context.Context) error {
		if _, err := d.W(ctx).ExecContext(ctx, d.Dialect.EmptyTextIndex("message_fts")); err != nil {
			return err
		}
		return d.W(ctx).QueryRowContext(ctx, `SELECT COALESCE(max(rid), 0) FROM messages`).Scan(&upTo)
	})
	return upTo, err
}

// indexSources reads up to limit messages with after < rid <= upTo.
func indexSources(ctx context.Context, d *db.DB, after, upTo int64, limit int) ([]indexSource, error) {
	return db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (indexSource, error) {
		var x indexSource
		var deletedAt int64
		var att string
		err := s.Scan(&x.rid, &x.id, &x.body, &att, &x.box, &x.boxKey, &deletedAt)
		x.deleted = deletedAt > 0
		if att != "" {
			x.att = new(Attachment)
			_ = json.Unmarshal([]byte(att), x.att)
		}
		return x, err
	}, `SELECT rid, id, body, attachment, content, content_key, deleted_at FROM messages
		WHERE rid > $1 AND rid <= $2 ORDER BY rid LIMIT $3`, after, upTo, limit)
}

// bulkLoad appends n text messages to a conversation with multi-row
// inserts, 1,000 rows a statement and 20,000 a transaction, and indexes
// them. When seal is set, each message's content is sealed with it as a
// send seals it (seal returns the sealed value and whose key sealed it);
// otherwise the text goes into the plaintext columns, as rows written
// before sealing. It is for benchmarks and load tests: no events, no
// notifications.
func bulkLoad(ctx context.Context, d *db.DB, convID string, senders []string, n int, text func(i int) string,
	seal func(id, sender, body, html string) ([]byte, string, error)) error {
	const perStmt, perTx = 1000, 20000
	var seq int64
	if err := d.R(ctx).QueryRowContext(ctx, `SELECT last_seq FROM conversations WHERE id = $1`, convID).Scan(&seq); err != nil {
		return err
	}
	now := int64(1_700_000_000_000)
	for done := 0; done < n; {
		err := d.Tx(ctx, func(ctx context.Context) error {
			var rids []int64
			var bodies []string
			for t := 0; t < perTx && done < n; {
				rows := min(perStmt, n-done, perTx-t)
				var sb strings.Builder
				args := make([]any, 0, rows*10)
				plain := make(map[string]string, rows)
				sb.WriteString(`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, html, created_at, content, content_key) VALUES `)
				for r := 0; r < rows; r++ {
					i := done + r
					seq++
					id, sender, body := fmt.Sprintf("msg_bulk%024x", i), senders[i%len(senders)], text(i)
					plain[id] = body
					html := "<p>" + body + "</p>"
					var box []byte
					var boxKey string
					if seal != nil {
						var err error
						if box, boxKey, err = seal(id, sender, body, html); err != nil {
							return err
						}
						body, html = "", ""
					}
					if r > 0 {
						sb.WriteString(", ")
					}
					p := len(args)
					sb.WriteString("(" + db.Placeholders(p+1, 5) + ", 'text', " + db.Placeholders(p+6, 5) + ")")
					args = append(args, id, convID, seq, sender, fmt.Sprintf("bulk-%s-%d", convID, i), body, html, now+int64(i), nullBytes(box), boxKey)
				}
				sb.WriteString(" RETURNING rid, id")
				err := db.Each(ctx, d.W(ctx), func(s db.Scanner) error {
					var rid int64
					var id string
					if err := s.Scan(&rid, &id); err != nil {
						return err
					}
					rids, bodies = append(rids, rid), append(bodies, plain[id])
					return nil
				}, sb.String(), args...)
				if err != nil {
					return err
				}
				done += rows
				t += rows
			}
			if err := insertIndex(ctx, d, rids, bodies); err != nil {
				return err
			}
			_, err := d.W(ctx).ExecContext(ctx, `UPDATE conversations SET last_seq = $2, last_message_at = $3 WHERE id = $1`, convID, seq, now+int64(done))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// privacyRules tell the privacy engine (platform/datamap/sqlmap) what
// chat's data map cannot say: how rows find their organization and
// retention class through chat's own conversations, the message index,
// the files' names.
func privacyRules() []sqlmap.Rule {
	convOrg := func(table string) string {
		return "(SELECT c.org_id FROM conversations c WHERE c.id = " + table + ".conversation_id)"
	}
	msgOrg := func(table string) string {
		return "(SELECT c.org_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = " + table + ".message_id)"
	}
	return []sqlmap.Rule{
		{Table: "chat_files", NameColumn: "name", TypeColumn: "content_type"},
		{Table: "messages", Index: &sqlmap.IndexRef{Table: "message_fts", RowIDColumn: "rid"}, OrgExpr: convOrg("messages"),
			DeletedAtColumn: "deleted_at", SealedAAD: map[string]string{"location": locationAADPrefix},
			ClassBy: &sqlmap.ClassJoin{Column: "conversation_id", Table: "conversations", Key: "id", KindColumn: "kind", Prefix: "messages.", OrgColumn: "org_id",
				Kinds: []string{KindDirect, KindInternal, KindExternal, KindGeneral}}},
		{Table: "conversations", Shared: true},
		{Table: "conversation_members", OrgExpr: convOrg("conversation_members")},
		{Table: "message_pins", OrgExpr: convOrg("message_pins")},
		{Table: "message_edits", OrgExpr: msgOrg("message_edits"), TimeColumn: "edited_at"},
		{Table: "message_reactions", OrgExpr: msgOrg("message_reactions")},
	}
}

// conversationOrg returns a conversation's organization ("" for none).
func conversationOrg(ctx context.Context, d *db.DB, id string) (string, error) {
	var org string
	err := d.R(ctx).QueryRowContext(ctx, `SELECT COALESCE(org_id, '') FROM conversations WHERE id = $1`, id).Scan(&org)
	return org, d.Classify(err)
}

// ---- re-sealing -------------------------------------------------------------

// sealedRow is one sealed value found for re-sealing.
type sealedRow struct {
	rid int64
	id  string
	box []byte
}

// messagesSealedBy lists up to limit messages (rid > after) of orgID's
// groups whose content is sealed under owner's key.
func messagesSealedBy(ctx context.Context, d *db.DB, orgID, owner string, after int64, limit int) ([]sealedRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanSealedRow, `SELECT m.rid, m.id, m.content FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		WHERE c.org_id = $1 AND c.kind IN ('internal', 'external') AND m.content_key = $2 AND m.rid > $3
		ORDER BY m.rid LIMIT $4`, orgID, owner, after, limit)
}

// editsSealedBy lists the earlier versions, in orgID's groups, sealed
// under owner's key.
func editsSealedBy(ctx context.Context, d *db.DB, orgID, owner string) ([]sealedRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanSealedRow, `SELECT 0, e.id, e.content FROM message_edits e
		JOIN messages m ON m.id = e.message_id JOIN conversations c ON c.id = m.conversation_id
		WHERE c.org_id = $1 AND c.kind IN ('internal', 'external') AND e.content_key = $2`, orgID, owner)
}

func scanSealedRow(s db.Scanner) (sealedRow, error) {
	var r sealedRow
	err := s.Scan(&r.rid, &r.id, &r.box)
	return r, err
}

func setMessageContent(ctx context.Context, d *db.DB, id string, box []byte, key string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE messages SET content = $2, content_key = $3 WHERE id = $1`, id, box, key)
	return err
}

func setEditContent(ctx context.Context, d *db.DB, id string, box []byte, key string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE message_edits SET content = $2, content_key = $3 WHERE id = $1`, id, box, key)
	return err
}

// plaintextGroups lists the groups (the organizations' and general ones)
// whose name, topic or announcement is stored in plaintext.
func plaintextGroups(ctx context.Context, d *db.DB) ([]Conversation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Conversation, error) { return scanConv(r) }, `SELECT `+convCols+` FROM conversations c
		WHERE c.profile IS NULL AND ((c.org_id <> '' AND c.kind IN ('internal', 'external')) OR c.kind = 'general')
		AND (c.name <> '' OR c.topic <> '' OR c.announcement <> '')`)
}

// orgGroups lists an organization's groups, newest first.
func orgGroups(ctx context.Context, d *db.DB, orgID string) ([]Conversation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Conversation, error) { return scanConv(r) }, `SELECT `+convCols+` FROM conversations c
		WHERE c.org_id = $1 AND c.kind IN ('internal', 'external') ORDER BY c.created_at DESC, c.id`, orgID)
}

// setSealedProfile stores c's sealed profile in place of the plaintext it
// was sealed from, unless the row changed meanwhile; it reports whether it
// did.
func setSealedProfile(ctx context.Context, d *db.DB, c *Conversation) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE conversations SET name = '', topic = '', announcement = '', profile = $5, profile_key = $6
		WHERE id = $1 AND name = $2 AND topic = $3 AND announcement = $4 AND profile IS NULL`,
		c.ID, c.Name, c.Topic, c.Announcement, c.profile, c.profileKey)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// setSaved saves a message for accountID (on) or takes it out of their
// saved messages, reporting whether anything changed.
func setSaved(ctx context.Context, d *db.DB, accountID, convID, msgID string, on bool, now int64) (bool, error) {
	var res sql.Result
	var err error
	if on {
		res, err = d.W(ctx).ExecContext(ctx, `INSERT INTO saved_messages (account_id, message_id, conversation_id, saved_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, message_id) DO NOTHING`, accountID, msgID, convID, now)
	} else {
		res, err = d.W(ctx).ExecContext(ctx, `DELETE FROM saved_messages WHERE account_id = $1 AND message_id = $2`, accountID, msgID)
	}
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// savedRow is one of a person's saved messages, not yet loaded.
type savedRow struct {
	msgID, convID string
	savedAt       int64
}

// savedRows lists up to limit of accountID's saved messages that they can
// still see (a member, not cleared, not deleted for themselves), most
// recently saved first, after (at, after) when after is set.
func savedRows(ctx context.Context, d *db.DB, accountID string, at int64, after string, limit int) ([]savedRow, error) {
	cond, args := "", []any{accountID, limit}
	if after != "" {
		cond = ` AND (sv.saved_at < $3 OR (sv.saved_at = $3 AND sv.message_id < $4))`
		args = append(args, at, after)
	}
	return db.QueryAll(ctx, d.R(ctx), func(sc db.Scanner) (savedRow, error) {
		var r savedRow
		err := sc.Scan(&r.msgID, &r.convID, &r.savedAt)
		return r, err
	}, `SELECT sv.message_id, sv.conversation_id, sv.saved_at
		FROM saved_messages sv
		JOIN conversation_members cm ON cm.conversation_id = sv.conversation_id AND cm.account_id = sv.account_id
		JOIN messages m ON m.id = sv.message_id AND m.seq > cm.cleared_seq
		WHERE sv.account_id = $1
		AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.account_id = sv.account_id AND h.message_id = sv.message_id)`+cond+`
		ORDER BY sv.saved_at DESC, sv.message_id DESC LIMIT $2`, args...)
}
