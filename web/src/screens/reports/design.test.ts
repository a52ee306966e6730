import { describe, expect, it } from "vitest";
import { emptyTemplate, fieldId, optionsOf, templateBody } from "./design";

describe("fieldId", () => {
  it("makes ids of lower-case letters, digits and _, unique", () => {
    expect(fieldId("Work done today", [])).toBe("work_done_today");
    expect(fieldId("Hours", ["hours"])).toBe("hours_2");
    expect(fieldId("Hours", ["hours", "hours_2"])).toBe("hours_3");
    expect(fieldId("今日工作", [])).toBe("field_2");
    expect(fieldId("明日计划", ["field_2"])).toBe("field_3");
  });
});

describe("optionsOf", () => {
  it("splits on commas (either width) and lines, without blanks or repeats", () => {
    expect(optionsOf("On track, Behind，On track,\n Blocked ,")).toEqual(["On track", "Behind", "Blocked"]);
  });
});

describe("templateBody", () => {
  it("sends options only for choice fields, and keeps what the form does not show", () => {
    const b = templateBody({
      ...emptyTemplate,
      name: " Daily ",
      fields: [
        { id: "a", label: " A ", kind: "text", required: true, options: "x, y" },
        { id: "b", label: "B", kind: "choice", required: false, options: "x, y" },
      ],
    });
    expect(b.name).toBe("Daily");
    expect(b.fields.map((f) => f.options)).toEqual([[], ["x", "y"]]);
    expect(b.fields[0].label).toBe("A");
    expect(b.recipients).toEqual({ supervisor: true, department_leaders: true, member_ids: [] });
    expect(b.submitters).toBeUndefined();
  });
});
