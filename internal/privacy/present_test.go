package privacy_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// internal finds what a person should not have to read: table names,
// column keys, raw ids and epoch milliseconds.
var internal = regexp.MustCompile(`\b(acc|org|mem|cnv|msg)_[0-9a-f]{32}\b|\b1[0-9]{12}\b|conversation_members|_id\b|_sealed\b|_hash\b`)

// TestInquiryAndExportReadAsAPage: "what is held about me" and the
// export's index.html speak the reader's language, group by data category
// once per kind of data, and name organizations and people, with dates.
func TestInquiryAndExportReadAsAPage(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xu Xin", Locale: "zh-CN"})
		o.join(t, x)
		var conv struct {
			ID string `json:"id"`
		}
		x.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Plans", "member_ids": []string{o.Owner.AccountID}}, &conv).Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "c1", "kind": "text", "body": "hello from Xu"}, nil).Want(t, http.StatusCreated)
		x.Do(t, "PUT", "/api/v1/contacts/"+o.Owner.AccountID, nil, nil)

		for _, lang := range []string{"zh", "en"} {
			var inq privacy.Inquiry
			r := x.Do(t, "GET", "/api/v1/me/data?lang="+lang, nil, &inq).Want(t, http.StatusOK)
			if inq.Language != lang || len(inq.Categories) == 0 {
				t.Fatalf("%s inquiry: %+v", lang, inq)
			}
			body := strings.ReplaceAll(string(r.Body), `"org_id":"`+o.ID+`"`, "")
			body = strings.ReplaceAll(body, `"account_id":"`+x.AccountID+`"`, "")
			if m := internal.FindString(body); m != "" {
				t.Errorf("%s inquiry shows %q: %s", lang, m, r.Body)
			}
			seen := map[string]bool{}
			acme := false
			for _, c := range inq.Categories {
				if c.Title == "" || c.Title == c.Category {
					t.Errorf("category %q has no title", c.Category)
				}
				for _, it := range c.Items {
					k := it.What + "|" + it.OrgID
					if seen[k] {
						t.Errorf("%s listed twice", k)
					}
					seen[k] = true
					acme = acme || it.Organization == "Acme"
				}
			}
			if !acme {
				t.Errorf("no item names the organization Acme: %s", r.Body)
			}
			want := map[string]string{"zh": "你的消息", "en": "Your messages"}[lang]
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("%s inquiry lacks %q: %s", lang, want, r.Body)
			}
			if lang == "zh" && !strings.Contains(string(r.Body), "联系方式") {
				t.Errorf("zh inquiry's categories are not in Chinese: %s", r.Body)
			}
		}

		// The export's page, in Xu's language (Chinese).
		_, _, html, _ := download(t, env, x)
		for _, want := range []string{`<html lang="zh">`, "你在 Atrium 中的数据", "Acme", "你的消息", "hello from Xu", "年", "(UTC)"} {
			if !strings.Contains(html, want) {
				t.Errorf("index.html lacks %q", want)
			}
		}
		if m := internal.FindString(html); m != "" {
			i := strings.Index(html, m)
			t.Errorf("index.html shows %q near %q", m, html[max(0, i-200):min(len(html), i+100)])
		}
	})
}
