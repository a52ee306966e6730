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
