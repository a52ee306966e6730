package main

import (
	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/migrations"
)

// openKeyed opens the database of cfg, migrated, with its keyring: what
// the maintenance commands that read or write sealed data need without the
// whole server (search reindex, push rotate-key). The caller closes d.
func openKeyed(cmd *cobra.Command, cfg *config.Config) (*db.DB, *keyring.Keyring, error) {
	ctx := cmd.Context()
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Readers: 1})
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.Migrate(ctx, migrations.FS); err != nil {
		d.Close()
		return nil, nil, err
	}
	keys, err := keyring.Load(ctx, d, cfg.MasterKey, cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, keys, nil
}
