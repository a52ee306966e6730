package events

import (
	"context"
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
type Sealed struct {
	Owner string
	AAD   string
	Box   []byte
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
