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

func TestNameKeys(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Bob Wang 王博", " bobwangwangbo bwwb wangwangbo wwb wangbo wb bo b"},
		{"张三", " zhangsan zs san s"},
		{"A", " a"},
		{"--", " "},
		{"", " "},
	} {
		if got := nameKeys(c.in); got != c.want {
			t.Errorf("nameKeys(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
