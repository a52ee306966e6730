package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

func init() { extraCommands = append(extraCommands, userCmd) }

// withUsers opens the app and runs fn with the identity service; audit
// entries of the command are marked as coming from the CLI.
func withUsers(cmd *cobra.Command, fn func(ctx context.Context, id *identity.Service) error) error {
	app, err := openApp(cmd)
	if err != nil {
		return err
	}
	defer app.Close()
	return fn(reqctx.CLI(cmd.Context()), app.Identity())
}

// readPassword reads one line from r (the rest is ignored).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}

func userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage accounts: create, list, reset a password, turn off 2FA",
		Long: `Manage accounts directly in the database (run on the server machine, with the
same --data-dir / --database-url as the server). Every change is written to the
audit log as done from the CLI.`,
	}

	var email, name, phone string
	var fromStdin bool
	create := withConfig(&cobra.Command{
		Use:   "create --email EMAIL --name NAME [--phone PHONE] [--password-stdin]",
		Short: "Create an active account",
		Long: `Create an active account (its email needs no verification).

With --password-stdin the password is the first line of standard input, e.g.
  printf '%s\n' "$PASSWORD" | atrium user create --email a@example.com --name Ada --password-stdin
Without it the account has no password; give the person a code from
'atrium user reset-password --email …' to set one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pw := ""
			if fromStdin {
				var err error
				if pw, err = readPassword(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			return withUsers(cmd, func(ctx context.Context, id *identity.Service) error {
				acc, err := id.CreateAccount(ctx, identity.NewAccount{Email: email, Password: pw, Name: name, Phone: phone})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created account %s <%s>\n", acc.ID, acc.Email)
				return nil
			})
		},
	})
	create.Flags().StringVar(&email, "email", "", "email address (required)")
	create.Flags().StringVar(&name, "name", "", "the person's name (required)")
	create.Flags().StringVar(&phone, "phone", "", "phone number in international format, e.g. +49 30 1234567")
	create.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")

	list := withConfig(&cobra.Command{
		Use:   "list",
		Short: "List every account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, id *identity.Service) error {
				accs, err := id.ListAccounts(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tSTATUS\t2FA\tCREATED")
				for _, a := range accs {
					twofa := "off"
					if a.TOTPEnabled {
						twofa = "on"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Email, a.Name, a.Status, twofa,
						time.UnixMilli(a.CreatedAt).UTC().Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			})
		},
	})

	var resetEmail string
	var resetStdin bool
	reset := withConfig(&cobra.Command{
		Use:   "reset-password --email EMAIL [--password-stdin]",
		Short: "Print a one-time password reset code, or set a password from stdin",
		Long: `Help a person who cannot sign in.

Without --password-stdin, prints a one-time reset code (valid for 15 minutes)
that the person enters on the sign-in page under "Forgot password" (or sends to
POST /api/v1/auth/password-reset/confirm). Nothing is emailed.

With --password-stdin, sets the password to the first line of standard input.

Either way every session of the account ends once the password changes, and a
sign-in lockout is lifted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, id *identity.Service) error {
				if resetStdin {
					pw, err := readPassword(cmd.InOrStdin())
					if err != nil {
						return err
					}
					if err := id.SetPasswordByEmail(ctx, resetEmail, pw); err != nil {
						return err
					}
					fmt.Fprintln(cmd.OutOrStdout(), "password set; every session of the account has ended")
					return nil
				}
				code, err := id.IssueResetCode(ctx, resetEmail)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "one-time reset code for %s: %s (valid for %d minutes)\n",
					strings.ToLower(strings.TrimSpace(resetEmail)), code, int(id.Limits().CodeTTL/time.Minute))
				return nil
			})
		},
	})
	reset.Flags().StringVar(&resetEmail, "email", "", "email address of the account (required)")
	reset.Flags().BoolVar(&resetStdin, "password-stdin", false, "set the password from the first line of standard input instead of printing a code")
	_ = reset.MarkFlagRequired("email")

	var tfaEmail string
	disable2FA := withConfig(&cobra.Command{
		Use:   "disable-2fa --email EMAIL",
		Short: "Turn off two-factor authentication of an account",
		Long: `Turn off two-factor authentication (TOTP) of an account whose owner lost both
their authenticator and their recovery codes, after checking who they are.
Their recovery codes are deleted; they can set up 2FA again after signing in.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, id *identity.Service) error {
				if err := id.DisableTOTPByEmail(ctx, tfaEmail); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "two-factor authentication is off")
				return nil
			})
		},
	})
	disable2FA.Flags().StringVar(&tfaEmail, "email", "", "email address of the account (required)")
	_ = disable2FA.MarkFlagRequired("email")

	cmd.AddCommand(create, list, reset, disable2FA, appPasswordCmd())
	return cmd
}

// appPasswordCmd is `atrium user app-password …`: the app passwords that
// CalDAV and WebDAV clients sign in with.
func appPasswordCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "app-password",
		Short: "Create, list and revoke an account's app passwords (CalDAV, WebDAV)",
	}
	var email, name, id string
	create := withConfig(&cobra.Command{
		Use:   "create --email EMAIL --name NAME",
		Short: "Create an app password and print it once",
		Long: `Create an app password for an active account and print it once: the apps that
sync calendars (CalDAV) and files (WebDAV) sign in with the account's email
address and this password. It is not stored in a form that can be shown again;
people can also create and revoke their own in Account & security.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, ids *identity.Service) error {
				p, err := ids.CreateAppPasswordByEmail(ctx, email, name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "app password %s (%s) for %s:\n%s\n", p.ID, p.Name,
					strings.ToLower(strings.TrimSpace(email)), p.Password)
				return nil
			})
		},
	})
	create.Flags().StringVar(&email, "email", "", "email address of the account (required)")
	create.Flags().StringVar(&name, "name", "", "what the password is for, e.g. \"Thunderbird on the laptop\" (required)")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")

	list := withConfig(&cobra.Command{
		Use:   "list --email EMAIL",
		Short: "List an account's app passwords (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, ids *identity.Service) error {
				l, err := ids.AppPasswordsByEmail(ctx, email)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED")
				for _, p := range l.Items {
					used := "never"
					if p.LastUsedAt != 0 {
						used = time.UnixMilli(p.LastUsedAt).UTC().Format("2006-01-02 15:04") + " from " + p.LastUsedIP
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Name, time.UnixMilli(p.CreatedAt).UTC().Format("2006-01-02 15:04"), used)
				}
				return tw.Flush()
			})
		},
	})
	list.Flags().StringVar(&email, "email", "", "email address of the account (required)")
	_ = list.MarkFlagRequired("email")

	revoke := withConfig(&cobra.Command{
		Use:   "revoke --email EMAIL --id ID",
		Short: "Revoke an app password: the next request made with it is refused",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUsers(cmd, func(ctx context.Context, ids *identity.Service) error {
				if err := ids.RevokeAppPasswordByEmail(ctx, email, id); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "app password revoked")
				return nil
			})
		},
	})
	revoke.Flags().StringVar(&email, "email", "", "email address of the account (required)")
	revoke.Flags().StringVar(&id, "id", "", "id of the app password, from 'atrium user app-password list' (required)")
	_ = revoke.MarkFlagRequired("email")
	_ = revoke.MarkFlagRequired("id")

	cmd.AddCommand(create, list, revoke)
	return cmd
}
