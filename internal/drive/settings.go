package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Settings are the organization's drive settings.
type Settings struct {
	// LinkSharing is none, inside (links work for the organization's
	// signed-in members) or public.
	LinkSharing string `json:"link_sharing"`
	// TrashDays is how long trashed items are kept (1 to 3650 days).
	TrashDays int `json:"trash_days"`
	// KeepVersions is how many earlier versions of a file are kept (0 to
	// 1000).
	KeepVersions int `json:"keep_versions"`
	// PersonalQuotaBytes limits each personal space (0: none);
	// OrgQuotaBytes every space of the organization together.
	PersonalQuotaBytes int64 `json:"personal_quota_bytes"`
	OrgQuotaBytes      int64 `json:"org_quota_bytes"`
	// UsedBytes is what the organization's spaces keep together.
	UsedBytes int64 `json:"used_bytes"`
	UpdatedAt int64 `json:"updated_at"`
}

// SettingsPatch changes the settings given.
type SettingsPatch struct {
	LinkSharing        *string `json:"link_sharing,omitempty"`
	TrashDays          *int    `json:"trash_days,omitempty"`
	KeepVersions       *int    `json:"keep_versions,omitempty"`
	PersonalQuotaBytes *int64  `json:"personal_quota_bytes,omitempty"`
	OrgQuotaBytes      *int64  `json:"org_quota_bytes,omitempty"`
}

func settingsView(st settingsRow, used int64) Settings {
	return Settings{LinkSharing: st.LinkSharing, TrashDays: st.TrashDays, KeepVersions: st.KeepVersions,
		PersonalQuotaBytes: st.PersonalQuota, OrgQuotaBytes: st.OrgQuota, UsedBytes: used, UpdatedAt: st.UpdatedAt}
}

// Settings returns the organization's drive settings (any member: the
// screens show what is allowed).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Settings{}, err
	}
	st, err := settingsOf(ctx, s.DB, c.OrgID)
	if err != nil {
		return Settings{}, err
	}
	used, err := orgUsed(ctx, s.DB, c.OrgID)
	if err != nil {
		return Settings{}, err
	}
	return settingsView(st, used), nil
}

// UpdateSettings changes the organization's drive settings (manage_drive).
func (s *Service) UpdateSettings(ctx context.Context, p SettingsPatch) (Settings, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Settings{}, err
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return Settings{}, err
	}
	st, err := settingsOf(ctx, s.DB, c.OrgID)
	if err != nil {
		return Settings{}, err
	}
	if p.LinkSharing != nil {
		switch *p.LinkSharing {
		case LinkSharingNone, LinkSharingInside, LinkSharingPublic:
			st.LinkSharing = *p.LinkSharing
		default:
			return Settings{}, apperr.InvalidField("link_sharing", "none, inside or public")
		}
	}
	if p.TrashDays != nil {
		if *p.TrashDays < 1 || *p.TrashDays > 3650 {
			return Settings{}, apperr.InvalidField("trash_days", "1 to 3650")
		}
		st.TrashDays = *p.TrashDays
	}
	if p.KeepVersions != nil {
		if *p.KeepVersions < 0 || *p.KeepVersions > 1000 {
			return Settings{}, apperr.InvalidField("keep_versions", "0 to 1000")
		}
		st.KeepVersions = *p.KeepVersions
	}
	if p.PersonalQuotaBytes != nil {
		if *p.PersonalQuotaBytes < 0 {
			return Settings{}, apperr.InvalidField("personal_quota_bytes", "0 (none) or more")
		}
		st.PersonalQuota = *p.PersonalQuotaBytes
	}
	if p.OrgQuotaBytes != nil {
		if *p.OrgQuotaBytes < 0 {
			return Settings{}, apperr.InvalidField("org_quota_bytes", "0 (none) or more")
		}
		st.OrgQuota = *p.OrgQuotaBytes
	}
	st.OrgID, st.UpdatedAt = c.OrgID, s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := saveSettings(ctx, s.DB, st); err != nil {
			return err
		}
		return s.record(ctx, c.OrgID, "drive.settings.update", "organization", c.OrgID, map[string]any{"link_sharing": st.LinkSharing,
			"trash_days": st.TrashDays, "keep_versions": st.KeepVersions})
	})
	if err != nil {
		return Settings{}, err
	}
	used, err := orgUsed(ctx, s.DB, c.OrgID)
	if err != nil {
		return Settings{}, err
	}
	return settingsView(st, used), nil
}
