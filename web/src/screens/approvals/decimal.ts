// Exact decimal arithmetic for number and money fields. A value is typed as
// text and held as an integer (bigint) with a scale — money always in cents
// — so that no sum ever goes through a float.

/** Dec is an exact decimal: n × 10^-scale. */
export type Dec = { n: bigint; scale: number };

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** clean drops the spaces and thousands separators people type ("8,000.50"). */
function clean(s: string): string {
  return s.trim().replace(/[\s,_，]/g, "");
}

/** parseDec reads a decimal string ("12.50", "-3", "1,200"); null when it is not one. */
export function parseDec(s: string): Dec | null {
  const m = DECIMAL.exec(clean(s));
  if (!m) return null;
  const frac = m[3] ?? "";
  const n = BigInt(m[2] + frac);
  return { n: m[1] === "-" ? -n : n, scale: frac.length };
}

/** decimals is how many decimal places s was typed with (-1 when s is not a decimal). */
export function decimals(s: string): number {
  const d = parseDec(s);
  return d ? d.scale : -1;
}

/** rescale gives d at a larger scale (same value). */
function rescale(d: Dec, scale: number): bigint {
  return d.n * 10n ** BigInt(scale - d.scale);
}

/** addDec adds exactly. */
export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { n: rescale(a, scale) + rescale(b, scale), scale };
}

/** cmpDec compares: -1, 0 or 1. */
export function cmpDec(a: Dec, b: Dec): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** formatDec writes d without trailing zeros after the point ("12.5", "3"). */
export function formatDec(d: Dec): string {
  const neg = d.n < 0n;
  let digits = (neg ? -d.n : d.n).toString().padStart(d.scale + 1, "0");
  let out = digits;
  if (d.scale > 0) {
    digits = `${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`;
    out = digits.replace(/\.?0+$/, "");
  }
  return neg && out !== "0" ? `-${out}` : out;
}

/** parseMoney reads a money amount into cents; null when it is not an amount with at most two decimals. */
export function parseMoney(s: string): bigint | null {
  const d = parseDec(s);
  if (!d || d.scale > 2) return null;
  return rescale(d, 2);
}

/** formatMoney writes cents with exactly two decimals ("8000.00"), as the server normalizes money. */
export function formatMoney(cents: bigint): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
  return neg ? `-${s}` : s;
}

/** showMoney writes cents for people: grouped digits, two decimals and the currency ("CNY 8,000.00"). */
export function showMoney(cents: bigint, currency = "CNY", lang = "en"): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const whole = new Intl.NumberFormat(lang.startsWith("zh") ? "zh-CN" : "en").format(abs / 100n);
  const frac = (abs % 100n).toString().padStart(2, "0");
  return `${currency || "CNY"} ${neg ? "-" : ""}${whole}.${frac}`;
}

/** showAmount shows a money string as showMoney does (the text itself when it is not an amount). */
export function showAmount(s: string, currency = "CNY", lang = "en"): string {
  const c = parseMoney(s);
  return c === null ? s : showMoney(c, currency, lang);
}

/** sumMoney adds amounts exactly; texts that are not amounts (or empty) count as nothing. */
export function sumMoney(amounts: string[]): bigint {
  let total = 0n;
  for (const a of amounts) {
    const c = parseMoney(a);
    if (c !== null) total += c;
  }
  return total;
}

/** sumDec adds decimals exactly; texts that are not decimals (or empty) count as nothing. */
export function sumDec(values: string[]): Dec {
  let total: Dec = { n: 0n, scale: 0 };
  for (const v of values) {
    const d = parseDec(v);
    if (d) total = addDec(total, d);
  }
  return total;
}
