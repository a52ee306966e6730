package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/backup"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/migrations"
)

func init() { extraCommands = append(extraCommands, backupCmd, restoreCmd) }

// keyringPath is where the keyring archive of the data archive out goes
// when --keyring-out is not given: atrium-X.tar.gz → atrium-X.keyring.tar.gz.
func keyringPath(out string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(out, ".tar.gz"), ".tgz")
	return base + ".keyring.tar.gz"
}

func backupCmd() *cobra.Command {
	var out, keyringOut string
	var withKey, keyringOnly bool
	cmd := &cobra.Command{
		Use:   "backup --out FILE [--keyring-out KEYRING]",
		Short: "Write a consistent backup (a data archive and a keyring archive) while the server runs",
		Long: `Write a consistent online backup as two files.

The data archive (--out) holds a snapshot of the database (SQLite VACUUM INTO,
or pg_dump for PostgreSQL), the file store and a manifest with a checksum of
every file. It holds no key material (the data keys' rows are left out, the
master key never goes in) and no derived indexes (the search tables are
emptied; they are rebuilt after a restore).

The keyring archive (--keyring-out, by default FILE with .keyring.tar.gz)
holds the data keys wrapped by the master key, the tombstones of destroyed
keys and the erasure ledger, read in one snapshot taken after the data
snapshot. Keep it apart from the data archives and for at most 30 days:
erasure then reaches every backup within that period. The master key goes
into it only with --include-master-key.

With --keyring-only, write just a keyring archive (--out): small and cheap,
worth copying off the machine often, so that a restore after losing the
machine re-applies every erasure made up to that copy.`,
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
			w := cmd.OutOrStdout()
			d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Readers: 1})
			if err != nil {
				return err
			}
			defer d.Close()
			var master string
			if withKey {
				key, ok, err := keyring.MasterKey(cfg.MasterKey, cfg.DataDir)
				if err != nil {
					return err
				}
				if !ok {
					return backup.ErrNoMasterKey
				}
				master = encodeKey(key)
			}
			if keyringOnly {
				k, err := backup.SnapshotKeyring(ctx, d)
				if err != nil {
					return err
				}
				k.Manifest.BackupID, k.Manifest.Version, k.MasterKey = backup.NewBackupID(), version, master
				if err := backup.WriteKeyring(k, out); err != nil {
					return err
				}
				reportKeyring(w, out, k)
				return nil
			}
			if keyringOut == "" {
				keyringOut = keyringPath(out)
			}
			if absPath(keyringOut) == absPath(out) {
				return errors.New("--keyring-out must differ from --out")
			}
			v, err := d.SchemaVersion(ctx, migrations.FS)
			if err != nil {
				return err
			}
			m, err := backup.Create(ctx, backup.Options{
				DB: d, DataDir: cfg.DataDir, MasterKeyFile: keyring.KeyFile,
				PGBin: os.Getenv("ATRIUM_PG_BIN"), Version: version, SchemaVersion: v,
			}, out)
			if err != nil {
				return err
			}
			var size int64
			for _, f := range m.Files {
				size += f.Size
			}
			fmt.Fprintf(w, "wrote data archive %s: %s database at schema %d, %d files, %d bytes before compression (backup %s, position %d)\n", out, m.Database, m.SchemaVersion, len(m.Files), size, m.BackupID, m.Position)
			for _, e := range m.Excluded {
				fmt.Fprintf(w, "  left out: %s\n", e)
			}
			// The keyring after the data: it holds every key the data needs
			// and every erasure made up to now.
			k, err := backup.SnapshotKeyring(ctx, d)
			if err != nil {
				return err
			}
			k.Manifest.BackupID, k.Manifest.DataBackupID, k.Manifest.Version, k.MasterKey = m.BackupID, m.BackupID, version, master
			if err := backup.WriteKeyring(k, keyringOut); err != nil {
				return err
			}
			reportKeyring(w, keyringOut, k)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the data archive (or, with --keyring-only, the keyring archive) to (.tar.gz)")
	cmd.Flags().StringVar(&keyringOut, "keyring-out", "", "file to write the keyring archive to (default: --out with .keyring.tar.gz)")
	cmd.Flags().BoolVar(&keyringOnly, "keyring-only", false, "write only a keyring archive (keys, tombstones, erasure ledger)")
	cmd.Flags().BoolVar(&withKey, "include-master-key", false, "also store the master key in the keyring archive (then guard it like the key)")
	return withConfig(cmd)
}

func reportKeyring(w io.Writer, path string, k *backup.Keyring) {
	m := k.Manifest
	fmt.Fprintf(w, "wrote keyring archive %s: %d keys, %d destroyed-key tombstones, %d erasure ledger entries (backup %s, position %d)", path, m.Keys, m.Tombstones, m.LedgerEntries, m.BackupID, m.Position)
	if m.MasterKey {
		fmt.Fprint(w, ", with the master key")
	}
	fmt.Fprintln(w, "\n  keep it apart from the data archives, and for at most 30 days")
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// extraRestoreHooks let tests register restore hooks on the app that the
// restore command builds.
var extraRestoreHooks []func(*server.App)

func restoreCmd() *cobra.Command {
	var in, keyringIn string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore DATA --keyring KEYRING",
		Short: "Restore a data archive with a keyring archive at least as new (the server must be stopped)",
		Long: `Restore a data archive made by 'atrium backup' into the configured data
directory (and PostgreSQL database). The server must not be running. A target
that holds data is refused unless --force is given; a master key file there is
never replaced.

The keys come from the keyring archive (--keyring) and only from it: an
erased person's or a disbanded organization's key, destroyed before the
keyring archive was taken, stays destroyed. Use the newest keyring archive:
--keyring may name the directory that holds them, and the newest is taken.
Refused: a keyring archive older than the data archive
(keyring_older_than_data), and one with a newer keyring archive beside it
(keyring_superseded). Restoring over a database (--force), that database's
own keyring is read first and used as well, so --keyring may then be left out.

After the data is in place, every erasure of the keyring's ledger that the
restored database does not know of is recorded and applied again, then the
search index is rebuilt; only then does the command return, so a server
started afterwards never serves data erased before the keyring was taken.

The master key is read from the configuration (ATRIUM_MASTER_KEY, or
<data-dir>/master.key), else from the keyring archive when it was written with
--include-master-key.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if in != "" && in != args[0] {
					return errors.New("give the data archive once: as the argument or with --in")
				}
				in = args[0]
			}
			if in == "" {
				return errors.New("the data archive is required: atrium restore DATA --keyring KEYRING")
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			return runRestore(cmd, cfg, in, keyringIn, force)
		},
	}
	cmd.Flags().StringVar(&in, "in", "", "the data archive to restore (or give it as the argument)")
	cmd.Flags().StringVar(&keyringIn, "keyring", "", "the newest keyring archive (or the directory holding them): taken with the data archive or later")
	cmd.Flags().BoolVar(&force, "force", false, "replace a data directory or database that already holds data")
	return withConfig(cmd)
}

func runRestore(cmd *cobra.Command, cfg *config.Config, in, keyringIn string, force bool) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	// 1. Check everything before touching anything.
	m, err := backup.Read(in)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "data archive of %s taken %s (backup %s, position %d, schema %d, %d files) verified\n", m.Database, fmtMillis(m.CreatedAt), orDash(m.BackupID), m.Position, m.SchemaVersion, len(m.Files))
	var keySources, erasureSources []*backup.Keyring
	var archive *backup.Keyring
	if keyringIn != "" {
		if st, err := os.Stat(keyringIn); err == nil && st.IsDir() {
			if keyringIn, err = backup.NewestKeyring(keyringIn); err != nil {
				return err
			}
			fmt.Fprintf(out, "newest keyring archive in the directory: %s\n", keyringIn)
		}
		archive, err = backup.ReadKeyring(keyringIn)
		if err != nil {
			return err
		}
		km := archive.Manifest
		fmt.Fprintf(out, "keyring archive taken %s (backup %s, position %d: %d keys, %d tombstones, %d ledger entries) verified\n", fmtMillis(km.CreatedAt), km.BackupID, km.Position, km.Keys, km.Tombstones, km.LedgerEntries)
		if err := archive.CheckNewer(m); err != nil {
			return err
		}
		if err := archive.CheckSuperseded(keyringIn); err != nil {
			return err
		}
		keySources = append(keySources, archive)
	}
	master, ok, err := keyring.MasterKey(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return err
	}
	writeKey := ""
	if !ok && archive != nil && archive.MasterKey != "" {
		if master, err = keyring.DecodeMasterKey(archive.MasterKey); err != nil {
			return fmt.Errorf("the keyring archive's master key %w", err)
		}
		ok, writeKey = true, archive.MasterKey
	}
	if !ok {
		return backup.ErrNoMasterKey
	}
	if archive != nil {
		if err := keyring.CheckMaster(master, archive.Keys); err != nil {
			return err
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
	// The keyring of the database being replaced: its keys when it is at
	// least as new as the data, its erasures in any case.
	if has {
		live, err := currentKeyring(ctx, cfg.DatabaseURL, cfg.DataDir)
		if err != nil {
			return fmt.Errorf("read the keyring and erasure ledger of the database being replaced (needed to re-apply erasures): %w", err)
		}
		if live != nil {
			if live.Newer(m) && keyring.CheckMaster(master, live.Keys) == nil {
				keySources = append(keySources, live)
			} else {
				erasureSources = append(erasureSources, live)
			}
		}
	}
	if len(keySources) == 0 {
		return backup.ErrKeyringRequired
	}

	// 2. The data.
	if _, err := backup.Restore(ctx, in, ro); err != nil {
		return err
	}
	if writeKey != "" {
		if err := keyring.WriteKeyFile(cfg.DataDir, writeKey+"\n"); err != nil {
			return err
		}
		fmt.Fprintf(out, "master key taken from the keyring archive into %s\n", filepath.Join(cfg.DataDir, keyring.KeyFile))
	}
	// 3. The keys and the erasure ledger, before anything reads the data.
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Readers: 1})
	if err != nil {
		return err
	}
	if _, err := d.Migrate(ctx, migrations.FS); err != nil {
		d.Close()
		return fmt.Errorf("restored, but migrating it failed: %w", err)
	}
	res, err := backup.InstallKeyring(ctx, d, keySources, erasureSources)
	d.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "keys: %d installed, %d left out (destroyed), %d tombstones recorded\n", res.Installed, res.Tombstoned, res.Tombstones)
	fmt.Fprintf(out, "erasure ledger: %d entries made after the backup recorded again\n", len(res.LedgerAdded))

	// 4. Erasures applied again, derived data rebuilt.
	app, err := openApp(cmd)
	if err != nil {
		return fmt.Errorf("restored, but the server cannot start on it: %w", err)
	}
	defer app.Close()
	for _, h := range extraRestoreHooks {
		h(app)
	}
	if len(res.LedgerAdded) > 0 && len(app.RestoreStageNames(server.ReapplyErasures)) == 0 {
		return fmt.Errorf("%d erasures must be applied again but this build registers no erasure replay; do not start the server on this data", len(res.LedgerAdded))
	}
	// The search indexes were left out of the backup: rebuild them (after
	// the erasures, which run first).
	derived := app.RestoreStageNames(server.RebuildDerived)
	if !slices.Contains(derived, "chat.search-index") {
		app.OnRestore(server.RebuildDerived, "chat.search-index", func(ctx context.Context, _ int64) (int, error) {
			n, err := chat.Reindex(ctx, app.DB, app.Keyring, nil)
			return int(n), err
		})
	}
	if !slices.Contains(derived, "directory.member-search") {
		app.OnRestore(server.RebuildDerived, "directory.member-search", func(ctx context.Context, _ int64) (int, error) {
			return directory.ReindexMembers(ctx, app.DB, app.Keyring)
		})
	}
	err = app.RunRestoreHooks(ctx, m.CreatedAt, func(name string, n int) {
		fmt.Fprintf(out, "  %s: %d\n", name, n)
	})
	if err != nil {
		return err
	}
	if err := app.DB.Checkpoint(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "restore complete; the server may be started")
	return nil
}

// currentKeyring reads the keyring and erasure ledger of the database about
// to be replaced, if there is one.
func currentKeyring(ctx context.Context, url, dataDir string) (*backup.Keyring, error) {
	if url == "" {
		if _, err := os.Stat(filepath.Join(dataDir, "atrium.db")); err != nil {
			return nil, nil
		}
	}
	d, err := db.Open(ctx, db.Options{URL: url, DataDir: dataDir, Readers: 1})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return backup.SnapshotKeyring(ctx, d)
}

func encodeKey(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }
