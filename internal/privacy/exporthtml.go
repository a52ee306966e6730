package privacy

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
)

//go:embed templates/export.html
var templatesFS embed.FS

var exportTmpl = template.Must(template.New("export.html").Funcs(template.FuncMap{
	"time": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC") },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"columns": func(rows []Row) []string {
		seen := map[string]bool{}
		var out []string
		for _, r := range rows {
			for k := range r {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
		sort.Strings(out)
		return out
	},
	"rows": rowsHTML,
}).ParseFS(templatesFS, "templates/export.html"))

// RenderExportHTML writes the offline, script-free view of an export.
func RenderExportHTML(w io.Writer, data ExportData) error {
	return exportTmpl.Execute(w, data)
}

// rowsHTML renders the rows of a section as escaped table rows. It is a
// function rather than a nested template range because a section may hold
// a hundred thousand rows.
func rowsHTML(rows []Row, cols []string) template.HTML {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range cols {
			b.WriteString("<td>")
			b.WriteString(template.HTMLEscapeString(cellText(r[c])))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	default:
		return fmt.Sprint(v)
	}
}
