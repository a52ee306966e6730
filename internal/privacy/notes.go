package privacy

import "context"

// Notes of data requests (what the person wrote, and an admin's reasons)
// are sealed under the person's key (platform/keyring), bound to their row:
// erasing the person makes them unreadable in every copy, backups included.
// Rows written before sealing keep their plaintext note.

func requestNoteAAD(id string) string      { return "privacy_requests.note:" + id }
func requestEventNoteAAD(id string) string { return "privacy_request_events.note:" + id }

// sealNote seals note for accountID (nil when there is no note or no keyring).
func (s *Service) sealNote(ctx context.Context, accountID, aad, note string) ([]byte, error) {
	if note == "" || s.Keys == nil {
		return nil, nil
	}
	return s.Keys.Seal(ctx, accountID, aad, []byte(note))
}

// plainNote is what goes into a note column: nothing when it is sealed.
func plainNote(note string, sealed []byte) (string, any) {
	if len(sealed) == 0 {
		return note, nil
	}
	return "", sealed
}

// openNote returns a sealed note's text ("" when its key was destroyed).
func (s *Service) openNote(ctx context.Context, accountID, aad string, sealed []byte, plain string) string {
	if len(sealed) == 0 || s.Keys == nil {
		return plain
	}
	b, err := s.Keys.Open(ctx, accountID, aad, sealed)
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *Service) openNotes(ctx context.Context, rs []Request) {
	for i := range rs {
		s.openRequestNotes(ctx, &rs[i])
	}
}

func (s *Service) openRequestNotes(ctx context.Context, r *Request) {
	r.Note = s.openNote(ctx, r.AccountID, requestNoteAAD(r.ID), r.noteSealed, r.Note)
	for i := range r.History {
		e := &r.History[i]
		e.Note = s.openNote(ctx, e.accountID, requestEventNoteAAD(e.id), e.noteSealed, e.Note)
	}
}
