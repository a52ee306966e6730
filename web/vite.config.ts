import { writeFileSync } from "node:fs";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Go server (atrium serve) answers /api; in dev mode it proxies every
// other path here (atrium serve --dev-ui-url http://127.0.0.1:5173), and this
// dev server proxies /api back to it, so either origin works in the browser.
const api = process.env.ATRIUM_API_URL ?? "http://127.0.0.1:8080";

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
