// Sums the gzipped size of what the chat screen loads before it is
// interactive: the entry chunk, the chat route's chunk, every chunk they
// import statically, the strings of one language (loaded before the first
// screen is drawn) and the CSS. Run after `npm run build`:
//   cd web && npm run build && node scripts/chat-size.mjs [en|zh]
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const dir = "dist/assets/";
const files = readdirSync(dir);
const chat = files.find((f) => f.endsWith(".js") && readFileSync(dir + f, "utf8").includes("messages-inner"));
const entry = files.find((f) => /^index-.*\.js$/.test(f));
const seen = new Set();
const walk = (f) => {
  if (seen.has(f)) return;
  seen.add(f);
  const s = readFileSync(dir + f, "utf8");
  // static imports only: `import ... from "./x.js"` / `import "./x.js"`
  for (const m of s.matchAll(/(?:^|[;\s}])import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.js)["']/g))
    walk(m[1]);
};
const lang = process.argv[2] ?? "en";
const strings = files.find((f) => f.startsWith(`${lang}-`) && f.endsWith(".js"));
walk(entry);
walk(chat);
if (strings) walk(strings);
let total = 0;
for (const f of [...seen, ...files.filter((f) => f.endsWith(".css"))]) {
  const n = gzipSync(readFileSync(dir + f)).length;
  total += n;
  console.log(f, (n / 1024).toFixed(1));
}
console.log("chat chunk:", chat, "strings:", strings, "total gzip KB:", (total / 1024).toFixed(1));
