package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/server"
)

// seedConfig says where and what to seed.
type seedConfig struct {
	DataDir     string
	DatabaseURL string
	Members     int
	Log         *slog.Logger
}

// fixture is what the load needs: a bearer token per member (member 0 is
// the owner), then the group conversations and their members (indexes into
// Tokens).
type fixture struct {
	OrgID       string
	AccountIDs  []string
	Tokens      []string
	ConvIDs     []string
	ConvMembers [][]int
	// SendPath is the send route with %s for the conversation id.
	SendPath string
}

// seed creates, directly through the services on the server's database,
// an organization with c.Members members and a bearer session for each.
// (Accounts cannot be created over the API without email codes.)
func seed(ctx context.Context, c seedConfig) (*fixture, error) {
	cfg, err := config.Load(nil, nil)
	if err != nil {
		return nil, err
	}
	cfg.DataDir, cfg.DatabaseURL, cfg.LogLevel = c.DataDir, c.DatabaseURL, "warn"
	app, err := server.Build(ctx, cfg, c.Log, io.Discard)
	if err != nil {
		return nil, err
	}
	defer app.Close()
	id, dir := app.Identity(), app.Directory()
	if id == nil || dir == nil {
		return nil, fmt.Errorf("identity and directory must be wired")
	}
	fx := &fixture{AccountIDs: make([]string, c.Members), Tokens: make([]string, c.Members)}
	// The accounts have no password (sessions are started directly): with
	// one, hashing it would dominate seeding 10,000 members.
	errs := make(chan error, c.Members)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < c.Members; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			acc, err := id.CreateAccount(ctx, identity.NewAccount{Email: fmt.Sprintf("load%d@load.test", i), Name: fmt.Sprintf("Load Member %d", i)})
			if err != nil {
				errs <- fmt.Errorf("account %d: %w", i, err)
				return
			}
			fx.AccountIDs[i] = acc.ID
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	owner := fx.AccountIDs[0]
	o, err := dir.CreateOrg(actor.With(ctx, &actor.Actor{AccountID: owner, Via: actor.ViaBearer}), directory.CreateOrgRequest{Name: "Load Test"})
	if err != nil {
		return nil, fmt.Errorf("create org: %w", err)
	}
	fx.OrgID = o.ID
	om, err := dir.ResolveMember(ctx, owner, o.ID)
	if err != nil {
		return nil, err
	}
	octx := actor.With(ctx, &actor.Actor{AccountID: owner, OrgID: o.ID, MemberID: om, Via: actor.ViaBearer})
	for i := 1; i < c.Members; i++ {
		inv, err := dir.AddMember(octx, directory.AddMemberRequest{AccountID: fx.AccountIDs[i]})
		if err != nil {
			return nil, fmt.Errorf("add member %d: %w", i, err)
		}
		// Nobody is a member before accepting.
		ictx := actor.With(ctx, &actor.Actor{AccountID: fx.AccountIDs[i], Via: actor.ViaBearer})
		if _, err := dir.AcceptInvitation(ictx, inv.ID); err != nil {
			return nil, fmt.Errorf("member %d accepts: %w", i, err)
		}
	}
	for i, acc := range fx.AccountIDs {
		tok, err := id.StartSession(ctx, httptest.NewRecorder(), acc, o.ID, actor.ViaBearer)
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		fx.Tokens[i] = tok
	}
	return fx, nil
}

// createConversations makes n internal groups of size members over the API,
// as the owner: group j holds a window of members starting at j*size/2, so
// groups overlap and every member is in about two.
func createConversations(ctx context.Context, baseURL string, fx *fixture, n, size int) error {
	fx.SendPath = "/api/v1/conversations/%s/messages"
	for j := 0; j < n; j++ {
		var idx []int
		var accs []string
		for k := 0; k < size; k++ {
			m := (j*size/2 + k) % len(fx.AccountIDs)
			idx = append(idx, m)
			if m != 0 {
				accs = append(accs, fx.AccountIDs[m])
			}
		}
		if !contains(idx, 0) {
			// The owner creates the group and stays in it; count them.
			idx = append(idx[:len(idx)-1], 0)
			accs = accs[:len(accs)-1]
		}
		// The API takes at most 500 members per request: create the group
		// with the first ones and add the rest in further requests.
		first := accs[:min(len(accs), maxMembersPerRequest)]
		b, err := ownerPost(ctx, baseURL+"/api/v1/conversations", fx.Tokens[0],
			map[string]any{"kind": "internal", "name": fmt.Sprintf("Load %d", j), "member_ids": first})
		if err != nil {
			return fmt.Errorf("create conversation: %w", err)
		}
		var conv struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &conv); err != nil || conv.ID == "" {
			return fmt.Errorf("create conversation: unexpected answer %s", b)
		}
		for rest := accs[len(first):]; len(rest) > 0; {
			n := min(len(rest), maxMembersPerRequest)
			if _, err := ownerPost(ctx, baseURL+"/api/v1/conversations/"+conv.ID+"/members", fx.Tokens[0],
				map[string]any{"account_ids": rest[:n]}); err != nil {
				return fmt.Errorf("add members: %w", err)
			}
			rest = rest[n:]
		}
		fx.ConvIDs = append(fx.ConvIDs, conv.ID)
		fx.ConvMembers = append(fx.ConvMembers, idx)
	}
	return nil
}

// maxMembersPerRequest is the most members one request may add.
const maxMembersPerRequest = 500

// ownerPost posts body as JSON with token and returns the answer's body.
func ownerPost(ctx context.Context, url, token string, body any) ([]byte, error) {
	bb, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(bb))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	return b, nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
