// The person's organizations and rights in the current one.
import { useQuery } from "@tanstack/react-query";
import { api, must, type Schemas, withQuery } from "../api/client";
import { queryClient } from "./query";
import { meQuery } from "./session";

export type MyOrg = Schemas["DirectoryMyOrg"];

export const orgsQuery = {
  queryKey: ["me", "orgs"] as const,
  queryFn: () => must(api.GET("/api/v1/me/orgs")),
  staleTime: 60_000,
};

export function useOrgs() {
  return useQuery(orgsQuery);
}

/** useCurrentOrg is the organization the session acts in, or undefined. */
export function useCurrentOrg(): MyOrg | undefined {
  return useOrgs().data?.items.find((o) => o.current);
}

export function usePermissions() {
  const org = useCurrentOrg();
  return useQuery({
    queryKey: ["me", "permissions", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/me/permissions")),
    enabled: !!org,
    staleTime: 60_000,
  });
}

/**
 * usePendingJoinRequests counts the requests to join the current
 * organization waiting for a decision — for those who decide them
 * (manage_members); 0 for everyone else. It shares the admin queue's query,
 * so deciding one there updates the bell at once.
 */
export function usePendingJoinRequests(): number {
  const may = useCan("manage_members");
  const q = useQuery({
    queryKey: ["join-requests"],
    queryFn: () => must(api.GET("/api/v1/join-requests", withQuery({ status: "pending" }))),
    enabled: may,
    refetchInterval: 60_000,
  });
  return may ? (q.data?.items.length ?? 0) : 0;
}

/** can reports whether the caller holds perm in the current organization. */
export function useCan(perm: string): boolean {
  return usePermissions().data?.permissions.includes(perm) ?? false;
}

/**
 * useLedDepartments lists the departments of the current organization the
 * caller leads (statistics of their people are theirs to read).
 */
export function useLedDepartments(): Schemas["DirectoryDepartment"][] {
  const org = useCurrentOrg();
  const depts = useQuery({
    queryKey: ["departments", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!org,
  });
  const me = org?.member_id ?? "";
  return (depts.data?.items ?? []).filter((d) => me !== "" && d.leader_ids.includes(me));
}

const LAST_ORG = "atrium.org";

/** lastOrg is the organization this browser used last. */
export function lastOrg(): string {
  try {
    return localStorage.getItem(LAST_ORG) ?? "";
  } catch {
    return "";
  }
}

/** switchOrg makes orgId the session's organization and reloads everything. */
export async function switchOrg(orgId: string) {
  await must(api.POST("/api/v1/me/org", { body: { org_id: orgId } }));
  try {
    localStorage.setItem(LAST_ORG, orgId);
  } catch {
    // not remembered; the next sign-in picks the first organization
  }
  const me = queryClient.getQueryData(meQuery.queryKey);
  queryClient.clear();
  queryClient.setQueryData(meQuery.queryKey, me);
}
