package privacy_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestBirthDateSetInSettingsGatesMinor: a person sets their birth date in
// their account settings; a minor's next request meets the guardian gate,
// they cannot type their way out of it, and the guardian's emailed link
// lifts it. An adult may correct their birth date freely.
func TestBirthDateSetInSettingsGatesMinor(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		kid := newPerson(t, env, identity.NewAccount{})
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK) // no birth date: no gate
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": "31/12/2015"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		minor := time.Now().AddDate(-10, 0, 0).Format("2006-01-02")
		var acc identity.Account
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": minor}, &acc).Want(t, http.StatusOK)
		if acc.BirthDate != minor {
			t.Fatalf("birth date after PATCH = %q", acc.BirthDate)
		}
		// At once, though the passing result was remembered a moment ago.
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "guardian_consent_required")
		kid.Do(t, "GET", "/api/v1/me", nil, &acc).Want(t, http.StatusOK)
		if acc.BirthDate != minor {
			t.Fatalf("birth date read back = %q", acc.BirthDate)
		}
		// The minor cannot lift the gate by changing the date.
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": "1990-01-01"}, nil).WantError(t, http.StatusForbidden, "birth_date_locked")
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": ""}, nil).WantError(t, http.StatusForbidden, "birth_date_locked")
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "guardian_consent_required")

		// The guardian follows the emailed link (the page is e2e/specs/04).
		kid.Do(t, "POST", "/api/v1/me/guardian-consent/request", map[string]any{"guardian_name": "Pat Parent", "guardian_email": "pat@example.test"}, nil).Want(t, http.StatusCreated)
		re := regexp.MustCompile(`(http://[^ "\\]+/guardian-consent)\?token=([0-9a-f]+)`)
		var m []string
		for i := 0; i < 300 && m == nil; i++ {
			m = re.FindStringSubmatch(env.Logs.String())
			time.Sleep(10 * time.Millisecond)
		}
		if m == nil {
			t.Fatal("no guardian link was mailed")
		}
		if m[1] != env.URL+"/guardian-consent" {
			t.Fatalf("the link points at %s", m[1])
		}
		anon := env.Client()
		anon.Do(t, "POST", "/api/v1/guardian-consents/"+m[2]+"/confirm", map[string]any{"guardian_name": "Pat Parent", "consent": true}, nil).Want(t, http.StatusNoContent)
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		var st privacy.GuardianStatus
		kid.Do(t, "GET", "/api/v1/me/guardian-consent", nil, &st).Want(t, http.StatusOK)
		if st.Required || st.Consent == nil {
			t.Fatalf("guardian status %+v", st)
		}
		// With the consent recorded, the date can be corrected again.
		kid.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": time.Now().AddDate(-11, 0, 0).Format("2006-01-02")}, nil).Want(t, http.StatusOK)

		adult := newPerson(t, env, identity.NewAccount{})
		adult.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": "1980-05-06"}, nil).Want(t, http.StatusOK)
		adult.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		adult.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": "1981-05-06"}, nil).Want(t, http.StatusOK)
		acc = identity.Account{}
		adult.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": ""}, &acc).Want(t, http.StatusOK)
		if acc.BirthDate != "" {
			t.Fatalf("birth date not removed: %q", acc.BirthDate)
		}
	})
}
