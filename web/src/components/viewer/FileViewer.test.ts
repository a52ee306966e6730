import { describe, expect, it } from "vitest";
import { viewable } from "./FileViewer";

describe("viewable", () => {
  it("shows images and PDFs, never SVG or other files", () => {
    expect(viewable("image/png")).toBe("image");
    expect(viewable("image/jpeg; charset=binary")).toBe("image");
    expect(viewable("application/pdf")).toBe("pdf");
    expect(viewable("APPLICATION/PDF")).toBe("pdf");
    expect(viewable("image/svg+xml")).toBeNull();
    expect(viewable("text/html")).toBeNull();
    expect(viewable(undefined)).toBeNull();
  });
});
