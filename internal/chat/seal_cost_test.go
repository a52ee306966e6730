package chat

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// fragmentSamples are texts whose JSON encoding has every kind of escape.
var fragmentSamples = []string{
	"",
	"plain words",
	"<p>a <b>bold</b> &amp; \"quoted\" \\ back</p>\n",
	"tabs\tand\rreturns\nand\bbell\fform\x00nul\x1fus\x7fdel",
	"中文 會議紀要 emoji 🎉 and ünïcödé",
	"line\u2028separator\u2029paragraph",
	"invalid \xff\xfe utf-8 \xe2\x28\xa1 and a lone \xc3",
	"ends with escape <",
	strings.Repeat("x", 5000) + "&",
}

// TestFragmentMatchesEncodingJSON checks that the hand-written encoding of
// sealed content is byte for byte what encoding/json writes, so that
// sealed values, events and readers are the same as before.
func TestFragmentMatchesEncodingJSON(t *testing.T) {
	check := func(c sealedContent) {
		t.Helper()
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.fragment(); string(got) != string(want[1:len(want)-1]) {
			t.Fatalf("fragment of %+v:\n got %s\nwant %s", c, got, want[1:len(want)-1])
		}
		back, err := parseFragment(c.fragment())
		if err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(c.Body) && utf8.ValidString(c.HTML) && (back.Body != c.Body || back.HTML != c.HTML) {
			t.Fatalf("round trip of %+v gave %+v", c, back)
		}
	}
	for _, body := range fragmentSamples {
		for _, html := range fragmentSamples {
			check(sealedContent{Body: body, HTML: html})
		}
		check(sealedContent{Body: body, Attachment: &Attachment{Name: body, URL: "https://example.com/?a=1&b=<2>", Title: body}})
	}
}

func FuzzFragment(f *testing.F) {
	for _, s := range fragmentSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := sealedContent{Body: s, HTML: s}
		want, _ := json.Marshal(c)
		if got := c.fragment(); string(got) != string(want[1:len(want)-1]) {
			t.Fatalf("fragment of %q:\n got %s\nwant %s", s, got, want[1:len(want)-1])
		}
	})
}

// countingSealer counts the keyring calls of the code under test.
type countingSealer struct {
	Sealer
	seals, opens atomic.Int64
}

func (c *countingSealer) Seal(ctx context.Context, owner, aad string, pt []byte) ([]byte, error) {
	c.seals.Add(1)
	return c.Sealer.Seal(ctx, owner, aad, pt)
}

func (c *countingSealer) Open(ctx context.Context, owner, aad string, box []byte) ([]byte, error) {
	c.opens.Add(1)
	return c.Sealer.Open(ctx, owner, aad, box)
}

// TestSendSealsOnce guards the cost of sealing on the send path: a text
// message costs one seal (row and event share the sealed value) and no
// open, and the key comes from the keyring's cache.
func TestSendSealsOnce(t *testing.T) {
	for _, k := range dbtest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			f := newFixture(t, dbtest.Open(t, k))
			alice, bob := acc(), acc()
			f.dir.befriend(alice, bob)
			A := as(alice, "")
			c := f.create(A, KindGeneral, "g", bob)
			if _, _, err := f.s.Send(A, c.ID, SendInput{ClientMsgID: "warm", Body: "first"}); err != nil {
				t.Fatal(err)
			}
			cs := &countingSealer{Sealer: f.s.Sealer}
			f.s.Sealer = cs
			m, created, err := f.s.Send(A, c.ID, SendInput{ClientMsgID: "c1", Body: "hello **there**"})
			if err != nil || !created {
				t.Fatal(created, err)
			}
			if n, o := cs.seals.Load(), cs.opens.Load(); n != 1 || o != 0 {
				t.Fatalf("a send sealed %d times and opened %d times, want 1 and 0", n, o)
			}
			if m.Body != "hello **there**" || !strings.Contains(m.HTML, "<strong>there</strong>") {
				t.Fatalf("sent message %+v", m)
			}
			h, err := f.s.History(A, c.ID, HistoryQuery{Limit: 10})
			if err != nil || len(h.Items) != 2 {
				t.Fatal(len(h.Items), err)
			}
			for _, it := range h.Items {
				if it.Body == "" || it.ContentErased {
					t.Fatalf("history item %+v", it)
				}
			}
		})
	}
}

// viaJSON is parseFragment without its hand-written reader.
func viaJSON(b []byte) (sealedContent, error) {
	var c sealedContent
	err := json.Unmarshal(append(append([]byte{'{'}, b...), '}'), &c)
	return c, err
}

// TestParseFragmentMatchesEncodingJSON checks that the hand-written reader
// of sealed content reads what encoding/json reads, and declines
// everything else.
func TestParseFragmentMatchesEncodingJSON(t *testing.T) {
	var frags [][]byte
	for _, body := range fragmentSamples {
		for _, html := range fragmentSamples {
			frags = append(frags, sealedContent{Body: body, HTML: html}.fragment())
		}
	}
	frags = append(frags,
		[]byte(`"body":"a\/b \u00e9 \uD83D\uDE00 \"q\"","html":"x"`),
		[]byte(`"body":"","html":""`),
		[]byte(`"body":"a","html":"b","attachment":{"name":"n"}`),
		[]byte(`"html":"b","body":"a"`),
		[]byte(`"body":"a\x","html":"b"`),
		[]byte(`"body":"a`),
		[]byte("\"body\":\"raw\ttab\",\"html\":\"b\""),
	)
	for _, b := range frags {
		checkParse(t, b)
	}
	c, ok := parseTextFragment(sealedContent{Body: "<b>", HTML: "<p>&lt;b&gt;</p>\n"}.fragment())
	if !ok || c.Body != "<b>" || c.HTML != "<p>&lt;b&gt;</p>\n" {
		t.Fatalf("the usual form was not read by hand: %+v %v", c, ok)
	}
}

func checkParse(t *testing.T, b []byte) {
	t.Helper()
	want, werr := viaJSON(b)
	got, err := parseFragment(b)
	if (err == nil) != (werr == nil) {
		t.Fatalf("parse %q: err %v, encoding/json %v", b, err, werr)
	}
	if err == nil && (got.Body != want.Body || got.HTML != want.HTML || (got.Attachment == nil) != (want.Attachment == nil)) {
		t.Fatalf("parse %q:\n got %+v\nwant %+v", b, got, want)
	}
}

func FuzzParseFragment(f *testing.F) {
	for _, s := range fragmentSamples {
		f.Add(sealedContent{Body: s, HTML: s}.fragment())
	}
	f.Add([]byte(`"body":"\u0041\n","html":"\ud800"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, ok := parseTextFragment(b); ok {
			checkParse(t, b)
		}
	})
}
