package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/backup"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/migrations"
)

func init() { extraCommands = append(extraCommands, backupCmd, restoreCmd) }

func backupCmd() *cobra.Command {
	var out string
	var withKey, ledgerOnly bool
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write a consistent backup of the database and files while the server runs",
		Long: `Write a consistent online backup: a snapshot of the database (SQLite
VACUUM INTO, or pg_dump for PostgreSQL), the file store and a manifest with a
checksum of every file, in one .tar.gz. The search index is left out (it is
rebuilt after a restore), and so is the master key unless --include-master-key
is given: keep the master key apart from the backups.

With --ledger-only, write just the erasure ledger (JSON lines): small, cheap,
and worth copying off the machine often, so that a restore after losing the
machine can still re-apply every erasure made since the last backup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out FILE is required")
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Readers: 1})
			if err != nil {
				return err
			}
			defer d.Close()
			if ledgerOnly {
				rows, err := backup.ReadLedger(ctx, d)
				if err != nil {
					return err
				}
				f, err := os.OpenFile(out+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return err
				}
				if err := errors.Join(backup.WriteLedger(f, rows), f.Sync(), f.Close()); err != nil {
					return err
				}
				if err := os.Rename(out+".tmp", out); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %d erasure ledger entries to %s\n", len(rows), out)
				return nil
			}
			v, err := d.SchemaVersion(ctx, migrations.FS)
			if err != nil {
				return err
			}
			dataDir := cfg.DataDir
			m, err := backup.Create(ctx, backup.Options{
				DB: d, DataDir: dataDir, MasterKeyFile: keyring.KeyFile, IncludeMasterKey: withKey,
				PGBin: os.Getenv("ATRIUM_PG_BIN"), Version: version, SchemaVersion: v,
			}, out)
			if err != nil {
				return err
			}
			var size int64
			for _, f := range m.Files {
				size += f.Size
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s database at schema %d, %d files, %d bytes before compression\n", out, m.Database, m.SchemaVersion, len(m.Files), size)
			for _, e := range m.Excluded {
				fmt.Fprintf(cmd.OutOrStdout(), "  left out: %s\n", e)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the backup to (.tar.gz)")
	cmd.Flags().BoolVar(&withKey, "include-master-key", false, "also store the master key in the backup (then guard the backup like the key)")
	cmd.Flags().BoolVar(&ledgerOnly, "ledger-only", false, "write only the erasure ledger, as JSON lines")
	return withConfig(cmd)
}

// extraRestoreHooks let tests register restore hooks on the app that the
// restore command builds.
var extraRestoreHooks []func(*server.App)

func restoreCmd() *cobra.Command {
	var in string
	var force bool
	var ledgers []string
	cmd := &cobra.Command{
		Use:   "restore --in FILE",
		Short: "Restore a backup (the server must be stopped); erasures made since are applied again",
		Long: `Restore a backup made by 'atrium backup' into the configured data directory
(and PostgreSQL database). The server must not be running. A target that holds
data is refused unless --force is given; the master key file is never replaced.

Before replacing anything, the erasure ledger of the database being replaced is
read (and that of every --ledger file written by 'atrium backup --ledger-only').
After the backup is in place, every erasure the restored database does not know
of is recorded and applied again, then the search index is rebuilt; only then
does the command return, so a server started afterwards never serves data that
was erased after the backup was taken.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in == "" {
				return errors.New("--in FILE is required")
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			m, err := backup.Read(in)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "backup of %s taken %s (schema %d, %d files) verified\n", m.Database, fmtMillis(m.CreatedAt), m.SchemaVersion, len(m.Files))
			if !m.MasterKey && cfg.MasterKey == "" {
				if _, err := os.Stat(filepath.Join(cfg.DataDir, keyring.KeyFile)); err != nil {
					return fmt.Errorf("the backup holds no master key and %s has none: copy the deployment's master key to %s (or set ATRIUM_MASTER_KEY) first, or nothing encrypted can be read", cfg.DataDir, filepath.Join(cfg.DataDir, keyring.KeyFile))
				}
			}
			ro := backup.RestoreOptions{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Force: force, MasterKeyFile: keyring.KeyFile, PGBin: os.Getenv("ATRIUM_PG_BIN")}
			has, err := backup.TargetHasData(ctx, ro)
			if err != nil {
				return err
			}
			if has && !force {
				return backup.ErrNotEmpty
			}
			// The erasure ledger of what is being replaced, and of files.
			var ledger []backup.LedgerRow
			if has {
				rows, err := currentLedger(cmd, cfg.DatabaseURL, cfg.DataDir)
				if err != nil {
					return fmt.Errorf("read the erasure ledger of the database being replaced (it is needed to re-apply erasures): %w", err)
				}
				ledger = append(ledger, rows...)
			}
			for _, f := range ledgers {
				rows, err := backup.ReadLedgerFile(f)
				if err != nil {
					return err
				}
				ledger = append(ledger, rows...)
			}
			if _, err := backup.Restore(ctx, in, ro); err != nil {
				return err
			}
			app, err := openApp(cmd)
			if err != nil {
				return fmt.Errorf("restored, but the server cannot start on it: %w", err)
			}
			defer app.Close()
			for _, h := range extraRestoreHooks {
				h(app)
			}
			added, err := backup.MergeLedger(ctx, app.DB, ledger)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "erasure ledger: %d entries made after the backup recorded again\n", len(added))
			if len(added) > 0 && len(app.RestoreStageNames(server.ReapplyErasures)) == 0 {
				return fmt.Errorf("%d erasures must be applied again but this build registers no erasure replay; do not start the server on this data", len(added))
			}
			if len(app.RestoreStageNames(server.RebuildDerived)) == 0 {
				// The search index was left out of the backup: rebuild it
				// (after the erasures, which run first).
				app.OnRestore(server.RebuildDerived, "chat.search-index", func(ctx context.Context, _ int64) (int, error) {
					n, err := chat.Reindex(ctx, app.DB, app.Keyring, nil)
					return int(n), err
				})
			}
			err = app.RunRestoreHooks(ctx, m.CreatedAt, func(name string, n int) {
				fmt.Fprintf(out, "  %s: %d\n", name, n)
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(out, "restore complete; the server may be started")
			return nil
		},
	}
	cmd.Flags().StringVar(&in, "in", "", "backup file to restore")
	cmd.Flags().BoolVar(&force, "force", false, "replace a data directory or database that already holds data")
	cmd.Flags().StringArrayVar(&ledgers, "ledger", nil, "erasure ledger file(s) written by 'atrium backup --ledger-only' to re-apply")
	return withConfig(cmd)
}

// currentLedger reads the erasure ledger of the database about to be
// replaced, if there is one.
func currentLedger(cmd *cobra.Command, url, dataDir string) ([]backup.LedgerRow, error) {
	if url == "" {
		if _, err := os.Stat(filepath.Join(dataDir, "atrium.db")); err != nil {
			return nil, nil
		}
	}
	d, err := db.Open(cmd.Context(), db.Options{URL: url, DataDir: dataDir, Readers: 1})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return backup.ReadLedger(cmd.Context(), d)
}

func fmtMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }
