import { describe, expect, it } from "vitest";
import { centerCrop, clampCrop } from "./ProfilePhoto";

describe("photo crop", () => {
  it("starts with the largest centred square", () => {
    expect(centerCrop(480, 300)).toEqual({ x: 90, y: 0, size: 300 });
    expect(centerCrop(200, 500)).toEqual({ x: 0, y: 150, size: 200 });
  });
  it("keeps the square inside the picture and not too small", () => {
    expect(clampCrop({ x: -20, y: 400, size: 100 }, 480, 300)).toEqual({ x: 0, y: 200, size: 100 });
    expect(clampCrop({ x: 10, y: 10, size: 900 }, 480, 300)).toEqual({ x: 10, y: 0, size: 300 });
    expect(clampCrop({ x: 5, y: 5, size: 2 }, 480, 300)).toEqual({ x: 5, y: 5, size: 16 });
    expect(clampCrop({ x: 0, y: 0, size: 2 }, 8, 10)).toEqual({ x: 0, y: 0, size: 8 });
  });
});
