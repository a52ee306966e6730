package directory

import (
	"context"
	"errors"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Role is a named set of permissions. The built-in roles owner, admin and
// member have those names as ids; custom roles may be limited to a
// department subtree.
type Role struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Description  string            `json:"description"`
	Builtin      bool              `json:"builtin"`
	Permissions  []perm.Permission `json:"permissions"`
	DepartmentID string            `json:"department_id"`
	CreatedAt    int64             `json:"created_at"`
	UpdatedAt    int64             `json:"updated_at"`
}

// RoleRequest creates or replaces a custom role.
type RoleRequest struct {
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	Permissions  []perm.Permission `json:"permissions"`
	DepartmentID string            `json:"department_id,omitempty"`
}

// RoleList lists the built-in and custom roles and every permission.
type RoleList struct {
	Items       []Role            `json:"items"`
	Permissions []perm.Permission `json:"permissions"`
}

// AssignRolesRequest sets a member's built-in role (admin or member; ""
// keeps it) and custom roles (nil keeps them).
type AssignRolesRequest struct {
	Role    string    `json:"role,omitempty"`
	RoleIDs *[]string `json:"role_ids,omitempty"`
}

func builtinRoles() []Role {
	return []Role{
		{ID: RoleOwner, Name: "Owner", Description: "Owns the organization: every permission, transfer and disband", Builtin: true, Permissions: perm.All},
		{ID: RoleAdmin, Name: "Admin", Description: "Every permission", Builtin: true, Permissions: perm.All},
		{ID: RoleMember, Name: "Member", Description: "Uses the organization; no management permission", Builtin: true, Permissions: []perm.Permission{}},
	}
}

// ListRoles lists the roles of the caller's organization.
func (s *Service) ListRoles(ctx context.Context) (RoleList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return RoleList{}, err
	}
	rs, err := s.st.listRoles(ctx, a.OrgID)
	if err != nil {
		return RoleList{}, err
	}
	return RoleList{Items: append(builtinRoles(), rs...), Permissions: perm.All}, nil
}

// GetRole returns a role of the caller's organization.
func (s *Service) GetRole(ctx context.Context, id string) (Role, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Role{}, err
	}
	for _, r := range builtinRoles() {
		if r.ID == id {
			return r, nil
		}
	}
	return s.st.getRole(ctx, a.OrgID, id)
}

func (s *Service) checkRole(ctx context.Context, orgID string, req RoleRequest) (RoleRequest, error) {
	var err error
	if req.Name, err = text("name", req.Name, 1, 100); err != nil {
		return req, err
	}
	if req.Description, err = text("description", req.Description, 0, 500); err != nil {
		return req, err
	}
	perms := []perm.Permission{}
	for _, p := range req.Permissions {
		if !p.Valid() {
			return req, apperr.InvalidField("permissions", "unknown permission").With("permission", string(p))
		}
		if !slices.Contains(perms, p) {
			perms = append(perms, p)
		}
	}
	req.Permissions = perms
	if req.DepartmentID != "" {
		if _, err := s.st.getDepartment(ctx, orgID, req.DepartmentID); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return req, apperr.InvalidField("department_id", "no such department")
			}
			return req, err
		}
	}
	return req, nil
}

// CreateRole creates a custom role.
func (s *Service) CreateRole(ctx context.Context, req RoleRequest) (Role, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Role{}, err
	}
	if err := s.Authorize(ctx, perm.ManageRoles, ""); err != nil {
		return Role{}, err
	}
	if req, err = s.checkRole(ctx, a.OrgID, req); err != nil {
		return Role{}, err
	}
	now := s.nowMS()
	r := Role{ID: ids.New("rol"), Name: req.Name, Description: req.Description, Permissions: req.Permissions, DepartmentID: req.DepartmentID, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.insertRole(ctx, a.OrgID, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("role_name_taken", "a role with this name exists")
			}
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "role.created", map[string]any{"role_id": r.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "role.create", "role", r.ID, map[string]any{"name": r.Name, "permissions": r.Permissions, "department_id": r.DepartmentID})
	})
	return r, err
}

// UpdateRole replaces a custom role.
func (s *Service) UpdateRole(ctx context.Context, id string, req RoleRequest) (Role, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Role{}, err
	}
	var r Role
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.Authorize(ctx, perm.ManageRoles, ""); err != nil {
			return err
		}
		var err error
		if r, err = s.st.getRole(ctx, a.OrgID, id); err != nil {
			return err
		}
		if req, err = s.checkRole(ctx, a.OrgID, req); err != nil {
			return err
		}
		r.Name, r.Description, r.Permissions, r.DepartmentID, r.UpdatedAt = req.Name, req.Description, req.Permissions, req.DepartmentID, s.nowMS()
		if err := s.st.updateRole(ctx, a.OrgID, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("role_name_taken", "a role with this name exists")
			}
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "role.updated", map[string]any{"role_id": r.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "role.update", "role", r.ID, map[string]any{"name": r.Name, "permissions": r.Permissions, "department_id": r.DepartmentID})
	})
	return r, err
}

// DeleteRole deletes a custom role; its members lose it.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.Authorize(ctx, perm.ManageRoles, ""); err != nil {
			return err
		}
		r, err := s.st.getRole(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := s.st.deleteRole(ctx, a.OrgID, r.ID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "role.deleted", map[string]any{"role_id": r.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "role.delete", "role", r.ID, map[string]any{"name": r.Name})
	})
}

// AssignRoles sets a member's built-in and custom roles. Making or unmaking
// an admin takes an owner or admin; custom roles take manage_roles.
func (s *Service) AssignRoles(ctx context.Context, memberID string, req AssignRolesRequest) (Member, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Member{}, err
	}
	var out Member
	err = s.tx(ctx, func(ctx context.Context) error {
		// The permission first, so that the refusal is the same for every id.
		if err := s.Authorize(ctx, perm.ManageRoles, ""); err != nil {
			if apperr.KindOf(err) == apperr.KindForbidden {
				err = deny(a.OrgID, "member.assign_roles", "member", memberID, "forbidden", err)
			}
			return err
		}
		m, err := s.getMember(ctx, a.OrgID, memberID)
		if err != nil {
			return err
		}
		details := map[string]any{}
		if req.Role != "" && req.Role != m.Role {
			if req.Role != RoleAdmin && req.Role != RoleMember {
				return apperr.InvalidField("role", "role must be admin or member (ownership is transferred, not assigned)")
			}
			if m.Role == RoleOwner {
				return apperr.Conflict("owner_protected", "the owner's role changes only by transferring ownership")
			}
			mine, err := s.st.activeRole(ctx, a.OrgID, a.MemberID)
			if err != nil {
				return err
			}
			if mine != RoleOwner && mine != RoleAdmin {
				return deny(a.OrgID, "member.assign_roles", "member", m.ID, "not_admin", apperr.Forbidden("admin_only", "only the owner or an admin can make or unmake admins"))
			}
			if err := s.st.setMemberRole(ctx, a.OrgID, m.ID, req.Role, s.nowMS()); err != nil {
				return err
			}
			details["role"], m.Role = req.Role, req.Role
		}
		if req.RoleIDs != nil {
			for _, rid := range *req.RoleIDs {
				if _, err := s.st.getRole(ctx, a.OrgID, rid); err != nil {
					if errors.Is(err, db.ErrNotFound) {
						return apperr.InvalidField("role_ids", "no such role").With("role_id", rid)
					}
					return err
				}
			}
			if err := s.st.setMemberRoles(ctx, a.OrgID, m.ID, *req.RoleIDs, s.nowMS()); err != nil {
				return err
			}
			details["role_ids"] = *req.RoleIDs
		}
		if err := s.orgEvent(ctx, a.OrgID, "member.updated", map[string]any{"member_id": m.ID}); err != nil {
			return err
		}
		if err := s.audit(ctx, a.OrgID, "member.assign_roles", "member", m.ID, details); err != nil {
			return err
		}
		out, err = s.view(ctx, viewer{orgID: a.OrgID, memberID: a.MemberID, admin: true}, m)
		return err
	})
	return out, err
}
