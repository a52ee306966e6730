package datamap

import (
	"fmt"
	"slices"
	"sort"
)

// Coverage says what a contract does with one of its tables: which
// personal columns it exports, which it erases (deletes, clears or
// replaces), and which file-key columns' files it exports and erases.
type Coverage struct {
	Table    string
	Exported []string
	Erased   []string
	Files    []string
}

// CheckCoverage holds contracts to the data map and returns what is wrong,
// one sentence each, sorted: a registered table with personal data or
// files that no contract owns (or that two own), a table a contract owns
// that is not registered, a personal column a contract does not export, or
// does not erase although the map says erasure deletes or anonymizes it,
// and a file kind whose files are not exported and erased. Derived tables
// (search indexes) are rebuilt from their source and need no owner. A
// table whose rows name no subject cannot be exported or erased per
// person: it must be short-lived (a retention class).
func CheckCoverage(tables []Table, contracts []Contract) []string {
	var out []string
	owner := map[string]int{}
	cov := map[string]Coverage{}
	for i, c := range contracts {
		for _, t := range c.Tables() {
			if prev, dup := owner[t]; dup && prev != i {
				out = append(out, fmt.Sprintf("table %s is owned by two contracts", t))
			}
			owner[t] = i
		}
		for _, cv := range c.Coverage() {
			cov[cv.Table] = cv
		}
	}
	registered := map[string]bool{}
	for _, t := range tables {
		registered[t.Name] = true
		personal := len(t.Columns) > 0 || len(t.Files) > 0
		if t.Derived || !personal {
			continue
		}
		if _, ok := owner[t.Name]; !ok {
			out = append(out, fmt.Sprintf("table %s holds personal data but no domain's contract owns it", t.Name))
			continue
		}
		if len(t.Subject) == 0 && len(t.Files) == 0 {
			// Rows that name no person (an email waiting in the outbox, a
			// rate-limit counter) cannot be found per person: they must be
			// short-lived, swept by a retention class.
			if t.Retention == "" {
				out = append(out, fmt.Sprintf("table %s holds personal data, names no subject and has no retention class", t.Name))
			}
			continue
		}
		cv := cov[t.Name]
		cols := make([]string, 0, len(t.Columns))
		for c := range t.Columns {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		for _, c := range cols {
			if !slices.Contains(cv.Exported, c) {
				out = append(out, fmt.Sprintf("%s.%s (%s) is not exported by its contract", t.Name, c, t.Columns[c]))
			}
			if t.Erasure != Keep && !slices.Contains(cv.Erased, c) {
				out = append(out, fmt.Sprintf("%s.%s (%s) is not erased by its contract", t.Name, c, t.Columns[c]))
			}
		}
		for _, f := range t.Files {
			if !slices.Contains(cv.Files, f) {
				out = append(out, fmt.Sprintf("files in %s.%s are not exported and erased by its contract", t.Name, f))
			}
		}
	}
	for t := range owner {
		if !registered[t] {
			out = append(out, fmt.Sprintf("a contract owns table %s, which the data map does not register", t))
		}
	}
	sort.Strings(out)
	return out
}
