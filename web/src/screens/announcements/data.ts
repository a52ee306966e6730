// Announcements: queries, and the small rules the screens share (which one
// the banner shows, what an editor form sends).
import { useQuery } from "@tanstack/react-query";
import { api, must, type Schemas } from "../../api/client";
import { useCurrentOrg } from "../../lib/org";
import type { AnnouncementFile } from "./files";

export type Announcement = Schemas["AnnounceAnnouncement"];
export type Audience = Schemas["AnnounceAudience"];
export type Comment = Schemas["AnnounceComment"];
export type Status = "draft" | "scheduled" | "published" | "withdrawn";
export const STATUSES: Status[] = ["published", "scheduled", "draft", "withdrawn"];

/** Every announcement query starts with this key; stream events refetch them all. */
export const announcementsKey = ["announcements"] as const;

/** commentsKey is the query key of an announcement's comments; announcement.commented refetches it. */
export const commentsKey = (id: string) => [...announcementsKey, "comments", id] as const;

/** COMMENT_MAX is the longest comment the server takes, in characters. */
export const COMMENT_MAX = 2000;

/** commentLength counts a comment's characters as the server does (code points, not UTF-16 units). */
export function commentLength(body: string): number {
  return [...body].length;
}

/**
 * mergeComments is the list the comments section shows: the pages loaded so
 * far, then comments I just posted that no loaded page holds yet, each once,
 * oldest first, less those just deleted.
 */
export function mergeComments(
  pages: { items: Comment[] }[],
  posted: Comment[],
  deleted: Set<string> = new Set(),
): Comment[] {
  const seen = new Set<string>();
  const out: Comment[] = [];
  for (const c of [...pages.flatMap((p) => p.items), ...posted]) {
    if (seen.has(c.id) || deleted.has(c.id)) continue;
    seen.add(c.id);
    out.push(c);
  }
  // Stable: the server's order stands among comments of the same millisecond.
  return out.sort((a, b) => a.created_at - b.created_at);
}

/** summaryQuery is the first page of my announcements: the unread count, the banner. */
export const summaryQuery = {
  queryKey: [...announcementsKey, "summary"] as const,
  queryFn: () => must(api.GET("/api/v1/announcements", { params: { query: { limit: 20 } } })),
  retry: false,
  refetchInterval: 5 * 60_000,
};

/** useUnreadAnnouncements is how many announcements I have not read (0 outside an organization). */
export function useUnreadAnnouncements(): number {
  const org = useCurrentOrg();
  return useQuery({ ...summaryQuery, enabled: !!org }).data?.unread ?? 0;
}

/** useDepartmentNames maps the organization's department ids to names. */
export function useDepartmentNames(): Map<string, string> {
  const org = useCurrentOrg();
  const q = useQuery({
    queryKey: ["departments", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!org,
    staleTime: 5 * 60_000,
  });
  return new Map((q.data?.items ?? []).map((d) => [d.id, d.name]));
}

/** needsConfirm reports whether I still have to confirm a.  */
export function needsConfirm(a: Announcement): boolean {
  return a.require_confirm && !a.confirmed_at;
}

/**
 * bannerPick is the announcement the banner shows: the newest one I still
 * have to confirm, else the newest unread one I did not dismiss.
 */
export function bannerPick(list: Announcement[], dismissed: Set<string>): Announcement | undefined {
  const newest = (xs: Announcement[]) =>
    xs.reduce<Announcement | undefined>(
      (best, a) => (!best || a.published_at > best.published_at ? a : best),
      undefined,
    );
  return (
    newest(list.filter(needsConfirm)) ??
    newest(list.filter((a) => !a.read_at && !a.require_confirm && !dismissed.has(a.id)))
  );
}

const DISMISSED = "atrium.announcements.dismissed";

/** dismissedIds are the announcements whose banner this browser closed. */
export function dismissedIds(): Set<string> {
  try {
    const v = JSON.parse(localStorage.getItem(DISMISSED) ?? "[]");
    return new Set(Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);
  } catch {
    return new Set();
  }
}

/** dismiss remembers that the banner of id was closed (the last 200 are kept). */
export function dismiss(id: string): Set<string> {
  const ids = [...dismissedIds(), id].slice(-200);
  try {
    localStorage.setItem(DISMISSED, JSON.stringify(ids));
  } catch {
    // not remembered: the banner comes back after a reload
  }
  return new Set(ids);
}

/** Form is what the editor holds. */
export type Form = {
  title: string;
  body: string;
  category: string;
  pinned: boolean;
  requireConfirm: boolean;
  allowComments: boolean;
  signature: string;
  all: boolean;
  includeLater: boolean;
  departments: string[];
  roles: string[];
  members: { id: string; name: string }[];
  /** when is the scheduled time as a datetime-local value ("" when not scheduled). */
  when: string;
  /** files are the attachments, in order; cover is the cover image ("" for none). */
  files: AnnouncementFile[];
  cover: string;
};

export const emptyForm: Form = {
  title: "",
  body: "",
  category: "",
  pinned: false,
  requireConfirm: false,
  allowComments: false,
  signature: "",
  all: true,
  includeLater: false,
  departments: [],
  roles: [],
  members: [],
  when: "",
  files: [],
  cover: "",
};

/** localInput writes unix ms as a datetime-local value in the browser's time zone. */
export function localInput(ms: number): string {
  if (!ms) return "";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** formOf fills the editor from an announcement (member names come later). */
export function formOf(a: Announcement): Form {
  const au = a.audience;
  return {
    title: a.title,
    body: a.body,
    category: a.category,
    pinned: a.pinned,
    requireConfirm: a.require_confirm,
    allowComments: a.allow_comments,
    signature: a.signature_department_id,
    all: au?.all ?? true,
    includeLater: a.include_later,
    departments: au?.department_ids ?? [],
    roles: au?.role_ids ?? [],
    members: (au?.member_ids ?? []).map((id) => ({ id, name: "" })),
    when: a.status === "scheduled" ? localInput(a.publish_at) : "",
    files: a.attachments ?? [],
    cover: a.cover_file_id ?? "",
  };
}

/** audienceOf is the audience the form describes. */
export function audienceOf(f: Form): Audience {
  if (f.all) return { all: true, department_ids: [], role_ids: [], member_ids: [] };
  return {
    all: false,
    department_ids: f.departments,
    role_ids: f.roles,
    member_ids: f.members.map((m) => m.id),
  };
}

/** publishAtOf is the scheduled time of the form in unix ms (0: none or not a date). */
export function publishAtOf(f: Form): number {
  if (!f.when) return 0;
  const ms = new Date(f.when).getTime();
  return Number.isFinite(ms) ? ms : 0;
}

/** Action is what a save does: keep a draft, schedule, or publish now. */
export type Action = "draft" | "schedule" | "publish";

/** createBody is the body of POST /api/v1/announcements for the form and action. */
export function createBody(f: Form, action: Action): Schemas["AnnounceCreateInput"] {
  return {
    title: f.title.trim(),
    body: f.body,
    category: f.category.trim(),
    pinned: f.pinned,
    require_confirm: f.requireConfirm,
    allow_comments: f.allowComments,
    signature_department_id: f.signature,
    audience: audienceOf(f),
    include_later: f.all && f.includeLater,
    publish: action === "publish",
    publish_at: action === "schedule" ? publishAtOf(f) : undefined,
    file_ids: f.files.map((x) => x.id),
    cover_file_id: f.cover || undefined,
  };
}

/**
 * patchBody is the body of PATCH /api/v1/announcements/{id}. A published
 * announcement changes only its content; a draft or scheduled one changes
 * everything, its schedule set (schedule) or cleared (draft: publish_at 0).
 */
export function patchBody(f: Form, status: string, action: Action): Schemas["AnnouncePatch"] {
  const content = {
    title: f.title.trim(),
    body: f.body,
    category: f.category.trim(),
    pinned: f.pinned,
    allow_comments: f.allowComments,
    signature_department_id: f.signature,
    file_ids: f.files.map((x) => x.id),
    cover_file_id: f.cover,
  };
  if (status === "published") return content;
  return {
    ...content,
    require_confirm: f.requireConfirm,
    audience: audienceOf(f),
    include_later: f.all && f.includeLater,
    publish_at: action === "schedule" ? publishAtOf(f) : status === "scheduled" ? 0 : undefined,
  };
}

/** audienceEmpty reports whether the form reaches nobody yet. */
export function audienceEmpty(f: Form): boolean {
  return !f.all && f.departments.length + f.roles.length + f.members.length === 0;
}
