// The gate before the app: a person who has policy versions to accept, or a
// minor waiting for a guardian's consent, may use only the few routes that
// let them do so. Every other call, the real-time stream included, is
// refused with 403 policy_acceptance_required or guardian_consent_required
// (internal/privacy Gate). The gate's state comes from GET /me/policies and
// GET /me/guardian-consent; a refusal carrying either code refreshes it.
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { ApiError, api, must } from "../api/client";

export const policiesKey = ["me", "policies"] as const;
export const guardianKey = ["me", "guardian"] as const;

/** GATE_CODES maps the gate's error codes to the query that tells its state. */
const GATE_CODES: Record<string, readonly string[]> = {
  policy_acceptance_required: policiesKey,
  guardian_consent_required: guardianKey,
};

/** gateKeyOf returns the gate query a refusal calls to refresh, or undefined for any other error. */
export function gateKeyOf(e: unknown): readonly string[] | undefined {
  return e instanceof ApiError && e.status === 403 ? GATE_CODES[e.code] : undefined;
}

/** refreshGate refreshes the gate's state after a refusal by the gate; other errors are left alone. */
export function refreshGate(qc: QueryClient, e: unknown) {
  const key = gateKeyOf(e);
  if (key) void qc.invalidateQueries({ queryKey: key, exact: true });
}

/** refreshGateState asks the server again what stands before the app (e.g. after the stream was refused). */
export function refreshGateState(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: policiesKey, exact: true });
  void qc.invalidateQueries({ queryKey: guardianKey, exact: true });
}

/** GateState says what stands before the app: nothing ("open"), or what must happen first. */
export type GateState = "pending" | "open" | "policies" | "guardian";

type Policies = { pending?: unknown[] | null } | undefined;
type Guardian = { required?: boolean; consent?: unknown } | undefined;

/** gateState combines the two gate queries; "pending" until both have answered once. */
export function gateState(policies: Policies, guardian: Guardian, loading: boolean): GateState {
  if (guardian?.required && !guardian.consent) return "guardian";
  if ((policies?.pending?.length ?? 0) > 0) return "policies";
  return loading ? "pending" : "open";
}

/**
 * useGate reads the gate for the signed-in person (enabled once known).
 * While waiting for a guardian, it polls to notice the consent without a
 * reload.
 */
export function useGate(enabled = true) {
  const policies = useQuery({
    queryKey: policiesKey,
    queryFn: () => must(api.GET("/api/v1/me/policies")),
    enabled,
  });
  const guardian = useQuery({
    queryKey: guardianKey,
    queryFn: () => must(api.GET("/api/v1/me/guardian-consent")),
    staleTime: 5 * 60_000,
    enabled,
    refetchInterval: (q) => (q.state.data?.required && !q.state.data.consent ? 10_000 : false),
  });
  const state = gateState(policies.data, guardian.data, policies.isPending || guardian.isPending);
  return { state, policies, guardian };
}
