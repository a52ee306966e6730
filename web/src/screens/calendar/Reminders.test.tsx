import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
} from "@tanstack/react-router";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import i18n from "i18next";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Stream, StreamFrame } from "../../lib/stream";
import { fakeApi } from "../../test/fakeApi";
import { ReminderPopups, reminderOf } from "./Reminders";

// A stream the test feeds frames to.
class FakeStream {
  private ls = new Set<(f: StreamFrame) => void>();
  on(l: (f: StreamFrame) => void) {
    this.ls.add(l);
    return () => this.ls.delete(l);
  }
  emit(f: StreamFrame) {
    for (const l of this.ls) l(f);
  }
}

const start = new Date(Date.now() + 5 * 60_000);
const reminder = (eventId: string, at = start): StreamFrame => ({
  type: "event",
  pos: 1,
  event: "calendar.reminder",
  scope_kind: "account",
  scope_id: "acc_me",
  data: { event_id: eventId, start: at.toISOString() },
  created_at: Date.now(),
});

const event = (id: string, title: string) => ({
  id,
  title,
  all_day: false,
  start: "2027-03-08T09:00:00",
  end: "2027-03-08T10:00:00",
  start_at: start.getTime(),
  end_at: start.getTime() + 3_600_000,
});

let restore = () => {};
beforeEach(() => {
  vi.stubGlobal("scrollTo", () => {}); // the router restores scrolling; jsdom has none
});
afterEach(async () => {
  restore();
  vi.unstubAllGlobals();
  await act(() => i18n.changeLanguage("en"));
});

function mount() {
  const f = fakeApi((c) => {
    if (c.path === "/api/v1/events/evt_1") return { status: 200, body: event("evt_1", "Budget sync") };
    if (c.path === "/api/v1/events/evt_2") return { status: 200, body: event("evt_2", "Design review") };
    return { status: 404, body: { error: { code: "not_found", message: "" } } };
  });
  restore = f.restore;
  const stream = new FakeStream();
  const root = createRootRoute({
    component: () => (
      <>
        <ReminderPopups stream={stream as unknown as Stream} />
        <Outlet />
      </>
    ),
  });
  const home = createRoute({ getParentRoute: () => root, path: "/", component: () => <p>home</p> });
  const detail = createRoute({
    getParentRoute: () => root,
    path: "/calendar/events/$id",
    component: function Detail() {
      const { id } = detail.useParams() as { id: string };
      return <p>event page {id}</p>;
    },
  });
  const router = createRouter({
    routeTree: root.addChildren([home, detail]),
    history: createMemoryHistory({ initialEntries: ["/"] }),
  });
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router as never} />
    </QueryClientProvider>,
  );
  return { stream, router };
}

describe("reminderOf", () => {
  it("reads reminders only, and not stale ones", () => {
    expect(reminderOf(reminder("evt_1"))?.eventId).toBe("evt_1");
    expect(reminderOf({ ...reminder("evt_1"), event: "calendar.invited" } as StreamFrame)).toBeNull();
    expect(reminderOf(reminder("evt_1", new Date(Date.now() - 2 * 3_600_000)))).toBeNull();
    expect(reminderOf({ type: "pong" })).toBeNull();
  });
});

describe("ReminderPopups", () => {
  it("pops up a reminder with the title and time; Dismiss and Escape close it", async () => {
    const { stream } = mount();
    await screen.findByText("home");
    act(() => stream.emit(reminder("evt_1")));
    const pop = await screen.findByRole("alertdialog", { name: "Reminder: Budget sync" });
    const time = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" }).format(start);
    expect(pop.textContent).toContain(`Starts ${time}`);
    // The same reminder again (a replay) shows once.
    act(() => stream.emit(reminder("evt_1")));
    expect(screen.getAllByTestId("cal-reminder")).toHaveLength(1);
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(screen.queryByTestId("cal-reminder")).toBeNull());

    act(() => stream.emit(reminder("evt_1")));
    act(() => stream.emit(reminder("evt_2")));
    await screen.findByRole("alertdialog", { name: "Reminder: Design review" });
    expect(screen.getAllByTestId("cal-reminder")).toHaveLength(2);
    // Escape dismisses the newest.
    fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.getAllByTestId("cal-reminder")).toHaveLength(1));
    expect(screen.getByRole("alertdialog", { name: "Reminder: Budget sync" })).toBeTruthy();
  });

  it("opens the event", async () => {
    const { stream, router } = mount();
    await screen.findByText("home");
    act(() => stream.emit(reminder("evt_1")));
    await screen.findByRole("alertdialog", { name: "Reminder: Budget sync" });
    fireEvent.click(screen.getByRole("button", { name: "Open" }));
    await screen.findByText("event page evt_1");
    expect(router.state.location.pathname).toBe("/calendar/events/evt_1");
    expect(screen.queryByTestId("cal-reminder")).toBeNull();
  });

  it("speaks Chinese, and drops a reminder of an event gone", async () => {
    await act(() => i18n.changeLanguage("zh"));
    const { stream } = mount();
    await screen.findByText("home");
    act(() => stream.emit(reminder("evt_1")));
    const pop = await screen.findByRole("alertdialog", { name: "日程提醒：Budget sync" });
    expect(pop.textContent).toContain("开始");
    expect(screen.getByRole("button", { name: "打开" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "关闭" })).toBeTruthy();
    act(() => stream.emit(reminder("evt_gone")));
    await waitFor(() => expect(screen.getAllByTestId("cal-reminder")).toHaveLength(1));
  });
});
