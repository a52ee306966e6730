import { describe, expect, it } from "vitest";
import { csvHref } from "./Stats";

describe("csvHref", () => {
  it("carries only the dates chosen", () => {
    expect(csvHref("rtp_1", "", "")).toBe("/api/v1/report-templates/rtp_1/stats.csv");
    expect(csvHref("rtp_1", "2026-11-01", "")).toBe(
      "/api/v1/report-templates/rtp_1/stats.csv?from=2026-11-01",
    );
    expect(csvHref("rtp_1", "2026-11-01", "2026-11-30")).toBe(
      "/api/v1/report-templates/rtp_1/stats.csv?from=2026-11-01&to=2026-11-30",
    );
  });

  it("names the department a leader reads", () => {
    expect(csvHref("rtp_1", "", "", "dep_1")).toBe(
      "/api/v1/report-templates/rtp_1/stats.csv?department_id=dep_1",
    );
  });
});
