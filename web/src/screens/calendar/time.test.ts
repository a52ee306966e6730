import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDays,
  allDayCovers,
  dragSpan,
  layoutDay,
  minuteOfDay,
  monthGrid,
  moved,
  shift,
  shiftWall,
  span,
  startOfWeek,
  viewDays,
  wallClock,
  wallToMs,
  ymd,
} from "./time";

// Local-time rules are checked in a zone with daylight saving time.
const saved = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Europe/Berlin";
});
afterAll(() => {
  process.env.TZ = saved;
});

const at = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);
const ev = (key: string, s: Date, e: Date) => ({ key, startAt: s.getTime(), endAt: e.getTime() });

describe("layoutDay", () => {
  const day = at(2027, 3, 10);
  it("puts overlapping events side by side and a later one back at full width", () => {
    const placed = layoutDay(
      [
        ev("a", at(2027, 3, 10, 9), at(2027, 3, 10, 10)),
        ev("b", at(2027, 3, 10, 9, 30), at(2027, 3, 10, 11)),
        ev("c", at(2027, 3, 10, 10), at(2027, 3, 10, 10, 30)),
        ev("d", at(2027, 3, 10, 12), at(2027, 3, 10, 13)),
      ],
      day,
    );
    const by = Object.fromEntries(placed.map((p) => [p.item.key, p]));
    expect(by.a).toMatchObject({ top: 540, height: 60, col: 0, cols: 2 });
    expect(by.b).toMatchObject({ top: 570, col: 1, cols: 2 });
    // c starts when a ends: it takes a's column again.
    expect(by.c).toMatchObject({ top: 600, col: 0, cols: 2 });
    expect(by.d).toMatchObject({ top: 720, col: 0, cols: 1 });
  });
  it("lets back-to-back events share a column", () => {
    const placed = layoutDay(
      [ev("a", at(2027, 3, 10, 9), at(2027, 3, 10, 10)), ev("b", at(2027, 3, 10, 10), at(2027, 3, 10, 11))],
      day,
    );
    expect(placed.map((p) => [p.col, p.cols])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });
  it("clips an event crossing midnight to the day and leaves out other days", () => {
    const placed = layoutDay(
      [
        ev("night", at(2027, 3, 9, 22), at(2027, 3, 10, 2)),
        ev("other", at(2027, 3, 11, 9), at(2027, 3, 11, 10)),
      ],
      day,
    );
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ top: 0, height: 120 });
  });
  it("gives a zero-length event a visible height", () => {
    const [p] = layoutDay([ev("z", at(2027, 3, 10, 9), at(2027, 3, 10, 9))], day);
    expect(p.height).toBe(15);
  });
});

describe("month grid and views", () => {
  it("covers the month in weeks starting on Monday", () => {
    const weeks = monthGrid(at(2027, 2, 14));
    expect(ymd(weeks[0][0])).toBe("2027-02-01"); // February 2027 starts on a Monday
    expect(weeks).toHaveLength(4);
    const march = monthGrid(at(2027, 3, 1));
    expect(ymd(march[0][0])).toBe("2027-03-01");
    expect(ymd(march[march.length - 1][6])).toBe("2027-04-04");
    expect(monthGrid(at(2026, 8, 1))).toHaveLength(6); // starts on a Saturday, 31 days
    for (const w of march) expect(w).toHaveLength(7);
  });
  it("starts weeks on Sunday when asked", () => {
    expect(ymd(startOfWeek(at(2027, 3, 10), 0))).toBe("2027-03-07");
    expect(ymd(startOfWeek(at(2027, 3, 10)))).toBe("2027-03-08");
  });
  it("moves day, week and month views", () => {
    expect(ymd(shift("day", at(2027, 3, 31), 1))).toBe("2027-04-01");
    expect(ymd(shift("week", at(2027, 3, 10), -1))).toBe("2027-03-03");
    expect(ymd(shift("month", at(2027, 1, 31), 1))).toBe("2027-02-01");
  });
  it("asks for the week across a DST change as whole local days", () => {
    // Clocks go forward on Sunday 28 March 2027 in Berlin.
    const days = viewDays("week", at(2027, 3, 24));
    expect(days.map(ymd)).toEqual([
      "2027-03-22",
      "2027-03-23",
      "2027-03-24",
      "2027-03-25",
      "2027-03-26",
      "2027-03-27",
      "2027-03-28",
    ]);
    const { from, to } = span(days);
    expect(ymd(to)).toBe("2027-03-29");
    expect(to.getHours()).toBe(0);
    expect((to.getTime() - from.getTime()) / 3_600_000).toBe(7 * 24 - 1);
  });
  it("knows which days an all-day occurrence covers (end exclusive)", () => {
    expect(allDayCovers("2027-03-10", "2027-03-12", at(2027, 3, 11))).toBe(true);
    expect(allDayCovers("2027-03-10", "2027-03-12", at(2027, 3, 12))).toBe(false);
    expect(allDayCovers("2027-03-10", "2027-03-11", at(2027, 3, 10))).toBe(true);
  });
});

describe("drag to create and move", () => {
  const day = at(2027, 3, 10);
  it("turns a drag into a snapped span, whichever way it goes", () => {
    const s = dragSpan(day, 9 * 48 + 5, 10 * 48 + 20, 48);
    expect([s.start.getHours(), s.start.getMinutes(), s.end.getHours(), s.end.getMinutes()]).toEqual([
      9, 0, 10, 30,
    ]);
    const up = dragSpan(day, 10 * 48 + 20, 9 * 48 + 5, 48);
    expect(up.start.getTime()).toBe(s.start.getTime());
    expect(up.end.getTime()).toBe(s.end.getTime());
  });
  it("makes a tiny drag one step long and keeps it inside the day", () => {
    const s = dragSpan(day, 100, 101, 48);
    expect((s.end.getTime() - s.start.getTime()) / 60_000).toBe(15);
    const late = dragSpan(day, 24 * 48 - 2, 24 * 48 + 40, 48);
    expect(ymd(late.start)).toBe("2027-03-10");
    expect(late.end.getTime()).toBe(at(2027, 3, 11).getTime());
  });
  it("moves an event to another day keeping its length", () => {
    const m = moved(
      at(2027, 3, 10, 9).getTime(),
      at(2027, 3, 10, 10, 30).getTime(),
      at(2027, 3, 12),
      14 * 60,
    );
    expect(m.start.getTime()).toBe(at(2027, 3, 12, 14).getTime());
    expect((m.end.getTime() - m.start.getTime()) / 60_000).toBe(90);
  });
  it("keeps wall-clock time when moved across the DST change", () => {
    // 09:00 on Friday moved to 09:00 on Sunday, the day clocks go forward.
    const m = moved(at(2027, 3, 26, 9).getTime(), at(2027, 3, 26, 10).getTime(), at(2027, 3, 28), 9 * 60);
    expect(m.start.getHours()).toBe(9);
    expect(m.end.getHours()).toBe(10);
  });
  it("places times on a DST day by wall clock", () => {
    const dst = at(2027, 3, 28);
    expect(addDays(dst, 1).getTime() - dst.getTime()).toBe(23 * 3_600_000);
    expect(minuteOfDay(at(2027, 3, 28, 9).getTime(), dst)).toBe(540);
    // A drag over 02:00–03:00 (a time that does not exist that night) still ends after it starts.
    const s = dragSpan(dst, 2 * 48, 3 * 48, 48);
    expect(s.end.getTime()).toBeGreaterThanOrEqual(s.start.getTime());
  });
});

describe("wall clock in a time zone", () => {
  it("shows an instant in another zone", () => {
    expect(wallClock(Date.UTC(2027, 2, 15, 8, 0), "Asia/Shanghai")).toBe("2027-03-15T16:00");
    expect(wallClock(Date.UTC(2027, 2, 15, 8, 0), "America/New_York")).toBe("2027-03-15T04:00");
  });
  it("turns a wall clock into an instant across DST", () => {
    expect(wallToMs("2027-01-15T09:00", "Europe/Berlin")).toBe(Date.UTC(2027, 0, 15, 8, 0));
    expect(wallToMs("2027-07-15T09:00", "Europe/Berlin")).toBe(Date.UTC(2027, 6, 15, 7, 0));
    expect(wallToMs("2027-03-15T16:00", "Asia/Shanghai")).toBe(Date.UTC(2027, 2, 15, 8, 0));
    for (const w of ["2027-03-28T01:30", "2027-03-28T03:30", "2027-10-31T12:00"]) {
      expect(wallClock(wallToMs(w, "Europe/Berlin"), "Europe/Berlin")).toBe(w);
    }
  });
});

describe("moving a whole series", () => {
  it("moves the series' start as far as the dragged occurrence moved", () => {
    expect(shiftWall("2027-03-01T09:00", "2027-03-15T09:00", "2027-03-16T10:30")).toBe("2027-03-02T10:30");
    expect(shiftWall("2027-03-01T09:00:00", "2027-03-15T09:00", "2027-03-15T08:00")).toBe("2027-03-01T08:00");
  });
});
