package datamap

import "fmt"

// Shown reports whether t is shown to the person it is about: it holds
// personal data, names its subject, and is not a rebuildable index.
func (t Table) Shown() bool {
	return (len(t.Columns) > 0 || len(t.Files) > 0) && len(t.Subject) > 0 && !t.Derived
}

// CheckTexts returns what is missing, one sentence each, for the pages
// that show a person their data: every table shown to a person needs a
// Title in English and Chinese and a Why in Chinese, so that nobody reads
// a table's name instead.
func CheckTexts(tables []Table) []string {
	var out []string
	for _, t := range tables {
		if !t.Shown() {
			continue
		}
		if t.Title.En == "" || t.Title.Zh == "" {
			out = append(out, fmt.Sprintf("table %s holds personal data but has no English and Chinese Title", t.Name))
		}
		if t.Why.Zh == "" {
			out = append(out, fmt.Sprintf("table %s holds personal data but has no Chinese Why", t.Name))
		}
	}
	return out
}
