package audit

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// Namer names, for an organization's auditors, the people and objects its
// entries refer to: ids of the form "<prefix>_<32 hex>" (a member, an
// account, a department, a conversation …). An id it cannot name — deleted,
// anonymized, or not its kind — is left out of the answer. The directory
// names people and the organization's objects; chat names conversations.
type Namer interface {
	AuditNames(ctx context.Context, orgID string, ids []string) map[string]string
}

// Namers asks each namer in turn; the first to name an id wins.
type Namers []Namer

// AuditNames implements Namer.
func (ns Namers) AuditNames(ctx context.Context, orgID string, ids []string) map[string]string {
	out := map[string]string{}
	left := ids
	for _, n := range ns {
		if len(left) == 0 {
			break
		}
		for id, name := range n.AuditNames(ctx, orgID, left) {
			if name != "" {
				out[id] = name
			}
		}
		next := left[:0:0]
		for _, id := range left {
			if _, ok := out[id]; !ok {
				next = append(next, id)
			}
		}
		left = next
	}
	return out
}

// idPattern is the shape of an opaque id (platform/ids).
var idPattern = regexp.MustCompile(`^[a-z]{3}_[0-9a-f]{32}$`)

// refsOf lists the ids an entry refers to: its actor, its target and every
// id among its details' values (strings and lists of strings).
func refsOf(it Item) []string {
	var out []string
	add := func(s string) {
		// A changed custom field is listed as "fields.<field id>".
		s = strings.TrimPrefix(s, "fields.")
		if idPattern.MatchString(s) {
			out = append(out, s)
		}
	}
	add(it.ActorMemberID)
	add(it.ActorAccountID)
	add(it.TargetID)
	var d map[string]any
	if json.Unmarshal(it.Details, &d) == nil {
		for _, v := range d {
			switch v := v.(type) {
			case string:
				add(v)
			case []any:
				for _, x := range v {
					if s, ok := x.(string); ok {
						add(s)
					}
				}
			}
		}
	}
	return out
}

// nameItems fills in Names, ActorName and TargetName of items: one call
// to the namer for the whole page. An actor, or a person as target, who
// cannot be named any more (removed and erased, anonymized) is marked
// Former, so the log reads "former member" rather than a raw id.
func nameItems(ctx context.Context, n Namer, orgID string, items []Item) {
	if n == nil || len(items) == 0 {
		return
	}
	seen := map[string]bool{}
	var all []string
	for _, it := range items {
		for _, id := range refsOf(it) {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
	}
	names := n.AuditNames(ctx, orgID, all)
	for i := range items {
		it := &items[i]
		mine := map[string]string{}
		for _, id := range refsOf(*it) {
			if name, ok := names[id]; ok {
				mine[id] = name
			}
		}
		if len(mine) > 0 {
			it.Names = mine
		}
		switch {
		case names[it.ActorMemberID] != "":
			it.ActorName = names[it.ActorMemberID]
		case names[it.ActorAccountID] != "":
			it.ActorName = names[it.ActorAccountID]
		case it.ActorMemberID != "" || it.ActorAccountID != "":
			it.ActorFormer = true
		}
		if it.TargetID != "" {
			if name := names[it.TargetID]; name != "" {
				it.TargetName = name
			} else if it.TargetKind == "member" || it.TargetKind == "account" {
				it.TargetFormer = true
			}
		}
	}
}
