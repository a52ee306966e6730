package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/platform/config"
)

var update = flag.Bool("update", false, "rewrite the README's options and commands tables")

// TestReadmeOptions keeps the README's configuration table equal to the
// options table, so the documentation cannot drift from the code.
func TestReadmeOptions(t *testing.T) {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, o := range config.Options {
		if o.Hidden {
			continue
		}
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
	updateReadmeBlock(t, "options", b.String(), "TestReadmeOptions")
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
		if o.Hidden {
			if strings.Contains(out.String(), "--"+o.Name) {
				t.Errorf("serve --help shows the test-only %s", o.Name)
			}
			continue
		}
		if !strings.Contains(out.String(), "--"+o.Name) || !strings.Contains(out.String(), o.Env()) {
			t.Errorf("serve --help lacks %s / %s", o.Name, o.Env())
		}
		if o.Default != "" && !strings.Contains(out.String(), o.Default) {
			t.Errorf("serve --help lacks the default of %s", o.Name)
		}
	}
}

// TestReadmeCommands keeps the README's command table equal to the
// commands the binary has: a command added, renamed or removed in cobra
// fails here until the README says so.
func TestReadmeCommands(t *testing.T) {
	var b strings.Builder
	b.WriteString("| command | what it does |\n|---|---|\n")
	var walk func(c *cobra.Command, parent string)
	walk = func(c *cobra.Command, parent string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			line := parent + " " + sub.Use
			if sub.Runnable() {
				b.WriteString("| `" + strings.ReplaceAll(line, "|", "\\|") + "` | " + strings.ReplaceAll(sub.Short, "|", "\\|") + " |\n")
			}
			walk(sub, parent+" "+sub.Name())
		}
	}
	walk(rootCmd(), "atrium")
	updateReadmeBlock(t, "commands", b.String(), "TestReadmeCommands")
}

// updateReadmeBlock checks (or, with -update, rewrites) the README text
// between <!-- name:begin … --> and <!-- name:end -->.
func updateReadmeBlock(t *testing.T, name, want, test string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin", "<!-- "+name+":end -->"
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %s markers", name)
	}
	i += strings.Index(s[i:], "-->") + len("-->\n")
	if s[i:j] == want {
		return
	}
	if *update {
		if err := os.WriteFile("../../README.md", []byte(s[:i]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("README.md's %s table is out of date; run: go test ./cmd/atrium -run %s -update", name, test)
}
