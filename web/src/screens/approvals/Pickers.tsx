// Choosing people and departments, with the directory's own pickers: the
// people list of chat (search, chips) and the department tree.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { useCurrentOrg } from "../../lib/org";
import { buildTree, flatten } from "../../lib/tree";
import { type Picked, PickList } from "../chat/PickPeople";

/** useDepartments is the organization's departments, depth-first with their depth. */
export function useDepartments() {
  const org = useCurrentOrg();
  const q = useQuery({
    queryKey: ["departments", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!org,
  });
  return flatten(buildTree(q.data?.items ?? []));
}

/** useRoles is the organization's roles. */
export function useRoles() {
  const q = useQuery({ queryKey: ["roles"], queryFn: () => must(api.GET("/api/v1/roles")) });
  return q.data?.items ?? [];
}

/** useMemberNames names members by member id (the id itself until the directory answers). */
export function useMemberNames(ids: string[]): Map<string, string> {
  const unique = [...new Set(ids.filter(Boolean))].sort();
  const q = useQuery({
    queryKey: ["members", "names", unique],
    queryFn: () =>
      Promise.all(
        unique.map((id) =>
          must(api.GET("/api/v1/members/{id}", { params: { path: { id } } }))
            .then((m) => [id, m.display_name] as const)
            .catch(() => [id, id] as const),
        ),
      ),
    enabled: unique.length > 0,
    staleTime: 5 * 60_000,
  });
  return new Map(q.data ?? []);
}

/**
 * MemberPicker chooses members of the organization (by member id): a search
 * field and the list of matches; the chosen ones are chips.
 */
export function MemberPicker({
  label,
  value,
  multiple,
  onChange,
  invalid,
  describedBy,
}: {
  label: string;
  value: string[];
  multiple?: boolean;
  onChange: (ids: string[]) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { t } = useTranslation();
  const org = useCurrentOrg();
  const id = useId();
  const [search, setSearch] = useState("");
  const found = useQuery({
    queryKey: ["members", "approval-pick", org?.org_id, search],
    queryFn: () => must(api.GET("/api/v1/members", withQuery({ q: search, limit: 20 }))),
    enabled: !!org,
  });
  const names = useMemberNames(value);
  const candidates = new Map((found.data?.items ?? []).map((m) => [m.id, m.display_name]));
  const picked: Picked[] = value.map((v) => ({ id: v, name: names.get(v) ?? candidates.get(v) ?? "…" }));
  return (
    <fieldset className="checks apv-picker" aria-describedby={describedBy}>
      <legend className="field-label">{label}</legend>
      <div className="field">
        <label htmlFor={id} className="sr-only">
          {t("approvals.findPeople")}
        </label>
        <input
          id={id}
          type="search"
          placeholder={t("approvals.findPeople")}
          value={search}
          aria-invalid={invalid || undefined}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
        />
      </div>
      <PickList
        candidates={candidates}
        picked={picked}
        single={!multiple}
        onChange={(ps) => onChange(ps.map((p) => p.id))}
      />
    </fieldset>
  );
}

/** DepartmentPicker chooses departments: a select for one, the tree's checkboxes for several. */
export function DepartmentPicker({
  label,
  value,
  multiple,
  onChange,
  invalid,
  describedBy,
}: {
  label: string;
  value: string[];
  multiple?: boolean;
  onChange: (ids: string[]) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { t } = useTranslation();
  const tree = useDepartments();
  const id = useId();
  if (!multiple) {
    return (
      <div className="field">
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        <select
          id={id}
          value={value[0] ?? ""}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value ? [e.target.value] : [])}
        >
          <option value="">{t("approvals.pick")}</option>
          {tree.map((d) => (
            <option key={d.id} value={d.id}>
              {"\u00a0\u00a0".repeat(d.depth)}
              {d.name}
            </option>
          ))}
        </select>
      </div>
    );
  }
  return (
    <fieldset className="checks" aria-describedby={describedBy}>
      <legend className="field-label">{label}</legend>
      {tree.length === 0 && <p className="muted small">{t("approvals.noDepartments")}</p>}
      {tree.map((d) => (
        <label key={d.id} className={`checkbox ann-depth-${Math.min(d.depth, 4)}`}>
          <input
            type="checkbox"
            checked={value.includes(d.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, d.id] : value.filter((x) => x !== d.id))}
          />
          {d.name}
        </label>
      ))}
    </fieldset>
  );
}
