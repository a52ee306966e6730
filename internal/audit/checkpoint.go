package audit

// Checkpoints anchor the chain outside the database. The chain alone proves
// that no entry was edited, removed or reordered *before the head*, but the
// head lives in the same database: whoever can write the database can delete
// the newest entries and move the head back, and the shorter chain still
// verifies. A checkpoint is the head (seq and hash) at a moment, signed with
// an Ed25519 key derived from the master key — which is not in the database,
// so the database alone cannot forge one. Checkpoints are written on a
// schedule to the log and to a file in the data directory; `atrium audit
// verify --checkpoint FILE` then reports a head older than a checkpoint
// (entries deleted from the end) or a chain that does not pass through a
// checkpointed hash (entries rewritten).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// CheckpointFile is the name of the checkpoint file in the data directory:
// one JSON checkpoint a line, appended.
const CheckpointFile = "audit-checkpoints.jsonl"

// CheckpointEvery is how often the server signs a checkpoint.
const CheckpointEvery = time.Hour

// Checkpoint is a signed statement that the audit chain's head was at Seq
// with hash Hash at time At.
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	At   int64  `json:"at"` // unix milliseconds
	// Key is the signer's public key (base64), for information: Verify
	// checks the signature against the key derived from this deployment's
	// master key, never against the key a file names.
	Key string `json:"key"`
	Sig string `json:"sig"` // base64 Ed25519 signature of message()
}

func (c Checkpoint) message() []byte {
	return []byte("atrium.audit.checkpoint.v1\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + strconv.FormatInt(c.At, 10))
}

// Signer signs and checks checkpoints.
type Signer struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

// KeyedHasher derives keyed hashes from the master key (platform/keyring's
// Keyring.Hash).
type KeyedHasher interface {
	Hash(purpose, value string) string
}

// NewSigner returns the checkpoint signer of a deployment: its Ed25519 seed
// is a keyed hash under the master key, so only a holder of the master key
// can sign, and every node (and the CLI) derives the same key.
func NewSigner(k KeyedHasher) (*Signer, error) {
	seed, err := hex.DecodeString(k.Hash("audit.checkpoint", "ed25519 seed v1"))
	if err != nil || len(seed) < ed25519.SeedSize {
		return nil, errors.New("audit: cannot derive the checkpoint key")
	}
	priv := ed25519.NewKeyFromSeed(seed[:ed25519.SeedSize])
	return &Signer{priv: priv, pub: priv.Public().(ed25519.PublicKey)}, nil
}

// PublicKey returns the signer's public key, base64.
func (s *Signer) PublicKey() string { return base64.StdEncoding.EncodeToString(s.pub) }

// Sign returns a signed checkpoint of head seq and hash at time at.
func (s *Signer) Sign(seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UnixMilli(), Key: s.PublicKey()}
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, c.message()))
	return c
}

// Valid reports whether c was signed by s.
func (s *Signer) Valid(c Checkpoint) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	return err == nil && ed25519.Verify(s.pub, c.message(), sig)
}

// ReadCheckpoints parses checkpoint lines (JSON, one a line; blank lines
// are skipped).
func ReadCheckpoints(r io.Reader) ([]Checkpoint, error) {
	var out []Checkpoint
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c Checkpoint
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil || c.Seq < 0 || c.Sig == "" {
			return nil, fmt.Errorf("checkpoint line %d is not a checkpoint", n)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// ReadCheckpointFile reads the checkpoints of path; a missing file has none.
func ReadCheckpointFile(path string) ([]Checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cps, err := ReadCheckpoints(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cps, nil
}

// AppendCheckpoint appends c as one line to path (created 0644 when
// missing) and syncs it.
func AppendCheckpoint(path string, c Checkpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(append(b, '\n'))
	serr := f.Sync()
	return errors.Join(werr, serr, f.Close())
}

// VerifyWithCheckpoints verifies the chain as Verify does, and then checks
// it against checkpoints: each must carry a valid signature of s, the head
// must not be older than any checkpoint (else entries were deleted from the
// end and the head moved back), and the entry at each checkpoint's seq must
// still have the checkpointed hash (else the chain was rewritten from there
// on). An invalid signature is an error: the file is not this deployment's.
func VerifyWithCheckpoints(ctx context.Context, d *db.DB, s *Signer, cps []Checkpoint) (Report, error) {
	for i, c := range cps {
		if !s.Valid(c) {
			return Report{}, fmt.Errorf("audit: checkpoint %d (seq %d) has no valid signature of this deployment's key: forged, edited, or made with another master key", i+1, c.Seq)
		}
	}
	rep, err := Verify(ctx, d)
	if err != nil || !rep.OK {
		return rep, err
	}
	for _, c := range cps {
		at := time.UnixMilli(c.At).UTC().Format(time.RFC3339)
		if c.Seq > rep.HeadSeq {
			rep.OK, rep.BadSeq = false, rep.HeadSeq+1
			rep.Problem = fmt.Sprintf("the head is at entry %d but a checkpoint of %s saw entry %d: entries at the end were deleted and the head moved back", rep.HeadSeq, at, c.Seq)
			return rep, nil
		}
		if c.Seq == 0 {
			continue
		}
		h, err := hashAt(ctx, d, c.Seq)
		if errors.Is(err, db.ErrNotFound) {
			h = ""
		} else if err != nil {
			return Report{}, fmt.Errorf("audit: read entry %d: %w", c.Seq, err)
		}
		if h != c.Hash {
			rep.OK, rep.BadSeq = false, c.Seq
			rep.Problem = fmt.Sprintf("entry %d does not have the hash a checkpoint of %s recorded: the chain was rewritten from there on", c.Seq, at)
			return rep, nil
		}
	}
	rep.Checkpoints = len(cps)
	return rep, nil
}

// WriteCheckpoint signs the current head and appends it to path, after
// checking that the chain from the last checkpoint in path (if any) still
// reaches the head through the checkpointed hash: a checkpoint must never
// bless a head that was moved back. It returns the new checkpoint.
func WriteCheckpoint(ctx context.Context, d *db.DB, s *Signer, path string, now time.Time) (Checkpoint, error) {
	prev, err := ReadCheckpointFile(path)
	if err != nil {
		return Checkpoint{}, err
	}
	seq, hash, err := readHead(ctx, d)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: read head: %w", err)
	}
	if n := len(prev); n > 0 {
		last := prev[n-1]
		if !s.Valid(last) {
			return Checkpoint{}, fmt.Errorf("audit: the last checkpoint in %s has no valid signature of this deployment's key", path)
		}
		if err := checkSegment(ctx, d, last, seq, hash); err != nil {
			return Checkpoint{}, err
		}
	}
	c := s.Sign(seq, hash, now)
	if err := AppendCheckpoint(path, c); err != nil {
		return Checkpoint{}, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	return c, nil
}

// ErrChainBroken is returned by WriteCheckpoint when the chain no longer
// runs from the last checkpoint to the head.
var ErrChainBroken = errors.New("audit: the chain does not run from the last checkpoint to the head")

// checkSegment checks the chain from checkpoint c up to the head (seq,
// hash): entry c.Seq still has c.Hash, and every later entry links to the
// one before and matches its own hash. Reading only that segment keeps an
// hourly checkpoint cheap however long the log is.
func checkSegment(ctx context.Context, d *db.DB, c Checkpoint, headSeq int64, headHash string) error {
	if c.Seq > headSeq {
		return fmt.Errorf("%w: the head (%d) is older than the last checkpoint (%d)", ErrChainBroken, headSeq, c.Seq)
	}
	prev := ""
	if c.Seq > 0 {
		h, err := hashAt(ctx, d, c.Seq)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if h != c.Hash {
			return fmt.Errorf("%w: entry %d no longer has the checkpointed hash", ErrChainBroken, c.Seq)
		}
		prev = h
	}
	expect, after := c.Seq+1, c.Seq
	const batch = 1000
	for {
		recs, err := scanChain(ctx, d, after, headSeq, batch)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Seq != expect || r.Hash != r.computeHash() || r.PrevHash != prev {
				return fmt.Errorf("%w: entry %d", ErrChainBroken, expect)
			}
			prev, expect, after = r.Hash, expect+1, r.Seq
		}
		if len(recs) < batch {
			break
		}
	}
	if expect-1 != headSeq || prev != headHash {
		return fmt.Errorf("%w: the entries end at %d, the head says %d", ErrChainBroken, expect-1, headSeq)
	}
	return nil
}
