import { describe, expect, it } from "vitest";
import { plainText } from "./text";

describe("plainText", () => {
  it("writes mentions as @name, folds white space and shortens", () => {
    expect(plainText("Hi @[李雷](acc_1),\n\nplease  review")).toBe("Hi @李雷, please review");
    const long = plainText("x".repeat(300), 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });
});
