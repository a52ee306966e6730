import { beforeEach, describe, expect, it } from "vitest";
import { clearDraft, draftIds, draftKey, loadDraft, saveDraft } from "./drafts";

describe("drafts", () => {
  beforeEach(() => localStorage.clear());
  it("keeps a draft per account and conversation", () => {
    saveDraft("acc_a", "cnv_1", "half a thought");
    saveDraft("acc_a", "cnv_2", "another");
    saveDraft("acc_b", "cnv_1", "someone else's");
    expect(loadDraft("acc_a", "cnv_1")).toBe("half a thought");
    expect(loadDraft("acc_b", "cnv_1")).toBe("someone else's");
    expect(localStorage.getItem(draftKey("acc_a", "cnv_2"))).toBe("another");
    expect([...draftIds("acc_a")].sort()).toEqual(["cnv_1", "cnv_2"]);
  });
  it("forgets blank drafts and sent ones", () => {
    saveDraft("acc_a", "cnv_1", "x");
    saveDraft("acc_a", "cnv_1", "   ");
    expect(loadDraft("acc_a", "cnv_1")).toBe("");
    saveDraft("acc_a", "cnv_1", "y");
    clearDraft("acc_a", "cnv_1");
    expect(draftIds("acc_a").size).toBe(0);
  });
  it("needs an account", () => {
    saveDraft("", "cnv_1", "x");
    expect(localStorage.length).toBe(0);
  });
});
