package chat

import (
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// errNotEmoji answers a reaction that is not one emoji.
var errNotEmoji = apperr.Invalid("not_emoji", "a reaction must be one emoji (for example 👍, 👍🏽, 🇨🇳 or 👨‍👩‍👧)").With("field", "emoji")

// isEmoji reports whether e is one emoji: a pictograph, optionally with a
// skin tone, a variation selector or tags, emoji joined by U+200D (ZWJ
// sequences), a flag (two regional indicators) or a keycap (0–9, # or *
// followed by U+FE0F U+20E3). Text, markup and spaces are refused.
func isEmoji(e string) bool {
	if e == "" || !utf8.ValidString(e) || utf8.RuneCountInString(e) > maxEmojiRunes {
		return false
	}
	rs := []rune(e)
	// A keycap: one base character, an optional U+FE0F, then U+20E3.
	if (rs[0] >= '0' && rs[0] <= '9') || rs[0] == '#' || rs[0] == '*' {
		return len(rs) == 2 && rs[1] == 0x20E3 || len(rs) == 3 && rs[1] == 0xFE0F && rs[2] == 0x20E3
	}
	regional := 0
	pictos := 0
	needBase := true // at the start and after a ZWJ, a pictograph must come
	for i, r := range rs {
		switch {
		case r >= 0x1F1E6 && r <= 0x1F1FF:
			regional++
			if !needBase && regional%2 == 1 {
				return false
			}
			needBase = false
		case pictographic(r):
			if !needBase {
				return false
			}
			pictos++
			needBase = false
		case r == 0x200D:
			if needBase || i == len(rs)-1 {
				return false
			}
			needBase = true
		case r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F) || r == 0x20E3:
			if needBase {
				return false
			}
		default:
			return false
		}
	}
	if regional > 0 {
		// A flag is exactly two regional indicators and nothing else.
		return regional == 2 && pictos == 0 && len(rs) == 2
	}
	return pictos > 0
}

// pictographic reports whether r is an emoji character (Unicode's
// Extended_Pictographic and Emoji_Presentation blocks, without the ASCII
// ones handled as keycaps).
func pictographic(r rune) bool {
	switch {
	case r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139,
		r >= 0x2194 && r <= 0x2199, r == 0x21A9, r == 0x21AA,
		r >= 0x231A && r <= 0x23FF, r == 0x24C2,
		r >= 0x25AA && r <= 0x25FE, r >= 0x2600 && r <= 0x27BF,
		r == 0x2934, r == 0x2935, r >= 0x2B05 && r <= 0x2B07, r >= 0x2B1B && r <= 0x2B1C,
		r == 0x2B50, r == 0x2B55, r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	case r >= 0x1F000 && r <= 0x1FAFF && !(r >= 0x1F1E6 && r <= 0x1F1FF) && !(r >= 0x1F3FB && r <= 0x1F3FF):
		return true
	}
	return false
}
