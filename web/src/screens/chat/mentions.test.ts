import { describe, expect, it } from "vitest";
import { fromMarkup, mentionQuery, toMarkup } from "./mentions";

describe("mentions", () => {
  it("finds the @query being typed", () => {
    expect(mentionQuery("hello @Li", 9)).toEqual({ start: 6, query: "Li" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("mail a@b", 8)).toBeNull();
    expect(mentionQuery("hello @Li there", 15)).toBeNull();
  });

  it("round-trips picked mentions through the server's markup", () => {
    const picked = [
      { id: "acc_01", name: "Ann" },
      { id: "acc_02", name: "Ann Lee" },
      { id: "acc_03", name: "李雷" },
    ];
    const body = toMarkup("@Ann Lee and @Ann, ask @李雷", picked);
    expect(body).toBe("@[Ann Lee](acc_02) and @[Ann](acc_01), ask @[李雷](acc_03)");
    expect(fromMarkup(body).text).toBe("@Ann Lee and @Ann, ask @李雷");
    expect(fromMarkup(body).picked.map((p) => p.id)).toEqual(["acc_02", "acc_01", "acc_03"]);
  });
});
