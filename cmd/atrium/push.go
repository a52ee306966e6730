package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/push"
)

func init() { extraCommands = append(extraCommands, pushCmd) }

func pushCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Manage Web Push (the VAPID key)",
	}
	rotate := withConfig(&cobra.Command{
		Use:   "rotate-key",
		Short: "Replace the VAPID key pair; every device must subscribe again",
		Long: `Replace the VAPID key pair that signs push notifications and delete every
push subscription, which was made for the old public key. Each device
subscribes again with the new key the next time the app opens on it; until
then it gets no push. Restart the server (every node) afterwards: running
servers keep signing with the key they loaded at start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			d, keys, err := openKeyed(cmd, cfg)
			if err != nil {
				return err
			}
			defer d.Close()
			svc := push.New(d, keys, slog.New(slog.NewTextHandler(io.Discard, nil)))
			n, err := svc.RotateKey(ctx)
			if err != nil {
				return err
			}
			c, err := svc.PublicKey()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "VAPID key replaced (public key %s); %d push subscriptions deleted: devices subscribe again when the app opens. Restart every node.\n", c, n)
			return nil
		},
	})
	cmd.AddCommand(rotate)
	return cmd
}
