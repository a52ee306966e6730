package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
)

func init() { extraCommands = append(extraCommands, searchCmd) }

func searchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Manage the search indexes (messages, members)",
	}
	reindex := withConfig(&cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the message and member search indexes from the sealed data",
		Long: `Rebuild the search indexes. They are derived data, the only plaintext copy
of what they index: messages (on SQLite an FTS5 trigram table, on PostgreSQL
a table with a pg_trgm index) and members' names, pinyin, initials, titles,
employee numbers and work emails (the member_search table, which also holds
the directory's sort order). Run it after restoring a backup (backups leave
the indexes out; atrium restore rebuilds them itself) or if search answers
look wrong. It is safe while the server runs: searches during the rebuild
may miss items not yet re-indexed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// Sealed messages are opened with the data keys.
			d, keys, err := openKeyed(cmd, cfg)
			if err != nil {
				return err
			}
			defer d.Close()
			start := time.Now()
			out := cmd.OutOrStdout()
			n, err := chat.Reindex(ctx, d, keys, func(done int64) {
				if done%100000 == 0 {
					fmt.Fprintf(out, "  %d messages indexed\n", done)
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "search index rebuilt: %d messages in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), d.Kind)
			start = time.Now()
			m, err := directory.ReindexMembers(ctx, d, keys)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "member search index rebuilt: %d members in %s\n", m, time.Since(start).Round(time.Millisecond))
			return nil
		},
	})
	cmd.AddCommand(reindex)
	return cmd
}
