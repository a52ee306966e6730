package events

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Sealed is personal content an event carries in sealed form: Box is a
// value sealed (platform/keyring) for Owner with the associated data AAD,
// and opens to the members of a JSON object without its braces, e.g.
// `"body":"…","html":"…"`. The event log stores it apart from Data;
// readers open it once per event and splice it into Data, so clients see
// one object. When it does not open (the owner's key was destroyed by an
// erasure) Data is delivered without it.
//
// The domain seals its row and its event with the same Box, so a change
// costs one seal, and destroying the owner's key makes the event log's copy
// unreadable together with the row's.
//
// A Sealed without Box (see Ref) stores no copy at all: the event keeps only
// AAD, which names the row ("messages.content:" + id), and readers fetch the
// row's current sealed value through the Source its domain registered for
// that prefix. The bytes are written once, and when the row's content is
// deleted or replaced the event log no longer holds the old text.
type Sealed struct {
	Owner string
	AAD   string
	Box   []byte

	// written is, for a reference made by RefWritten, the row's sealed
	// value as the appending transaction wrote it. It is not stored.
	written *Sealed
}

// Ref is the sealed content of the row that aad names, not copied into the
// event but read from the row when the event is read (see SetSource).
func Ref(aad string) *Sealed { return &Sealed{AAD: aad} }

// RefWritten is Ref for a row whose sealed value (owner, box) the appending
// transaction writes itself. The event stores only the reference, as with
// Ref; the node that commits it hands the event to its own hub (AttachHub)
// opened from box, which is what reading the row back through its Source
// would return at that moment, instead of reading the row back.
func RefWritten(aad, owner string, box []byte) *Sealed {
	s := Ref(aad)
	if len(box) > 0 {
		s.written = &Sealed{Owner: owner, AAD: aad, Box: box}
	}
	return s
}

// Source returns the current sealed values of the rows with the given ids
// (the part of the AAD after its prefix), each with its Owner and Box; rows
// that no longer exist or hold no sealed content are left out.
type Source func(ctx context.Context, ids []string) (map[string]Sealed, error)

type sourceKey struct {
	d      *db.DB
	prefix string
}

var sources sync.Map // sourceKey → Source

// SetSource makes the readers of d's event log resolve the references (see
// Ref) whose AAD starts with prefix through src. The domain that owns the
// rows registers it when it starts.
func SetSource(d *db.DB, prefix string, src Source) {
	k := sourceKey{d, prefix}
	if src == nil {
		sources.Delete(k)
		return
	}
	sources.Store(k, src)
}

func sourceOf(d *db.DB, prefix string) Source {
	if v, ok := sources.Load(sourceKey{d, prefix}); ok {
		return v.(Source)
	}
	return nil
}

// refPrefix splits a reference's AAD into the prefix its Source is
// registered under (up to and including the last ':') and the row's id.
func refPrefix(aad string) (prefix, id string, ok bool) {
	i := strings.LastIndexByte(aad, ':')
	if i < 0 || i == len(aad)-1 {
		return "", "", false
	}
	return aad[:i+1], aad[i+1:], true
}

// Opener opens sealed values; *keyring.Keyring implements it.
type Opener interface {
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

var openers sync.Map // *db.DB → Opener

// SetOpener makes the readers of d's event log open sealed content with o.
// The server sets the keyring at start-up; without one, sealed content is
// left out of Data.
func SetOpener(d *db.DB, o Opener) {
	if o == nil {
		openers.Delete(d)
		return
	}
	openers.Store(d, o)
}

func openerOf(d *db.DB) Opener {
	if v, ok := openers.Load(d); ok {
		return v.(Opener)
	}
	return nil
}

// nullBytes stores an empty box as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// splice returns data (a JSON object) with the members in frag added.
func splice(data, frag []byte) []byte {
	if len(frag) == 0 || len(data) < 2 || data[len(data)-1] != '}' {
		return data
	}
	out := make([]byte, 0, len(data)+len(frag)+1)
	out = append(out, data[:len(data)-1]...)
	if len(data) > 2 {
		out = append(out, ',')
	}
	out = append(out, frag...)
	return append(out, '}')
}

// sealedCols is an event's sealed content as read from its row.
type sealedCols struct {
	owner, aad string
	box        []byte
}

// writtenRefs fills in, for the references in cols that evs' appender
// made with RefWritten, the row's value it wrote, so that unsealAll opens
// it without asking the Source. It does so only where the readers would
// ask a Source (one is registered for the prefix), and leaves an AAD that
// two events give different values alone.
func writtenRefs(d *db.DB, evs []Pending, cols []sealedCols) {
	var known map[string]*Sealed
	for i := range evs {
		w := evs[i].Sealed
		if w == nil || w.written == nil || len(w.Box) > 0 {
			continue
		}
		if known == nil {
			known = map[string]*Sealed{}
		}
		if prev, ok := known[w.AAD]; ok && (prev == nil || prev.Owner != w.written.Owner || string(prev.Box) != string(w.written.Box)) {
			known[w.AAD] = nil
			continue
		}
		known[w.AAD] = w.written
	}
	if known == nil {
		return
	}
	for i := range cols {
		c := &cols[i]
		if len(c.box) > 0 || c.aad == "" {
			continue
		}
		w := known[c.aad]
		if w == nil {
			continue
		}
		if prefix, _, ok := refPrefix(c.aad); !ok || sourceOf(d, prefix) == nil {
			continue
		}
		c.owner, c.box = w.Owner, w.Box
	}
}

// unsealAll opens the sealed content of evs (cols[i] is evs[i]'s) into
// their Data, resolving references with one Source call per prefix.
func unsealAll(ctx context.Context, d *db.DB, evs []Event, cols []sealedCols) error {
	o := openerOf(d)
	if o == nil {
		return nil
	}
	refs := map[string][]string{} // prefix → ids
	for _, c := range cols {
		if len(c.box) == 0 && c.aad != "" {
			if prefix, id, ok := refPrefix(c.aad); ok {
				refs[prefix] = append(refs[prefix], id)
			}
		}
	}
	found := map[string]Sealed{} // AAD → the row's sealed value
	for prefix, ids := range refs {
		src := sourceOf(d, prefix)
		if src == nil {
			continue
		}
		vals, err := src(ctx, ids)
		if err != nil {
			return fmt.Errorf("events: read sealed %s: %w", prefix, err)
		}
		for id, v := range vals {
			found[prefix+id] = v
		}
	}
	for i, c := range cols {
		if len(c.box) == 0 {
			v, ok := found[c.aad]
			if !ok {
				continue
			}
			c.owner, c.box = v.Owner, v.Box
		}
		unseal(ctx, o, &evs[i], c.owner, c.aad, c.box)
	}
	return nil
}

// unseal opens e's sealed content into e.Data.
func unseal(ctx context.Context, o Opener, e *Event, owner, aad string, box []byte) {
	if o == nil || len(box) == 0 {
		return
	}
	frag, err := o.Open(ctx, owner, aad, box)
	if err != nil {
		return
	}
	e.Data = splice(e.Data, frag)
}

// revoking holds the event types registered with SetRevoking.
var revoking sync.Map // type → struct{}

// SetRevoking registers event types that take back content written before
// them (a message deleted for everyone, a person erased): the hubs stop
// serving the frames before such an event from memory, where that content
// is still opened, and replay them from the log, which reads it as it is
// now.
func SetRevoking(types ...string) {
	for _, t := range types {
		revoking.Store(t, struct{}{})
	}
}

// Revokes reports whether events of type take back earlier content.
func Revokes(typ string) bool {
	_, ok := revoking.Load(typ)
	return ok
}
