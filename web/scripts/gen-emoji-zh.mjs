// Writes src/screens/chat/emoji-zh.json: the Chinese name and search words
// of every emoji the picker shows, from the Unicode CLDR annotations
// (Unicode License v3). Get them with npm and run, from web/:
//   npm pack cldr-annotations-full cldr-annotations-derived-full
//   (untar both into /tmp/cldr-base and /tmp/cldr-derived)
//   node scripts/gen-emoji-zh.mjs /tmp/cldr-base/package /tmp/cldr-derived/package
//   npx biome format --write src/screens/chat/emoji-zh.json
// Each entry is emoji → [name, ...words]. The file is loaded with the
// picker, only when the interface is in Chinese.
import { readFileSync, writeFileSync } from "node:fs";

const [base, derived] = process.argv.slice(2);
if (!base || !derived) {
  console.error("usage: node scripts/gen-emoji-zh.mjs CLDR_ANNOTATIONS_DIR CLDR_DERIVED_DIR");
  process.exit(2);
}
const read = (p) => JSON.parse(readFileSync(p, "utf8"));
const cldr = {
  ...read(`${derived}/annotationsDerived/zh/annotations.json`).annotationsDerived.annotations,
  ...read(`${base}/annotations/zh/annotations.json`).annotations.annotations,
};
const strip = (s) => s.replace(/\uFE0F/g, "");
const byBare = new Map(Object.entries(cldr).map(([k, v]) => [strip(k), v]));
const data = read("node_modules/@emoji-mart/data/sets/15/native.json");
const out = {};
let missing = 0;
for (const c of data.categories) {
  for (const id of c.emojis) {
    const native = data.emojis[id]?.skins?.[0]?.native;
    if (!native) continue;
    const a = cldr[native] ?? byBare.get(strip(native));
    if (!a) {
      missing++;
      continue;
    }
    // Derived names read "旗: 中国" or "按键: #": both halves are search words.
    const name = a.tts?.[0] ?? a.default?.[0] ?? "";
    const words = new Set();
    for (const w of [...(a.default ?? []), ...name.split(/[:：]\s*/)]) {
      const t = w.trim();
      if (t && t !== name) words.add(t);
    }
    out[native] = [name, ...words];
  }
}
writeFileSync("src/screens/chat/emoji-zh.json", `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(out).length} emoji with Chinese words, ${missing} without`);
