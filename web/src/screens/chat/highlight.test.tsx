import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Highlighted, hitParts } from "./highlight";

describe("hitParts", () => {
  it("marks every word of the query, whatever the case", () => {
    expect(hitParts("The Quarterly report, quarterly", "quarterly REPORT")).toEqual([
      { text: "The ", hit: false },
      { text: "Quarterly", hit: true },
      { text: " ", hit: false },
      { text: "report", hit: true },
      { text: ", ", hit: false },
      { text: "quarterly", hit: true },
    ]);
  });
  it("matches Chinese without spaces and the longest word first", () => {
    expect(hitParts("今天的会议纪要", "会议 会议纪要")).toEqual([
      { text: "今天的", hit: false },
      { text: "会议纪要", hit: true },
    ]);
  });
  it("takes the query's punctuation literally", () => {
    expect(hitParts("a+b (c) a.b", "(c) a.b")).toEqual([
      { text: "a+b ", hit: false },
      { text: "(c)", hit: true },
      { text: " ", hit: false },
      { text: "a.b", hit: true },
    ]);
  });
  it("leaves text alone without a query", () => {
    expect(hitParts("plain", "  ")).toEqual([{ text: "plain", hit: false }]);
    expect(hitParts("", "x")).toEqual([]);
  });
  it("renders marks", () => {
    const { container } = render(<p>{Highlighted({ text: "Budget 2027.xlsx", query: "budget" })}</p>);
    expect(container.querySelector("mark")?.textContent).toBe("Budget");
  });
});
