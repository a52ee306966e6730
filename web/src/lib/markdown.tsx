// Markdown for announcement bodies, rendered in the browser with the subset
// and rules of chat messages (internal/chat/markdown.go): paragraphs,
// headings, block quotes, lists, code blocks, rules, emphasis, strong,
// strikethrough, inline code and links to http, https and mailto only.
// It builds React elements, never HTML strings: raw HTML in the source
// stays text, and no attribute but a checked href is ever set, so nothing
// the author writes can run. Images are not part of the subset.
import { Fragment, type ReactNode } from "react";

/** Block is one parsed block of a Markdown document. */
export type Block =
  | { kind: "p"; text: string }
  | { kind: "h"; level: 1 | 2 | 3 | 4 | 5 | 6; text: string }
  | { kind: "quote"; blocks: Block[] }
  | { kind: "list"; ordered: boolean; start: number; items: Block[][] }
  | { kind: "code"; text: string }
  | { kind: "hr" };

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const BULLET = /^( {0,3})([-*+])[ \t]+/;
const NUMBER = /^( {0,3})([0-9]{1,9})[.)][ \t]+/;

function listStart(line: string): { ordered: boolean; start: number; indent: number } | null {
  const b = BULLET.exec(line);
  if (b) return { ordered: false, start: 1, indent: b[0].length };
  const n = NUMBER.exec(line);
  if (n) return { ordered: true, start: Number(n[2]), indent: n[0].length };
  return null;
}

const blank = (l: string) => l.trim() === "";

/** parseBlocks splits Markdown source into blocks. */
export function parseBlocks(src: string): Block[] {
  return parse(src.replace(/\r\n?/g, "\n").split("\n"));
}

function parse(lines: string[]): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (blank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1][0]}{${fence[1].length},}[ \\t]*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      out.push({ kind: "code", text: body.join("\n") });
      continue;
    }
    if (RULE.test(line)) {
      out.push({ kind: "hr" });
      i++;
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      out.push({ kind: "h", level: h[1].length as 1, text: h[2] ?? "" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && !blank(lines[i]) && (QUOTE.test(lines[i]) || inner.length > 0)) {
        inner.push(lines[i].replace(QUOTE, ""));
        i++;
      }
      out.push({ kind: "quote", blocks: parse(inner) });
      continue;
    }
    const ls = listStart(line);
    if (ls) {
      const items: Block[][] = [];
      let cur: string[] = [];
      while (i < lines.length) {
        const l = lines[i];
        const s = listStart(l);
        if (s && s.ordered === ls.ordered) {
          if (cur.length) items.push(parse(cur));
          cur = [l.slice(s.indent)];
          i++;
        } else if (blank(l)) {
          // A blank line ends the list unless the next line goes on with it.
          const next = lines[i + 1];
          if (next === undefined || (!/^[ \t]{2,}/.test(next) && !listStart(next))) break;
          cur.push("");
          i++;
        } else if (/^[ \t]{2,}/.test(l) || !s) {
          if (!/^[ \t]/.test(l) && (FENCE.test(l) || RULE.test(l) || HEADING.test(l) || QUOTE.test(l))) break;
          cur.push(l.replace(/^[ \t]{1,4}/, ""));
          i++;
        } else break;
      }
      if (cur.length) items.push(parse(cur));
      out.push({ kind: "list", ordered: ls.ordered, start: ls.start, items });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !blank(lines[i])) {
      const l = lines[i];
      if (
        para.length > 0 &&
        (FENCE.test(l) || RULE.test(l) || HEADING.test(l) || QUOTE.test(l) || BULLET.test(l))
      )
        break;
      para.push(l.trim());
      i++;
    }
    out.push({ kind: "p", text: para.join("\n") });
  }
  return out;
}

/** safeHref returns url when it is an http, https or mailto address, else "". */
export function safeHref(url: string): string {
  const u = url.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(u)) return "";
  try {
    const p = new URL(u);
    return p.protocol === "http:" || p.protocol === "https:" || p.protocol === "mailto:" ? u : "";
  } catch {
    return "";
  }
}

// Inline spans, tried in this order at each position.
const INLINE =
  /(`+)([\s\S]*?[^`])\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|~~(?=\S)([\s\S]*?\S)~~|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\w])|\[([^\]\n]+)\]\(\s*([^()\s]+)\s*\)|\b(https?:\/\/[^\s<]*[^\s<.,:;"')\]!?])|\\([\\`*_{}[\]()#+\-.!~>])|!\[([^\]\n]*)\]\(\s*([^()\s]+)\s*\)/;

/** Options: imagePrefix keeps images whose source is that same-origin path plus an id. */
type Options = { imagePrefix?: string };

function keptImage(src: string, o: Options): boolean {
  if (!o.imagePrefix || !src.startsWith(o.imagePrefix)) return false;
  return /^[A-Za-z0-9_]{1,64}$/.test(src.slice(o.imagePrefix.length));
}

/** inline renders a span of text with emphasis, code and links. */
export function inline(text: string, key = "i", o: Options = {}): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const k = `${key}.${n++}`;
    if (m[1]) out.push(<code key={k}>{m[2].replace(/^ (.*) $/, "$1")}</code>);
    else if (m[3] !== undefined) out.push(<strong key={k}>{inline(m[3], k, o)}</strong>);
    else if (m[4] !== undefined) out.push(<strong key={k}>{inline(m[4], k, o)}</strong>);
    else if (m[5] !== undefined) out.push(<del key={k}>{inline(m[5], k, o)}</del>);
    else if (m[6] !== undefined) out.push(<em key={k}>{inline(m[6], k, o)}</em>);
    else if (m[7] !== undefined) out.push(<em key={k}>{inline(m[7], k, o)}</em>);
    else if (m[8] !== undefined) {
      const href = safeHref(m[9]);
      out.push(href ? link(k, href, inline(m[8], k, o)) : <Fragment key={k}>{inline(m[8], k, o)}</Fragment>);
    } else if (m[10] !== undefined) out.push(link(k, m[10], m[10]));
    else if (m[11] !== undefined) out.push(m[11]);
    else if (m[12] !== undefined)
      // Images are not in the subset (their text only), but for same-origin files the caller names.
      out.push(keptImage(m[13], o) ? <img key={k} src={m[13]} alt={m[12]} /> : m[12]);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function link(key: string, href: string, children: ReactNode) {
  const external = /^https?:/i.test(href);
  return (
    <a key={key} href={href} rel="nofollow noreferrer noopener" target={external ? "_blank" : undefined}>
      {children}
    </a>
  );
}

function block(b: Block, key: string, o: Options): ReactNode {
  switch (b.kind) {
    case "p":
      return <p key={key}>{inline(b.text, key, o)}</p>;
    case "h": {
      const H = `h${b.level}` as const;
      return <H key={key}>{inline(b.text, key, o)}</H>;
    }
    case "quote":
      return <blockquote key={key}>{b.blocks.map((x, i) => block(x, `${key}.${i}`, o))}</blockquote>;
    case "list": {
      const items = b.items.map((it, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity but their place
        <li key={i}>
          {it.length === 1 && it[0].kind === "p"
            ? inline(it[0].text, `${key}.${i}`, o)
            : it.map((x, j) => block(x, `${key}.${i}.${j}`, o))}
        </li>
      ));
      return b.ordered ? (
        <ol key={key} start={b.start === 1 ? undefined : b.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "code":
      return (
        <pre key={key}>
          <code>{b.text}</code>
        </pre>
      );
    case "hr":
      return <hr key={key} />;
  }
}

/** Markdown renders Markdown source as React elements (see the file comment). */
export function Markdown({
  source,
  className,
  imagePrefix,
}: {
  source: string;
  className?: string;
  imagePrefix?: string;
}) {
  const o = { imagePrefix };
  return <div className={className}>{parseBlocks(source).map((b, i) => block(b, `b${i}`, o))}</div>;
}
