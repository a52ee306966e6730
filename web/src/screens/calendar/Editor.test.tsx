import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../../test/fakeApi";
import type { Calendar } from "./data";
import { emptyDraft } from "./draft";
import { Editor } from "./Editor";

const personal: Calendar = {
  has_feed: false,
  id: "cal_me",
  kind: "personal",
  name: "Me",
  color: "",
  description: "",
  time_zone: "UTC",
  access: [],
  my_access: "edit",
  seq: 1,
  created_at: 0,
  updated_at: 0,
};
const room = {
  id: "room_1",
  name: "Lakeview",
  capacity: 8,
  location: "Floor 3",
  equipment: [],
  created_at: 0,
  updated_at: 0,
};

let restore: (() => void)[] = [];
afterEach(() => {
  for (const r of restore) r();
  restore = [];
});

function setup(answerCreate: () => { status: number; body?: unknown }) {
  const f = fakeApi((c) => {
    if (c.path === "/api/v1/rooms") return { status: 200, body: { items: [room] } };
    if (c.path.endsWith("/bookings")) return { status: 200, body: { items: [] } };
    if (c.path === "/api/v1/events" && c.method === "POST") return answerCreate();
    if (c.path === "/api/v1/me/orgs") return { status: 200, body: { items: [] } };
    return { status: 200, body: { items: [] } };
  });
  restore.push(f.restore);
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const saved = vi.fn();
  render(
    <QueryClientProvider client={qc}>
      <Editor
        initial={emptyDraft(new Date(2027, 2, 10, 9), new Date(2027, 2, 10, 10), "UTC")}
        calendars={[personal]}
        onClose={() => {}}
        onSaved={saved}
      />
    </QueryClientProvider>,
  );
  return { calls: f.calls, saved };
}

describe("Editor", () => {
  it("checks the form before sending anything", async () => {
    const { calls } = setup(() => ({ status: 201, body: {} }));
    fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true }));
    expect(await screen.findByText("Give the event a title.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Review" } });
    fireEvent.change(screen.getByLabelText("Ends"), { target: { value: "2027-03-10T08:00" } });
    fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true }));
    expect(await screen.findByText("The end must come after the start.")).toBeTruthy();
    expect(screen.queryByText("Give the event a title.")).toBeNull();
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });

  it("sends the event and names the room when it is already booked", async () => {
    const { calls, saved } = setup(() => ({
      status: 409,
      body: { error: { code: "room_unavailable", message: "booked", details: { room_id: "room_1" } } },
    }));
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Review" } });
    fireEvent.click(await screen.findByRole("checkbox", { name: /Lakeview/, hidden: true }));
    fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true }));
    expect(
      await screen.findByText("Lakeview is already booked at that time. Choose another time or room."),
    ).toBeTruthy();
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toMatchObject({
      title: "Review",
      start: "2027-03-10T09:00",
      end: "2027-03-10T10:00",
      time_zone: "UTC",
      attendees: { room_ids: ["room_1"] },
    });
    await waitFor(() => expect(saved).not.toHaveBeenCalled());
  });
});
