import type { TFunction } from "i18next";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  addMonths,
  calendarGrid,
  canTryWithoutPosition,
  cleanRules,
  correctable,
  correctionSearch,
  type Day,
  DEFAULT_RULES,
  daysIn,
  distanceText,
  flags,
  fromCoords,
  gate,
  geoFailure,
  lines,
  needsNote,
  nextKind,
  punctuality,
  refusedDistance,
  reportHref,
  STATUSES,
  statusText,
  tone,
} from "./data";

const day = (p: Partial<Day> = {}): Day => ({
  corrected: false,
  date: "2026-12-07",
  early_leave: false,
  early_minutes: 0,
  end_at: Date.UTC(2026, 11, 7, 18),
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
  start_at: Date.UTC(2026, 11, 7, 9),
  status: "pending",
  workday: true,
  ...p,
});

const t = ((k: string, o?: { count?: number }) =>
  o?.count !== undefined ? `${k}:${o.count}` : k) as TFunction;

describe("months", () => {
  it("moves across years", () => {
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-05", -17)).toBe("2024-12");
    expect(addMonths("nope", 1)).toBe("nope");
  });
  it("counts days, leap years included", () => {
    expect(daysIn("2026-02")).toBe(28);
    expect(daysIn("2028-02")).toBe(29);
    expect(daysIn("2026-12")).toBe(31);
    expect(daysIn("x")).toBe(0);
  });
});

describe("calendarGrid", () => {
  it("starts weeks on Monday and pads both ends", () => {
    // 1 December 2026 is a Tuesday.
    const w = calendarGrid("2026-12", [day({ date: "2026-12-07", status: "normal" })]);
    expect(w).toHaveLength(5);
    expect(w.every((r) => r.length === 7)).toBe(true);
    expect(w[0][0].date).toBe("");
    expect(w[0][1].date).toBe("2026-12-01");
    expect(w[1][0]).toMatchObject({ date: "2026-12-07", day: 7 });
    expect(w[1][0].data?.status).toBe("normal");
    expect(w[1][1].data).toBeUndefined();
    expect(w[4][3].date).toBe("2026-12-31");
    expect(w[4][4].date).toBe("");
  });
  it("needs no padding when the month starts on Monday", () => {
    // 1 February 2027 is a Monday; 28 days fill four weeks.
    const w = calendarGrid("2027-02");
    expect(w).toHaveLength(4);
    expect(w[0][0].date).toBe("2027-02-01");
    expect(w[3][6].date).toBe("2027-02-28");
  });
  it("is empty for a bad month", () => {
    expect(calendarGrid("2026-13x")).toEqual([]);
  });
});

describe("status", () => {
  it("colours every status", () => {
    expect(tone("normal")).toBe("ok");
    expect(tone("abnormal")).toBe("warn");
    expect(tone("absent")).toBe("bad");
    expect(tone("leave")).toBe("info");
    expect(tone("rest")).toBe("muted");
    expect(tone("something new")).toBe("muted");
  });
  it("names every status with a key of its own", () => {
    for (const s of STATUSES) expect(statusText(t, s)).toBe(`attendance.status.${s}`);
    expect(statusText(t, "future")).toBe("future");
  });
  it("lists what went wrong", () => {
    expect(flags(t, day())).toEqual([]);
    expect(
      flags(
        t,
        day({ late: true, late_minutes: 12, missing_out: true, out_of_area: true, overtime_minutes: 30 }),
      ),
    ).toEqual([
      "attendance.flag.late:12",
      "attendance.flag.missingOut",
      "attendance.flag.outOfArea",
      "attendance.flag.overtime:30",
    ]);
  });
  it("judges a check-in and a check-out", () => {
    expect(punctuality("in", day({ late: true }))).toBe("late");
    expect(punctuality("in", day())).toBe("onTime");
    expect(punctuality("out", day({ early_leave: true }))).toBe("early");
    expect(punctuality("out", day({ workday: false }))).toBe("");
  });
});

describe("check-in", () => {
  it("checks in first, then out", () => {
    expect(nextKind(undefined)).toBe("in");
    expect(nextKind(day())).toBe("in");
    expect(nextKind(day({ first_in: 1 }))).toBe("out");
  });
  it("tries without a position only when the server may still accept", () => {
    expect(canTryWithoutPosition({ networks: true, places: ["HQ"], out_of_area: "refuse" })).toBe(true);
    expect(canTryWithoutPosition({ networks: false, places: [], out_of_area: "refuse" })).toBe(true);
    expect(canTryWithoutPosition({ networks: false, places: ["HQ"], out_of_area: "note" })).toBe(true);
    expect(canTryWithoutPosition({ networks: false, places: ["HQ"], out_of_area: "refuse" })).toBe(false);
  });
  it("sends positions as decimal strings", () => {
    expect(fromCoords({ latitude: 31.2304161, longitude: 121.4737 })).toEqual({
      lat: "31.230416",
      lng: "121.473700",
    });
  });
  it("reads the server's refusals", () => {
    const notice = new ApiError(403, "notice_required", "", { version: "2026-12" });
    const consent = new ApiError(403, "consent_required", "", { purpose: "location" });
    const far = new ApiError(403, "out_of_area", "", { distance_m: 1234 });
    const note = new ApiError(400, "invalid_field", "", { field: "note" });
    expect([gate(notice), gate(consent), gate(far), gate(new Error("x"))]).toEqual([
      "notice",
      "consent",
      "",
      "",
    ]);
    expect(refusedDistance(far)).toBe(1234);
    expect(refusedDistance(note)).toBeUndefined();
    expect(needsNote(note)).toBe(true);
    expect(needsNote(new ApiError(400, "invalid_field", "", { field: "lat" }))).toBe(false);
    expect([geoFailure("denied"), geoFailure("timeout"), geoFailure(new Error())]).toEqual([
      "denied",
      "timeout",
      "unavailable",
    ]);
  });
  it("writes distances", () => {
    expect(distanceText(-1)).toBe("");
    expect(distanceText(42)).toBe("42 m");
    expect(distanceText(1500)).toBe("1.5 km");
    expect(distanceText(23456)).toBe("23 km");
  });
});

describe("corrections", () => {
  it("offers the missing side", () => {
    expect(correctable(undefined)).toBe("");
    expect(correctable(day({ status: "normal" }))).toBe("");
    expect(correctable(day({ missing_in: true }))).toBe("in");
    expect(correctable(day({ status: "absent" }))).toBe("in");
    expect(correctable(day({ first_in: 1, missing_out: true }))).toBe("out");
  });
  it("prefills the correction form with the planned time", () => {
    expect(correctionSearch(day({ missing_out: true }), "out", "UTC")).toEqual({
      builtin: "correction",
      prefill: { date: "2026-12-07", kind: "#1", time: "18:00" },
    });
    expect(correctionSearch(day({ start_at: 0 }), "in", "UTC").prefill.time).toBe("09:00");
  });
});

describe("group editor", () => {
  it("sends only the schedule kind's fields", () => {
    const flex = cleanRules({
      ...DEFAULT_RULES,
      kind: "flexible",
      core_start: "10:00",
      core_end: "16:00",
      total_minutes: 480,
      shifts: [{ id: "a", name: "A", start: "08:00", end: "16:00" }],
      networks: { bssids: [" 00:11:22:33:44:55 ", ""], cidrs: [] },
      places: [{ name: " HQ ", lat: " 31.2 ", lng: "121.4", radius_m: 200 }],
    });
    expect(flex.start).toBeUndefined();
    expect(flex.end).toBeUndefined();
    expect(flex.core_start).toBe("10:00");
    expect(flex.shifts).toEqual([]);
    expect(flex.networks.bssids).toEqual(["00:11:22:33:44:55"]);
    expect(flex.places[0]).toEqual({ name: "HQ", lat: "31.2", lng: "121.4", radius_m: 200 });
    const fixed = cleanRules({ ...DEFAULT_RULES, core_start: "10:00" });
    expect(fixed.start).toBe("09:00");
    expect(fixed.core_start).toBeUndefined();
  });
  it("splits lists by line or comma", () => {
    expect(lines("a\n b ,c\n\n")).toEqual(["a", "b", "c"]);
  });
  it("links the report downloads", () => {
    expect(reportHref("csv", "2026-12")).toBe("/api/v1/attendance/report.csv?month=2026-12");
    expect(reportHref("xlsx", "2026-12", "d 1")).toBe(
      "/api/v1/attendance/report.xlsx?month=2026-12&department_id=d+1",
    );
  });
});
