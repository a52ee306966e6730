import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { formErrorField } from "./data";
import { formatDec, formatMoney, parseDec, parseMoney, showMoney, sumDec, sumMoney } from "./decimal";
import { bodyOf, conditionComplete, designProblems, move, newTemplate, slug } from "./design";
import { duration } from "./duration";
import { emptyForm, payload, problems, tableTotal } from "./form";
import type { FormField, TableValue } from "./types";

describe("money", () => {
  it("reads amounts into integer cents and writes them with two decimals", () => {
    expect(parseMoney("8000")).toBe(800000n);
    expect(parseMoney("8000.5")).toBe(800050n);
    expect(parseMoney("0.07")).toBe(7n);
    expect(parseMoney(" 1,280.50 ")).toBe(128050n);
    expect(parseMoney("-3.10")).toBe(-310n);
    expect(parseMoney("1.005")).toBeNull();
    expect(parseMoney("12a")).toBeNull();
    expect(parseMoney("")).toBeNull();
    expect(parseMoney("1e3")).toBeNull();
    expect(formatMoney(800050n)).toBe("8000.50");
    expect(formatMoney(7n)).toBe("0.07");
    expect(formatMoney(-310n)).toBe("-3.10");
    expect(formatMoney(0n)).toBe("0.00");
  });

  it("adds without losing a cent where floats would", () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floats.
    expect(formatMoney(sumMoney(["0.10", "0.20"]))).toBe("0.30");
    // A thousand lines of 0.01 and a thousand of 19.99.
    const lines = [...Array(1000).fill("0.01"), ...Array(1000).fill("19.99")];
    expect(formatMoney(sumMoney(lines))).toBe("20000.00");
    expect(formatMoney(sumMoney(["0.29"]))).toBe("0.29");
    expect(formatMoney(sumMoney(Array(10).fill("0.10")))).toBe("1.00");
    // Beyond what a float holds exactly (2^53 cents and more).
    expect(formatMoney(sumMoney(["90071992547409.93", "0.01", "0.01"]))).toBe("90071992547409.95");
    expect(formatMoney(sumMoney(["-90071992547409.93", "-0.02"]))).toBe("-90071992547409.95");
    // Blank and malformed cells count as nothing.
    expect(formatMoney(sumMoney(["12.34", "", "abc", "1.001"]))).toBe("12.34");
  });

  it("sums any lines to the cent (random lines against integer cents)", () => {
    let seed = 17;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let run = 0; run < 50; run++) {
      const lines: string[] = [];
      let want = 0n;
      for (let i = 0; i < 200; i++) {
        const cents = BigInt(rand(100_000_000)) * (rand(5) === 0 ? -1n : 1n);
        want += cents;
        lines.push(formatMoney(cents));
      }
      expect(sumMoney(lines)).toBe(want);
    }
  });

  it("shows amounts grouped, with the currency", () => {
    expect(showMoney(800000n, "CNY", "en")).toBe("CNY 8,000.00");
    expect(showMoney(-1234567n, "USD", "en")).toBe("USD -12,345.67");
  });

  it("sums number columns exactly at any scale", () => {
    expect(formatDec(sumDec(["0.1", "0.2"]))).toBe("0.3");
    expect(formatDec(sumDec(["1.25", "2", "-0.25"]))).toBe("3");
    expect(formatDec(sumDec(["0.001", "0.0005"]))).toBe("0.0015");
    expect(parseDec("12.50")).toEqual({ n: 1250n, scale: 2 });
    expect(parseDec("1.2.3")).toBeNull();
  });
});

describe("duration", () => {
  it("counts calendar days inclusively", () => {
    expect(duration("day", { start: "2026-12-07", end: "2026-12-08" })).toEqual({ ok: true, value: "2" });
    expect(duration("day", { start: "2026-12-07", end: "2026-12-07" })).toEqual({ ok: true, value: "1" });
    // Across a month end and a leap day.
    expect(duration("day", { start: "2028-02-28", end: "2028-03-01" })).toEqual({ ok: true, value: "3" });
    expect(duration("day", { start: "2026-12-08", end: "2026-12-07" })).toEqual({
      ok: false,
      reason: "order",
    });
    expect(duration("day", { start: "2026-02-30", end: "2026-03-01" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(duration("day", { start: "2026-12-07", end: "" })).toEqual({ ok: false, reason: "incomplete" });
  });

  it("counts half days from the start's half to the end's half", () => {
    const h = (start: string, sh: "am" | "pm", end: string, eh: "am" | "pm") =>
      duration("half_day", { start, end, start_half: sh, end_half: eh });
    expect(h("2026-12-07", "am", "2026-12-07", "pm")).toEqual({ ok: true, value: "1" });
    expect(h("2026-12-07", "am", "2026-12-07", "am")).toEqual({ ok: true, value: "0.5" });
    expect(h("2026-12-07", "pm", "2026-12-07", "pm")).toEqual({ ok: true, value: "0.5" });
    expect(h("2026-12-07", "pm", "2026-12-08", "am")).toEqual({ ok: true, value: "1" });
    expect(h("2026-12-07", "am", "2026-12-09", "am")).toEqual({ ok: true, value: "2.5" });
    expect(h("2026-12-07", "pm", "2026-12-07", "am")).toEqual({ ok: false, reason: "order" });
  });

  it("counts hours to two decimals", () => {
    const hr = (start: string, end: string) => duration("hour", { start, end });
    expect(hr("2026-12-07T09:00", "2026-12-07T17:30")).toEqual({ ok: true, value: "8.5" });
    expect(hr("2026-12-07T09:00", "2026-12-07T09:15")).toEqual({ ok: true, value: "0.25" });
    expect(hr("2026-12-07T09:00", "2026-12-07T09:20")).toEqual({ ok: true, value: "0.33" });
    expect(hr("2026-12-07T09:00", "2026-12-07T09:40")).toEqual({ ok: true, value: "0.67" });
    expect(hr("2026-12-07T22:00", "2026-12-08T02:00")).toEqual({ ok: true, value: "4" });
    expect(hr("2026-12-07T10:00", "2026-12-07T09:00")).toEqual({ ok: false, reason: "order" });
    expect(hr("2026-12-07T25:00", "2026-12-07T26:00")).toEqual({ ok: false, reason: "invalid" });
  });
});

const expense: FormField = {
  id: "lines",
  type: "table",
  label: "Lines",
  required: true,
  total: "amount",
  columns: [
    { id: "what", type: "text", label: "What", required: true },
    { id: "amount", type: "money", label: "Amount", required: true },
  ],
};

describe("table total", () => {
  it("sums the money column exactly and ignores rows left empty", () => {
    const v: TableValue = {
      rows: [
        { what: "Taxi", amount: "0.10" },
        { what: "Hotel", amount: "0.20" },
        { what: "", amount: "" },
      ],
    };
    expect(tableTotal(expense, v)).toBe("0.30");
    expect(tableTotal({ ...expense, total: undefined }, v)).toBe("");
    const qty: FormField = {
      ...expense,
      total: "n",
      columns: [{ id: "n", type: "number", label: "N", decimals: 2 }],
    };
    expect(tableTotal(qty, { rows: [{ n: "1.5" }, { n: "0.25" }] })).toBe("1.75");
  });
});

describe("problems", () => {
  const fields: FormField[] = [
    { id: "title", type: "text", label: "Title", required: true },
    { id: "amount", type: "money", label: "Amount", required: true, min: "0.01", max: "100000" },
    { id: "hours", type: "number", label: "Hours", decimals: 1 },
    { id: "kind", type: "choice", label: "Kind", options: ["Annual", "Sick"] },
    { id: "tags", type: "multichoice", label: "Tags", options: ["a", "b"] },
    { id: "when", type: "daterange", label: "When", unit: "day" },
    { id: "day", type: "date", label: "Day" },
    { id: "at", type: "time", label: "At" },
    { id: "who", type: "member", label: "Who" },
    { id: "where", type: "location", label: "Where" },
    { id: "note", type: "description", label: "", text: "Read me", required: true },
    expense,
  ];

  it("finds each field's problem and none on a good form", () => {
    const empty = emptyForm(fields);
    expect(problems(fields, empty)).toEqual([
      { field: "title", kind: "required" },
      { field: "amount", kind: "required" },
      { field: "lines", kind: "required" },
    ]);
    const bad = {
      ...empty,
      title: "two\nlines",
      amount: "12.345",
      hours: "1.25",
      kind: "Holiday",
      tags: ["a", "z"],
      when: { start: "2026-12-08", end: "2026-12-07" },
      day: "2026-13-01",
      at: "24:00",
      who: ["m1", "m2"],
      where: { lat: "91", lng: "0", address: "" },
      lines: {
        rows: [
          { what: "Taxi", amount: "" },
          { what: "", amount: "" },
        ],
      },
    };
    expect(problems(fields, bad).map((p) => [p.field, p.kind])).toEqual([
      ["title", "one_line"],
      ["amount", "decimals"],
      ["hours", "decimals"],
      ["kind", "choice"],
      ["tags", "choice"],
      ["when", "order"],
      ["day", "date"],
      ["at", "time"],
      ["who", "one"],
      ["where", "location"],
      ["lines.0.amount", "required"],
    ]);
    const bounds = { ...empty, title: "x", amount: "0", lines: { rows: [{ what: "a", amount: "1" }] } };
    expect(problems(fields, bounds)).toEqual([{ field: "amount", kind: "min", limit: "0.01" }]);
    expect(problems(fields, { ...bounds, amount: "100000.01" })).toEqual([
      { field: "amount", kind: "max", limit: "100000" },
    ]);
    const good = {
      ...empty,
      title: "Trip to Shenzhen",
      amount: "8,000.5",
      hours: "1.5",
      kind: "Sick",
      tags: ["b"],
      when: { start: "2026-12-07", end: "2026-12-08" },
      day: "2026-12-07",
      at: "09:30",
      who: ["m1"],
      where: { lat: "31.2304", lng: "121.4737", address: "Shanghai" },
      lines: {
        rows: [
          { what: "Taxi", amount: "12" },
          { what: "", amount: "" },
        ],
      },
    };
    expect(problems(fields, good)).toEqual([]);
    expect(payload(fields, good)).toEqual({
      title: "Trip to Shenzhen",
      amount: "8000.50",
      hours: "1.5",
      kind: "Sick",
      tags: ["b"],
      when: { start: "2026-12-07", end: "2026-12-08" },
      day: "2026-12-07",
      at: "09:30",
      who: ["m1"],
      where: { lat: "31.2304", lng: "121.4737", address: "Shanghai" },
      lines: { rows: [{ what: "Taxi", amount: "12.00" }] },
    });
  });

  it("limits text lengths as the server does", () => {
    const f: FormField[] = [
      { id: "a", type: "text", label: "A" },
      { id: "b", type: "textarea", label: "B" },
    ];
    expect(problems(f, { a: "x".repeat(2000), b: "y".repeat(20000) })).toEqual([]);
    expect(problems(f, { a: "x".repeat(2001), b: "y".repeat(20001) }).map((p) => p.kind)).toEqual([
      "too_long",
      "too_long",
    ]);
  });
});

describe("server errors", () => {
  it("finds the field an invalid_form error names", () => {
    expect(formErrorField(new ApiError(400, "invalid_form", "x", { field: "amount" }))).toBe("amount");
    expect(formErrorField(new ApiError(400, "invalid_form", "amount: must have at most two decimals"))).toBe(
      "amount",
    );
    expect(formErrorField(new ApiError(400, "invalid_form", "lines[2].amount: bad"))).toBe("lines.2.amount");
    expect(formErrorField(new ApiError(409, "step_closed", "x", { field: "amount" }))).toBe("");
  });
});

describe("designer", () => {
  it("moves items and makes ids from labels", () => {
    expect(move(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(move(["a", "b", "c"], 2, -5)).toEqual(["c", "a", "b"]);
    const same = ["a"];
    expect(move(same, 0, 1)).toBe(same);
    expect(slug("Total amount", [])).toBe("total_amount");
    expect(slug("Total amount", ["total_amount"])).toBe("total_amount_1");
    expect(slug("金额", ["field_1"])).toBe("field_2");
    expect(slug("2nd trip", [])).toBe("nd_trip");
  });

  it("refuses incomplete designs and cleans the flow", () => {
    const d = newTemplate();
    expect(designProblems(d).map((p) => p.kind)).toEqual(["name", "stepName"]);
    d.name = "Expense";
    d.fields = [{ id: "amount", type: "money", label: "Amount" }];
    d.flow.steps[0].name = "Supervisor";
    d.flow.steps[0].when = { all: [{ field: "amount", op: "gt", value: "" }] };
    expect(designProblems(d).map((p) => p.kind)).toEqual(["condition"]);
    d.flow.steps[0].when = { all: [{ field: "gone", op: "gt", value: "5000" }] };
    expect(designProblems(d).map((p) => p.kind)).toEqual(["condition"]);
    d.flow.steps[0].when = { all: [{ field: "amount", op: "gt", value: "5000" }, { any: [] }] };
    expect(conditionComplete(d.flow.steps[0].when, ["amount"])).toBe(false);
    d.flow.steps[0].when = {
      all: [
        { field: "amount", op: "gt", value: "5000" },
        { any: [{ applicant: "role", op: "in", value: ["r1"] }] },
      ],
    };
    expect(designProblems(d)).toEqual([]);
    d.flow.steps.push({
      id: "s2",
      name: " Finance ",
      approvers: { type: "role", role_id: "" },
      mode: "any",
      when: { all: [] },
    });
    expect(designProblems(d).map((p) => p.kind)).toEqual(["approvers"]);
    d.flow.steps[1].approvers.role_id = "r1";
    const body = bodyOf(d);
    expect(body.flow.steps[1]).toEqual({
      id: "s2",
      name: "Finance",
      approvers: { type: "role", role_id: "r1" },
      mode: "any",
    });
    expect(body.flow.steps[0].when).toEqual(d.flow.steps[0].when);
  });
});
