// Package web holds the built web app. `make ui` (scripts/build-web.sh) fills
// dist/ from the React sources beside this file; go:embed then puts it into
// the binary. dist/ is not committed except for an empty .keep, so `go build`
// works without Node and the server shows a "web app not built" page.
package web

import "embed"

// Dist is the web app's build output, rooted at "dist".
//
//go:embed all:dist
var Dist embed.FS
