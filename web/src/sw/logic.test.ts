import { describe, expect, it } from "vitest";
import {
  formatPush,
  isShellNavigation,
  offlineReadable,
  parsePush,
  pickWindow,
  pushLang,
  safeUrl,
  staleHistories,
} from "./logic";

describe("push payloads", () => {
  it("shows a localized generic text when the organization hides the content", () => {
    const p = parsePush(
      JSON.stringify({
        v: 1,
        kind: "mention",
        org_id: "o1",
        url: "/chat/c1?m=m1",
        tag: "c1",
        title: "",
        body: "",
      }),
    );
    const en = formatPush(p, "en-US");
    expect(en.title).toBe("You were mentioned");
    expect(en.options.body).toBe("");
    expect(en.options.tag).toBe("c1");
    expect(en.options.renotify).toBe(true);
    expect(en.options.data).toEqual({ url: "/chat/c1?m=m1", org_id: "o1" });
    expect(formatPush(p, "zh-CN").title).toBe("有人@了你");
    expect(formatPush({ v: 1, kind: "direct" }, "zh-TW").title).toBe("新消息");
    expect(formatPush({ v: 1, kind: "approval" }, "en").title).toBe("Approval waiting");
    expect(formatPush({ v: 1, kind: "approval" }, "zh").title).toBe("待你审批");
    expect(formatPush(parsePush('{"v":1,"kind":"invitation"}'), "en").title).toBe("New event invitation");
    expect(formatPush(parsePush('{"v":1,"kind":"reminder"}'), "zh").title).toBe("日程即将开始");
    expect(formatPush(parsePush('{"v":1,"kind":"handover","url":"/drive"}'), "en").title).toBe(
      "Files handed over to you",
    );
    expect(formatPush(parsePush('{"v":1,"kind":"handover"}'), "zh").title).toBe("有文件移交给你");
    expect(parsePush('{"v":1,"kind":"bogus"}').kind).toBe("direct");
  });

  it("shows the sender with a generic body, or the sender and the text", () => {
    expect(formatPush({ v: 1, kind: "direct", title: "李雷" }, "zh-CN")).toMatchObject({
      title: "李雷",
      options: { body: "新消息" },
    });
    expect(formatPush({ v: 1, kind: "direct", title: "Ada", body: "Lunch?" }, "en")).toMatchObject({
      title: "Ada",
      options: { body: "Lunch?" },
    });
  });

  it("reads anything unexpected as a plain new message that opens the chat", () => {
    for (const raw of [
      null,
      "",
      "not json",
      "[]",
      JSON.stringify({ kind: "weird", url: "https://evil.example/" }),
    ]) {
      const n = formatPush(parsePush(raw), "en");
      expect(n.title).toBe("New message");
      expect(n.options.data.url).toBe("/chat");
    }
  });

  it("keeps tapped links inside the app", () => {
    expect(safeUrl("/approvals/a1")).toBe("/approvals/a1");
    expect(safeUrl("//evil.example/x")).toBe("/chat");
    expect(safeUrl("/\\evil.example")).toBe("/chat");
    expect(safeUrl("javascript:alert(1)")).toBe("/chat");
    expect(safeUrl(undefined)).toBe("/chat");
  });

  it("picks the language from the browser's", () => {
    expect(pushLang("zh-Hans-CN")).toBe("zh");
    expect(pushLang("de-DE")).toBe("en");
    expect(pushLang(undefined)).toBe("en");
  });
});

describe("pickWindow", () => {
  const origin = "https://atrium.example";
  const w = (url: string, focused = false, visibilityState = "hidden") => ({ url, focused, visibilityState });

  it("prefers the focused window, then a visible one, then any of the app's", () => {
    const a = w(`${origin}/chat`);
    const b = w(`${origin}/approvals`, false, "visible");
    const c = w(`${origin}/directory`, true, "visible");
    expect(pickWindow([a, b, c], origin)).toBe(c);
    expect(pickWindow([a, b], origin)).toBe(b);
    expect(pickWindow([a], origin)).toBe(a);
  });

  it("opens a new window when none of the app's is open", () => {
    expect(pickWindow([w("https://other.example/", true, "visible")], origin)).toBeNull();
    expect(pickWindow([], origin)).toBeNull();
  });
});

describe("what is kept for offline reading", () => {
  it("keeps the shell's answers and the latest window of conversations", () => {
    expect(offlineReadable("/api/v1/me")).toBe(true);
    expect(offlineReadable("/api/v1/me/orgs")).toBe(true);
    expect(offlineReadable("/api/v1/conversations")).toBe(true);
    expect(offlineReadable("/api/v1/conversations/c1")).toBe(true);
    expect(offlineReadable("/api/v1/conversations/c1/members")).toBe(true);
    expect(offlineReadable("/api/v1/conversations/c1/messages", "?limit=50")).toBe(true);
  });

  it("keeps no paging, threads or anything else", () => {
    expect(offlineReadable("/api/v1/conversations/c1/messages", "?before=10&limit=50")).toBe(false);
    expect(offlineReadable("/api/v1/conversations/c1/messages", "?thread_root_id=m1")).toBe(false);
    expect(offlineReadable("/api/v1/me/sessions")).toBe(false);
    expect(offlineReadable("/api/v1/me/exports/e1/download")).toBe(false);
    expect(offlineReadable("/api/v1/files/f1")).toBe(false);
  });

  it("drops the histories of the conversations viewed longest ago", () => {
    const base = "https://a.example/api/v1";
    const urls = [
      `${base}/conversations`,
      `${base}/conversations/c1/messages?limit=50`,
      `${base}/conversations/c2/messages?limit=50`,
      `${base}/me`,
      `${base}/conversations/c3/messages?limit=50`,
    ];
    expect(staleHistories(urls, 2)).toEqual([`${base}/conversations/c1/messages?limit=50`]);
    expect(staleHistories(urls, 5)).toEqual([]);
  });

  it("gives the shell to the app's pages, not to the API", () => {
    expect(isShellNavigation("/chat/c1")).toBe(true);
    expect(isShellNavigation("/api/v1/me/exports/e1/download")).toBe(false);
  });
});
