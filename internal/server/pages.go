package server

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/atrium-hq/atrium/web"
)

// Minimal first-run setup and sign-in pages: plain forms without inline
// script (CSP script-src 'self'), posting with fetch from static/pages.js.
// /setup and /login are the web app's own screens when the app is built (or
// a dev proxy is configured), and these pages otherwise.

//go:embed static
var staticFiles embed.FS

// webAppBuilt reports whether the embedded web app can serve its own pages.
func (s *Server) webAppBuilt() bool {
	if s.DevUIURL != "" {
		return true
	}
	_, err := fs.Stat(web.Dist, "dist/index.html")
	return err == nil
}

// mountPages adds /setup, /login and /static/ to the mux; app is the web
// app's handler, used for the pages when it is built.
func (s *Server) mountPages(app http.Handler) {
	built := s.webAppBuilt()
	page := func(body string, appHasIt bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if built && appHasIt {
				app.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte(body))
		})
	}
	s.mux.Handle("GET /setup", page(setupPage, true))
	s.mux.Handle("GET /login", page(loginPage, true))
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
}

const pageHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s · Atrium</title>
<link rel="stylesheet" href="/static/pages.css">
<script src="/static/pages.js" defer></script>
</head>
<body>
<main>
`

const pageFoot = `<p id="message" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`

var setupPage = strings.Replace(pageHead, "%s", "Set up", 1) + `<h1>Set up Atrium</h1>
<p>Create the first organization and its owner account. Use the link the server printed when it started.</p>
<form id="setup-form" data-action="setup">
<fieldset>
<legend>Organization</legend>
<label>Name <input name="org_name" required maxlength="100" autocomplete="organization"></label>
<label>Region <input name="org_region" maxlength="100"></label>
<label>Industry <input name="org_industry" maxlength="100"></label>
<label>Size
<select name="org_size">
<option value="">—</option>
<option>1-10</option><option>11-50</option><option>51-200</option><option>201-1000</option><option>1000+</option>
</select>
</label>
</fieldset>
<fieldset>
<legend>Owner</legend>
<label>Your name <input name="owner_name" required maxlength="100" autocomplete="name"></label>
<label>Email <input name="owner_email" type="email" required autocomplete="email"></label>
<label>Password <input name="owner_password" type="password" required minlength="8" autocomplete="new-password"></label>
</fieldset>
<button type="submit">Create organization</button>
</form>
` + pageFoot

var loginPage = strings.Replace(pageHead, "%s", "Sign in", 1) + `<h1>Sign in to Atrium</h1>
<form id="login-form" data-action="login">
<label>Email <input name="email" type="email" required autocomplete="username"></label>
<label>Password <input name="password" type="password" required autocomplete="current-password"></label>
<label>Authentication code (if enabled) <input name="totp_code" inputmode="numeric" autocomplete="one-time-code" maxlength="8"></label>
<button type="submit">Sign in</button>
</form>
` + pageFoot
