package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/config"
)

var update = flag.Bool("update", false, "rewrite the README's options table")

// TestReadmeOptions keeps the README's configuration table equal to the
// options table, so the documentation cannot drift from the code.
func TestReadmeOptions(t *testing.T) {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, o := range config.Options {
		def := "`" + o.Default + "`"
		if o.Default == "" {
			def = "(empty)"
		}
		env := "`" + o.Env() + "`"
		if o.Secret {
			env += " (or `" + o.Env() + "_FILE`)"
		}
		b.WriteString("| `--" + o.Name + "` | " + env + " | " + def + " | " + strings.ReplaceAll(o.Usage, "|", "\\|") + " |\n")
	}
	const begin, end = "<!-- options:begin", "<!-- options:end -->"
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the options markers")
	}
	i += strings.Index(s[i:], "-->") + len("-->\n")
	got := s[i:j]
	if got != b.String() {
		if *update {
			if err := os.WriteFile("../../README.md", []byte(s[:i]+b.String()+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Fatal("README.md's options table is out of date; run: go test ./cmd/atrium -run TestReadmeOptions -update")
	}
}

func TestServeHelpListsEveryOption(t *testing.T) {
	cmd := rootCmd()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"serve", "--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, o := range config.Options {
		if !strings.Contains(out.String(), "--"+o.Name) || !strings.Contains(out.String(), o.Env()) {
			t.Errorf("serve --help lacks %s / %s", o.Name, o.Env())
		}
		if o.Default != "" && !strings.Contains(out.String(), o.Default) {
			t.Errorf("serve --help lacks the default of %s", o.Name)
		}
	}
}
