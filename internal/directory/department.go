package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Department is a node of the organization's tree.
type Department struct {
	ID        string   `json:"id"`
	ParentID  string   `json:"parent_id"`
	Name      string   `json:"name"`
	SortOrder int      `json:"sort_order"`
	LeaderIDs []string `json:"leader_ids"`
	// MemberCount counts active direct members.
	MemberCount int `json:"member_count"`
	// TotalCount counts the active people in the department and all its
	// sub-departments, each once.
	TotalCount int   `json:"total_count"`
	CreatedAt  int64 `json:"created_at"`
	UpdatedAt  int64 `json:"updated_at"`
}

// CreateDepartmentRequest creates a department ("" parent = top level).
type CreateDepartmentRequest struct {
	Name      string `json:"name"`
	ParentID  string `json:"parent_id,omitempty"`
	SortOrder int    `json:"sort_order,omitempty"`
}

// UpdateDepartmentRequest renames or moves a department. Setting ParentID
// moves the department with its whole subtree ("" = to the top level).
type UpdateDepartmentRequest struct {
	Name      *string `json:"name,omitempty"`
	ParentID  *string `json:"parent_id,omitempty"`
	SortOrder *int    `json:"sort_order,omitempty"`
}

// LeadersRequest sets a department's leaders (members of the department).
type LeadersRequest struct {
	MemberIDs []string `json:"member_ids"`
}

// DepartmentList is the whole tree as a flat list (parents before children).
type DepartmentList struct {
	Items []Department `json:"items"`
}

// ListDepartments returns every department of the caller's organization.
func (s *Service) ListDepartments(ctx context.Context) (DepartmentList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return DepartmentList{}, err
	}
	ds, err := s.st.listDepartments(ctx, a.OrgID)
	if err != nil {
		return DepartmentList{}, err
	}
	return DepartmentList{Items: treeOrder(ds)}, nil
}

// treeOrder sorts departments so that parents come before their children,
// siblings by sort order and name.
func treeOrder(ds []Department) []Department {
	kids := map[string][]Department{}
	for _, d := range ds {
		kids[d.ParentID] = append(kids[d.ParentID], d)
	}
	out := make([]Department, 0, len(ds))
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		if depth > 1000 {
			return
		}
		for _, d := range kids[parent] {
			out = append(out, d)
			walk(d.ID, depth+1)
		}
	}
	walk("", 0)
	return out
}

// GetDepartment returns one department of the caller's organization.
func (s *Service) GetDepartment(ctx context.Context, id string) (Department, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Department{}, err
	}
	return s.st.getDepartment(ctx, a.OrgID, id)
}

// MaxDepartmentDepth is how many levels the department tree may have.
const MaxDepartmentDepth = 100

var errTooDeep = apperr.InvalidField("parent_id", fmt.Sprintf("departments nest at most %d levels deep", MaxDepartmentDepth))

// CreateDepartment creates a department.
func (s *Service) CreateDepartment(ctx context.Context, req CreateDepartmentRequest) (Department, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Department{}, err
	}
	if err := s.gate(ctx, perm.ManageDepartments); err != nil {
		return Department{}, err
	}
	name, err := text("name", req.Name, 1, 100)
	if err != nil {
		return Department{}, err
	}
	if req.ParentID != "" {
		if _, err := s.st.getDepartment(ctx, a.OrgID, req.ParentID); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return Department{}, apperr.InvalidField("parent_id", "no such department")
			}
			return Department{}, err
		}
	}
	if err := s.Authorize(ctx, perm.ManageDepartments, req.ParentID); err != nil {
		return Department{}, err
	}
	now := s.nowMS()
	d := Department{ID: ids.New("dep"), ParentID: req.ParentID, Name: name, SortOrder: req.SortOrder, LeaderIDs: []string{}, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.lockTree(ctx, a.OrgID); err != nil {
			return err
		}
		if req.ParentID != "" {
			up, err := s.st.ancestors(ctx, a.OrgID, req.ParentID)
			if err != nil {
				return err
			}
			if len(up)+2 > MaxDepartmentDepth {
				return errTooDeep
			}
		}
		if err := s.st.insertDepartment(ctx, a.OrgID, d); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "department.created", map[string]any{"department_id": d.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "department.create", "department", d.ID, map[string]any{"name": d.Name, "parent_id": d.ParentID})
	})
	return d, err
}

// UpdateDepartment renames or moves a department. A move under the
// department itself or one of its descendants is refused (409
// department_cycle).
func (s *Service) UpdateDepartment(ctx context.Context, id string, req UpdateDepartmentRequest) (Department, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Department{}, err
	}
	var d Department
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.gate(ctx, perm.ManageDepartments); err != nil {
			return err
		}
		if err := s.st.lockTree(ctx, a.OrgID); err != nil {
			return err
		}
		var err error
		if d, err = s.st.getDepartment(ctx, a.OrgID, id); err != nil {
			return err
		}
		if err := s.Authorize(ctx, perm.ManageDepartments, d.ID); err != nil {
			return err
		}
		details := map[string]any{}
		if req.Name != nil {
			if d.Name, err = text("name", *req.Name, 1, 100); err != nil {
				return err
			}
			details["name"] = d.Name
		}
		if req.SortOrder != nil {
			d.SortOrder = *req.SortOrder
		}
		if req.ParentID != nil && *req.ParentID != d.ParentID {
			np := *req.ParentID
			if np != "" {
				if _, err := s.st.getDepartment(ctx, a.OrgID, np); err != nil {
					if errors.Is(err, db.ErrNotFound) {
						return apperr.InvalidField("parent_id", "no such department")
					}
					return err
				}
				up, err := s.st.ancestors(ctx, a.OrgID, np)
				if err != nil {
					return err
				}
				if np == d.ID || slices.Contains(up, d.ID) {
					return apperr.Conflict("department_cycle", "a department cannot move under itself or one of its descendants")
				}
				// The tree stays shallow enough to walk: the new parent's
				// depth, this department, and everything below it.
				h, err := s.st.height(ctx, a.OrgID, d.ID)
				if err != nil {
					return err
				}
				if len(up)+2+h > MaxDepartmentDepth {
					return errTooDeep
				}
			}
			// Moving needs the right where the subtree goes as well.
			if err := s.Authorize(ctx, perm.ManageDepartments, np); err != nil {
				return err
			}
			details["from_parent_id"], details["to_parent_id"] = d.ParentID, np
			d.ParentID = np
		}
		d.UpdatedAt = s.nowMS()
		if err := s.st.updateDepartment(ctx, a.OrgID, d); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "department.updated", map[string]any{"department_id": d.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "department.update", "department", d.ID, details)
	})
	return d, err
}

// DeleteDepartment deletes an empty-of-children department; its members
// simply leave it.
func (s *Service) DeleteDepartment(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.gate(ctx, perm.ManageDepartments); err != nil {
			return err
		}
		d, err := s.st.getDepartment(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := s.Authorize(ctx, perm.ManageDepartments, d.ID); err != nil {
			return err
		}
		n, err := s.st.countChildren(ctx, d.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("department_not_empty", "move or delete the sub-departments first")
		}
		if used, err := s.st.departmentUsedByRoles(ctx, d.ID); err != nil {
			return err
		} else if used {
			return apperr.Conflict("department_in_use", "a role is limited to this department; change the role first")
		}
		if err := s.st.deleteDepartment(ctx, a.OrgID, d.ID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "department.deleted", map[string]any{"department_id": d.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "department.delete", "department", d.ID, map[string]any{"name": d.Name})
	})
}

// SetLeaders sets the leaders of a department; each must be a member of it.
func (s *Service) SetLeaders(ctx context.Context, id string, req LeadersRequest) (Department, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Department{}, err
	}
	var d Department
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.gate(ctx, perm.ManageDepartments); err != nil {
			return err
		}
		var err error
		if d, err = s.st.getDepartment(ctx, a.OrgID, id); err != nil {
			return err
		}
		if err := s.Authorize(ctx, perm.ManageDepartments, d.ID); err != nil {
			return err
		}
		for _, m := range req.MemberIDs {
			in, err := s.st.inDepartment(ctx, d.ID, m)
			if err != nil {
				return err
			}
			if !in {
				return apperr.InvalidField("member_ids", "a leader must be a member of the department").With("member_id", m)
			}
		}
		if err := s.st.setLeaders(ctx, d.ID, req.MemberIDs); err != nil {
			return err
		}
		if d, err = s.st.getDepartment(ctx, a.OrgID, id); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "department.updated", map[string]any{"department_id": d.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "department.set_leaders", "department", d.ID, map[string]any{"member_ids": req.MemberIDs})
	})
	return d, err
}
