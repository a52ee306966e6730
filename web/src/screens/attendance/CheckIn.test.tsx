import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Call, fakeApi } from "../../test/fakeApi";
import { CheckInScreen } from "./CheckIn";

vi.mock("@tanstack/react-router", async (orig) => ({
  ...(await orig<typeof import("@tanstack/react-router")>()),
  Link: ({ children }: { children: ReactNode }) => <a href="/">{children}</a>,
}));

const day = {
  corrected: false,
  date: "2026-12-07",
  early_leave: false,
  early_minutes: 0,
  end_at: 0,
  first_in: 0,
  last_out: 0,
  late: false,
  late_minutes: 0,
  leave_part: "",
  leave_type: "",
  member_id: "m1",
  missing_in: false,
  missing_out: false,
  out_of_area: false,
  overtime_minutes: 0,
  shift_id: "",
  start_at: 0,
  status: "pending",
  workday: true,
};

const today = {
  group_id: "g1",
  group_name: "Harbour team",
  timezone: "UTC",
  out_of_area: "refuse",
  places: ["Harbour Office"],
  networks: false,
  notice_acknowledged: false,
  day,
  punches: [],
};

let restore = () => {};
afterEach(() => {
  restore();
  vi.unstubAllGlobals();
});

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
}

function geolocation(ok: boolean) {
  vi.stubGlobal("navigator", {
    ...navigator,
    geolocation: {
      getCurrentPosition: (yes: PositionCallback, no: PositionErrorCallback) =>
        ok
          ? yes({ coords: { latitude: 31.2304, longitude: 121.4737 } } as GeolocationPosition)
          : no({ code: 1, message: "denied" } as GeolocationPositionError),
    },
  });
}

describe("CheckInScreen", () => {
  it("asks for the position on tap, answers the notice and retries with the same client id", async () => {
    geolocation(true);
    let acknowledged = false;
    const api = fakeApi((c: Call) => {
      if (c.path === "/api/v1/me/orgs") return { status: 200, body: { items: [] } };
      if (c.path === "/api/v1/attendance/today") return { status: 200, body: today };
      if (c.path === "/api/v1/attendance/notice") {
        acknowledged = true;
        return { status: 200, body: { version: "2026-12", acknowledged: true } };
      }
      if (c.path === "/api/v1/attendance/punches") {
        if (!acknowledged)
          return { status: 403, body: { error: { code: "notice_required", message: "", details: {} } } };
        return {
          status: 201,
          body: {
            punch: {
              id: "p1",
              kind: "in",
              day: day.date,
              at: Date.UTC(2026, 11, 7, 8, 55),
              method: "place",
              in_area: true,
              distance_m: 12,
              matched: "Harbour Office",
            },
            day: { ...day, first_in: Date.UTC(2026, 11, 7, 8, 55), status: "working" },
          },
        };
      }
      return { status: 404, body: { error: { code: "not_found", message: "" } } };
    });
    restore = api.restore;
    wrap(<CheckInScreen />);
    const button = await screen.findByRole("button", { name: /Check in/ });
    // Nothing is asked before the tap.
    expect(api.calls.some((c) => c.path === "/api/v1/attendance/punches")).toBe(false);
    fireEvent.click(button);
    fireEvent.click(await screen.findByRole("button", { name: "I have read this — check in" }));
    expect(await screen.findByText("Matched: Harbour Office")).toBeTruthy();
    expect(screen.getByText("In area")).toBeTruthy();
    expect(screen.getByText("Distance to the nearest place: 12 m")).toBeTruthy();
    const punches = api.calls.filter((c) => c.path === "/api/v1/attendance/punches");
    expect(punches).toHaveLength(2);
    const [first, second] = punches.map((c) => c.body as { client_id: string; lat: string; lng: string });
    expect(first.client_id).not.toBe("");
    expect(second.client_id).toBe(first.client_id);
    expect(second).toMatchObject({ lat: "31.230400", lng: "121.473700" });
  });

  it("explains a refused position and does not send when only places count", async () => {
    geolocation(false);
    const api = fakeApi((c: Call) => {
      if (c.path === "/api/v1/me/orgs") return { status: 200, body: { items: [] } };
      if (c.path === "/api/v1/attendance/today") return { status: 200, body: today };
      return { status: 500 };
    });
    restore = api.restore;
    wrap(<CheckInScreen />);
    fireEvent.click(await screen.findByRole("button", { name: /Check in/ }));
    expect(await screen.findByText(/Location access was refused/)).toBeTruthy();
    expect(screen.getByText(/allow location for this site/)).toBeTruthy();
    expect(api.calls.some((c) => c.path === "/api/v1/attendance/punches")).toBe(false);
  });
});
