package directory

import (
	"context"
	"strings"

	"github.com/atrium-hq/atrium/internal/audit"
)

var _ audit.Namer = (*Service)(nil)

// AuditNames names, for the audit log of orgID, the ids of the
// organization, its members (by member or account id), departments, roles
// and custom fields (audit.Namer). A removed member whose account still
// exists is named by the account; an anonymized or erased one is not named.
func (s *Service) AuditNames(ctx context.Context, orgID string, ids []string) map[string]string {
	out := map[string]string{}
	var depts map[string]string
	for _, id := range ids {
		prefix, _, _ := strings.Cut(id, "_")
		name := ""
		switch prefix {
		case "org":
			if id == orgID {
				name = s.OrgName(ctx, orgID)
			}
		case "mem":
			if r, err := s.getMember(ctx, orgID, id); err == nil && !r.anonymized() {
				name = r.DisplayName
			}
		case "acc":
			if r, err := s.getMemberByAccount(ctx, orgID, id); err == nil && !r.anonymized() {
				name = r.DisplayName
			}
			if name == "" && s.accounts != nil {
				if acc, err := s.accounts.GetAccount(ctx, id); err == nil {
					name = acc.Name
				}
			}
		case "dep":
			if depts == nil {
				depts = map[string]string{}
				if ds, err := s.st.listDepartments(ctx, orgID); err == nil {
					for _, d := range ds {
						depts[d.ID] = d.Name
					}
				}
			}
			name = depts[id]
		case "rol":
			if r, err := s.st.getRole(ctx, orgID, id); err == nil {
				name = r.Name
			}
		case "fld":
			if f, err := s.st.getField(ctx, orgID, id); err == nil {
				name = f.Name
			}
		}
		if name != "" {
			out[id] = name
		}
	}
	return out
}
