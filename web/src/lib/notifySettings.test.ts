import { describe, expect, it } from "vitest";
import { isQuiet, tomorrowMorning } from "./notifySettings";

const none = { dnd_until: 0, quiet_start: "", quiet_end: "", time_zone: "UTC" };

describe("isQuiet", () => {
  const at = new Date(Date.UTC(2026, 2, 2, 15, 0)); // 23:00 in Shanghai
  it("holds during Do Not Disturb and not after it ended", () => {
    expect(isQuiet({ ...none, dnd_until: at.getTime() + 1 }, at)).toBe(true);
    expect(isQuiet({ ...none, dnd_until: at.getTime() - 1 }, at)).toBe(false);
    expect(isQuiet(none, at)).toBe(false);
    expect(isQuiet(undefined, at)).toBe(false);
  });
  it("holds within quiet hours in the person's zone, across midnight", () => {
    const q = { ...none, quiet_start: "22:00", quiet_end: "07:00", time_zone: "Asia/Shanghai" };
    expect(isQuiet(q, at)).toBe(true);
    expect(isQuiet(q, new Date(Date.UTC(2026, 2, 3, 0, 0)))).toBe(false); // 08:00 there
    expect(isQuiet({ ...q, time_zone: "UTC" }, at)).toBe(false); // 15:00 in UTC
    expect(isQuiet({ ...none, quiet_start: "12:00", quiet_end: "16:00" }, at)).toBe(true);
  });
});

describe("tomorrowMorning", () => {
  it("is 08:00 the next day", () => {
    const d = new Date(tomorrowMorning(new Date(2026, 0, 31, 22, 30)));
    expect([d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([1, 1, 8, 0]);
  });
});
