package approval

import (
	"context"
	"fmt"
)

// Sealing: form values and comments are sealed with the organization's
// key, bound to their row by the associated data.

func formAAD(id string) string    { return "approval_requests.form:" + id }
func taskAAD(id string) string    { return "approval_tasks.comment:" + id }
func eventAAD(id string) string   { return "approval_events.comment:" + id }
func commentAAD(id string) string { return "approval_comments.content:" + id }

// seal seals b with orgID's key; without a sealer it is stored as is.
func (s *Service) seal(ctx context.Context, orgID, aad string, b []byte) ([]byte, string, error) {
	if s.Sealer == nil {
		return b, "", nil
	}
	box, err := s.Sealer.Seal(ctx, orgID, aad, b)
	if err != nil {
		return nil, "", fmt.Errorf("approval: seal: %w", err)
	}
	return box, orgID, nil
}

// sealComment seals a comment; an empty one stays empty.
func (s *Service) sealComment(ctx context.Context, orgID, aad, comment string) ([]byte, string, error) {
	if comment == "" {
		return nil, "", nil
	}
	return s.seal(ctx, orgID, aad, []byte(comment))
}

// open opens sealed content; it is empty when its key is gone.
func (s *Service) open(ctx context.Context, key, aad string, box []byte) []byte {
	if key == "" {
		return box
	}
	if s.Sealer == nil {
		return nil
	}
	b, err := s.Sealer.Open(ctx, key, aad, box)
	if err != nil {
		s.Log.DebugContext(ctx, "approval: content not readable", "aad", aad, "err", err)
		return nil
	}
	return b
}
