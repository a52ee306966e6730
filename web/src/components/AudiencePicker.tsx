import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../api/client";
import { useCurrentOrg } from "../lib/org";
import { buildTree, flatten } from "../lib/tree";
import { type Picked, PickList } from "../screens/chat/PickPeople";
import { Field } from "./ui";

/** Chosen is a choice of people: departments (with their sub-departments), roles and members. */
export type Chosen = { departments: string[]; roles: string[]; members: Picked[] };

type Part = "departments" | "roles" | "members";

/**
 * AudiencePicker chooses departments from the organization's tree, roles,
 * and members found by name. Members chosen before arrive with an empty
 * name and get theirs from the directory. parts limits what it offers.
 */
export function AudiencePicker({
  value,
  onChange,
  disabled,
  parts = ["departments", "roles", "members"],
}: {
  value: Chosen;
  onChange: (v: Chosen) => void;
  disabled?: boolean;
  parts?: Part[];
}) {
  const { t } = useTranslation();
  const org = useCurrentOrg();
  const set = (p: Partial<Chosen>) => onChange({ ...value, ...p });
  const depts = useQuery({
    queryKey: ["departments", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!org && parts.includes("departments"),
  });
  const tree = flatten(buildTree(depts.data?.items ?? []));
  const roles = useQuery({
    queryKey: ["roles"],
    queryFn: () => must(api.GET("/api/v1/roles")),
    enabled: parts.includes("roles"),
  });
  const [search, setSearch] = useState("");
  const found = useQuery({
    queryKey: ["members", "audience-pick", org?.org_id, search],
    queryFn: () => must(api.GET("/api/v1/members", withQuery({ q: search, limit: 20 }))),
    enabled: !!org && !disabled && parts.includes("members"),
  });
  const candidates = new Map((found.data?.items ?? []).map((m) => [m.id, m.display_name]));
  const unnamed = value.members.filter((m) => !m.name).map((m) => m.id);
  const names = useQuery({
    queryKey: ["members", "names", unnamed],
    queryFn: () =>
      Promise.all(
        unnamed.map((id) =>
          must(api.GET("/api/v1/members/{id}", { params: { path: { id } } }))
            .then((m) => [id, m.display_name] as const)
            .catch(() => [id, id] as const),
        ),
      ),
    enabled: unnamed.length > 0,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: names arrive once per set of unnamed ids.
  useEffect(() => {
    if (!names.data) return;
    const got = new Map(names.data);
    onChange({
      ...value,
      members: value.members.map((m) => ({ ...m, name: m.name || got.get(m.id) || m.id })),
    });
  }, [names.data]);
  const toggle = (list: string[], id: string, on: boolean) =>
    on ? [...list, id] : list.filter((x) => x !== id);
  return (
    <div className="ann-audience">
      {parts.includes("departments") && (
        <fieldset className="checks" disabled={disabled}>
          <legend>{t("audience.departments")}</legend>
          {tree.length === 0 && <p className="muted small">{t("audience.noDepartments")}</p>}
          {tree.map((d) => (
            <label key={d.id} className={`checkbox ann-depth-${Math.min(d.depth, 4)}`}>
              <input
                type="checkbox"
                checked={value.departments.includes(d.id)}
                onChange={(e) => set({ departments: toggle(value.departments, d.id, e.target.checked) })}
              />
              {d.name}
            </label>
          ))}
        </fieldset>
      )}
      {parts.includes("roles") && (
        <fieldset className="checks" disabled={disabled}>
          <legend>{t("audience.roles")}</legend>
          {(roles.data?.items ?? []).map((r) => (
            <label key={r.id} className="checkbox">
              <input
                type="checkbox"
                checked={value.roles.includes(r.id)}
                onChange={(e) => set({ roles: toggle(value.roles, r.id, e.target.checked) })}
              />
              {roleName(t, r)}
            </label>
          ))}
        </fieldset>
      )}
      {parts.includes("members") && (
        <fieldset className="checks" disabled={disabled}>
          <legend>{t("audience.people")}</legend>
          <Field
            label={t("audience.findPeople")}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
          />
          <PickList candidates={candidates} picked={value.members} onChange={(members) => set({ members })} />
        </fieldset>
      )}
    </div>
  );
}

/** roleName names a role: the built-in ones in the UI language. */
export function roleName(t: TFunction, r: { id: string; name: string; builtin: boolean }): string {
  if (!r.builtin) return r.name;
  switch (r.id) {
    case "owner":
      return t("admin.roleOwner");
    case "admin":
      return t("admin.roleAdmin");
    case "member":
      return t("admin.roleMember");
    default:
      return r.name;
  }
}
