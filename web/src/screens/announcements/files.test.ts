import { describe, expect, it } from "vitest";
import { imageMarkdown, insertAt, isImage } from "./files";

describe("announcement files", () => {
  it("writes the Markdown of an uploaded image", () => {
    expect(imageMarkdown({ id: "anf_1", name: "site plan.png" })).toBe(
      "![site plan](/api/v1/announcement-files/anf_1)",
    );
    // Brackets would end the alt text early.
    expect(imageMarkdown({ id: "anf_2", name: "[x].png" })).toBe("![x](/api/v1/announcement-files/anf_2)");
  });

  it("inserts on a line of its own at the cursor", () => {
    expect(insertAt("ab", 1, "IMG")).toEqual({ value: "a\nIMG\nb", cursor: 6 });
    expect(insertAt("", 0, "IMG")).toEqual({ value: "IMG\n", cursor: 4 });
    expect(insertAt("a\n", 2, "IMG")).toEqual({ value: "a\nIMG\n", cursor: 6 });
  });

  it("shows images inline, not SVG", () => {
    expect(isImage({ content_type: "image/png" })).toBe(true);
    expect(isImage({ content_type: "image/svg+xml" })).toBe(false);
    expect(isImage({ content_type: "application/pdf" })).toBe(false);
  });
});
