// Drive: the calls the screens make, and the shapes they answer with. The
// shapes follow the server's (internal/drive); paths are listed once here.
import { ApiError, csrfToken } from "../../api/client";

export type Role = "viewer" | "editor" | "manager";
export type Member = { kind: string; id: string; role: string };
export type Space = {
  id: string;
  kind: "personal" | "team" | "department" | "project";
  name: string;
  owner_account_id?: string;
  root_id: string;
  members: Member[];
  my_role: Role;
  quota_bytes: number;
  used_bytes: number;
  created_at: number;
  updated_at: number;
};
export type Item = {
  id: string;
  space_id: string;
  parent_id: string;
  kind: "folder" | "file";
  name: string;
  size: number;
  content_type?: string;
  sha256?: string;
  version: number;
  etag: string;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
  trashed_at?: number;
  my_role: Role;
};
export type Version = {
  version: number;
  size: number;
  content_type: string;
  sha256: string;
  created_by: string;
  created_at: number;
  current: boolean;
};
export type Share = {
  id: string;
  item_id: string;
  kind: "member" | "department" | "role";
  subject_id: string;
  role: "viewer" | "editor";
  created_by: string;
  created_at: number;
};
export type LinkPermission = "view" | "download" | "edit";
export type Link = {
  id: string;
  item_id: string;
  permission: LinkPermission;
  has_password: boolean;
  expires_at?: number;
  revoked_at?: number;
  created_by: string;
  created_at: number;
  token?: string;
};
/** SearchHit is an item a search found: by its name, or by its contents with a snippet. */
export type SearchHit = Item & { match: "name" | "content"; snippet?: string };
export type LinkInfo = { item: Item; permission: LinkPermission; expires_at?: number };
/** Access is one use of a link, as its access log lists it (network truncated by the server). */
export type Access = {
  id: string;
  item_id: string;
  action: string;
  account_id?: string;
  network: string;
  user_agent: string;
  outcome: string;
  at: number;
};
/** LinkGrant is a passworded link's grant: the browser holds it as a cookie until expires_at. */
export type LinkGrant = { expires_at: number };
export type Settings = {
  link_sharing: "none" | "inside" | "public";
  trash_days: number;
  keep_versions: number;
  personal_quota_bytes: number;
  org_quota_bytes: number;
  used_bytes: number;
};
export type UploadSession = { id: string; size: number; offset: number; name: string; parent_id: string };

const BASE = "/api/v1/drive";
const enc = encodeURIComponent;

/** PASSWORD_HEADER carries a link's password. */
export const PASSWORD_HEADER = "X-Link-Password";

/** call sends a JSON request and answers the decoded body, or throws an ApiError. */
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const token = csrfToken();
    if (token) h["X-CSRF-Token"] = token;
  }
  const res = await fetch(path, {
    method,
    headers: h,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer<T>(res);
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.ok) return data as T;
  const e = (data ?? {}) as {
    error?: { code?: string; message?: string; details?: Record<string, unknown> };
  };
  throw new ApiError(
    res.status,
    e.error?.code ?? `http_${res.status}`,
    e.error?.message ?? res.statusText,
    e.error?.details,
  );
}

export const paths = {
  spaces: `${BASE}/spaces`,
  mySpace: `${BASE}/spaces/me`,
  space: (id: string) => `${BASE}/spaces/${enc(id)}`,
  trash: (spaceId: string) => `${BASE}/spaces/${enc(spaceId)}/trash`,
  item: (id: string) => `${BASE}/items/${enc(id)}`,
  children: (id: string) => `${BASE}/items/${enc(id)}/children`,
  ancestors: (id: string) => `${BASE}/items/${enc(id)}/ancestors`,
  folders: `${BASE}/folders`,
  upload: (folderId: string, name: string) => `${BASE}/items/${enc(folderId)}/files?name=${enc(name)}`,
  content: (id: string, version?: number) =>
    `${BASE}/items/${enc(id)}/content${version ? `?version=${version}` : ""}`,
  thumbnail: (id: string, size: 256 | 1024) => `${BASE}/items/${enc(id)}/thumbnail?size=${size}`,
  /** inline: the browser's own viewer shows the file (PDFs). */
  inline: (id: string) => `${BASE}/items/${enc(id)}/content?inline=1`,
  move: (id: string) => `${BASE}/items/${enc(id)}/move`,
  copy: (id: string) => `${BASE}/items/${enc(id)}/copy`,
  restore: (id: string) => `${BASE}/items/${enc(id)}/restore`,
  forever: (id: string) => `${BASE}/items/${enc(id)}/trash`,
  versions: (id: string) => `${BASE}/items/${enc(id)}/versions`,
  restoreVersion: (id: string, v: number) => `${BASE}/items/${enc(id)}/versions/${v}/restore`,
  shares: (id: string) => `${BASE}/items/${enc(id)}/shares`,
  share: (id: string, shareId: string) => `${BASE}/items/${enc(id)}/shares/${enc(shareId)}`,
  links: (id: string) => `${BASE}/items/${enc(id)}/links`,
  link: (linkId: string) => `${BASE}/links/${enc(linkId)}`,
  linkAccess: (linkId: string) => `${BASE}/links/${enc(linkId)}/access`,
  shared: `${BASE}/shared`,
  search: (q: string, spaceId?: string) =>
    `${BASE}/search?q=${enc(q)}${spaceId ? `&space_id=${enc(spaceId)}` : ""}`,
  settings: `${BASE}/settings`,
  uploads: `${BASE}/uploads`,
  uploadSession: (id: string) => `${BASE}/uploads/${enc(id)}`,
  completeUpload: (id: string) => `${BASE}/uploads/${enc(id)}/complete`,
  fromFile: `${BASE}/chat-files`,
  publicLink: (token: string) => `${BASE}/public/${enc(token)}`,
  publicChildren: (token: string, folderId: string) =>
    `${BASE}/public/${enc(token)}/children${folderId ? `?folder_id=${enc(folderId)}` : ""}`,
  publicThumbnail: (token: string, itemId: string, size: 256 | 1024) =>
    `${BASE}/public/${enc(token)}/thumbnail?size=${size}${itemId ? `&item_id=${enc(itemId)}` : ""}`,
  publicGrant: (token: string) => `${BASE}/public/${enc(token)}/grant`,
  publicContent: (token: string, itemId: string) =>
    `${BASE}/public/${enc(token)}/content${itemId ? `?item_id=${enc(itemId)}` : ""}`,
};

export const drive = {
  spaces: () => call<{ items: Space[] }>("GET", paths.spaces),
  space: (id: string) => call<Space>("GET", paths.space(id)),
  item: (id: string) => call<Item>("GET", paths.item(id)),
  children: (id: string) => call<{ items: Item[] }>("GET", paths.children(id)),
  ancestors: (id: string) => call<{ items: Item[] }>("GET", paths.ancestors(id)),
  mkdir: (parentId: string, name: string) => call<Item>("POST", paths.folders, { parent_id: parentId, name }),
  rename: (id: string, name: string) => call<Item>("PATCH", paths.item(id), { name }),
  move: (id: string, parentId: string) => call<Item>("POST", paths.move(id), { parent_id: parentId }),
  copy: (id: string, parentId: string) => call<Item>("POST", paths.copy(id), { parent_id: parentId }),
  trash: (id: string) => call<void>("DELETE", paths.item(id)),
  listTrash: (spaceId: string) => call<{ items: Item[] }>("GET", paths.trash(spaceId)),
  emptyTrash: (spaceId: string) => call<unknown>("DELETE", paths.trash(spaceId)),
  restore: (id: string) => call<Item>("POST", paths.restore(id)),
  deleteForever: (id: string) => call<void>("DELETE", paths.forever(id)),
  versions: (id: string) => call<{ items: Version[] }>("GET", paths.versions(id)),
  restoreVersion: (id: string, v: number) => call<Item>("POST", paths.restoreVersion(id, v)),
  shares: (id: string) => call<{ items: Share[] }>("GET", paths.shares(id)),
  addShare: (id: string, kind: string, subjectId: string, role: string) =>
    call<Share>("POST", paths.shares(id), { kind, subject_id: subjectId, role }),
  removeShare: (id: string, shareId: string) => call<void>("DELETE", paths.share(id, shareId)),
  links: (id: string) => call<{ items: Link[] }>("GET", paths.links(id)),
  createLink: (id: string, in_: { permission: LinkPermission; password?: string; expires_at?: number }) =>
    call<Link>("POST", paths.links(id), in_),
  revokeLink: (linkId: string) => call<void>("DELETE", paths.link(linkId)),
  linkAccess: (linkId: string) => call<{ items: Access[] }>("GET", paths.linkAccess(linkId)),
  shared: () => call<{ items: Item[] }>("GET", paths.shared),
  search: (q: string, spaceId?: string) => call<{ items: SearchHit[] }>("GET", paths.search(q, spaceId)),
  settings: () => call<Settings>("GET", paths.settings),
  fromFile: (fileId: string, parentId: string, name?: string) =>
    call<Item>("POST", paths.fromFile, { file_id: fileId, parent_id: parentId, name }),
  openLink: (token: string, password: string) =>
    call<LinkInfo>(
      "GET",
      paths.publicLink(token),
      undefined,
      password ? { [PASSWORD_HEADER]: password } : {},
    ),
  grantLink: (token: string, password: string) =>
    call<LinkGrant>("POST", paths.publicGrant(token), undefined, { [PASSWORD_HEADER]: password }),
  linkChildren: (token: string, folderId: string, password: string) =>
    call<{ items: Item[] }>(
      "GET",
      paths.publicChildren(token, folderId),
      undefined,
      password ? { [PASSWORD_HEADER]: password } : {},
    ),
};

/** GRANT_MARGIN is how long before its end a link's grant is renewed before a download. */
export const GRANT_MARGIN = 60_000;

/** grantFresh says whether a link's grant still covers a download started now. */
export function grantFresh(grant: LinkGrant | undefined, now: number = Date.now()): boolean {
  return !!grant && grant.expires_at - GRANT_MARGIN > now;
}

/** linkURL is the address a link's token opens (the public link page). */
export function linkURL(token: string, origin: string = window.location.origin): string {
  return `${origin}/s/${enc(token)}`;
}

/** formatBytes renders a byte count for people (1024-based). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export type SortKey = "name" | "modified" | "size";

/** sortItems orders a folder: folders first, then by key (names compared as people read them). */
export function sortItems(items: Item[], key: SortKey, desc: boolean, locale = "en"): Item[] {
  const coll = new Intl.Collator(locale, { numeric: true, sensitivity: "base" });
  const out = [...items].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === "folder" ? -1 : 1;
    let c = 0;
    if (key === "modified") c = a.updated_at - b.updated_at;
    else if (key === "size") c = a.size - b.size;
    if (c === 0) c = coll.compare(a.name, b.name);
    return desc ? -c : c;
  });
  return out;
}

/** rangeSelect is the selection a shift-click makes: every id from the anchor to the clicked one. */
export function rangeSelect(order: string[], anchor: string, target: string): string[] {
  const a = order.indexOf(anchor);
  const b = order.indexOf(target);
  if (a < 0 || b < 0) return [target];
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return order.slice(lo, hi + 1);
}

/** isText says whether the preview shows a file as text. */
export function isText(ct: string | undefined, name: string): boolean {
  const c = (ct ?? "").split(";")[0].trim().toLowerCase();
  if (c.startsWith("text/")) return true;
  if (["application/json", "application/xml", "application/x-yaml"].includes(c)) return true;
  return /\.(txt|md|csv|log|json|ya?ml|xml|ini|toml)$/i.test(name);
}
