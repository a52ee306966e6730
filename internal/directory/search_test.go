package directory

import "testing"

func TestPinyinOf(t *testing.T) {
	for _, c := range []struct{ in, full, initials string }{
		{"张三", "zhangsan", "zs"},
		{"王小明", "wangxiaoming", "wxm"},
		{"Anna Smith", "annasmith", "as"},
		{"李 Lee", "lilee", "ll"},
		{"", "", ""},
	} {
		f, i := pinyinOf(c.in)
		if f != c.full || i != c.initials {
			t.Errorf("pinyinOf(%q) = %q, %q; want %q, %q", c.in, f, i, c.full, c.initials)
		}
	}
}
