/** TreeNode is an item with its children, for department trees. */
export type TreeNode<T> = T & { children: TreeNode<T>[]; depth: number };

/** buildTree arranges items with parent_id into a forest ("" or unknown parent = root). */
export function buildTree<T extends { id: string; parent_id: string; sort_order?: number; name: string }>(
  items: T[],
): TreeNode<T>[] {
  const byId = new Map<string, TreeNode<T>>();
  for (const it of items) byId.set(it.id, { ...it, children: [], depth: 0 });
  const roots: TreeNode<T>[] = [];
  for (const n of byId.values()) {
    const p = n.parent_id ? byId.get(n.parent_id) : undefined;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const sort = (ns: TreeNode<T>[], depth: number) => {
    ns.sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0) || a.name.localeCompare(b.name));
    for (const n of ns) {
      n.depth = depth;
      sort(n.children, depth + 1);
    }
  };
  sort(roots, 0);
  return roots;
}

/** flatten lists a forest depth-first. */
export function flatten<T>(ns: TreeNode<T>[]): TreeNode<T>[] {
  return ns.flatMap((n) => [n, ...flatten(n.children)]);
}

/** isDescendant reports whether id is inside the subtree of ancestor. */
export function isDescendant<T extends { id: string }>(ancestor: TreeNode<T>, id: string): boolean {
  return ancestor.children.some((c) => c.id === id || isDescendant(c, id));
}
