import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Thumb, thumbnailed } from "./Thumb";

afterEach(() => {
  vi.useRealTimers();
});

const icon = <span data-testid="icon">📄</span>;

describe("Thumb", () => {
  it("knows which types get thumbnails", () => {
    expect(thumbnailed("image/jpeg")).toBe(true);
    expect(thumbnailed("image/webp; q=1")).toBe(true);
    expect(thumbnailed("application/pdf")).toBe(true);
    expect(thumbnailed("image/svg+xml")).toBe(false);
    expect(thumbnailed("text/plain")).toBe(false);
    expect(thumbnailed(undefined)).toBe(false);
  });

  it("shows only the fallback for a file without thumbnails", () => {
    render(
      <Thumb
        item={{ id: "dit_1", version: 1, content_type: "text/plain" }}
        size={256}
        alt=""
        fallback={icon}
      />,
    );
    expect(screen.getByTestId("icon")).toBeTruthy();
    expect(screen.queryByTestId("drive-thumb")).toBeNull();
  });

  it("asks lazily for the version's thumbnail and swaps the icon for it once loaded", () => {
    render(
      <Thumb
        item={{ id: "dit 1", version: 3, content_type: "image/png" }}
        size={1024}
        alt="pic"
        fallback={icon}
      />,
    );
    const img = screen.getByTestId("drive-thumb") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe("/api/v1/drive/items/dit%201/thumbnail?size=1024&v=3");
    expect(img.getAttribute("loading")).toBe("lazy");
    expect(screen.getByTestId("icon")).toBeTruthy();
    fireEvent.load(img);
    expect(screen.queryByTestId("icon")).toBeNull();
    expect(img.className).toBe("drive-thumb");
  });

  it("keeps the icon while the thumbnail is being made, tries again, and gives up", () => {
    vi.useFakeTimers();
    render(
      <Thumb
        item={{ id: "dit_2", version: 1, content_type: "application/pdf" }}
        size={256}
        alt=""
        fallback={icon}
      />,
    );
    for (let n = 1; n <= 4; n++) {
      fireEvent.error(screen.getByTestId("drive-thumb"));
      expect(screen.getByTestId("icon")).toBeTruthy();
      act(() => {
        vi.advanceTimersByTime(1500 * n);
      });
      expect(screen.getByTestId("drive-thumb").getAttribute("src")).toContain(`&v=1.${n}`);
    }
    fireEvent.error(screen.getByTestId("drive-thumb"));
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.queryByTestId("drive-thumb")).toBeNull();
    expect(screen.getByTestId("icon")).toBeTruthy();
  });

  it("uses a public link's address", () => {
    render(
      <Thumb
        item={{ id: "dit_3", version: 2, content_type: "image/gif" }}
        size={256}
        alt=""
        fallback={icon}
        url="/api/v1/drive/public/tok/thumbnail?size=256&item_id=dit_3"
      />,
    );
    expect(screen.getByTestId("drive-thumb").getAttribute("src")).toBe(
      "/api/v1/drive/public/tok/thumbnail?size=256&item_id=dit_3&v=2",
    );
  });
});
