package approval_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestHTTPStatsAndCSV(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := w.template(t, map[string]any{"name": "Trip",
			"fields": []map[string]any{
				{"id": "where", "type": "text", "label": "Where", "required": true},
				{"id": "period", "type": "daterange", "label": "Period", "unit": "day"},
				{"id": "cost", "type": "money", "label": "Cost"}},
			"flow": steps(map[string]any{"id": "s1", "name": "Supervisor", "approvers": map[string]any{"type": "supervisor"}})})
		a := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"where": "=Shanghai", "period": map[string]any{"start": "2026-12-07", "end": "2026-12-09"}, "cost": 1200}})
		file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"where": "Beijing"}})
		w.clock.add(90 * time.Minute)
		decide(t, tm.sam, a.ID, "approve", http.StatusOK)

		tm.ann.Do(t, "GET", "/api/v1/approval-templates/"+tp.ID+"/stats", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		var st approval.Stats
		w.owner.Do(t, "GET", "/api/v1/approval-templates/"+tp.ID+"/stats", nil, &st).Want(t, http.StatusOK)
		if st.Counts["approved"] != 1 || st.Counts["pending"] != 1 || len(st.Steps) != 1 || st.Steps[0].Decided != 1 || st.Steps[0].AvgSeconds != 5400 {
			t.Fatalf("stats: %+v", st)
		}
		tm.ann.Do(t, "GET", "/api/v1/approval-templates/"+tp.ID+"/requests.csv", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		res := w.owner.Do(t, "GET", "/api/v1/approval-templates/"+tp.ID+"/requests.csv", nil, nil).Want(t, http.StatusOK)
		recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("csv: %v %s", err, res.Body)
		}
		want := "id,applicant,status,submitted_at,finished_at,where,period.start,period.end,period.duration,cost"
		if strings.Join(recs[0], ",") != want {
			t.Fatalf("header: %v", recs[0])
		}
		if r := recs[1]; r[0] != a.ID || r[1] != "Ann" || r[2] != "approved" || r[5] != "'=Shanghai" || r[8] != "3" || r[9] != "1200.00" {
			t.Fatalf("row: %v", r)
		}
	})
}
