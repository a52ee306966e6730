package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// layoutBlock returns the code block under "## Layout" in CONTRIBUTING.md.
func layoutBlock(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "CONTRIBUTING.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## Layout")
	if i < 0 {
		t.Fatal("CONTRIBUTING.md has no \"## Layout\" section")
	}
	s = s[i:]
	start := strings.Index(s, "```\n")
	end := strings.Index(s[start+4:], "```")
	if start < 0 || end < 0 {
		t.Fatal("CONTRIBUTING.md's layout has no code block")
	}
	return s[start+4 : start+4+end]
}

// missingFromLayout lists the directories a newcomer would not find in the
// layout block: top-level directories, cmd/*, internal/* and
// internal/platform/* (written as an indented "name/" under the kernel).
func missingFromLayout(block string, dirs []string) []string {
	var out []string
	for _, d := range dirs {
		var re *regexp.Regexp
		if rest, ok := strings.CutPrefix(d, "internal/platform/"); ok {
			re = regexp.MustCompile(`(?m)^  (\S+/ )*` + regexp.QuoteMeta(rest) + `/`)
		} else {
			re = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(d) + `/`)
		}
		if !re.MatchString(block) {
			out = append(out, d)
		}
	}
	return out
}

// TestContributingLayout keeps CONTRIBUTING.md's layout true: a new
// package directory (or a top-level one) must be described there.
func TestContributingLayout(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, parent := range []string{".", "cmd", "internal", "internal/platform"} {
		entries, err := os.ReadDir(filepath.Join(root, parent))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, ".") || name == "bin" || name == "data" || name == "node_modules" {
				continue
			}
			if parent == "internal" && name == "platform" {
				dirs = append(dirs, "internal/platform")
				continue
			}
			dirs = append(dirs, filepath.ToSlash(filepath.Join(parent, name)))
		}
	}
	for _, d := range missingFromLayout(layoutBlock(t, root), dirs) {
		t.Errorf("CONTRIBUTING.md's layout does not describe %s/", d)
	}
	// The check can fail: a made-up directory is reported, described ones
	// are not.
	block := "internal/chat/   chat\ninternal/platform/\n  keyring/ datamap/   keys\n"
	got := missingFromLayout(block, []string{"internal/chat", "internal/platform/datamap", "internal/platform/keyring", "internal/calendar", "internal/platform/jobs"})
	if strings.Join(got, " ") != "internal/calendar internal/platform/jobs" {
		t.Errorf("missingFromLayout = %q, want the calendar and jobs directories", got)
	}
}
