package actor_test

import (
	"context"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

func TestCallerAndMember(t *testing.T) {
	none := context.Background()
	account := actor.With(none, &actor.Actor{AccountID: "acc_1"})
	member := actor.With(none, &actor.Actor{AccountID: "acc_1", OrgID: "org_1", MemberID: "mem_1"})
	for _, c := range []struct {
		name         string
		ctx          context.Context
		caller, memb string // the error codes of Caller and Member ("" for none)
	}{
		{"anonymous", none, "unauthenticated", "unauthenticated"},
		{"no account", actor.With(none, &actor.Actor{}), "unauthenticated", "unauthenticated"},
		{"no organization", account, "", "no_organization"},
		{"member", member, "", ""},
	} {
		a, err := actor.Caller(c.ctx)
		if code(err) != c.caller || (err == nil) != (a != nil) {
			t.Errorf("%s: Caller = %v, %v", c.name, a, err)
		}
		a, err = actor.Member(c.ctx)
		if code(err) != c.memb || (err == nil) != (a != nil) {
			t.Errorf("%s: Member = %v, %v", c.name, a, err)
		}
	}
	_, err := actor.Member(account)
	if apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("no organization is %v, want forbidden", apperr.KindOf(err))
	}
	_, err = actor.Caller(none)
	if apperr.KindOf(err) != apperr.KindUnauthenticated {
		t.Errorf("anonymous is %v, want unauthenticated", apperr.KindOf(err))
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}
