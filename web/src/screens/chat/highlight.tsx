import type { ReactNode } from "react";

/** HitPart is a piece of text, matched by the query or not. */
export type HitPart = { text: string; hit: boolean };

/**
 * hitParts splits text into the pieces the query's words match
 * (case-insensitively, the longest word first where words overlap) and
 * the rest, in order.
 */
export function hitParts(text: string, query: string): HitPart[] {
  const words = [...new Set(query.trim().split(/\s+/).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!text || words.length === 0) return text ? [{ text, hit: false }] : [];
  const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "giu");
  const out: HitPart[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (m[0] === "") continue;
    if (at > last) out.push({ text: text.slice(last, at), hit: false });
    out.push({ text: m[0], hit: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}

/** Highlighted shows text with the query's words marked. */
export function Highlighted({ text, query }: { text: string; query: string }): ReactNode {
  return hitParts(text, query).map((p, i) =>
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order
    p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>,
  );
}
