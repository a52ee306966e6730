package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

func init() {
	extraCommands = append(extraCommands, auditCmd)
}

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Inspect the hash-chained audit log",
	}
	var checkpoints string
	verify := withConfig(&cobra.Command{
		Use:   "verify",
		Short: "Check that no audit entry was edited, deleted, inserted or reordered",
		Long: `Walk the whole audit log and recompute its hash chain.

Prints the number of intact entries, or names the first bad entry and what is
wrong with it; exits with status 1 when the chain is broken. Safe to run while
the server is running: it only reads.

The chain alone cannot show that the newest entries were deleted and the
head moved back. With --checkpoint FILE the chain is also checked against
signed checkpoints of its head (the server writes one an hour to
<data-dir>/` + audit.CheckpointFile + ` and to its log; keep copies off the
machine): a head older than a checkpoint, or a chain that no longer passes
through a checkpointed hash, is reported as broken. Checkpoints are signed
with a key derived from the master key, so this needs the master key too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			d, err := db.Open(cmd.Context(), db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
			if err != nil {
				return err
			}
			defer d.Close()
			var rep audit.Report
			if checkpoints != "" {
				f, err := os.Open(checkpoints)
				if err != nil {
					return err
				}
				cps, err := audit.ReadCheckpoints(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", checkpoints, err)
				}
				signer, err := checkpointSigner(cmd, cfg, d)
				if err != nil {
					return err
				}
				rep, err = audit.VerifyWithCheckpoints(cmd.Context(), d, signer, cps)
				if err != nil {
					return err
				}
			} else {
				rep, err = audit.Verify(cmd.Context(), d)
				if err != nil {
					return fmt.Errorf("%w (is the database migrated? run 'atrium migrate up')", err)
				}
			}
			if !rep.OK {
				fmt.Fprintf(cmd.OutOrStdout(), "checked %d intact entries before the break\n", rep.Entries)
				return errors.New(rep.String())
			}
			fmt.Fprintln(cmd.OutOrStdout(), rep.String())
			return nil
		},
	})
	verify.Flags().StringVar(&checkpoints, "checkpoint", "", "also check the chain against the signed checkpoints in this file (e.g. <data-dir>/"+audit.CheckpointFile+")")
	checkpoint := withConfig(&cobra.Command{
		Use:   "checkpoint",
		Short: "Sign the audit chain's head now and append it to the checkpoint file",
		Long: `Sign the current head of the audit chain with the key derived from the master
key and append it to <data-dir>/` + audit.CheckpointFile + ` (the server does
this once an hour). Refused when the chain no longer runs from the last
checkpoint in the file to the head. Prints the checkpoint; keep a copy off the
machine, e.g. with each backup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			d, err := db.Open(cmd.Context(), db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
			if err != nil {
				return err
			}
			defer d.Close()
			signer, err := checkpointSigner(cmd, cfg, d)
			if err != nil {
				return err
			}
			path := filepath.Join(cfg.DataDir, audit.CheckpointFile)
			c, err := audit.WriteCheckpoint(cmd.Context(), d, signer, path, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "checkpoint of entry %d written to %s\n", c.Seq, path)
			return nil
		},
	})
	cmd.AddCommand(verify, checkpoint)
	return cmd
}

// checkpointSigner derives the checkpoint key from the deployment's master
// key. A missing master key is an error, not a new key: a fresh key could
// not check any checkpoint.
func checkpointSigner(cmd *cobra.Command, cfg *config.Config, d *db.DB) (*audit.Signer, error) {
	if cfg.MasterKey == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, keyring.KeyFile)); err != nil {
			return nil, fmt.Errorf("no master key (ATRIUM_MASTER_KEY, or %s): audit checkpoints are signed with a key derived from it", filepath.Join(cfg.DataDir, keyring.KeyFile))
		}
	}
	kr, err := keyring.Load(cmd.Context(), d, cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return audit.NewSigner(kr)
}
