package blob

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Envelope encryption of file bodies. Every body is encrypted with its own
// random data key (AES-256-GCM, in chunks of 64 KiB so that a range request
// decrypts only what it reads); that key is sealed with the data key of the
// body's owner (a person "acc_…" or an organization "org_…") by a Sealer —
// the keyring — and kept in the body's header. Destroying the owner's key
// makes every copy of the body unreadable, in the file store and in every
// backup of it (crypto-shredding), without finding the copies.
//
// Layout: "ATRB" | version 1 | owner length (1 byte) | owner | file id (16
// random bytes) | sealed data key length (2 bytes) | sealed data key |
// nonce prefix (8 bytes) | chunks. Chunk i is sealed with the nonce
// prefix || i (4 bytes, big-endian) and the associated data i || last, so
// chunks cannot be reordered, dropped or the body truncated unnoticed. The
// data key is sealed with the associated data "blob.key:" + hex(file id).
// Bodies without the magic (stored before envelope encryption) are read as
// they are.
//
// A link (version 2, Envelope.Link) is a header and no chunks: "ATRB" |
// version 2 | owner length | owner | file id | sealed data key length |
// sealed data key | nonce prefix | body key length (1 byte) | body key |
// offset of the chunks in that body (8 bytes, big-endian). It gives a
// second owner its own wrap of a body's data key without a copy of the
// chunks: the file id and nonce prefix are the body's, the data key is
// sealed for the link's owner. Destroying one owner's key makes only that
// owner's wrap unreadable; the chunks stay while any referrer does
// (Counted) and go with the last.

// Sealer seals and opens small values with an owner's data key;
// *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// OwnedPutter is a Store that encrypts what it stores for an owner.
type OwnedPutter interface {
	PutFor(ctx context.Context, owner string, r io.Reader, limit int64) (Info, error)
}

// PutFor stores r for owner: encrypted under the owner's key when st is an
// Envelope, as it is otherwise.
func PutFor(ctx context.Context, st Store, owner string, r io.Reader, limit int64) (Info, error) {
	if op, ok := st.(OwnedPutter); ok {
		return op.PutFor(ctx, owner, r, limit)
	}
	return st.Put(ctx, r, limit)
}

// ErrUnreadable is returned by Envelope.Open for a body whose owner's key
// is gone (erased) or whose bytes were tampered with.
var ErrUnreadable = errors.New("blob: the body cannot be decrypted (its owner's key was destroyed, or it was altered)")

const (
	magic       = "ATRB"
	envVersion  = 1
	linkVersion = 2
	chunkPlain  = 64 << 10
	tagSize     = 16
	chunkSealed = chunkPlain + tagSize
	noncePrefix = 8
	fileIDSize  = 16
)

// Envelope is a Store that encrypts bodies under their owners' keys.
type Envelope struct {
	st   Store
	keys Sealer
}

// Seal returns st with envelope encryption under keys.
func Seal(st Store, keys Sealer) *Envelope { return &Envelope{st: st, keys: keys} }

// Put implements Store: it stores r as it is, unencrypted, for bodies that
// are sealed by their producer already (privacy's exports) or hold no
// personal data. Personal bodies go through PutFor.
func (e *Envelope) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	return e.st.Put(ctx, r, limit)
}

// Delete implements Store: deleting a link also drops its reference to
// the body it points at (whose bytes go with the last referrer).
func (e *Envelope) Delete(ctx context.Context, key string) error {
	rc, ok := e.st.(refCounter)
	if !ok {
		return e.st.Delete(ctx, key)
	}
	var base string
	if o, _, err := e.st.Open(ctx, key); err == nil {
		p, ok, err := readHeader(o)
		o.Close()
		if err == nil && ok {
			base = p.base
		}
	}
	// The body loses the link's reference only when the link itself
	// went (not when it was deleted already).
	gone, err := rc.drop(ctx, key)
	if err != nil {
		return err
	}
	if gone && base != "" {
		return e.st.Delete(ctx, base)
	}
	return nil
}

func keyAAD(fileID []byte) string { return "blob.key:" + hex.EncodeToString(fileID) }

func chunkAD(i uint32, last bool) []byte {
	var b [5]byte
	binary.BigEndian.PutUint32(b[:4], i)
	if last {
		b[4] = 1
	}
	return b[:]
}

func chunkNonce(prefix []byte, i uint32) []byte {
	n := make([]byte, 12)
	copy(n, prefix)
	binary.BigEndian.PutUint32(n[noncePrefix:], i)
	return n
}

// header builds the header of a body for owner.
func header(owner string, fileID, sealedKey, prefix []byte) []byte {
	h := make([]byte, 0, 4+1+1+len(owner)+fileIDSize+2+len(sealedKey)+noncePrefix)
	h = append(h, magic...)
	h = append(h, envVersion, byte(len(owner)))
	h = append(h, owner...)
	h = append(h, fileID...)
	h = binary.BigEndian.AppendUint16(h, uint16(len(sealedKey)))
	h = append(h, sealedKey...)
	return append(h, prefix...)
}

// PutFor stores r encrypted for owner. Info describes the plaintext (its
// size and SHA-256); limit applies to the plaintext.
func (e *Envelope) PutFor(ctx context.Context, owner string, r io.Reader, limit int64) (Info, error) {
	if owner == "" || len(owner) > 255 {
		return Info{}, errors.New("blob: invalid owner")
	}
	dk := make([]byte, 32)
	fileID := make([]byte, fileIDSize)
	prefix := make([]byte, noncePrefix)
	for _, b := range [][]byte{dk, fileID, prefix} {
		if _, err := rand.Read(b); err != nil {
			return Info{}, err
		}
	}
	sealedKey, err := e.keys.Seal(ctx, owner, keyAAD(fileID), dk)
	if err != nil {
		return Info{}, err
	}
	aead, err := newGCM(dk)
	if err != nil {
		return Info{}, err
	}
	h := sha256.New()
	var size int64
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(func() error {
			if _, err := pw.Write(header(owner, fileID, sealedKey, prefix)); err != nil {
				return err
			}
			cur := make([]byte, chunkPlain)
			next := make([]byte, chunkPlain)
			n, err := io.ReadFull(r, cur)
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
				return err
			}
			out := make([]byte, 0, chunkSealed)
			for i := uint32(0); ; i++ {
				m := 0
				if n == chunkPlain {
					m, err = io.ReadFull(r, next)
					if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
						return err
					}
				}
				last := m == 0
				size += int64(n)
				if limit > 0 && size > limit {
					return ErrTooLarge
				}
				h.Write(cur[:n])
				out = aead.Seal(out[:0], chunkNonce(prefix, i), cur[:n], chunkAD(i, last))
				if _, err := pw.Write(out); err != nil {
					return err
				}
				if last {
					return nil
				}
				cur, next, n = next, cur, m
			}
		}())
	}()
	info, err := e.st.Put(ctx, pr, 0)
	pr.Close()
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return Info{}, ErrTooLarge
		}
		return Info{}, err
	}
	return Info{Key: info.Key, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func newGCM(k []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// parsed is a body's header.
type parsed struct {
	owner     string
	fileID    []byte
	sealedKey []byte
	prefix    []byte
	length    int64 // header length
	// A link's body: its key and where its chunks begin.
	base   string
	offset int64
}

// link builds a link for owner to the chunks of base, from offset on.
func link(owner string, fileID, sealedKey, prefix []byte, base string, offset int64) []byte {
	h := header(owner, fileID, sealedKey, prefix)
	h[4] = linkVersion
	h = append(h, byte(len(base)))
	h = append(h, base...)
	return binary.BigEndian.AppendUint64(h, uint64(offset))
}

// readHeader reads the header of o; ok is false for a body stored without
// envelope encryption.
func readHeader(o io.ReadSeeker) (p parsed, ok bool, err error) {
	var fixed [6]byte
	if _, err := io.ReadFull(o, fixed[:]); err != nil {
		return p, false, nil
	}
	if string(fixed[:4]) != magic {
		return p, false, nil
	}
	if fixed[4] != envVersion && fixed[4] != linkVersion {
		return p, true, fmt.Errorf("blob: unknown envelope version %d", fixed[4])
	}
	owner := make([]byte, fixed[5])
	if _, err := io.ReadFull(o, owner); err != nil {
		return p, true, ErrUnreadable
	}
	p.owner = string(owner)
	p.fileID = make([]byte, fileIDSize)
	var kl [2]byte
	if _, err := io.ReadFull(o, p.fileID); err != nil {
		return p, true, ErrUnreadable
	}
	if _, err := io.ReadFull(o, kl[:]); err != nil {
		return p, true, ErrUnreadable
	}
	p.sealedKey = make([]byte, binary.BigEndian.Uint16(kl[:]))
	p.prefix = make([]byte, noncePrefix)
	if _, err := io.ReadFull(o, p.sealedKey); err != nil {
		return p, true, ErrUnreadable
	}
	if _, err := io.ReadFull(o, p.prefix); err != nil {
		return p, true, ErrUnreadable
	}
	p.length = int64(6 + len(owner) + fileIDSize + 2 + len(p.sealedKey) + noncePrefix)
	if fixed[4] == linkVersion {
		var bl [1]byte
		if _, err := io.ReadFull(o, bl[:]); err != nil || bl[0] == 0 {
			return p, true, ErrUnreadable
		}
		base := make([]byte, bl[0])
		var off [8]byte
		if _, err := io.ReadFull(o, base); err != nil {
			return p, true, ErrUnreadable
		}
		if _, err := io.ReadFull(o, off[:]); err != nil {
			return p, true, ErrUnreadable
		}
		p.base, p.offset = string(base), int64(binary.BigEndian.Uint64(off[:]))
		if p.offset < 0 {
			return p, true, ErrUnreadable
		}
	}
	return p, true, nil
}

// chunks opens the object holding p's chunks (o itself, or a link's body)
// and returns it with where the chunks begin and the object's size.
func (e *Envelope) chunks(ctx context.Context, o Object, size int64, p parsed) (Object, int64, int64, error) {
	if p.base == "" {
		return o, p.length, size, nil
	}
	o.Close()
	b, bsize, err := e.st.Open(ctx, p.base)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, 0, 0, fmt.Errorf("%w: a link's body is gone", ErrUnreadable)
		}
		return nil, 0, 0, err
	}
	if p.offset > bsize {
		b.Close()
		return nil, 0, 0, ErrUnreadable
	}
	return b, p.offset, bsize, nil
}

// Open implements Store: it returns the decrypted body and its plaintext
// size. A body whose owner's key was destroyed answers ErrUnreadable.
func (e *Envelope) Open(ctx context.Context, key string) (Object, int64, error) {
	o, size, err := e.st.Open(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	p, ok, err := readHeader(o)
	if err == nil && !ok {
		if _, err = o.Seek(0, io.SeekStart); err == nil {
			return o, size, nil
		}
	}
	if err != nil {
		o.Close()
		return nil, 0, err
	}
	dk, err := e.keys.Open(ctx, p.owner, keyAAD(p.fileID), p.sealedKey)
	if err != nil {
		o.Close()
		return nil, 0, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	aead, err := newGCM(dk)
	if err != nil {
		o.Close()
		return nil, 0, err
	}
	o, start, size, err := e.chunks(ctx, o, size, p)
	if err != nil {
		return nil, 0, err
	}
	body := size - start
	chunks := (body + chunkSealed - 1) / chunkSealed
	if chunks == 0 || body-chunks*tagSize < 0 {
		o.Close()
		return nil, 0, ErrUnreadable
	}
	plain := body - chunks*tagSize
	return &decrypted{o: o, aead: aead, prefix: p.prefix, start: start, size: plain, chunks: chunks, cur: -1}, plain, nil
}

// plainSize is the plaintext size of chunks taking body bytes.
func plainSize(body int64) (int64, error) {
	chunks := (body + chunkSealed - 1) / chunkSealed
	if chunks == 0 || body-chunks*tagSize < 0 {
		return 0, ErrUnreadable
	}
	return body - chunks*tagSize, nil
}

// ErrNotLinkable is returned by Link for a body that cannot be shared: one
// stored without envelope encryption, or a store that does not count
// referrers (the caller copies the bytes instead).
var ErrNotLinkable = errors.New("blob: the body cannot be linked")

// Link gives newOwner a body of its own for the one under key without
// copying its chunks: a link holding the body's data key sealed under
// newOwner's key. Info describes the plaintext (its SHA-256 is left empty:
// the caller knows it). The body's bytes stay until the original and
// every link to it are deleted; a link to a link points at the body
// itself.
func (e *Envelope) Link(ctx context.Context, key, newOwner string) (Info, error) {
	rc, ok := e.st.(refCounter)
	if !ok {
		return Info{}, ErrNotLinkable
	}
	if newOwner == "" || len(newOwner) > 255 {
		return Info{}, errors.New("blob: invalid owner")
	}
	o, _, err := e.st.Open(ctx, key)
	if err != nil {
		return Info{}, err
	}
	p, ok, err := readHeader(o)
	o.Close()
	if err != nil {
		return Info{}, err
	}
	if !ok {
		return Info{}, ErrNotLinkable
	}
	dk, err := e.keys.Open(ctx, p.owner, keyAAD(p.fileID), p.sealedKey)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	sealedKey, err := e.keys.Seal(ctx, newOwner, keyAAD(p.fileID), dk)
	if err != nil {
		return Info{}, err
	}
	base, offset := key, p.length
	if p.base != "" {
		base, offset = p.base, p.offset
	}
	bsize, err := rc.AddRef(ctx, base)
	if err != nil {
		return Info{}, err
	}
	plain, err := plainSize(bsize - offset)
	if err == nil {
		var info Info
		info, err = e.st.Put(ctx, bytes.NewReader(link(newOwner, p.fileID, sealedKey, p.prefix, base, offset)), 0)
		if err == nil {
			return Info{Key: info.Key, Size: plain}, nil
		}
	}
	_ = e.st.Delete(context.WithoutCancel(ctx), base)
	return Info{}, err
}

// Owner returns the owner whose key seals the body under key ("" for a body
// stored without envelope encryption).
func (e *Envelope) Owner(ctx context.Context, key string) (string, error) {
	o, _, err := e.st.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer o.Close()
	p, ok, err := readHeader(o)
	if err != nil || !ok {
		return "", err
	}
	return p.owner, nil
}

// Rewrap stores a copy of the body under key whose data key is sealed for
// newOwner instead, and returns the copy's key; the caller points its row
// at the copy and deletes the original. The chunks are copied unchanged:
// only the sealed data key differs (Link shares them instead). A body
// stored without encryption is encrypted for newOwner; a link is copied
// with the chunks of its body.
func (e *Envelope) Rewrap(ctx context.Context, key, newOwner string) (Info, error) {
	o, _, err := e.st.Open(ctx, key)
	if err != nil {
		return Info{}, err
	}
	defer o.Close()
	p, ok, err := readHeader(o)
	if err != nil {
		return Info{}, err
	}
	if !ok {
		if _, err := o.Seek(0, io.SeekStart); err != nil {
			return Info{}, err
		}
		return e.PutFor(ctx, newOwner, o, 0)
	}
	dk, err := e.keys.Open(ctx, p.owner, keyAAD(p.fileID), p.sealedKey)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	sealedKey, err := e.keys.Seal(ctx, newOwner, keyAAD(p.fileID), dk)
	if err != nil {
		return Info{}, err
	}
	if p.base != "" {
		// A link: the copy takes the chunks of the body it points at.
		b, _, err := e.st.Open(ctx, p.base)
		if err != nil {
			return Info{}, err
		}
		defer b.Close()
		if _, err := b.Seek(p.offset, io.SeekStart); err != nil {
			return Info{}, err
		}
		o = b
	}
	h := header(newOwner, p.fileID, sealedKey, p.prefix)
	info, err := e.st.Put(ctx, io.MultiReader(bytes.NewReader(h), o), 0)
	if err != nil {
		return Info{}, err
	}
	return info, nil
}

// decrypted reads and seeks the plaintext of an encrypted body, one chunk
// at a time.
type decrypted struct {
	o      Object
	aead   cipher.AEAD
	prefix []byte
	start  int64 // where the chunks begin
	size   int64 // plaintext size
	chunks int64
	pos    int64
	cur    int64 // index of the chunk in buf, -1 for none
	buf    []byte
	sealed []byte
}

func (d *decrypted) load(i int64) error {
	if d.cur == i {
		return nil
	}
	if _, err := d.o.Seek(d.start+i*chunkSealed, io.SeekStart); err != nil {
		return err
	}
	if d.sealed == nil {
		d.sealed = make([]byte, chunkSealed)
	}
	n, err := io.ReadFull(d.o, d.sealed)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	pt, err := d.aead.Open(d.buf[:0], chunkNonce(d.prefix, uint32(i)), d.sealed[:n], chunkAD(uint32(i), i == d.chunks-1))
	if err != nil {
		d.cur = -1
		return ErrUnreadable
	}
	d.buf, d.cur = pt, i
	return nil
}

func (d *decrypted) Read(p []byte) (int, error) {
	if d.pos >= d.size {
		return 0, io.EOF
	}
	i := d.pos / chunkPlain
	if err := d.load(i); err != nil {
		return 0, err
	}
	off := d.pos - i*chunkPlain
	n := copy(p, d.buf[off:])
	d.pos += int64(n)
	return n, nil
}

func (d *decrypted) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = d.pos + offset
	case io.SeekEnd:
		abs = d.size + offset
	default:
		return 0, errors.New("blob: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("blob: negative position")
	}
	d.pos = abs
	return abs, nil
}

func (d *decrypted) Close() error { return d.o.Close() }
