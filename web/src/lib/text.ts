/** plainText is a message body with mentions written as @name, white space folded, shortened for a list. */
export function plainText(body: string, max = 160): string {
  const s = body
    .replace(/@\[([^\]]+)\]\([^)]+\)/g, "@$1")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
