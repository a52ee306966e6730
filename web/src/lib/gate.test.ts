import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { gateKeyOf, gateState, guardianKey, policiesKey, refreshGate, refreshGateState } from "./gate";

describe("gateState", () => {
  it("is pending until both answers are in, then open when nothing is required", () => {
    expect(gateState(undefined, undefined, true)).toBe("pending");
    expect(gateState({ pending: [] }, undefined, true)).toBe("pending");
    expect(gateState({ pending: [] }, { required: false }, false)).toBe("open");
  });
  it("stands for a guardian's missing consent, then for policies to accept", () => {
    expect(gateState({ pending: [] }, { required: true }, false)).toBe("guardian");
    expect(gateState({ pending: [{}] }, { required: true }, false)).toBe("guardian");
    // Known before the other answer arrives: the stream must not wait for it.
    expect(gateState(undefined, { required: true }, true)).toBe("guardian");
    expect(gateState({ pending: [{}] }, { required: true, consent: { id: "x" } }, false)).toBe("policies");
    expect(gateState({ pending: [] }, { required: true, consent: { id: "x" } }, false)).toBe("open");
  });
});

describe("gateKeyOf and refreshGate", () => {
  it("knows the gate's two refusals and nothing else", () => {
    expect(gateKeyOf(new ApiError(403, "guardian_consent_required", ""))).toEqual(guardianKey);
    expect(gateKeyOf(new ApiError(403, "policy_acceptance_required", ""))).toEqual(policiesKey);
    expect(gateKeyOf(new ApiError(403, "forbidden", ""))).toBeUndefined();
    expect(gateKeyOf(new ApiError(404, "guardian_consent_required", ""))).toBeUndefined();
    expect(gateKeyOf(new Error("guardian_consent_required"))).toBeUndefined();
  });
  it("marks the gate's state stale after a refusal by the gate", () => {
    const qc = new QueryClient();
    qc.setQueryData(guardianKey, { required: false });
    qc.setQueryData(policiesKey, { pending: [] });
    refreshGate(qc, new ApiError(403, "forbidden", ""));
    expect(qc.getQueryState(guardianKey)?.isInvalidated).toBe(false);
    refreshGate(qc, new ApiError(403, "guardian_consent_required", ""));
    expect(qc.getQueryState(guardianKey)?.isInvalidated).toBe(true);
    expect(qc.getQueryState(policiesKey)?.isInvalidated).toBe(false);
    refreshGateState(qc);
    expect(qc.getQueryState(policiesKey)?.isInvalidated).toBe(true);
  });
});
