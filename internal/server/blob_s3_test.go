package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/blob/blobtest"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestChatFilesOnS3: with --blob-url s3://bucket/prefix the server keeps
// file bodies in the bucket — sealed, as on disk — serves them back, and
// an erasure of the uploader removes them from the bucket (checked by
// listing it).
func TestChatFilesOnS3(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := blobtest.StartS3(t, "atrium-files")
			for k, v := range srv.Env() {
				t.Setenv(k, v)
			}
			env := servertest.StartWith(t, kind, servertest.Options{Configure: func(c *config.Config) { c.BlobURL = "s3://atrium-files/node-a" }})
			ctx := reqctx.CLI(context.Background())
			const pw = "correct horse battery"
			acc, err := env.App.Identity().CreateAccount(ctx, identity.NewAccount{Email: "files@example.com", Password: pw, Name: "Files"})
			if err != nil {
				t.Fatal(err)
			}
			c := env.Client()
			var lr identity.LoginResult
			c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "files@example.com", "password": pw, "bearer": true}, &lr).Want(t, http.StatusOK)
			c.Token = lr.Token

			body := strings.Repeat("CANARY the minutes of the meeting\n", 2000)
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/files?name=minutes.txt", strings.NewReader(body))
			req.Header.Set("Content-Type", "text/plain")
			r := c.Request(t, req).Want(t, http.StatusCreated)
			var f struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(r.Body, &f); err != nil || f.ID == "" {
				t.Fatalf("upload: %s", r.Body)
			}
			objs := srv.List(t, "node-a/")
			if len(objs) != 1 {
				t.Fatalf("bucket holds %v", objs)
			}
			if raw := srv.Get(t, "node-a/"+objs[0]); bytes.Contains(raw, []byte("CANARY")) || !bytes.HasPrefix(raw, []byte("ATRB")) {
				t.Fatal("the body is in the bucket in plaintext")
			}
			dl, _ := http.NewRequest("GET", env.URL+"/api/v1/files/"+f.ID+"/content", nil)
			got := c.Request(t, dl).Want(t, http.StatusOK)
			if string(got.Body) != body {
				t.Fatalf("downloaded %d bytes, not the body", len(got.Body))
			}
			rg, _ := http.NewRequest("GET", env.URL+"/api/v1/files/"+f.ID+"/content", nil)
			rg.Header.Set("Range", "bytes=10-29")
			if part := c.Request(t, rg).Want(t, http.StatusPartialContent); string(part.Body) != body[10:30] {
				t.Fatalf("range: %q", part.Body)
			}

			res, err := env.App.Server.Chat.Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount,
				Subject: datamap.Subject{AccountID: acc.ID}})
			if err != nil || res.Deleted["chat_files"] != 1 {
				t.Fatalf("erase: %+v %v", res, err)
			}
			// The bytes go once the erasure is committed.
			for _, after := range res.After {
				if err := after(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if objs := srv.List(t, "node-a/"); len(objs) != 0 {
				t.Fatalf("after erasure the bucket holds %v", objs)
			}
		})
	}
}

// TestTwoNodesShareFilesThroughS3: two servers on one PostgreSQL database
// and one bucket (the same master key, as a cluster has): a file uploaded
// through one node downloads through the other.
func TestTwoNodesShareFilesThroughS3(t *testing.T) {
	srv := blobtest.StartS3(t, "atrium-files")
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	pgURL := dbtest.NewPostgresURL(t)
	conf := func(c *config.Config) {
		c.BlobURL = "s3://atrium-files/cluster"
		c.MasterKey = base64.StdEncoding.EncodeToString(key)
	}
	a := servertest.StartWith(t, db.Postgres, servertest.Options{DatabaseURL: pgURL, Configure: conf})
	b := servertest.StartWith(t, db.Postgres, servertest.Options{DatabaseURL: pgURL, Configure: conf})
	const pw = "correct horse battery"
	if _, err := a.App.Identity().CreateAccount(reqctx.CLI(context.Background()), identity.NewAccount{Email: "nodes@example.com", Password: pw, Name: "Nodes"}); err != nil {
		t.Fatal(err)
	}
	var lr identity.LoginResult
	ca := a.Client()
	ca.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "nodes@example.com", "password": pw, "bearer": true}, &lr).Want(t, http.StatusOK)
	ca.Token = lr.Token
	req, _ := http.NewRequest("POST", a.URL+"/api/v1/files?name=plan.txt", strings.NewReader("the plan, shared by both nodes"))
	req.Header.Set("Content-Type", "text/plain")
	r := ca.Request(t, req).Want(t, http.StatusCreated)
	var f struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Body, &f); err != nil || f.ID == "" {
		t.Fatalf("upload: %s", r.Body)
	}
	cb := b.Client()
	cb.Token = lr.Token
	dl, _ := http.NewRequest("GET", b.URL+"/api/v1/files/"+f.ID+"/content", nil)
	if got := cb.Request(t, dl).Want(t, http.StatusOK); string(got.Body) != "the plan, shared by both nodes" {
		t.Fatalf("node b reads %q", got.Body)
	}
}
