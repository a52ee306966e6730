import { describe, expect, it } from "vitest";
import { dayProblem, daysText, policiesOf } from "./retention";

describe("retention form", () => {
  it("refuses zero, fractions and fewer days than the class allows; empty is forever", () => {
    expect(dayProblem("")).toBeNull();
    expect(dayProblem("  ")).toBeNull();
    expect(dayProblem("30")).toBeNull();
    expect(dayProblem("0")).toEqual({ min: 1 });
    expect(dayProblem("-5")).toEqual({ min: 1 });
    expect(dayProblem("1.5")).toEqual({ min: 1 });
    expect(dayProblem("abc")).toEqual({ min: 1 });
    expect(dayProblem("6", 7)).toEqual({ min: 7 });
    expect(dayProblem("7", 7)).toBeNull();
    expect(dayProblem("36500")).toBeNull();
    expect(dayProblem("36501")).toEqual({ min: 1 });
    expect(daysText(0)).toBe("");
    expect(daysText(90)).toBe("90");
  });

  it("sends only the classes with a period", () => {
    expect(policiesOf({ messages: "365", audit: "", files: " 30 " })).toEqual([
      { class: "messages", days: 365 },
      { class: "files", days: 30 },
    ]);
  });
});
