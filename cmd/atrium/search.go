package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/drive"
)

func init() { extraCommands = append(extraCommands, searchCmd) }

func searchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Manage the search indexes (messages, members, drive)",
	}
	reindex := withConfig(&cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the message, member and drive search indexes from the sealed data",
		Long: `Rebuild the search indexes. They are derived data, the only plaintext copy
of what they index: messages (on SQLite an FTS5 trigram table, on PostgreSQL
a table with a pg_trgm index) and members' names, pinyin, initials, titles,
employee numbers and work emails (the member_search table, which also holds
the directory's sort order), and the drive's file and folder names and the
text of text and PDF files (drive_search with drive_fts; the text is read
again by the server's indexing job). Run it after restoring a backup (backups leave
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
			start = time.Now()
			f, err := drive.Reindex(ctx, d, keys, nil, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "drive search index rebuilt: %d names in %s (the server's indexing job reads the files' text again)\n", f, time.Since(start).Round(time.Millisecond))
			return nil
		},
	})
	cmd.AddCommand(reindex)
	return cmd
}
