import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { build, type Plugin } from "vite";
import { defineConfig } from "vitest/config";

// The Go server (atrium serve) answers /api; in dev mode it proxies every
// other path here (atrium serve --dev-ui-url http://127.0.0.1:5173), and this
// dev server proxies /api back to it, so either origin works in the browser.
const api = process.env.ATRIUM_API_URL ?? "http://127.0.0.1:8080";

/** files lists the files under dir, as paths relative to it with forward slashes. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

/**
 * serviceWorker builds src/sw/sw.ts into dist/sw.js after the app: a classic
 * script (every browser runs those as service workers) that precaches every
 * file of this build (index.html, the hashed assets, the icons and the
 * manifest) and whose version is a hash of their contents, so each release
 * installs a new worker. Nothing is fetched at build time.
 */
function serviceWorker(): Plugin {
  let outDir = "dist";
  let root = ".";
  return {
    name: "atrium-service-worker",
    apply: "build",
    configResolved(c) {
      root = c.root;
      outDir = resolve(c.root, c.build.outDir);
    },
    async closeBundle() {
      const shell = files(outDir).filter((f) => f !== "sw.js" && !f.startsWith(".") && !f.endsWith(".map"));
      const h = createHash("sha256");
      for (const f of shell)
        h.update(f)
          .update("\0")
          .update(readFileSync(join(outDir, f)));
      await build({
        configFile: false,
        root,
        logLevel: "warn",
        publicDir: false,
        define: {
          __PRECACHE__: JSON.stringify(shell.map((f) => `/${f}`)),
          __SW_VERSION__: JSON.stringify(h.digest("hex").slice(0, 16)),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: false,
          minify: true,
          lib: {
            entry: resolve(root, "src/sw/sw.ts"),
            formats: ["iife"],
            name: "atriumServiceWorker",
            fileName: () => "sw.js",
          },
        },
      });
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    {
      // dist/.keep is committed so that go:embed always finds the directory;
      // emptyOutDir removes it, so put it back after each build.
      name: "atrium-keep-dist",
      apply: "build",
      closeBundle() {
        writeFileSync("dist/.keep", "");
      },
    },
    serviceWorker(),
  ],
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: api, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "jsdom",
    globals: false,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
