package directory

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

var pinyinArgs = pinyin.NewArgs() // tone-less, lower case

// pinyinOf returns the search keys of a name: its full pinyin ("zhangsan"
// for 张三, "annasmith" for Anna Smith) and its initials ("zs", "as").
// Latin letters and digits are kept in lower case; other characters are
// dropped. The full pinyin is also the directory's sort key.
func pinyinOf(name string) (full, initials string) {
	var f, in strings.Builder
	wordStart := true
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			py := pinyin.SinglePinyin(r, pinyinArgs)
			if len(py) > 0 && py[0] != "" {
				f.WriteString(py[0])
				in.WriteByte(py[0][0])
			}
			wordStart = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			lr := unicode.ToLower(r)
			f.WriteRune(lr)
			if wordStart {
				in.WriteRune(lr)
			}
			wordStart = false
		default:
			wordStart = true
		}
	}
	return f.String(), in.String()
}

// nameKeys returns the any-word search keys of a name: from each word on
// (a Latin word or a single Han character), the rest of the name's full
// pinyin and of its initials, each key after a space, so that a query
// matches when it starts at any word: "wangbo" and "wb" find "Bob Wang
// 王博" as "bob" and "bw" do. Keys are deduplicated; the order is stable.
// A name without letters or digits has the single key " ", which no query
// matches (and which marks the entry as indexed).
func nameKeys(name string) string {
	type word struct{ full, initial string }
	var words []word
	inWord := false
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			if py := pinyin.SinglePinyin(r, pinyinArgs); len(py) > 0 && py[0] != "" {
				words = append(words, word{py[0], py[0][:1]})
			}
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			lr := string(unicode.ToLower(r))
			if inWord {
				words[len(words)-1].full += lr
			} else {
				words = append(words, word{lr, lr})
			}
			inWord = true
		default:
			inWord = false
		}
	}
	var b strings.Builder
	seen := make(map[string]bool, 2*len(words))
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			b.WriteByte(' ')
			b.WriteString(k)
		}
	}
	for i := range words {
		var full, initials strings.Builder
		for _, w := range words[i:] {
			full.WriteString(w.full)
			initials.WriteString(w.initial)
		}
		add(full.String())
		add(initials.String())
	}
	if b.Len() == 0 {
		return " "
	}
	return b.String()
}
