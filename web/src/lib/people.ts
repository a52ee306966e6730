// Names of people by account id (chat messages carry only ids). A person
// whose account was deleted answers 404, and their messages name a tombstone
// id (tmb_…) that is never looked up: both are shown as a deleted account.
import { useQueries, useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { ApiError, api, must } from "../api/client";

/** photo is the version of the person's profile photo, when they have one. */
export type PersonName = { id: string; name: string; gone: boolean; photo?: string };

/** Authors of deleted accounts are tombstones (tmb_…): known gone, never asked for. */
export const isTombstone = (id: string) => id.startsWith("tmb_");

async function fetchPerson(id: string): Promise<PersonName> {
  if (isTombstone(id)) return { id, name: "", gone: true };
  try {
    const p = await must(api.GET("/api/v1/people/{account_id}", { params: { path: { account_id: id } } }));
    return { id, name: p.name, gone: !p.name, photo: p.photo_version };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { id, name: "", gone: true };
    throw e;
  }
}

export const personQuery = (id: string) => ({
  queryKey: ["person", id],
  queryFn: () => fetchPerson(id),
  staleTime: 10 * 60_000,
  enabled: !!id,
});

export function usePerson(id: string | undefined) {
  return useQuery({ ...personQuery(id ?? ""), enabled: !!id }).data;
}

/** usePeople resolves many ids at once: id → person (missing while loading). */
export function usePeople(ids: string[]): Map<string, PersonName> {
  const unique = [...new Set(ids.filter(Boolean))];
  const results = useQueries({ queries: unique.map((id) => personQuery(id)) });
  const out = new Map<string, PersonName>();
  results.forEach((r, i) => {
    if (r.data) out.set(unique[i], r.data);
  });
  return out;
}

/** personName is how a person is named on screen: "…" while loading, a tombstone once their account is gone. */
export function personName(t: TFunction, p: PersonName | undefined): string {
  return p ? (p.gone ? t("chat.deletedAccount") : p.name) : "…";
}
