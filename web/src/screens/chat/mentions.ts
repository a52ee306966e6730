// Mentions are typed as "@Name" in the composer and sent as the server's
// markup "@[Name](acc_…)" (internal/chat/markdown.go).

export type Mentionable = { id: string; name: string };

/** mentionQuery returns the text after an "@" being typed at the caret, or null. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = before.match(/(^|\s)@([^\s@]{0,32})$/);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** toMarkup turns the "@Name" mentions picked in the composer into "@[Name](acc_…)". */
export function toMarkup(text: string, picked: Mentionable[]): string {
  let out = text;
  // Longest names first, so "@Ann Lee" wins over "@Ann".
  for (const p of [...picked].sort((a, b) => b.name.length - a.name.length)) {
    const esc = p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`(^|[^\\[])@${esc}(?![\\]\\w])`, "g"), `$1@[${p.name}](${p.id})`);
  }
  return out;
}

/** fromMarkup turns "@[Name](acc_…)" back into "@Name" (for editing), returning the mentions. */
export function fromMarkup(body: string): { text: string; picked: Mentionable[] } {
  const picked: Mentionable[] = [];
  const text = body.replace(/@\[([^\]\n]{1,64})\]\((acc_[0-9a-f]+)\)/g, (_, name: string, id: string) => {
    picked.push({ id, name });
    return `@${name}`;
  });
  return { text, picked };
}
