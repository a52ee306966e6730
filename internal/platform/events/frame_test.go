package events_test

import (
	"encoding/json"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/events"
)

// TestAppendStringMatchesEncodingJSON: frames spell strings exactly as
// encoding/json does, whether they take the plain-ASCII path or not.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "message.created", "cnv_01J9ZK", "a\"b", `a\b`, "<script>", "a&b", "tab\there", "\x00\x1f\x7f",
		"中文", "é", "\u2028\u2029", "\xff\xfe invalid", "emoji 😀"}
	for c := 0; c < 256; c++ {
		cases = append(cases, "x"+string(rune(c))+"y", "x"+string([]byte{byte(c)})+"y")
	}
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := events.AppendString([]byte("["), s); string(got) != "["+string(want) {
			t.Errorf("appendString(%q) = %s, want [%s", s, got, want)
		}
	}
}
