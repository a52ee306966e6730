import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createRootRoute, createRouter, RouterProvider } from "@tanstack/react-router";
import { act, render, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test/fakeApi";
import { guardianKey } from "./gate";
import { RealtimeProvider } from "./realtime";

// Sockets the provider opens (the browser's WebSocket, faked).
let sockets: string[] = [];
let opened: FakeSocket[] = [];
class FakeSocket {
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(url: string) {
    sockets.push(url);
    opened.push(this);
  }
  send() {}
  close() {}
}

const me = { id: "acc_kim", name: "Kim Young", email: "kim@example.test" };

function mount(guardian: { required: boolean; consent?: unknown }, policies: unknown[] = []) {
  const f = fakeApi((c) => {
    if (c.path === "/api/v1/me/guardian-consent") return { status: 200, body: guardian };
    if (c.path === "/api/v1/me/policies") return { status: 200, body: { pending: policies, accepted: [] } };
    return { status: 404, body: { error: { code: "not_found", message: "" } } };
  });
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(["me"], me);
  const router = createRouter({
    routeTree: createRootRoute({ component: () => <RealtimeProvider>app</RealtimeProvider> }),
  });
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { qc, restore: f.restore };
}

let restore = () => {};
beforeEach(() => {
  sockets = [];
  opened = [];
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("scrollTo", () => {}); // the router restores scrolling; jsdom has none
});
afterEach(() => {
  restore();
  vi.unstubAllGlobals();
});

describe("RealtimeProvider", () => {
  it("does not open the stream for a minor waiting for a guardian's consent", async () => {
    const m = mount({ required: true });
    restore = m.restore;
    await waitFor(() => expect(m.qc.getQueryData(guardianKey)).toBeTruthy());
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(sockets).toEqual([]);
  });

  it("does not open the stream while policies wait to be accepted", async () => {
    const m = mount({ required: false }, [{ id: "doc_1" }]);
    restore = m.restore;
    await waitFor(() => expect(m.qc.getQueryData(guardianKey)).toBeTruthy());
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(sockets).toEqual([]);
  });

  it("opens the stream once, and keeps it when the profile changes", async () => {
    const m = mount({ required: false });
    restore = m.restore;
    await waitFor(() => expect(sockets).toHaveLength(1));
    // Saving a birth date replaces the cached account before the gate has
    // been asked again: that must not reconnect (the server would refuse).
    act(() => m.qc.setQueryData(["me"], { ...me, birth_date: "2016-01-01" }));
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(sockets).toHaveLength(1);
  });

  it("refetches the announcements on their events", async () => {
    const m = mount({ required: false });
    restore = m.restore;
    await waitFor(() => expect(opened).toHaveLength(1));
    const ws = opened[0];
    const frame = (f: unknown) => act(() => ws.onmessage?.({ data: JSON.stringify(f) }));
    act(() => ws.onopen?.());
    await frame({ type: "ready", pos: 1 });
    const key = ["announcements", "summary"];
    let pos = 1;
    for (const event of [
      "announcement.published",
      "announcement.updated",
      "announcement.withdrawn",
      "announcement.reminder",
    ]) {
      m.qc.setQueryData(key, { unread: 0 });
      expect(m.qc.getQueryState(key)?.isInvalidated).toBe(false);
      pos++;
      await frame({
        type: "event",
        pos,
        event,
        scope_kind: "account",
        scope_id: me.id,
        data: { id: "ann_1" },
      });
      expect(m.qc.getQueryState(key)?.isInvalidated, event).toBe(true);
    }
  });

  it("refetches the comments of an announcement someone commented on, and nothing else", async () => {
    const m = mount({ required: false });
    restore = m.restore;
    await waitFor(() => expect(opened).toHaveLength(1));
    const ws = opened[0];
    act(() => ws.onopen?.());
    await act(() => ws.onmessage?.({ data: JSON.stringify({ type: "ready", pos: 1 }) }));
    const keys = {
      commented: ["announcements", "comments", "ann_1"],
      other: ["announcements", "comments", "ann_2"],
      summary: ["announcements", "summary"],
    };
    for (const k of Object.values(keys)) m.qc.setQueryData(k, { items: [] });
    await act(() =>
      ws.onmessage?.({
        data: JSON.stringify({
          type: "event",
          pos: 2,
          event: "announcement.commented",
          scope_kind: "account",
          scope_id: me.id,
          data: { id: "ann_1", org_id: "org_1", comment_id: "acm_1" },
        }),
      }),
    );
    expect(m.qc.getQueryState(keys.commented)?.isInvalidated).toBe(true);
    expect(m.qc.getQueryState(keys.other)?.isInvalidated).toBe(false);
    expect(m.qc.getQueryState(keys.summary)?.isInvalidated).toBe(false);
  });

  it("refetches the reports on their events", async () => {
    const m = mount({ required: false });
    restore = m.restore;
    await waitFor(() => expect(opened).toHaveLength(1));
    const ws = opened[0];
    const frame = (f: unknown) => act(() => ws.onmessage?.({ data: JSON.stringify(f) }));
    act(() => ws.onopen?.());
    await frame({ type: "ready", pos: 1 });
    const key = ["reports", "inbox", "summary"];
    let pos = 1;
    for (const event of [
      "report.submitted",
      "report.updated",
      "report.read",
      "report.commented",
      "report.mentioned",
      "report.reminder",
    ]) {
      m.qc.setQueryData(key, { unread: 0 });
      expect(m.qc.getQueryState(key)?.isInvalidated).toBe(false);
      pos++;
      await frame({
        type: "event",
        pos,
        event,
        scope_kind: "account",
        scope_id: me.id,
        data: { id: "rep_1" },
      });
      expect(m.qc.getQueryState(key)?.isInvalidated, event).toBe(true);
    }
  });
});
