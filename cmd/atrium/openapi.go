package main

import (
	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/server"
)

func init() {
	extraCommands = append(extraCommands, func() *cobra.Command {
		return &cobra.Command{
			Use:   "openapi",
			Short: "Print the OpenAPI document of the HTTP API",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				_, err := cmd.OutOrStdout().Write((&server.Server{}).OpenAPIJSON())
				return err
			},
		}
	})
}
