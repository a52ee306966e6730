import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { permissionLabel, roleDescription, roleName } from "./labels";

/** Roles lists built-in and custom roles and creates custom ones from permissions. */
export function Roles() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["roles"], queryFn: () => must(api.GET("/api/v1/roles")) });
  const [name, setName] = useState("");
  const [perms, setPerms] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () => must(api.POST("/api/v1/roles", { body: { name, permissions: perms } })),
    onSuccess: () => {
      setName("");
      setPerms([]);
      void qc.invalidateQueries({ queryKey: ["roles"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/roles/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["roles"] }),
  });
  return (
    <div className="stack">
      <section className="card" aria-labelledby="r-title">
        <h2 id="r-title">{t("admin.roles")}</h2>
        {(list.error || remove.error) && <Alert>{errorText(t, list.error ?? remove.error)}</Alert>}
        <ul className="list">
          {list.data?.items.map((r) => (
            <li key={r.id} className="row row-between">
              <div className="grow">
                <strong data-testid="role-name">{roleName(t, r)}</strong>{" "}
                {r.builtin && <span className="badge badge-muted">{t("admin.builtin")}</span>}
                {roleDescription(t, r) && <div className="small">{roleDescription(t, r)}</div>}
                {!r.builtin && r.permissions.length > 0 && (
                  <div className="muted small">
                    {r.permissions.map((p) => permissionLabel(t, p)).join(" · ")}
                  </div>
                )}
              </div>
              {!r.builtin && (
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => remove.mutate(r.id)}
                >
                  {t("common.delete")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="r-new">
        <h2 id="r-new">{t("admin.newRole")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Alert>{create.error ? errorText(t, create.error) : ""}</Alert>
          <Field label={t("admin.roleName")} value={name} onChange={(e) => setName(e.target.value)} />
          <fieldset className="checks">
            <legend className="field-label">{t("admin.permissions")}</legend>
            {list.data?.permissions.map((p) => (
              <label key={p} className="checkbox">
                <input
                  type="checkbox"
                  checked={perms.includes(p)}
                  onChange={(e) => setPerms(e.target.checked ? [...perms, p] : perms.filter((x) => x !== p))}
                />
                <span>{permissionLabel(t, p)}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
            {t("admin.add")}
          </button>
        </form>
      </section>
    </div>
  );
}
