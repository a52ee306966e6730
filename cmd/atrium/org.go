package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, orgCmd) }

// orgClient talks to a running server's HTTP API as a signed-in person.
type orgClient struct {
	server string
	token  string
	http   *http.Client
}

// call sends a JSON request and decodes a JSON answer into out; API errors
// come back as "code: message".
func (c *orgClient) call(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimRight(c.server, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Code != "" {
			return fmt.Errorf("%s: %s", e.Error.Code, e.Error.Message)
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

func orgCmd() *cobra.Command {
	var server, tokenFile string
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Your organizations: sign in, list, create, switch, quit (talks to a running server)",
		Long: `Work with your organizations ("company identities") on a running Atrium server,
as yourself. Sign in once with 'atrium org login', which keeps a session token in
--token-file (mode 0600); the other commands use it.

  printf '%s\n' "$PASSWORD" | atrium org login --email ada@example.com --password-stdin
  atrium org list
  atrium org switch org_…
  atrium org quit`,
	}
	cmd.PersistentFlags().StringVar(&server, "server", "http://127.0.0.1:8080", "the server's URL")
	cmd.PersistentFlags().StringVar(&tokenFile, "token-file", defaultTokenFile(), "file holding the session token")

	client := func(needToken bool) (*orgClient, error) {
		c := &orgClient{server: server, http: &http.Client{Timeout: 30 * time.Second}}
		if !needToken {
			return c, nil
		}
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, fmt.Errorf("no session token in %s: sign in with 'atrium org login' first", tokenFile)
		}
		c.token = strings.TrimSpace(string(b))
		return c, nil
	}

	var email string
	var fromStdin bool
	login := &cobra.Command{
		Use:   "login --email EMAIL --password-stdin",
		Short: "Sign in and keep the session token in --token-file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !fromStdin {
				return errors.New("give the password on standard input with --password-stdin")
			}
			pw, err := readPassword(cmd.InOrStdin())
			if err != nil {
				return err
			}
			c, _ := client(false)
			var res struct {
				Token string `json:"token"`
			}
			if err := c.call("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw, "bearer": true}, &res); err != nil {
				return err
			}
			if err := os.WriteFile(tokenFile, []byte(res.Token+"\n"), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed in; session token saved in %s\n", tokenFile)
			return nil
		},
	}
	login.Flags().StringVar(&email, "email", "", "your email address (required)")
	login.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	_ = login.MarkFlagRequired("email")

	list := &cobra.Command{
		Use:   "list",
		Short: "List your organizations; * marks the current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(true)
			if err != nil {
				return err
			}
			var res struct {
				Items []struct {
					OrgID       string `json:"org_id"`
					Name        string `json:"name"`
					Role        string `json:"role"`
					DisplayName string `json:"display_name"`
					Title       string `json:"title"`
					Current     bool   `json:"current"`
				} `json:"items"`
			}
			if err := c.call("GET", "/api/v1/me/orgs", nil, &res); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, " \tID\tNAME\tROLE\tYOUR NAME THERE\tTITLE")
			for _, o := range res.Items {
				mark := " "
				if o.Current {
					mark = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, o.OrgID, o.Name, o.Role, o.DisplayName, o.Title)
			}
			return tw.Flush()
		},
	}

	switchCmd := &cobra.Command{
		Use:   "switch ORG_ID",
		Short: "Make ORG_ID the current organization of your session",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(true)
			if err != nil {
				return err
			}
			if err := c.call("POST", "/api/v1/me/org", map[string]any{"org_id": args[0]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "switched to %s\n", args[0])
			return nil
		},
	}

	var region, industry, size string
	create := &cobra.Command{
		Use:   "create NAME [--region R] [--industry I] [--size S]",
		Short: "Create an organization that you own, and switch to it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(true)
			if err != nil {
				return err
			}
			var o struct {
				ID string `json:"id"`
			}
			if err := c.call("POST", "/api/v1/orgs", map[string]any{"name": args[0], "region": region, "industry": industry, "size": size}, &o); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s\n", o.ID)
			return nil
		},
	}
	create.Flags().StringVar(&region, "region", "", "region")
	create.Flags().StringVar(&industry, "industry", "", "industry")
	create.Flags().StringVar(&size, "size", "", "size, e.g. 11-50")

	quit := &cobra.Command{
		Use:   "quit",
		Short: "Leave your current organization (its privacy policy then erases your data there)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(true)
			if err != nil {
				return err
			}
			if err := c.call("POST", "/api/v1/me/erasures/quit-org", nil, nil); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "left the organization")
			return nil
		},
	}
	cmd.AddCommand(login, list, switchCmd, create, quit)
	return cmd
}

// defaultTokenFile is ~/.atrium-token (or ./.atrium-token without a home).
func defaultTokenFile() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h + string(os.PathSeparator) + ".atrium-token"
	}
	return ".atrium-token"
}
