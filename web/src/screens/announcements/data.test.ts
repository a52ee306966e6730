import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import i18n from "../../i18n";
import {
  type Announcement,
  audienceEmpty,
  bannerPick,
  COMMENT_MAX,
  type Comment,
  commentLength,
  createBody,
  dismiss,
  dismissedIds,
  emptyForm,
  formOf,
  mergeComments,
  patchBody,
  publishAtOf,
} from "./data";
import { receiptState, remindError } from "./Receipts";

const ann = (p: Partial<Announcement>): Announcement => ({
  id: "ann_1",
  author_id: "acc_1",
  title: "t",
  body: "",
  category: "",
  status: "published",
  include_later: false,
  pinned: false,
  require_confirm: false,
  allow_comments: false,
  signature_department_id: "",
  publish_at: 0,
  published_at: 1,
  edited_at: 0,
  withdrawn_at: 0,
  reminded_at: 0,
  recipient_count: 0,
  read_at: 0,
  confirmed_at: 0,
  created_at: 1,
  updated_at: 1,
  ...p,
});

describe("bannerPick", () => {
  it("prefers the newest announcement still to confirm, even when read", () => {
    const list = [
      ann({ id: "a", published_at: 30 }),
      ann({ id: "b", published_at: 10, require_confirm: true, read_at: 11 }),
      ann({ id: "c", published_at: 20, require_confirm: true }),
    ];
    expect(bannerPick(list, new Set())?.id).toBe("c");
    // Dismissing does not hide one that asks for confirmation.
    expect(bannerPick(list, new Set(["c"]))?.id).toBe("c");
  });

  it("shows the newest unread one not dismissed, and nothing once all are done", () => {
    const list = [
      ann({ id: "a", published_at: 30 }),
      ann({ id: "b", published_at: 40 }),
      ann({ id: "c", published_at: 50, read_at: 51 }),
      ann({ id: "d", published_at: 60, require_confirm: true, confirmed_at: 61, read_at: 61 }),
    ];
    expect(bannerPick(list, new Set())?.id).toBe("b");
    expect(bannerPick(list, new Set(["b"]))?.id).toBe("a");
    expect(bannerPick(list, new Set(["a", "b"]))).toBeUndefined();
  });

  it("remembers dismissed banners", () => {
    dismiss("ann_x");
    expect(dismissedIds().has("ann_x")).toBe(true);
    localStorage.setItem("atrium.announcements.dismissed", "not json");
    expect(dismissedIds().size).toBe(0);
  });
});

describe("editor bodies", () => {
  const form = {
    ...emptyForm,
    title: "  Fire drill ",
    body: "**Friday**",
    all: false,
    includeLater: true,
    departments: ["dep_1"],
    members: [{ id: "mem_1", name: "Li" }],
    requireConfirm: true,
    when: "2030-01-02T09:30",
  };

  it("creates drafts, schedules and publishes", () => {
    const draft = createBody(form, "draft");
    expect(draft).toMatchObject({
      title: "Fire drill",
      require_confirm: true,
      publish: false,
      publish_at: undefined,
      include_later: false, // only with the whole organization
      audience: { all: false, department_ids: ["dep_1"], role_ids: [], member_ids: ["mem_1"] },
    });
    expect(createBody(form, "schedule").publish_at).toBe(new Date("2030-01-02T09:30").getTime());
    expect(createBody({ ...form, all: true }, "publish")).toMatchObject({
      publish: true,
      include_later: true,
      audience: { all: true, department_ids: [], role_ids: [], member_ids: [] },
    });
  });

  it("changes only the content of a published announcement", () => {
    const p = patchBody(form, "published", "publish");
    expect(Object.keys(p).sort()).toEqual(
      [
        "allow_comments",
        "body",
        "category",
        "pinned",
        "signature_department_id",
        "title",
        "file_ids",
        "cover_file_id",
      ].sort(),
    );
    // A scheduled one saved as a draft loses its time; saved as scheduled keeps the new one.
    expect(patchBody(form, "scheduled", "draft").publish_at).toBe(0);
    expect(patchBody(form, "draft", "draft").publish_at).toBeUndefined();
    expect(patchBody(form, "draft", "schedule").publish_at).toBe(publishAtOf(form));
  });

  it("sends the attachments in order and the cover", () => {
    const files = [
      { id: "anf_2", name: "b.pdf", size: 2, content_type: "application/pdf" },
      { id: "anf_1", name: "a.txt", size: 1, content_type: "text/plain" },
    ];
    expect(createBody({ ...form, files, cover: "anf_9" }, "draft")).toMatchObject({
      file_ids: ["anf_2", "anf_1"],
      cover_file_id: "anf_9",
    });
    expect(createBody(form, "draft").cover_file_id).toBeUndefined();
    // An edit that removes the cover says so.
    expect(patchBody({ ...form, files }, "published", "publish")).toMatchObject({
      file_ids: ["anf_2", "anf_1"],
      cover_file_id: "",
    });
  });

  it("reads an announcement back into the form", () => {
    const f = formOf(
      ann({
        status: "scheduled",
        publish_at: new Date("2030-01-02T09:30").getTime(),
        audience: { all: false, department_ids: [], role_ids: ["admin"], member_ids: ["mem_2"] },
      }),
    );
    expect(f.when).toBe("2030-01-02T09:30");
    expect(f.all).toBe(false);
    expect(f.roles).toEqual(["admin"]);
    expect(f.members).toEqual([{ id: "mem_2", name: "" }]);
    expect(audienceEmpty(f)).toBe(false);
    expect(audienceEmpty({ ...f, roles: [], members: [] })).toBe(true);
    expect(publishAtOf({ ...f, when: "" })).toBe(0);
  });
});

describe("read list", () => {
  const r = { account_id: "acc", member_id: "mem", read_at: 0, confirmed_at: 0, left_at: 0 };
  it("says where each person stands", () => {
    expect(receiptState(r, true)).toBe("pending");
    expect(receiptState({ ...r, read_at: 1 }, true)).toBe("unconfirmed");
    expect(receiptState({ ...r, read_at: 1 }, false)).toBe("read");
    expect(receiptState({ ...r, read_at: 1, confirmed_at: 1 }, true)).toBe("confirmed");
    expect(receiptState({ ...r, left_at: 1 }, true)).toBe("left");
    expect(receiptState({ ...r, read_at: 1, left_at: 2 }, false)).toBe("read");
  });

  it("explains an earlier reminder with the time of the next", () => {
    const t = i18n.getFixedT("en");
    const e = new ApiError(409, "already_reminded", "x", { next_at: Date.UTC(2030, 0, 2, 9, 30) });
    expect(remindError(t, e, "en")).toMatch(
      /^They were already reminded today\. You can remind them again after .*2030/,
    );
    expect(remindError(t, new ApiError(409, "already_reminded", "x"), "en")).toBe(
      "They were already reminded today.",
    );
  });
});

describe("comments", () => {
  const c = (id: string, at: number): Comment => ({
    id,
    announcement_id: "ann_1",
    author_id: "acc_1",
    body: id,
    created_at: at,
    mine: false,
  });

  it("shows loaded pages then what I just posted, each once, oldest first", () => {
    const pages = [{ items: [c("a", 1), c("b", 2)] }, { items: [c("c", 3), c("d", 3)] }];
    expect(mergeComments(pages, []).map((x) => x.id)).toEqual(["a", "b", "c", "d"]);
    // Posted before the next page was loaded: at the end, and once it is loaded, only once.
    const mine = c("e", 4);
    expect(mergeComments(pages.slice(0, 1), [mine]).map((x) => x.id)).toEqual(["a", "b", "e"]);
    const all = [...pages, { items: [mine] }];
    expect(mergeComments(all, [mine]).map((x) => x.id)).toEqual(["a", "b", "c", "d", "e"]);
    // Comments of the same millisecond keep the server's order.
    expect(mergeComments([{ items: [c("z", 3), c("y", 3)] }], []).map((x) => x.id)).toEqual(["z", "y"]);
  });

  it("leaves out comments just deleted", () => {
    const pages = [{ items: [c("a", 1), c("b", 2)] }];
    expect(mergeComments(pages, [c("e", 4)], new Set(["b", "e"])).map((x) => x.id)).toEqual(["a"]);
  });

  it("counts characters as the server does", () => {
    expect(commentLength("你好👋")).toBe(3);
    expect(commentLength("x".repeat(COMMENT_MAX))).toBe(COMMENT_MAX);
  });
});
