package privacy

import (
	"fmt"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func whose(c datamap.Controller) string {
	switch c {
	case datamap.Person:
		return "you"
	case datamap.Organization:
		return "the organization"
	}
	return "the operator"
}

func erasureText(t datamap.Table) string {
	switch t.Erasure {
	case datamap.Delete:
		return "deleted"
	case datamap.Anonymize:
		return "anonymized (or deleted, as the organization's policy says)"
	}
	return "kept: " + t.Reason
}

// DataTable renders, from the data map, the table of docs/privacy.md that
// tells people what is held, whose it is, why, how long and what erasure
// does. TestPrivacyDocUpToDate keeps the document equal to it.
func DataTable() string {
	var b strings.Builder
	b.WriteString("| Data (table) | Whose | Why | Kinds of personal data | How long | When you erase |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, t := range datamap.All() {
		kinds := strings.Join(sqlmap.Categories(t), ", ")
		if kinds == "" {
			kinds = "none"
		}
		if t.Derived {
			kinds += " (derived, rebuilt from the source)"
		}
		if t.Transient {
			kinds += " (queued until sent, never in a backup)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", t.Name, whose(t.Controller), mdCell(t.Purpose), kinds,
			mdCell(RetentionText(t.Retention)), mdCell(erasureText(t)))
	}
	return b.String()
}

// RecordMarkdown renders the record of processing as Markdown.
func RecordMarkdown(r RecordOfProcessing) string {
	var b strings.Builder
	b.WriteString("# Record of processing\n\nGenerated from Atrium's data map: one line per table.\n\n")
	b.WriteString("| Table | Controller | Purpose | Categories | Data subjects (columns) | Recipients | Retention | Erasure |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, a := range r.Activities {
		er := a.Erasure
		if a.Reason != "" {
			er += ": " + a.Reason
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", a.Table, a.Controller, mdCell(a.Purpose),
			strings.Join(a.Categories, ", "), strings.Join(a.Subjects, ", "), mdCell(strings.Join(a.Recipients, "; ")), mdCell(a.Retention), mdCell(er))
	}
	return b.String()
}
