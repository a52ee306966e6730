package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/migrations"
)

func migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Show or apply database schema migrations",
	}
	open := func(cmd *cobra.Command) (*db.DB, error) {
		cfg, err := loadConfig(cmd)
		if err != nil {
			return nil, err
		}
		return db.Open(cmd.Context(), db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	}
	status := withConfig(&cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := open(cmd)
			if err != nil {
				return err
			}
			defer d.Close()
			st, err := d.MigrationStatuses(cmd.Context(), migrations.FS)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "VERSION\tSTATE\tFILE\n")
			for _, s := range st {
				state := "pending"
				if s.Applied {
					state = "applied"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, state, s.Source)
			}
			return tw.Flush()
		},
	})
	up := withConfig(&cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := open(cmd)
			if err != nil {
				return err
			}
			defer d.Close()
			v, err := d.Migrate(cmd.Context(), migrations.FS)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stdout, "schema is at version %d (%s)\n", v, d.Kind)
			return nil
		},
	})
	cmd.AddCommand(status, up)
	return cmd
}
