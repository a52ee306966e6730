import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Avatar } from "../../components/ui";
import { useCurrentOrg } from "../../lib/org";
import { useMe } from "../../lib/session";

/** ChatKind is a conversation's kind, as the server names it. */
export type ChatKind = "direct" | "general" | "internal" | "external";

export type Picked = { id: string; name: string };

/** kindLabel names a kind of chat; kindHint says who may be in it. */
export function kindLabel(t: TFunction, kind: ChatKind): string {
  switch (kind) {
    case "direct":
      return t("chat.kind.direct");
    case "internal":
      return t("chat.kind.internal");
    case "external":
      return t("chat.kind.external");
    default:
      return t("chat.kind.general");
  }
}

export function kindHint(t: TFunction, kind: ChatKind): string {
  switch (kind) {
    case "direct":
      return t("chat.kindHint.direct");
    case "internal":
      return t("chat.kindHint.internal");
    case "external":
      return t("chat.kindHint.external");
    default:
      return t("chat.kindHint.general");
  }
}

/**
 * usePickCandidates lists the people who may be put in a chat of the kind
 * (the server checks again): colleagues for an internal group, contacts for
 * a general one, both for an external group and a direct chat. It maps
 * account id to name, leaving out the caller and the ids in except.
 */
export function usePickCandidates(
  kind: ChatKind,
  search: string,
  enabled: boolean,
  except: string[] = [],
): Map<string, string> {
  const me = useMe().data;
  const org = useCurrentOrg();
  // The directory answers for the organization the session is in.
  const members = useQuery({
    queryKey: ["members", "pick", org?.org_id, search],
    queryFn: () => must(api.GET("/api/v1/members", withQuery({ q: search, limit: 20 }))),
    enabled: enabled && !!org && kind !== "general",
  });
  const contacts = useQuery({
    queryKey: ["contacts"],
    queryFn: () => must(api.GET("/api/v1/contacts")),
    enabled: enabled && kind !== "internal",
  });
  const out = new Map<string, string>();
  if (kind !== "general") for (const m of members.data?.items ?? []) out.set(m.account_id, m.display_name);
  if (kind !== "internal")
    for (const c of contacts.data?.items ?? [])
      if (!search || c.name.toLowerCase().includes(search.toLowerCase())) out.set(c.account_id, c.name);
  out.delete(me?.id ?? "");
  for (const id of except) out.delete(id);
  return out;
}

/** togglePicked adds or removes a person; single keeps at most one. */
export function togglePicked(picked: Picked[], p: Picked, single: boolean): Picked[] {
  if (single) return [p];
  return picked.some((x) => x.id === p.id) ? picked.filter((x) => x.id !== p.id) : [...picked, p];
}

/** PickList shows the chosen people as chips and the candidates to choose from. */
export function PickList({
  candidates,
  picked,
  single,
  onChange,
}: {
  candidates: Map<string, string>;
  picked: Picked[];
  single?: boolean;
  onChange: (picked: Picked[]) => void;
}) {
  const { t } = useTranslation();
  const toggle = (p: Picked) => onChange(togglePicked(picked, p, !!single));
  return (
    <>
      {picked.length > 0 && (
        <fieldset className="chips">
          <legend className="sr-only">{t("chat.picked")}</legend>
          {picked.map((p) => (
            <button
              key={p.id}
              type="button"
              className="chip"
              aria-label={t("chat.unpick", { name: p.name })}
              onClick={() => toggle(p)}
            >
              {p.name} ×
            </button>
          ))}
        </fieldset>
      )}
      <ul className="pick-list" aria-label={t("chat.people")}>
        {[...candidates].map(([id, name]) => (
          <li key={id}>
            <label className="pick">
              <input
                type={single ? "radio" : "checkbox"}
                name="person"
                checked={picked.some((p) => p.id === id)}
                onChange={() => toggle({ id, name })}
              />
              <Avatar name={name} id={id} small />
              <span>{name}</span>
            </label>
          </li>
        ))}
        {candidates.size === 0 && <li className="muted small">{t("chat.nobodyToAdd")}</li>}
      </ul>
    </>
  );
}
