// Package datamap is the registry of every table Atrium stores: whose data
// it is (the controller), which columns name the person a row is about, which
// columns hold personal data and of what category, how long it is kept, and
// what erasure does to it. Export, erasure, retention, the inquiry API and
// the record of processing are computed from this map, and a test fails when
// a table or column of the schema is missing from it.
//
// Each domain registers its tables from an init function in its datamap.go,
// and implements the privacy contract (contract.go) for them.
package datamap

import (
	"fmt"
	"sort"
	"sync"
)

// Controller says who decides about the data in a table.
type Controller string

// Controllers.
const (
	Person       Controller = "person"       // the person the data is about
	Organization Controller = "organization" // the organization (company data)
	System       Controller = "system"       // the operator: technical data with no person in it
)

// Category classifies personal data.
type Category string

// Data categories.
const (
	Identifier  Category = "identifier"  // ids that link a row to a person
	Contact     Category = "contact"     // email, phone
	Profile     Category = "profile"     // names, titles, avatars, custom fields
	Content     Category = "content"     // messages, files, documents the person wrote
	Location    Category = "location"    // positions, addresses, IPs used as location
	Biometric   Category = "biometric"   // face or fingerprint data
	Health      Category = "health"      // health information
	Credentials Category = "credentials" // password hashes, secrets, tokens
	Logs        Category = "logs"        // login history, audit, technical logs
	Settings    Category = "settings"    // preferences and privacy settings
	Consent     Category = "consent"     // consents and policy acceptances
)

// Erasure says what erasing a person does to their rows in a table.
type Erasure string

// Erasure actions.
const (
	Delete    Erasure = "delete"    // the rows are deleted
	Anonymize Erasure = "anonymize" // the rows stay with personal columns cleared or replaced
	Keep      Erasure = "keep"      // the rows stay (Reason says why: legal duty, others' data, …)
)

// Table describes one table.
type Table struct {
	Name       string
	Controller Controller
	// Purpose says why the data is held, in words a person understands.
	Purpose string
	// Title names what the table holds as the person it is about would say
	// it ("Your messages"), in English and Chinese, on the pages that show
	// a person their data (what is held about me, the export's index).
	Title Text
	// Why says why the data is held on those pages: always in Chinese, and
	// in English only where Purpose, written for the record of processing,
	// does not read well to a person (Purpose is the English otherwise).
	Why Text
	// Subject lists the columns that name the account or member a row is
	// about (e.g. "account_id", "sender_id"). Empty for system tables.
	Subject []string
	// Columns classifies every column that holds personal data. Columns not
	// listed here must be listed in Technical.
	Columns map[string]Category
	// Technical lists the remaining columns (ids, timestamps, flags) that
	// hold no personal data by themselves.
	Technical []string
	// Retention names the retention class ("account", "messages.direct",
	// "login_history", …) or "" for "as long as the object exists".
	Retention string
	// Erasure and Reason say what erasing a person does here.
	Erasure Erasure
	Reason  string
	// Derived marks rebuildable data (search indexes): left out of backups,
	// rebuilt rather than exported.
	Derived bool
	// Transient marks a queue of work in flight whose rows live seconds to
	// hours and name people in the clear (the email outbox): left out of
	// backups, so that a backup holds no such copy. What is still queued
	// when a backup is taken is not done again after a restore.
	Transient bool
	// Files lists the columns that hold file-store keys: the files they
	// name are personal data too, exported and erased with the row.
	Files []string
	// Sealed says, per sealed column (one of Columns, or of Technical for
	// an organization's own data that is about no person, such as its
	// department names), how its values were
	// sealed (platform/keyring), so that export can open them and the
	// record of processing can say what is encrypted with whose key.
	Sealed map[string]Seal
}

// Text is words for people, in English and Chinese.
type Text struct {
	En string
	Zh string
}

// Seal describes a sealed column: a value opens with the data key of its
// owner and the associated data AAD + the row's id (or AADColumn's value).
type Seal struct {
	// AAD is the associated-data prefix the row id follows, e.g.
	// "messages.content:". Empty when AADColumn holds the whole AAD.
	AAD string
	// AADColumn names the column holding the whole associated data
	// (event_log.sealed_aad), when it is not AAD + id.
	AADColumn string
	// IDColumn names the column AAD is followed by, when it is not "id"
	// (audit_log's "seq").
	IDColumn string
	// OwnerColumn names the column holding the owner whose key sealed the
	// value ("acc_…" or "org_…"), e.g. "content_key", or "id" for a
	// person's own row.
	OwnerColumn string
	// Owner explains whose key it is, for people reading the map.
	Owner string
}

var (
	mu     sync.RWMutex
	tables = map[string]Table{}
)

// Register adds t to the map. It panics on a duplicate or an incomplete
// entry, so mistakes surface at start-up and in every test.
func Register(t Table) {
	if t.Name == "" || t.Controller == "" || t.Erasure == "" || t.Purpose == "" {
		panic(fmt.Sprintf("datamap: table %q needs Name, Controller, Purpose and Erasure", t.Name))
	}
	if t.Erasure == Keep && t.Reason == "" {
		panic(fmt.Sprintf("datamap: table %q keeps data on erasure without a Reason", t.Name))
	}
	for col, sl := range t.Sealed {
		if !t.Classified(col) {
			panic(fmt.Sprintf("datamap: table %q seals %q, which is not one of its columns", t.Name, col))
		}
		if (sl.AAD == "") == (sl.AADColumn == "") || sl.Owner == "" {
			panic(fmt.Sprintf("datamap: table %q: sealed column %q needs one of AAD and AADColumn, and Owner", t.Name, col))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := tables[t.Name]; dup {
		panic(fmt.Sprintf("datamap: table %q registered twice", t.Name))
	}
	tables[t.Name] = t
}

// Lookup returns the entry of a table.
func Lookup(name string) (Table, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := tables[name]
	return t, ok
}

// All returns every registered table, sorted by name.
func All() []Table {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Table, 0, len(tables))
	for _, t := range tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Classified reports whether column is described by t (personal or technical).
func (t Table) Classified(column string) bool {
	if _, ok := t.Columns[column]; ok {
		return true
	}
	for _, c := range t.Technical {
		if c == column {
			return true
		}
	}
	return false
}
