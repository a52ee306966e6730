import { afterEach, describe, expect, it, vi } from "vitest";
import { isTombstone, personQuery } from "./people";

describe("people", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never asks the server about a tombstone author", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    expect(isTombstone("tmb_0193")).toBe(true);
    expect(isTombstone("acc_0193")).toBe(false);
    await expect(personQuery("tmb_0193").queryFn()).resolves.toEqual({
      id: "tmb_0193",
      name: "",
      gone: true,
    });
    expect(fetch).not.toHaveBeenCalled();
  });
});
