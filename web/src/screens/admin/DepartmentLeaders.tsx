import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas, withQuery } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useMemberNames } from "../approvals/Pickers";

type Dept = Schemas["DirectoryDepartment"];

/** LeaderNames shows a department's leaders by name. */
export function LeaderNames({ d }: { d: Dept }) {
  const { t } = useTranslation();
  const names = useMemberNames(d.leader_ids ?? []);
  if (!d.leader_ids?.length) return null;
  return (
    <span className="muted small" data-testid="dept-leaders">
      {" · "}
      {t("admin.leadersAre", {
        names: d.leader_ids.map((id) => names.get(id) ?? "…").join(t("admin.listSep")),
      })}
    </span>
  );
}

/**
 * LeadersEditor sets a department's leaders, chosen by name among its
 * members (the server takes only members of the department).
 */
export function LeadersEditor({ d, onDone }: { d: Dept; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<string[]>(d.leader_ids ?? []);
  useEffect(() => setPicked(d.leader_ids ?? []), [d.leader_ids]);
  const members = useQuery({
    queryKey: ["departments", d.id, "members", q],
    queryFn: () =>
      must(
        api.GET("/api/v1/departments/{id}/members", {
          params: { path: { id: d.id }, query: withQuery({ q, limit: 50 }).params.query },
        }),
      ),
  });
  const save = useMutation({
    mutationFn: () =>
      must(
        api.PUT("/api/v1/departments/{id}/leaders", {
          params: { path: { id: d.id } },
          body: { member_ids: picked },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["departments"] });
      onDone();
    },
  });
  return (
    <fieldset className="checks dept-leaders" aria-label={t("admin.leadersOf", { name: d.name })}>
      <legend className="field-label">{t("admin.leadersOf", { name: d.name })}</legend>
      <p className="muted small">{t("admin.leadersHint")}</p>
      <input
        type="search"
        className="input"
        aria-label={t("admin.findMember")}
        placeholder={t("admin.findMember")}
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <ul className="list">
        {members.data?.items.map((m) => (
          <li key={m.id}>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={picked.includes(m.id)}
                onChange={(e) =>
                  setPicked(e.target.checked ? [...picked, m.id] : picked.filter((x) => x !== m.id))
                }
              />
              <span>{m.display_name}</span>
              {m.title && <span className="muted small"> · {m.title}</span>}
            </label>
          </li>
        ))}
        {members.data && members.data.items.length === 0 && (
          <li className="muted small">{t("admin.noDeptMembers")}</li>
        )}
      </ul>
      {save.error && <Alert>{errorText(t, save.error)}</Alert>}
      <div className="row">
        <button
          type="button"
          className="btn btn-primary btn-small"
          onClick={() => save.mutate()}
          disabled={save.isPending}
        >
          {t("admin.saveLeaders")}
        </button>
        <button type="button" className="btn btn-small" onClick={onDone}>
          {t("common.cancel")}
        </button>
      </div>
    </fieldset>
  );
}
