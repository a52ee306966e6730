// Package keyring is Atrium's envelope encryption. A master key (from
// ATRIUM_MASTER_KEY, or the file <data-dir>/master.key created at first
// start with mode 0600) wraps one random data key per owner — a person
// ("acc_…") or an organization ("org_…"). Sensitive fields are sealed with
// the owner's data key (AES-256-GCM) bound to their row identity, so a
// ciphertext copied to another row does not open. Destroying an owner's key
// makes every copy of their sealed data unreadable, backups included
// (crypto-shredding); a tombstone keeps a later Seal from silently creating
// a fresh key. Lookups of sealed values use keyed hashes (Hash).
package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// ErrKeyDestroyed is returned by Open and Seal for an owner whose data key
// has been destroyed.
var ErrKeyDestroyed = errors.New("keyring: the owner's data key has been destroyed")

// ErrNoKey is returned by Open for an owner that never had a data key.
var ErrNoKey = errors.New("keyring: the owner has no data key")

// KeyFile is the name of the master key file in the data directory.
const KeyFile = "master.key"

// version is the first byte of every sealed value and wrapped key.
const version byte = 1

const (
	nonceSize = 12
	keySize   = 32
	// cacheSize bounds the unwrapped keys kept in memory.
	cacheSize = 4096
	// cacheTTL bounds how long another node may keep using a key destroyed
	// elsewhere; Destroy on this node evicts at once.
	cacheTTL = time.Minute
)

// HoldChecker says whether an owner's data is under legal hold; Destroy
// refuses while it is. The privacy package implements it.
type HoldChecker interface {
	UnderLegalHold(ctx context.Context, owner string) (bool, error)
}

// Keyring seals and opens owners' data. It is safe for concurrent use.
type Keyring struct {
	db     *db.DB
	master cipher.AEAD
	// hashRoot is the master key, kept for deriving per-purpose hash keys.
	hashRoot []byte
	// Holds, when set, blocks Destroy for owners under legal hold.
	Holds HoldChecker

	mu    sync.Mutex
	cache map[string]cached

	hashMu   sync.RWMutex
	hashKeys map[string][]byte
}

type cached struct {
	aead   cipher.AEAD
	loaded time.Time
}

// Load returns the keyring of d. masterKey is the base64 master key from the
// configuration; when empty, the key is read from <dataDir>/master.key, which
// is created (mode 0600) when missing. A key file readable by others or of
// the wrong length stops start-up, as does a master key that does not open
// the data keys already in the database.
func Load(ctx context.Context, d *db.DB, masterKey string, dataDir string) (*Keyring, error) {
	var key []byte
	var err error
	if masterKey != "" {
		key, err = decodeKey(masterKey)
		if err != nil {
			return nil, fmt.Errorf("master key (ATRIUM_MASTER_KEY / --master-key): %w", err)
		}
	} else {
		key, err = loadKeyFile(dataDir)
		if err != nil {
			return nil, err
		}
	}
	k, err := New(d, key)
	if err != nil {
		return nil, err
	}
	if err := k.checkMaster(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// New returns a keyring over d with the given 32-byte master key.
func New(d *db.DB, master []byte) (*Keyring, error) {
	if len(master) != keySize {
		return nil, fmt.Errorf("keyring: master key must be %d bytes, got %d", keySize, len(master))
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	return &Keyring{
		db:       d,
		master:   aead,
		hashRoot: append([]byte(nil), master...),
		cache:    map[string]cached{},
		hashKeys: map[string][]byte{},
	}, nil
}

// GenerateKey returns a new random master key, base64-encoded.
func GenerateKey() string {
	b := make([]byte, keySize)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != keySize {
				return nil, fmt.Errorf("must be %d bytes (base64), got %d bytes", keySize, len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("is not valid base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// loadKeyFile reads <dataDir>/master.key, creating it when missing.
func loadKeyFile(dataDir string) ([]byte, error) {
	if dataDir == "" {
		return nil, errors.New("keyring: no master key configured and no data dir for master.key")
	}
	path := filepath.Join(dataDir, KeyFile)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(dataDir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("master key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has permissions %04o; it must be readable by its owner only: run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	key, err := decodeKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s %w", path, err)
	}
	return key, nil
}

func createKeyFile(dataDir, path string) ([]byte, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	enc := GenerateKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return loadKeyFile(dataDir)
		}
		return nil, fmt.Errorf("create master key file: %w", err)
	}
	_, werr := f.WriteString(enc + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write master key file: %w", err)
	}
	// umask may have narrowed nothing we care about, but be explicit.
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, err
	}
	key, _ := base64.StdEncoding.DecodeString(enc)
	return key, nil
}

// checkMaster unwraps one stored data key, so that a wrong master key (a
// different ATRIUM_MASTER_KEY, a replaced master.key) stops start-up instead
// of failing on every read later.
func (k *Keyring) checkMaster(ctx context.Context) error {
	owner, wrapped, err := anyKey(ctx, k.db)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("keyring: read data keys: %w", err)
	}
	if _, err := k.unwrap(owner, wrapped); err != nil {
		return errors.New("keyring: the master key does not open the data keys in this database (wrong ATRIUM_MASTER_KEY or master.key?)")
	}
	return nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts with version || nonce || ciphertext, the version byte bound
// into the associated data.
func seal(aead cipher.AEAD, aad string, plaintext []byte) []byte {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		panic(err)
	}
	return aead.Seal(out, out[1:1+nonceSize], plaintext, append([]byte{version}, aad...))
}

func open(aead cipher.AEAD, aad string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+aead.Overhead() {
		return nil, errors.New("keyring: sealed value too short")
	}
	if sealed[0] != version {
		return nil, fmt.Errorf("keyring: unknown sealed value version %d", sealed[0])
	}
	pt, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], append([]byte{version}, aad...))
	if err != nil {
		return nil, errors.New("keyring: sealed value does not open (wrong row, owner or key, or tampered)")
	}
	return pt, nil
}

func wrapAAD(owner string) string { return "atrium.data_key:" + owner }

func (k *Keyring) unwrap(owner string, wrapped []byte) (cipher.AEAD, error) {
	raw, err := open(k.master, wrapAAD(owner), wrapped)
	if err != nil {
		return nil, err
	}
	return newAEAD(raw)
}

func (k *Keyring) fromCache(owner string) cipher.AEAD {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.cache[owner]
	if !ok {
		return nil
	}
	if time.Since(c.loaded) > cacheTTL {
		delete(k.cache, owner)
		return nil
	}
	return c.aead
}

func (k *Keyring) toCache(owner string, a cipher.AEAD) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.cache) >= cacheSize {
		// Drop an arbitrary half; keys reload with one query.
		n := 0
		for o := range k.cache {
			delete(k.cache, o)
			if n++; n >= cacheSize/2 {
				break
			}
		}
	}
	k.cache[owner] = cached{aead: a, loaded: time.Now()}
}

func (k *Keyring) evict(owner string) {
	k.mu.Lock()
	delete(k.cache, owner)
	k.mu.Unlock()
}

// dataKey returns the owner's data key, creating it when create is set.
// Keys read inside a transaction are not cached: the transaction may yet
// roll back the key it created, or the Destroy it ran.
func (k *Keyring) dataKey(ctx context.Context, owner string, create bool) (cipher.AEAD, error) {
	if owner == "" {
		return nil, errors.New("keyring: empty owner")
	}
	if a := k.fromCache(owner); a != nil {
		return a, nil
	}
	wrapped, err := loadKey(ctx, k.db, owner)
	if errors.Is(err, db.ErrNotFound) {
		gone, terr := isDestroyed(ctx, k.db, owner)
		if terr != nil {
			return nil, terr
		}
		if gone {
			return nil, ErrKeyDestroyed
		}
		if !create {
			return nil, ErrNoKey
		}
		wrapped, err = k.createKey(ctx, owner)
	}
	if err != nil {
		return nil, err
	}
	a, err := k.unwrap(owner, wrapped)
	if err != nil {
		return nil, fmt.Errorf("keyring: unwrap key of %s: %w", owner, err)
	}
	if !db.InTx(ctx) {
		k.toCache(owner, a)
	}
	return a, nil
}

// createKey stores a new wrapped data key for owner and returns the stored
// one (another writer may have won the race).
func (k *Keyring) createKey(ctx context.Context, owner string) ([]byte, error) {
	raw := make([]byte, keySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	wrapped := seal(k.master, wrapAAD(owner), raw)
	var out []byte
	err := k.db.Tx(ctx, func(ctx context.Context) error {
		// Checked again inside the transaction: a Destroy may have landed.
		gone, err := isDestroyed(ctx, k.db, owner)
		if err != nil {
			return err
		}
		if gone {
			return ErrKeyDestroyed
		}
		if err := insertKey(ctx, k.db, owner, wrapped, time.Now().UnixMilli()); err != nil {
			return err
		}
		out, err = loadKey(ctx, k.db, owner)
		return err
	})
	return out, err
}

// Seal encrypts plaintext with the owner's data key (created on first use),
// bound to aad — the row identity, e.g. "accounts.phone:acc_…".
func (k *Keyring) Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error) {
	a, err := k.dataKey(ctx, owner, true)
	if err != nil {
		return nil, err
	}
	return seal(a, aad, plaintext), nil
}

// Open decrypts a value sealed for owner and aad. It returns ErrKeyDestroyed
// once the owner's key has been destroyed.
func (k *Keyring) Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error) {
	a, err := k.dataKey(ctx, owner, false)
	if err != nil {
		return nil, err
	}
	return open(a, aad, sealed)
}

// Opener is Open for many values of one owner: the owner's key is loaded
// once, and each value is opened into dst (appended) with its AAD given as
// bytes, so that a caller opening a batch allocates nothing per value.
type Opener struct {
	aead cipher.AEAD
	aad  []byte
}

// Opener loads owner's key for opening a batch of values (ErrNoKey,
// ErrKeyDestroyed as Open).
func (k *Keyring) Opener(ctx context.Context, owner string) (*Opener, error) {
	a, err := k.dataKey(ctx, owner, false)
	if err != nil {
		return nil, err
	}
	return &Opener{aead: a, aad: []byte{version}}, nil
}

// OpenAppend opens a value sealed for the Opener's owner with aad, and
// appends the plaintext to dst.
func (o *Opener) OpenAppend(dst, aad, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+o.aead.Overhead() {
		return dst, errors.New("keyring: sealed value too short")
	}
	if sealed[0] != version {
		return dst, fmt.Errorf("keyring: unknown sealed value version %d", sealed[0])
	}
	o.aad = append(o.aad[:1], aad...)
	out, err := o.aead.Open(dst, sealed[1:1+nonceSize], sealed[1+nonceSize:], o.aad)
	if err != nil {
		return dst, errors.New("keyring: sealed value does not open (wrong row, owner or key, or tampered)")
	}
	return out, nil
}

// Destroy deletes the owner's data key, making every value sealed for them
// unreadable, and records a tombstone so no new key is created for them. It
// refuses while the owner is under legal hold. Destroying an owner without a
// key still records the tombstone.
func (k *Keyring) Destroy(ctx context.Context, owner string) error {
	if owner == "" {
		return errors.New("keyring: empty owner")
	}
	if k.Holds != nil {
		held, err := k.Holds.UnderLegalHold(ctx, owner)
		if err != nil {
			return err
		}
		if held {
			return apperr.Conflict("legal_hold", "this data is under legal hold; its key cannot be destroyed until the hold is released").With("owner", owner)
		}
	}
	k.evict(owner)
	return k.db.Tx(ctx, func(ctx context.Context) error {
		if err := deleteKey(ctx, k.db, owner); err != nil {
			return err
		}
		if err := insertTombstone(ctx, k.db, owner, time.Now().UnixMilli()); err != nil {
			return err
		}
		// A reader outside the transaction may have cached the key again
		// meanwhile: evict once more when the destruction is visible.
		db.AfterCommit(ctx, func() { k.evict(owner) })
		return nil
	})
}

// Destroyed reports whether owner's key has been destroyed.
func (k *Keyring) Destroyed(ctx context.Context, owner string) (bool, error) {
	return isDestroyed(ctx, k.db, owner)
}

// Hash returns a keyed blind index of value for lookups: hex HMAC-SHA256
// with a key derived (HKDF-SHA256) from the master key and purpose, so that
// equal values hash alike within a purpose and differently across purposes.
// Callers normalize value first (e.g. lower-case an email).
func (k *Keyring) Hash(purpose, value string) string {
	m := hmac.New(sha256.New, k.hashKey(purpose))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

func (k *Keyring) hashKey(purpose string) []byte {
	k.hashMu.RLock()
	key, ok := k.hashKeys[purpose]
	k.hashMu.RUnlock()
	if ok {
		return key
	}
	key, err := hkdf.Key(sha256.New, k.hashRoot, nil, "atrium.hash:"+purpose, keySize)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce
	}
	k.hashMu.Lock()
	k.hashKeys[purpose] = key
	k.hashMu.Unlock()
	return key
}

// Preload loads the data keys of owners that are not cached yet in one
// query per few hundred owners, so that opening the fields of a page of
// people costs no query per person. Owners without a key are skipped
// (Open reports them). Inside a transaction it does nothing: keys read
// there are not cached.
func (k *Keyring) Preload(ctx context.Context, owners []string) error {
	if db.InTx(ctx) {
		return nil
	}
	seen := make(map[string]bool, len(owners))
	var want []string
	for _, o := range owners {
		if o == "" || seen[o] {
			continue
		}
		seen[o] = true
		if k.fromCache(o) == nil {
			want = append(want, o)
		}
	}
	for len(want) > 0 {
		n := min(len(want), 500)
		keys, err := loadKeys(ctx, k.db, want[:n])
		if err != nil {
			return err
		}
		for owner, wrapped := range keys {
			a, err := k.unwrap(owner, wrapped)
			if err != nil {
				return fmt.Errorf("keyring: unwrap key of %s: %w", owner, err)
			}
			k.toCache(owner, a)
		}
		want = want[n:]
	}
	return nil
}
