package chat

import "testing"

func TestIsEmoji(t *testing.T) {
	good := []string{"👍", "👍🏽", "❤️", "🇨🇳", "🇺🇸", "👨‍👩‍👧", "🏳️‍🌈", "🧑🏿‍💻", "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "✅", "☺", "🫶"}
	for _, e := range good {
		if !isEmoji(e) {
			t.Errorf("isEmoji(%q) = false, want true", e)
		}
	}
	bad := []string{"", "a", "ok", "1", "👍 ", " 👍", "👍a", "<b>", "🏽", "\u200d👍", "👍\u200d", "\ufe0f", "🇨", "🇨🇳🇺", "👍👍", "中", "&amp;", "👍/"}
	for _, e := range bad {
		if isEmoji(e) {
			t.Errorf("isEmoji(%q) = true, want false", e)
		}
	}
}
