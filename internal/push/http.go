package push

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a subscription body.
const maxBody = 16 << 10

// HandleConfig answers the VAPID public key.
func (s *Service) HandleConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Config(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleList lists the caller's devices.
func (s *Service) HandleList(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Subscriptions(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleSubscribe records a device: 201 when new, 200 when the endpoint
// was already the caller's.
func (s *Service) HandleSubscribe(w http.ResponseWriter, r *http.Request) error {
	var in SubscribeInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	sub, created, err := s.Subscribe(r.Context(), in)
	if err != nil {
		return err
	}
	if created {
		return httpx.Created(w, sub)
	}
	return httpx.OK(w, sub)
}

// HandleDelete removes one of the caller's devices.
func (s *Service) HandleDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.Unsubscribe(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleNotifySettings answers the caller's status, Do Not Disturb, quiet
// hours and keywords.
func (s *Service) HandleNotifySettings(w http.ResponseWriter, r *http.Request) error {
	v, err := s.MyNotifySettings(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, v)
}

// HandleUpdateNotifySettings changes them.
func (s *Service) HandleUpdateNotifySettings(w http.ResponseWriter, r *http.Request) error {
	var in NotifySettingsPatch
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	v, err := s.UpdateMyNotifySettings(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, v)
}

// HandlePersonStatus answers a person's status to someone who knows them.
func (s *Service) HandlePersonStatus(w http.ResponseWriter, r *http.Request) error {
	v, err := s.PersonStatus(r.Context(), r.PathValue("account_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, v)
}
