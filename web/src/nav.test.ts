import { describe, expect, it } from "vitest";
import { activeTab, WORKSPACE } from "./nav";

describe("the phone's tab bar", () => {
  it("lights the tab each screen belongs to", () => {
    expect(activeTab("/chat")).toBe("/chat");
    expect(activeTab("/chat/cnv_1")).toBe("/chat");
    expect(activeTab("/directory")).toBe("/directory");
    expect(activeTab("/approvals/new")).toBe("/workspace");
    expect(activeTab("/attendance/month")).toBe("/workspace");
    expect(activeTab("/workspace")).toBe("/workspace");
    expect(activeTab("/settings")).toBe("/me");
    expect(activeTab("/admin/audit")).toBe("/me");
    expect(activeTab("/chatter")).toBe("");
  });

  it("lists the office apps, including those coming", () => {
    const to = WORKSPACE.map((n) => n.to);
    expect(to).toEqual(
      expect.arrayContaining(["/approvals", "/attendance", "/announcements", "/reports", "/tasks"]),
    );
    expect(to).not.toContain("/chat");
  });
});
