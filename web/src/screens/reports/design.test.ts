import { describe, expect, it } from "vitest";
import type { Template } from "./data";
import { emptyTemplate, fieldId, optionsOf, templateBody, templateForm } from "./design";

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
  it("sends options only for choice fields, and the whole organization as submitters by default", () => {
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
    expect(b.submitters).toEqual({ all: true, department_ids: [], role_ids: [], member_ids: [] });
    expect(b.workdays).toEqual([1, 2, 3, 4, 5]);
  });

  it("sends chosen submitters, extra recipients, time zone, workdays and the reminder", () => {
    const b = templateBody({
      ...emptyTemplate,
      name: "Weekly",
      everyone: false,
      submitters: { departments: ["dep_1"], roles: ["role_1"], members: [{ id: "mem_1", name: "Ann" }] },
      alsoTo: [{ id: "mem_2", name: "Hana" }],
      timezone: "Asia/Shanghai",
      workdays: [6, 1, 2],
      remindBefore: 30,
    });
    expect(b.submitters).toEqual({
      all: false,
      department_ids: ["dep_1"],
      role_ids: ["role_1"],
      member_ids: ["mem_1"],
    });
    expect(b.recipients.member_ids).toEqual(["mem_2"]);
    expect(b.timezone).toBe("Asia/Shanghai");
    expect(b.workdays).toEqual([1, 2, 6]);
    expect(b.remind_before_minutes).toBe(30);
  });

  it("round-trips a stored template through the form", () => {
    const tp = {
      id: "t1",
      name: "Daily",
      period: "daily",
      fields: [],
      plans: false,
      submitters: { all: false, department_ids: ["dep_1"], role_ids: [], member_ids: ["mem_1"] },
      recipients: { supervisor: false, department_leaders: true, member_ids: ["mem_2"] },
      timezone: "Europe/Paris",
      due_time: "17:30",
      due_weekday: 5,
      due_day: 0,
      workdays: [1, 2, 3],
      edit_window_minutes: 60,
      remind_before_minutes: 15,
      archived: false,
      expected: false,
      current_period: "",
      current_due_at: 0,
      created_by: "x",
      created_at: 0,
      updated_at: 0,
    } as Template;
    const b = templateBody(templateForm(tp));
    expect(b.submitters).toEqual(tp.submitters);
    expect(b.recipients).toEqual(tp.recipients);
    expect([b.timezone, b.due_time, b.workdays, b.remind_before_minutes]).toEqual([
      "Europe/Paris",
      "17:30",
      [1, 2, 3],
      15,
    ]);
  });
});
