package privacy

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Items wraps a list in the API's {"items": [...]} shape.
type Items[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func items[T any](list []T) Items[T] { return Items[T]{Items: nonNil(list)} }

// Named list shapes (for the API document).
type (
	ExportList   Items[Export]
	DocumentList Items[Document]
	LedgerList   Items[LedgerEntry]
	RequestList  Items[Request]
	NoticeList   Items[Notice]
	RunList      Items[RetentionRun]
	HoldList     Items[Hold]
	// HoldTargetList is what a legal hold can be placed on, by name.
	HoldTargetList Items[datamap.NamedTarget]
)

// HandleMyData answers GET /api/v1/me/data.
func (s *Service) HandleMyData(w http.ResponseWriter, r *http.Request) error {
	// ?lang=zh|en; else the browser's first language; else the account's.
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang, _, _ = strings.Cut(r.Header.Get("Accept-Language"), ",")
	}
	out, err := s.MyData(r.Context(), lang)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleRequestExport answers POST /api/v1/me/exports.
func (s *Service) HandleRequestExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.RequestExport(r.Context())
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, e)
}

// HandleExports answers GET /api/v1/me/exports.
func (s *Service) HandleExports(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Exports(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, ExportList(items(list)))
}

// HandleGetExport answers GET /api/v1/me/exports/{id}.
func (s *Service) HandleGetExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.GetExport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleDownloadExport answers GET /api/v1/me/exports/{id}/download with
// the ZIP.
func (s *Service) HandleDownloadExport(w http.ResponseWriter, r *http.Request) error {
	rc, e, err := s.OpenExport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="atrium-export-`+e.ID+`.zip"`)
	h.Set("Content-Length", strconv.FormatInt(e.SizeBytes, 10))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, rc)
	if err != nil {
		s.log().WarnContext(r.Context(), "privacy: export download interrupted", "export_id", e.ID, "err", err)
	}
	return nil
}

// HandlePolicies answers GET /api/v1/policies.
func (s *Service) HandlePolicies(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Policies(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, DocumentList(items(list)))
}

// HandleMyPolicies answers GET /api/v1/me/policies.
func (s *Service) HandleMyPolicies(w http.ResponseWriter, r *http.Request) error {
	st, err := s.MyPolicies(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleAcceptPolicies answers POST /api/v1/me/policies/accept.
func (s *Service) HandleAcceptPolicies(w http.ResponseWriter, r *http.Request) error {
	var in AcceptInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.AcceptPolicies(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandlePublishOrgNotice answers POST /api/v1/admin/privacy/notice.
func (s *Service) HandlePublishOrgNotice(w http.ResponseWriter, r *http.Request) error {
	var in PublishInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.PublishOrgNotice(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, d)
}

// HandleMyConsents answers GET /api/v1/me/consents.
func (s *Service) HandleMyConsents(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyConsents(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleSetConsent answers PUT /api/v1/me/consents/{purpose}.
func (s *Service) HandleSetConsent(w http.ResponseWriter, r *http.Request) error {
	var in SetConsentInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.SetConsent(r.Context(), r.PathValue("purpose"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleContactMatches answers POST /api/v1/me/contact-matches.
func (s *Service) HandleContactMatches(w http.ResponseWriter, r *http.Request) error {
	var in ContactMatchInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 256<<10); err != nil {
		return err
	}
	out, err := s.MatchContacts(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleMyGuardian answers GET /api/v1/me/guardian-consent.
func (s *Service) HandleMyGuardian(w http.ResponseWriter, r *http.Request) error {
	st, err := s.MyGuardianStatus(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleRecordGuardian answers POST /api/v1/admin/guardian-consents.
func (s *Service) HandleRecordGuardian(w http.ResponseWriter, r *http.Request) error {
	var in GuardianConsent
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	in.RecordedBy, in.RecordedAt = "", 0
	gc, err := s.RecordGuardianConsent(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, gc)
}

// HandleEraseMessage answers POST /api/v1/me/erasures/message.
func (s *Service) HandleEraseMessage(w http.ResponseWriter, r *http.Request) error {
	var in EraseMessageInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.EraseMessage(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleEraseConversation answers POST /api/v1/me/erasures/conversation.
func (s *Service) HandleEraseConversation(w http.ResponseWriter, r *http.Request) error {
	var in EraseConversationInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.EraseConversation(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleCorrectProfile answers POST /api/v1/me/erasures/profile.
func (s *Service) HandleCorrectProfile(w http.ResponseWriter, r *http.Request) error {
	var in ProfileInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.CorrectProfile(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleQuitOrg answers POST /api/v1/me/erasures/quit-org.
func (s *Service) HandleQuitOrg(w http.ResponseWriter, r *http.Request) error {
	e, err := s.QuitOrg(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleDeleteAccount answers POST /api/v1/me/erasures/account.
func (s *Service) HandleDeleteAccount(w http.ResponseWriter, r *http.Request) error {
	var in DeleteAccountInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DeleteMyAccount(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, out)
}

// HandleMyErasures answers GET /api/v1/me/erasures.
func (s *Service) HandleMyErasures(w http.ResponseWriter, r *http.Request) error {
	list, err := s.MyErasures(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, LedgerList(items(list)))
}

// HandleCreateRequest answers POST /api/v1/me/requests.
func (s *Service) HandleCreateRequest(w http.ResponseWriter, r *http.Request) error {
	var in NewRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.CreateRequest(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleMyRequests answers GET /api/v1/me/requests.
func (s *Service) HandleMyRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.MyRequests(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, RequestList(items(list)))
}

// HandleMyRequest answers GET /api/v1/me/requests/{id}.
func (s *Service) HandleMyRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleAdminRequests answers GET /api/v1/admin/privacy-requests.
func (s *Service) HandleAdminRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := s.AdminRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return httpx.OK(w, RequestList(items(list)))
}

// HandleDecideRequest answers POST /api/v1/admin/privacy-requests/{id}/decision.
func (s *Service) HandleDecideRequest(w http.ResponseWriter, r *http.Request) error {
	var in Decision
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.DecideRequest(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleGetSettings answers GET /api/v1/admin/privacy/settings.
func (s *Service) HandleGetSettings(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetOrgSettings(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleUpdateSettings answers PUT /api/v1/admin/privacy/settings.
func (s *Service) HandleUpdateSettings(w http.ResponseWriter, r *http.Request) error {
	var in OrgSettings
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.UpdateOrgSettings(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleGetRetention answers GET /api/v1/admin/retention.
func (s *Service) HandleGetRetention(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetRetention(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleSetPolicies answers PUT /api/v1/admin/retention/policies.
func (s *Service) HandleSetPolicies(w http.ResponseWriter, r *http.Request) error {
	var in SetPoliciesInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.SetPolicies(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// OverrideInput is the body of PUT /api/v1/admin/retention/overrides/{conversation_id}.
type OverrideInput struct {
	Days int `json:"days"`
}

// HandleSetOverride answers PUT /api/v1/admin/retention/overrides/{conversation_id}.
func (s *Service) HandleSetOverride(w http.ResponseWriter, r *http.Request) error {
	var in OverrideInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.SetOverride(r.Context(), Override{ConversationID: r.PathValue("conversation_id"), Days: in.Days})
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleDeleteOverride answers DELETE /api/v1/admin/retention/overrides/{conversation_id}.
func (s *Service) HandleDeleteOverride(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteOverride(r.Context(), r.PathValue("conversation_id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandlePreview answers POST /api/v1/admin/retention/preview.
func (s *Service) HandlePreview(w http.ResponseWriter, r *http.Request) error {
	var in PreviewInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.PreviewRetention(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleStartRetention answers POST /api/v1/admin/retention/runs.
func (s *Service) HandleStartRetention(w http.ResponseWriter, r *http.Request) error {
	out, err := s.StartRetention(r.Context())
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, out)
}

// HandleRetentionRuns answers GET /api/v1/admin/retention/runs.
func (s *Service) HandleRetentionRuns(w http.ResponseWriter, r *http.Request) error {
	list, err := s.RetentionRuns(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, RunList(items(list)))
}

// HandleGetRun answers GET /api/v1/admin/retention/runs/{id}.
func (s *Service) HandleGetRun(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleHoldTargets answers GET /api/v1/admin/legal-holds/targets.
func (s *Service) HandleHoldTargets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.FindHoldTargets(r.Context(), q.Get("kind"), q.Get("q"))
	if err != nil {
		return err
	}
	return httpx.OK(w, HoldTargetList(items(list)))
}

// HandlePlaceHold answers POST /api/v1/admin/legal-holds.
func (s *Service) HandlePlaceHold(w http.ResponseWriter, r *http.Request) error {
	var in NewHold
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := s.PlaceHold(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, h)
}

// HandleHolds answers GET /api/v1/admin/legal-holds.
func (s *Service) HandleHolds(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Holds(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, HoldList(items(list)))
}

// HandleReleaseHold answers POST /api/v1/admin/legal-holds/{id}/release.
func (s *Service) HandleReleaseHold(w http.ResponseWriter, r *http.Request) error {
	h, err := s.ReleaseHold(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, h)
}

// HandleRecord answers GET /api/v1/admin/record-of-processing.
func (s *Service) HandleRecord(w http.ResponseWriter, r *http.Request) error {
	out, err := s.AdminRecord(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleSendNotice answers POST /api/v1/admin/security-notices.
func (s *Service) HandleSendNotice(w http.ResponseWriter, r *http.Request) error {
	var in NewNotice
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.SendNotice(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, n)
}

// HandleAdminNotices answers GET /api/v1/admin/security-notices.
func (s *Service) HandleAdminNotices(w http.ResponseWriter, r *http.Request) error {
	list, err := s.AdminNotices(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, NoticeList(items(list)))
}

// HandleMyNotices answers GET /api/v1/me/security-notices.
func (s *Service) HandleMyNotices(w http.ResponseWriter, r *http.Request) error {
	list, err := s.MyNotices(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, NoticeList(items(list)))
}

// HandleMyUnacknowledged answers GET /api/v1/me/unacknowledged.
func (s *Service) HandleMyUnacknowledged(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyUnacknowledged(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleReadNotice answers POST /api/v1/me/security-notices/{id}/read.
func (s *Service) HandleReadNotice(w http.ResponseWriter, r *http.Request) error {
	if err := s.MarkNoticeRead(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleRequestGuardian answers POST /api/v1/me/guardian-consent/request.
func (s *Service) HandleRequestGuardian(w http.ResponseWriter, r *http.Request) error {
	var in GuardianRequestInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.RequestGuardianConsent(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleGuardianLink answers GET /api/v1/guardian-consents/{token}.
func (s *Service) HandleGuardianLink(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GuardianLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleConfirmGuardian answers POST /api/v1/guardian-consents/{token}/confirm.
func (s *Service) HandleConfirmGuardian(w http.ResponseWriter, r *http.Request) error {
	var in GuardianConfirmInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.ConfirmGuardianConsent(r.Context(), r.PathValue("token"), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
