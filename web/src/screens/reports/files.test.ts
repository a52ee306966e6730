import { describe, expect, it } from "vitest";
import { formValues, problems, type TemplateField, valuesOf } from "./data";
import { fileIds, filesOf, fileURL } from "./files";

const fields: TemplateField[] = [
  { id: "done", label: "Done", kind: "text", required: false, options: [] },
  { id: "photos", label: "Photos", kind: "attachment", required: true, options: [] },
];
const a = { id: "rpf_a", name: "a.png", size: 3, content_type: "image/png" };
const b = { id: "rpf_b", name: "b.txt", size: 4, content_type: "text/plain" };

describe("attachment fields", () => {
  it("read a value as its files, in order, naming unknown ones by id", () => {
    expect(fileIds(["rpf_b", 3, "rpf_a"])).toEqual(["rpf_b", "rpf_a"]);
    expect(fileIds("rpf_a")).toEqual([]);
    expect(filesOf(["rpf_b", "rpf_a"], [a, b])).toEqual([b, a]);
    expect(filesOf(["rpf_x"], [a])[0]).toMatchObject({ id: "rpf_x", name: "rpf_x" });
    expect(filesOf(undefined)).toEqual([]);
  });

  it("hold no text in the form", () => {
    expect(formValues(fields, { done: "x", photos: ["rpf_a"] })).toEqual({ done: "x", photos: "" });
  });

  it("are required on submit only, and sent as lists of ids", () => {
    const v = formValues(fields);
    expect(problems(fields, v, false, {})).toEqual([]);
    expect(problems(fields, v, true, { photos: [] })).toEqual([{ id: "photos", kind: "required" }]);
    expect(problems(fields, v, true, { photos: [a] })).toEqual([]);
    expect(valuesOf(fields, { done: "x", photos: "" }, { photos: [a, b] })).toEqual({
      done: "x",
      photos: ["rpf_a", "rpf_b"],
    });
    expect(valuesOf(fields, v, { photos: [] })).toEqual({});
  });

  it("download from the report files route", () => {
    expect(fileURL("rpf_a")).toBe("/api/v1/report-files/rpf_a");
  });
});
