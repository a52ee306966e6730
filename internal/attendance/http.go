package attendance

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a request body (a month's roster of a large group).
const maxBody = 1 << 20

// HandleListGroups lists the organization's groups.
func (s *Service) HandleListGroups(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListGroups(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateGroup creates a group.
func (s *Service) HandleCreateGroup(w http.ResponseWriter, r *http.Request) error {
	var in GroupInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	g, err := s.CreateGroup(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, g)
}

// HandleGetGroup returns a group.
func (s *Service) HandleGetGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := s.GetGroup(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, g)
}

// HandleUpdateGroup replaces a group's settings.
func (s *Service) HandleUpdateGroup(w http.ResponseWriter, r *http.Request) error {
	var in GroupInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	g, err := s.UpdateGroup(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, g)
}

// HandleArchiveGroup archives a group.
func (s *Service) HandleArchiveGroup(w http.ResponseWriter, r *http.Request) error {
	if err := s.ArchiveGroup(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleGetRoster returns a group's roster of a month.
func (s *Service) HandleGetRoster(w http.ResponseWriter, r *http.Request) error {
	ro, err := s.GetRoster(r.Context(), r.PathValue("id"), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	return httpx.OK(w, ro)
}

// HandleSetRoster sets entries of a group's roster.
func (s *Service) HandleSetRoster(w http.ResponseWriter, r *http.Request) error {
	var in RosterInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	if err := s.SetRoster(r.Context(), r.PathValue("id"), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

func year(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, apperr.InvalidField("year", "a year")
	}
	return y, nil
}

// HandleHolidays lists the organization's holidays of a year.
func (s *Service) HandleHolidays(w http.ResponseWriter, r *http.Request) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	l, err := s.Holidays(r.Context(), y)
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleSetHolidays replaces the organization's holidays of a year.
func (s *Service) HandleSetHolidays(w http.ResponseWriter, r *http.Request) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	var in HolidayInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	l, err := s.SetHolidays(r.Context(), y, in)
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleNotice records the caller's acknowledgement of the notice.
func (s *Service) HandleNotice(w http.ResponseWriter, r *http.Request) error {
	n, err := s.AcknowledgeNotice(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, n)
}

// HandlePunch records a check-in or check-out.
func (s *Service) HandlePunch(w http.ResponseWriter, r *http.Request) error {
	var in PunchInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 16<<10); err != nil {
		return err
	}
	c, err := s.Punch(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, c)
}

// HandleToday returns the caller's check-in screen.
func (s *Service) HandleToday(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Today(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, t)
}

// HandleMyMonth returns the caller's month.
func (s *Service) HandleMyMonth(w http.ResponseWriter, r *http.Request) error {
	m, err := s.MyMonth(r.Context(), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

func reportQuery(r *http.Request) ReportQuery {
	v := r.URL.Query()
	return ReportQuery{Month: v.Get("month"), DepartmentID: v.Get("department_id")}
}

// HandleMonthly returns the monthly report.
func (s *Service) HandleMonthly(w http.ResponseWriter, r *http.Request) error {
	m, err := s.Monthly(r.Context(), reportQuery(r))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleMonthlyCSV returns the monthly report's member lines as CSV.
func (s *Service) HandleMonthlyCSV(w http.ResponseWriter, r *http.Request) error {
	m, err := s.Monthly(r.Context(), reportQuery(r))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := m.WriteCSV(&buf); err != nil {
		return err
	}
	return download(w, "text/csv; charset=utf-8", "attendance-"+m.Month+".csv", buf.Bytes())
}

// HandleMonthlyXLSX returns the monthly report as a workbook.
func (s *Service) HandleMonthlyXLSX(w http.ResponseWriter, r *http.Request) error {
	m, err := s.Monthly(r.Context(), reportQuery(r))
	if err != nil {
		return err
	}
	b, err := m.XLSX()
	if err != nil {
		return err
	}
	return download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attendance-"+m.Month+".xlsx", b)
}

func download(w http.ResponseWriter, ct, name string, b []byte) error {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b)
	return err
}

// HandleTeam returns the caller's team on a day with its summary.
func (s *Service) HandleTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Team(r.Context(), r.URL.Query().Get("date"))
	if err != nil {
		return err
	}
	return httpx.OK(w, t)
}

// HandleMyAdjustments lists the caller's leave, trips, overtime and
// corrections of a month.
func (s *Service) HandleMyAdjustments(w http.ResponseWriter, r *http.Request) error {
	l, err := s.MyAdjustments(r.Context(), r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	return httpx.OK(w, AdjustmentList{Items: l})
}
