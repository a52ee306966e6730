import { describe, expect, it } from "vitest";
import { formValues, problems, shown, type TemplateField, valuesOf } from "./data";

const fields: TemplateField[] = [
  { id: "done", label: "Done", kind: "text", required: true, options: [] },
  { id: "hours", label: "Hours", kind: "number", required: false, options: [] },
  { id: "mood", label: "Mood", kind: "choice", required: true, options: ["good", "bad"] },
  { id: "day", label: "Day", kind: "date", required: false, options: [] },
];

describe("formValues", () => {
  it("holds one string per field, numbers as text, missing ones empty", () => {
    expect(formValues(fields, { hours: 7.5, mood: "good", other: "x" })).toEqual({
      done: "",
      hours: "7.5",
      mood: "good",
      day: "",
    });
  });
});

describe("problems", () => {
  it("lets a draft leave required fields empty, not a submission", () => {
    const v = formValues(fields);
    expect(problems(fields, v, false)).toEqual([]);
    expect(problems(fields, v, true)).toEqual([
      { id: "done", kind: "required" },
      { id: "mood", kind: "required" },
    ]);
    expect(problems(fields, { ...v, done: "   " }, true)[0]).toEqual({ id: "done", kind: "required" });
  });
  it("refuses values of the wrong shape even in a draft", () => {
    const v = { done: "x", hours: "seven", mood: "meh", day: "2026-13-45" };
    expect(problems(fields, v, false).map((p) => p.kind)).toEqual(["number", "choice", "date"]);
    expect(problems(fields, { done: "x", hours: "7", mood: "bad", day: "2026-12-07" }, true)).toEqual([]);
  });
});

describe("valuesOf", () => {
  it("sends numbers as numbers and leaves empty fields out", () => {
    expect(valuesOf(fields, { done: " line\n", hours: " 3 ", mood: "good", day: "" })).toEqual({
      done: " line\n",
      hours: 3,
      mood: "good",
    });
  });
  it("round-trips through formValues", () => {
    const sent = valuesOf(fields, { done: "a", hours: "2.5", mood: "bad", day: "2026-12-07" });
    expect(valuesOf(fields, formValues(fields, sent))).toEqual(sent);
  });
});

describe("shown", () => {
  it("writes values as text", () => {
    expect(shown(3)).toBe("3");
    expect(shown(undefined)).toBe("");
  });
});
