package drive

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HandleSave files a chat attachment in a drive folder.
func (c *ChatSaver) HandleSave(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SaveChatInput](w, r)
	if err != nil {
		return err
	}
	it, created, err := c.Save(r.Context(), in)
	if err != nil {
		return err
	}
	if !created {
		return httpx.OK(w, it)
	}
	return httpx.Created(w, it)
}
