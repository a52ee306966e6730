package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/privacy"
)

func init() { extraCommands = append(extraCommands, privacyCmd) }

// withPrivacy opens the app and runs fn with the privacy center; audit
// entries are marked as coming from the CLI (the operator).
func withPrivacy(cmd *cobra.Command, fn func(ctx context.Context, p *privacy.Service) error) error {
	app, err := openApp(cmd)
	if err != nil {
		return err
	}
	defer app.Close()
	return fn(reqctx.CLI(cmd.Context()), app.Privacy())
}

func privacyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "privacy",
		Short: "Operator privacy tasks: publish policies, record of processing, notices, guardian consent, retention",
	}
	cmd.AddCommand(policyCmd(), recordCmd(), noticeCmd(), guardianCmd(), deploymentRetentionCmd())
	return cmd
}

func policyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Publish versions of the privacy policy and the terms"}
	var file, kind, version, summary string
	var significant bool
	publish := withConfig(&cobra.Command{
		Use:   "publish --file FILE.md --kind privacy|terms --version V [--significant --summary TEXT]",
		Short: "Publish a new version (Markdown); everyone must accept the first and every significant one",
		Long: `Publish a new version of the privacy policy or the terms of service.

Every person must accept the first version of each kind before going on
using Atrium (other requests answer 403 policy_acceptance_required). Later
versions need a new acceptance only when marked --significant, and then
--summary says what changed; it is shown to people when they are asked to
accept again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			return withPrivacy(cmd, func(ctx context.Context, p *privacy.Service) error {
				d, err := p.PublishPolicy(ctx, privacy.PublishInput{Kind: kind, Version: version, Significant: significant, Summary: summary, Body: string(body)})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "published %s %s (%s)", d.Kind, d.Version, d.ID)
				if d.Seq == d.RequiredSeq {
					fmt.Fprint(cmd.OutOrStdout(), "; everyone must accept it")
				}
				fmt.Fprintln(cmd.OutOrStdout())
				return nil
			})
		},
	})
	publish.Flags().StringVar(&file, "file", "", "Markdown file with the document (required)")
	publish.Flags().StringVar(&kind, "kind", "privacy", "privacy or terms")
	publish.Flags().StringVar(&version, "version", "", "version label, e.g. 2026-01 or 2.0 (required)")
	publish.Flags().BoolVar(&significant, "significant", false, "require everyone to accept this version again")
	publish.Flags().StringVar(&summary, "summary", "", "what changed (required with --significant)")
	_ = publish.MarkFlagRequired("file")
	_ = publish.MarkFlagRequired("version")
	cmd.AddCommand(publish)
	return cmd
}

func recordCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "record [--format markdown|json]",
		Short: "Print the record of processing (GDPR art. 30), generated from the data map",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rec := privacy.Record()
			switch format {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rec)
			case "markdown", "md", "":
				_, err := fmt.Fprint(cmd.OutOrStdout(), privacy.RecordMarkdown(rec))
				return err
			}
			return fmt.Errorf("--format must be markdown or json")
		},
	}
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown or json")
	return cmd
}

func noticeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "notice", Short: "Security incident notices"}
	var n privacy.NewNotice
	send := withConfig(&cobra.Command{
		Use:   "send --title T --what-happened W --impact I --remedies R",
		Short: "Send a security notice to every member of every organization (recorded and audited)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withPrivacy(cmd, func(ctx context.Context, p *privacy.Service) error {
				out, err := p.SendOperatorNotice(ctx, n)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "sent notice %s to %d people\n", out.ID, out.Recipients)
				return nil
			})
		},
	})
	send.Flags().StringVar(&n.Title, "title", "", "short title (required)")
	send.Flags().StringVar(&n.WhatHappened, "what-happened", "", "what happened (required)")
	send.Flags().StringVar(&n.Impact, "impact", "", "the likely impact on people (required)")
	send.Flags().StringVar(&n.Remedies, "remedies", "", "what was done and what people should do (required)")
	cmd.AddCommand(send)
	return cmd
}

func guardianCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "guardian", Short: "Guardian consent for people below the minimum age (--min-age)"}
	var g privacy.GuardianConsent
	record := withConfig(&cobra.Command{
		Use:   "record --account ACC --name NAME --method in_person|signed_form|email_confirmation|video_call|phone_call",
		Short: "Record a parent's or guardian's consent for a minor (who, how; the time is recorded)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withPrivacy(cmd, func(ctx context.Context, p *privacy.Service) error {
				out, err := p.RecordGuardianConsent(ctx, g)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "recorded guardian consent for %s (%s)\n", out.AccountID, out.Method)
				return nil
			})
		},
	})
	record.Flags().StringVar(&g.AccountID, "account", "", "the minor's account id (required)")
	record.Flags().StringVar(&g.GuardianName, "name", "", "the guardian's name (required)")
	record.Flags().StringVar(&g.GuardianContact, "contact", "", "how to reach the guardian")
	record.Flags().StringVar(&g.Relationship, "relationship", "", "e.g. mother, legal guardian")
	record.Flags().StringVar(&g.Method, "method", "", "how consent was given (required)")
	cmd.AddCommand(record)
	return cmd
}

func deploymentRetentionCmd() *cobra.Command {
	var specs []string
	cmd := withConfig(&cobra.Command{
		Use:   "retention --policy CLASS=DAYS ...",
		Short: "Set retention for data that belongs to no organization (direct chats outside orgs, sign-in history)",
		Long: `Set the deployment's retention policies, which apply to data that belongs to
no organization: personal direct chats and general groups, and sign-in history.
Organizations set their own in the admin console. DAYS 0 keeps forever.

Classes: ` + classList(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var pols []privacy.Policy
			for _, s := range specs {
				c, d, ok := strings.Cut(s, "=")
				var days int
				if _, err := fmt.Sscan(d, &days); !ok || err != nil {
					return fmt.Errorf("--policy %q: want CLASS=DAYS", s)
				}
				pols = append(pols, privacy.Policy{Class: c, Days: days})
			}
			return withPrivacy(cmd, func(ctx context.Context, p *privacy.Service) error {
				if err := p.SetDeploymentPolicies(ctx, pols); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "set %d deployment retention policies\n", len(pols))
				return nil
			})
		},
	})
	cmd.Flags().StringArrayVar(&specs, "policy", nil, "CLASS=DAYS, repeatable")
	return cmd
}

func classList() string {
	var out []string
	for _, c := range privacy.RetentionClasses {
		out = append(out, c.ID)
	}
	return strings.Join(out, ", ")
}
