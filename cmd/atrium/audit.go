package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

func init() {
	extraCommands = append(extraCommands, auditCmd)
}

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Inspect the hash-chained audit log",
	}
	verify := withConfig(&cobra.Command{
		Use:   "verify",
		Short: "Check that no audit entry was edited, deleted, inserted or reordered",
		Long: `Walk the whole audit log and recompute its hash chain.

Prints the number of intact entries, or names the first bad entry and what is
wrong with it; exits with status 1 when the chain is broken. Safe to run while
the server is running: it only reads.`,
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
			rep, err := audit.Verify(cmd.Context(), d)
			if err != nil {
				return fmt.Errorf("%w (is the database migrated? run 'atrium migrate up')", err)
			}
			if !rep.OK {
				fmt.Fprintf(cmd.OutOrStdout(), "checked %d intact entries before the break\n", rep.Entries)
				return errors.New(rep.String())
			}
			fmt.Fprintln(cmd.OutOrStdout(), rep.String())
			return nil
		},
	})
	cmd.AddCommand(verify)
	return cmd
}
