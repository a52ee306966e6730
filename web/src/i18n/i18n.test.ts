// Fails when a key used in the code, or present in one locale, is missing
// from the other locale — so no screen shows a raw key or English text in
// the Chinese UI.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import vocabulary from "../../../docs/vocabulary.json";
import en from "./locales/en.json";
import zh from "./locales/zh.json";

type Tree = { [k: string]: string | Tree };

function flatten(t: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function sources(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(p);
  }
  return files;
}

// t("key"), t('key'), i18nKey="key", and tk("key") (a key passed on for later translation).
const USE = /\b(?:t|tk|i18n\.t)\(\s*["'`]([a-zA-Z0-9_.-]+)["'`]|i18nKey=["']([a-zA-Z0-9_.-]+)["']/g;

function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  for (const f of sources(root)) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(USE)) used.set(m[1] ?? m[2], f.slice(root.length + 1));
  }
  return used;
}

// i18next plural forms: a key "x" may exist only as "x_one"/"x_other".
function has(keys: Map<string, string>, k: string): boolean {
  return keys.has(k) || keys.has(`${k}_other`);
}

describe("translations", () => {
  const enKeys = flatten(en as Tree);
  const zhKeys = flatten(zh as Tree);

  it("has the same keys in English and Chinese", () => {
    const missingInZh = [...enKeys.keys()].filter(
      (k) => !zhKeys.has(k) && !(k.endsWith("_one") && zhKeys.has(k.replace(/_one$/, "_other"))),
    );
    const missingInEn = [...zhKeys.keys()].filter((k) => !enKeys.has(k));
    expect(missingInZh, "keys missing from zh.json").toEqual([]);
    expect(missingInEn, "keys missing from en.json").toEqual([]);
  });

  it("has every key the code uses, in both languages", () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const [k, file] of used) {
      if (!has(enKeys, k)) missing.push(`en: ${k} (${file})`);
      if (!has(zhKeys, k)) missing.push(`zh: ${k} (${file})`);
    }
    expect(missing).toEqual([]);
  });

  it("has no empty strings", () => {
    const empty = [...enKeys, ...zhKeys].filter(([, v]) => v.trim() === "").map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it("keeps interpolation variables the same in both languages", () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const diff: string[] = [];
    for (const [k, v] of enKeys) {
      const z = zhKeys.get(k);
      if (z !== undefined && vars(v).join() !== vars(z).join()) diff.push(k);
    }
    expect(diff).toEqual([]);
  });

  // docs/vocabulary.json lists every error code and enum value the server
  // sends (generated from the Go sources): each needs words in both languages.
  it("has a message for every server error code and a word for every enum value", () => {
    const missing: string[] = [];
    expect(vocabulary.error_codes.length).toBeGreaterThan(100);
    for (const code of vocabulary.error_codes) {
      for (const [lang, keys] of [
        ["en", enKeys],
        ["zh", zhKeys],
      ] as const) {
        if (!keys.has(`errors.${code}`)) missing.push(`${lang}: errors.${code}`);
      }
    }
    for (const [name, values] of Object.entries(vocabulary.enums)) {
      for (const v of values) {
        for (const [lang, keys] of [
          ["en", enKeys],
          ["zh", zhKeys],
        ] as const) {
          if (!keys.has(`enums.${name}.${v}`)) missing.push(`${lang}: enums.${name}.${v}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  // English left in zh.json: a Chinese text identical to the English one,
  // unless it is only names and abbreviations that stay as they are.
  it("has no English left in the Chinese texts", () => {
    const allowed = new Set([
      "Atrium",
      "CSV",
      "TOTP",
      "OK",
      "Email",
      "English",
      "中文",
      "IP",
      "ID",
      "URL",
      "JSON",
      "PDF",
      "QR",
      "@all",
    ]);
    // Strip placeholders, markup and allowed words; what is left must not
    // be Latin letters only.
    const words = (s: string) =>
      s
        .replace(/\{\{\w+\}\}/g, " ")
        .replace(/<\/?\d+>/g, " ")
        .split(/[^A-Za-z@]+/)
        .filter((w) => w !== "" && !allowed.has(w));
    const english: string[] = [];
    for (const [k, v] of enKeys) {
      const z = zhKeys.get(k);
      if (z === undefined || z !== v) continue;
      if (words(z).length > 0) english.push(`${k}: ${z}`);
    }
    expect(english).toEqual([]);
  });
});
