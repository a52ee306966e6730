package fresh

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestSharedReadsSeeEveryCommittedChange: however many requests read the
// generations at once (sharing reads), one that starts after a change
// committed sees it. Readers hammer the row while the test raises a counter
// and reads at once: a shared read that began before the raise would hand
// back the old value.
func TestSharedReadsSeeEveryCommittedChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var reads, failed atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := Read(ctx, d); err != nil {
						failed.Add(1)
						return
					}
					reads.Add(1)
				}
			}()
		}
		rounds := 200
		if testing.Short() {
			rounds = 50
		}
		for i := range rounds {
			if _, err := d.W(ctx).ExecContext(ctx, `UPDATE cache_generations SET members = members + 1 WHERE id = 1`); err != nil {
				t.Fatal(err)
			}
			want := int64(i + 1)
			got, err := Read(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if got[Members] < want {
				t.Fatalf("round %d: read members generation %d after raising it to %d", i, got[Members], want)
			}
		}
		close(stop)
		wg.Wait()
		if failed.Load() > 0 {
			t.Fatalf("%d concurrent reads failed", failed.Load())
		}
		t.Logf("%d concurrent reads", reads.Load())
	})
}

// TestSharedReadCallerCancelled: a caller whose context ends stops waiting,
// and the others still get their read.
func TestSharedReadCallerCancelled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				if i%2 == 0 {
					ctx = gone
				}
				_, err := Read(ctx, d)
				if i%2 == 1 && err != nil {
					t.Errorf("read: %v", err)
				}
			}()
		}
		wg.Wait()
		if _, err := Read(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	})
}
