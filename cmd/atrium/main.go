// Command atrium is the Atrium server and its administration tool.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "atrium:", err)
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "atrium",
		Short:         "Atrium — a self-hosted workplace platform with privacy built in",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), migrateCmd(), versionCmd())
	for _, c := range extraCommands {
		root.AddCommand(c())
	}
	return root
}

// extraCommands are added by other files of this package (user, audit, …).
var extraCommands []func() *cobra.Command

// withConfig adds every option to cmd's flags.
func withConfig(cmd *cobra.Command) *cobra.Command {
	config.AddFlags(cmd.Flags())
	return cmd
}

// loadConfig resolves the configuration for cmd.
func loadConfig(cmd *cobra.Command) (*config.Config, error) {
	return config.Load(cmd.Flags(), os.Environ())
}

// openApp builds the app for an administrative command (no listener).
func openApp(cmd *cobra.Command) (*server.App, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	cfg.LogLevel = "warn"
	return server.Build(cmd.Context(), cfg, server.NewLogger(cfg, os.Stderr), os.Stderr)
}

func serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (embedded SQLite in ./data unless --database-url is set)",
		Long: `Run the Atrium server.

With no configuration it stores everything in ./data (SQLite), listens on
127.0.0.1:8080 and, on an empty database, prints a one-time setup link that
creates the first organization and its owner.

Every option can also be set with an ATRIUM_* environment variable; secrets
can be read from a file named by ATRIUM_*_FILE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := server.NewLogger(cfg, os.Stderr)
			server.Version = version
			app, err := server.Build(ctx, cfg, log, os.Stderr)
			if err != nil {
				return err
			}
			defer app.Close()
			return app.Serve(ctx, nil)
		},
	}
	return withConfig(cmd)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "atrium", version)
		},
	}
}

var _ = context.Background
