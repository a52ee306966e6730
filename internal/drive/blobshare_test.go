package drive_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// fileStore is a look at what a server's file store holds: its objects'
// names and sizes.
type fileStore func(t *testing.T) map[string]int

// keys lists a store's object names, sorted.
func (f fileStore) keys(t *testing.T) []string {
	var ks []string
	for k := range f(t) {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// total sums a store's bytes.
func (f fileStore) total(t *testing.T) int {
	n := 0
	for _, s := range f(t) {
		n += s
	}
	return n
}

// eachStore runs fn on a server of each database with its file store in
// the data directory and in an S3 bucket (a real S3 server on loopback).
func eachStore(t *testing.T, fn func(t *testing.T, env *servertest.Env, store fileStore)) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind)+"/local", func(t *testing.T) {
			env := servertest.Start(t, kind)
			dir := filepath.Join(env.App.Cfg.DataDir, "blobs")
			fn(t, env, func(t *testing.T) map[string]int {
				out := map[string]int{}
				filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
					if err == nil && !fi.IsDir() && filepath.Base(filepath.Dir(p)) != "tmp" {
						out[fi.Name()] = int(fi.Size())
					}
					return nil
				})
				return out
			})
		})
		t.Run(string(kind)+"/s3", func(t *testing.T) {
			srv := blobtest.StartS3(t, "atrium-drive")
			for k, v := range srv.Env() {
				t.Setenv(k, v)
			}
			env := servertest.StartWith(t, kind, servertest.Options{Configure: func(c *config.Config) { c.BlobURL = "s3://atrium-drive/node" }})
			fn(t, env, func(t *testing.T) map[string]int {
				out := map[string]int{}
				for _, k := range srv.List(t, "node/") {
					out[k] = len(srv.Get(t, "node/"+k))
				}
				return out
			})
		})
	}
}

// sendFile uploads a chat attachment as from and sends it to to in a
// direct conversation; it returns the file's and the message's ids.
func sendFile(t *testing.T, from, to *person, name string, body []byte) (fileID, convID, msgID string) {
	t.Helper()
	fileID = chatFile(t, from, name, body)
	var conv chat.Conversation
	from.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{to.ID}}, &conv).Want(t, http.StatusCreated)
	var m chat.Message
	from.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"kind": "file", "file_id": fileID,
		"client_msg_id": fmt.Sprint("bs", seq.Add(1))}, &m).Want(t, http.StatusCreated)
	return fileID, conv.ID, m.ID
}

// eraseChat erases a person's chat data as their leaving an organization
// whose policy deletes what they posted does, and destroys their key.
func eraseChat(t *testing.T, env *servertest.Env, w *world, p *person) {
	t.Helper()
	ctx := context.Background()
	res, err := env.App.Server.Chat.Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: datamap.Subject{AccountID: p.ID},
		OrgID: w.orgID, MemberID: p.MemberID, Mode: datamap.ModeDelete, Tombstone: "tmb_gone"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted["chat_files"] == 0 {
		t.Fatalf("the erasure deleted no chat file: %+v", res.Deleted)
	}
	for _, after := range res.After {
		if err := after(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.App.Keyring.Destroy(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
}

// eraseDrive erases a person's membership from the drive: their personal
// space goes.
func eraseDrive(t *testing.T, env *servertest.Env, w *world, p *person) {
	t.Helper()
	ctx := context.Background()
	var out datamap.Erased
	if err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		out, err = env.App.Drive().Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: datamap.Subject{AccountID: p.ID},
			OrgID: w.orgID, MemberID: p.MemberID, Mode: datamap.ModeAnonymize, Tombstone: "tmb_former"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, fn := range out.After {
		if err := fn(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func randomBody(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestSaveChatAttachmentSharesBytes: saving a chat attachment to the drive
// writes no body bytes (one link object of a few hundred bytes); the saved
// file stays readable when the message is deleted and when the uploader
// is erased (their key destroyed); the bytes go only when the chat's file
// and every drive file referring to them are gone, in either order, and
// erasing the saver's personal space deletes what only the saver
// referred to — on the local store and on S3, on both databases.
func TestSaveChatAttachmentSharesBytes(t *testing.T) {
	eachStore(t, func(t *testing.T, env *servertest.Env, store fileStore) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		carol := w.member(t, "Carol")
		bobs := mySpace(t, bob)
		docs := folder(t, bob, bobs.RootID, "Docs")
		baseline := store.keys(t)

		a := randomBody(300_000)
		afid, aconv, amsg := sendFile(t, ann, bob, "a.bin", a)
		c := randomBody(70_000)
		cfid, _, _ := sendFile(t, carol, bob, "c.bin", c)
		objects, size := len(store.keys(t)), store.total(t)

		// Saving writes one small link per save, no body bytes.
		var a1, a2, c1 drive.Item
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": afid, "parent_id": bobs.RootID}, &a1).Want(t, http.StatusCreated)
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": afid, "parent_id": docs.ID}, &a2).Want(t, http.StatusCreated)
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": cfid, "parent_id": bobs.RootID}, &c1).Want(t, http.StatusCreated)
		if n, s := len(store.keys(t)), store.total(t); n != objects+3 || s-size > 3*256 {
			t.Fatalf("three saves stored %d objects and %d bytes", n-objects, s-size)
		}
		if a1.Size != int64(len(a)) || a1.SHA256 == "" || a1.Name != "a.bin" {
			t.Fatalf("saved: %+v", a1)
		}
		readable := func(p *person, it drive.Item, want []byte) {
			t.Helper()
			if got := download(t, p, it.ID, nil).Want(t, http.StatusOK).Body; !bytes.Equal(got, want) {
				t.Fatalf("%s reads %d bytes, not the body", it.Name, len(got))
			}
		}
		readable(bob, a1, a)
		readable(bob, a2, a)
		readable(bob, c1, c)
		if got := download(t, bob, a1.ID, map[string]string{"Range": "bytes=100000-100099"}).Want(t, http.StatusPartialContent).Body; !bytes.Equal(got, a[100000:100100]) {
			t.Fatal("ranged read of a saved attachment")
		}

		// The message deleted, the uploader erased (her key destroyed):
		// Bob's copies read on; the chunks stay for them.
		ann.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": aconv, "message_id": amsg, "for_everyone": true}, nil).Want(t, http.StatusOK)
		readable(bob, a1, a)
		eraseChat(t, env, w, ann)
		readable(bob, a1, a)
		readable(bob, a2, a)
		if n := len(store.keys(t)); n != objects+3 {
			t.Fatalf("after the uploader's erasure the store holds %d objects, want %d", n, objects+3)
		}

		// Bob deletes one copy for good: its link goes, the chunks stay
		// for the other.
		bob.Do(t, "DELETE", "/api/v1/drive/items/"+a2.ID, nil, nil).Want(t, http.StatusNoContent)
		bob.Do(t, "DELETE", "/api/v1/drive/items/"+a2.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		readable(bob, a1, a)
		if n := len(store.keys(t)); n != objects+2 {
			t.Fatalf("after deleting a copy the store holds %d objects, want %d", n, objects+2)
		}

		// Erasing Bob's personal space deletes what only he referred to
		// (Ann's attachment); Carol's stays for her chat.
		eraseDrive(t, env, w, bob)
		if n := len(store.keys(t)); n != len(baseline)+1 {
			for k, s := range store(t) {
				var n int
				env.App.DB.Reader().QueryRow(`SELECT refs FROM blob_refs WHERE blob_key = $1`, k).Scan(&n)
				t.Logf("%s %d refs %d", k, s, n)
			}
			t.Fatalf("after the saver's erasure the store holds %v (baseline %v)", store.keys(t), baseline)
		}
		if got := raw(t, carol, "GET", "/api/v1/files/"+cfid+"/content", nil, nil).Want(t, http.StatusOK).Body; !bytes.Equal(got, c) {
			t.Fatal("Carol's attachment after the saver's erasure")
		}
		// The chat's file goes last: nothing is left.
		eraseChat(t, env, w, carol)
		if got := store.keys(t); !slices.Equal(got, baseline) {
			t.Fatalf("the store holds %v, baseline %v", got, baseline)
		}
	})
}
