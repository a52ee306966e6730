package server

import (
	"context"
	"fmt"
	"sort"
)

// RestoreStage orders the work done after a backup is restored and before
// the server accepts traffic.
type RestoreStage int

// Restore stages run in this order.
const (
	// ReapplyErasures applies again every erasure recorded in the erasure
	// ledger at or after the backup's time, so that a restore never brings
	// erased data back. The privacy service registers here.
	ReapplyErasures RestoreStage = iota + 1
	// RebuildDerived rebuilds derived data left out of backups (the search
	// index), after erasures so that nothing erased is indexed again.
	RebuildDerived
)

// RestoreHook is work a domain does after a restore; since is the backup's
// snapshot time (unix milliseconds). It returns how many items it handled.
type RestoreHook func(ctx context.Context, since int64) (int, error)

type restoreHook struct {
	stage RestoreStage
	name  string
	fn    RestoreHook
}

// OnRestore registers fn to run after `atrium restore`, in stage order and,
// within a stage, in registration order. Domains call it from their wiring,
// e.g. the privacy service:
//
//	a.OnRestore(server.ReapplyErasures, "privacy.erasures", privacySvc.ReapplyErasures)
func (a *App) OnRestore(stage RestoreStage, name string, fn RestoreHook) {
	a.restoreHooks = append(a.restoreHooks, restoreHook{stage: stage, name: name, fn: fn})
}

// RestoreStageNames lists the hooks registered for stage (for the restore
// command's report and its check that erasures can be re-applied).
func (a *App) RestoreStageNames(stage RestoreStage) []string {
	var out []string
	for _, h := range a.restoreHooks {
		if h.stage == stage {
			out = append(out, h.name)
		}
	}
	return out
}

// RunRestoreHooks runs every registered hook in stage order and reports
// what each did through report.
func (a *App) RunRestoreHooks(ctx context.Context, since int64, report func(name string, n int)) error {
	hooks := append([]restoreHook(nil), a.restoreHooks...)
	sort.SliceStable(hooks, func(i, j int) bool { return hooks[i].stage < hooks[j].stage })
	for _, h := range hooks {
		n, err := h.fn(ctx, since)
		if err != nil {
			return fmt.Errorf("after restore, %s: %w", h.name, err)
		}
		if report != nil {
			report(h.name, n)
		}
	}
	return nil
}
