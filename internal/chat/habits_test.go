package chat_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Reactions take any one emoji — skin tones, flags, ZWJ sequences,
// keycaps — and refuse text with not_emoji.
func TestHTTPReactionsAnyEmoji(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		in := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID}})
		m := send(t, w.owner, in.ID, map[string]any{"body": "hi"}, http.StatusCreated)
		path := "/api/v1/conversations/" + in.ID + "/messages/" + m.ID + "/reactions/"
		good := []string{"👍🏽", "🇨🇳", "👨‍👩‍👧", "🏳️‍🌈", "1️⃣", "❤️"}
		for _, e := range good {
			w.bob.Do(t, "PUT", path+url.PathEscape(e), nil, nil).Want(t, http.StatusNoContent)
		}
		for _, e := range []string{"ok", "a", "<b>", "👍👍", "中"} {
			w.bob.Do(t, "PUT", path+url.PathEscape(e), nil, nil).WantError(t, http.StatusBadRequest, "not_emoji")
		}
		var got chat.Message
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m.ID, nil, &got).Want(t, http.StatusOK)
		if len(got.Reactions) != len(good) {
			t.Fatalf("reactions = %+v", got.Reactions)
		}
		for i, r := range got.Reactions {
			if r.Emoji != good[i] || r.Count != 1 || r.Mine {
				t.Fatalf("reaction %d = %+v, want %s", i, r, good[i])
			}
		}
	})
}
