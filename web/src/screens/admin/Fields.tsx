import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { icons } from "../../components/icons";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { kindLabel, visibilityLabel } from "./labels";

const KINDS = ["text", "number", "date", "single_choice", "multi_choice"];
const VISIBILITY = ["everyone", "admins", "external"];

/** Fields manages custom profile fields: kind, who sees them, and whether members may edit them (lock). */
export function Fields() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["fields"], queryFn: () => must(api.GET("/api/v1/fields")) });
  const refresh = () => qc.invalidateQueries({ queryKey: ["fields"] });
  const [name, setName] = useState("");
  const [kind, setKind] = useState("text");
  const [visibility, setVisibility] = useState("everyone");
  const [locked, setLocked] = useState(false);
  const [required, setRequired] = useState(false);
  const [options, setOptions] = useState("");
  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/fields", {
          body: {
            name,
            kind,
            visibility,
            locked,
            required,
            options: kind.endsWith("choice")
              ? options
                  .split(",")
                  .map((o) => o.trim())
                  .filter(Boolean)
              : undefined,
          },
        }),
      ),
    onSuccess: () => {
      setName("");
      setOptions("");
      setRequired(false);
      void refresh();
    },
  });
  const patch = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["DirectoryFieldPatch"] }) =>
      must(api.PATCH("/api/v1/fields/{id}", { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/fields/{id}", { params: { path: { id } } })),
    onSuccess: refresh,
  });

  return (
    <div className="stack">
      <section className="card" aria-labelledby="f-title">
        <h2 id="f-title">{t("admin.fields")}</h2>
        <p className="muted">{t("admin.fieldsBody")}</p>
        {(patch.error || remove.error) && <Alert>{errorText(t, patch.error ?? remove.error)}</Alert>}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("admin.fieldName")}</th>
                <th scope="col">{t("admin.fieldKind")}</th>
                <th scope="col">{t("admin.visibility")}</th>
                <th scope="col">{t("admin.required")}</th>
                <th scope="col">{t("admin.locked")}</th>
                <th scope="col">
                  <span className="sr-only">{t("admin.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data?.items.map((f) => (
                <tr key={f.id}>
                  <td>
                    {f.name} {f.locked && icons.lock}
                  </td>
                  <td>
                    {kindLabel(t, f.kind)}
                    {f.options.length > 0 && (
                      <ul className="field-options" aria-label={t("admin.optionsOf", { name: f.name })}>
                        {f.options.map((o) => (
                          <li key={o} className="chip">
                            {o}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    <select
                      aria-label={t("admin.visibilityOf", { name: f.name })}
                      value={f.visibility}
                      onChange={(e) => patch.mutate({ id: f.id, body: { visibility: e.target.value } })}
                    >
                      {VISIBILITY.map((v) => (
                        <option key={v} value={v}>
                          {visibilityLabel(t, v)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <label className="checkbox inline">
                      <input
                        type="checkbox"
                        checked={f.required}
                        onChange={(e) => patch.mutate({ id: f.id, body: { required: e.target.checked } })}
                      />
                      <span className="sr-only">{t("admin.requireNamed", { name: f.name })}</span>
                    </label>
                  </td>
                  <td>
                    <label className="checkbox inline">
                      <input
                        type="checkbox"
                        checked={f.locked}
                        onChange={(e) => patch.mutate({ id: f.id, body: { locked: e.target.checked } })}
                      />
                      <span className="sr-only">{t("admin.lockNamed", { name: f.name })}</span>
                    </label>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => remove.mutate(f.id)}
                    >
                      {t("common.delete")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="f-new">
        <h2 id="f-new">{t("admin.newField")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Alert>{create.error ? errorText(t, create.error) : ""}</Alert>
          <div className="form-grid">
            <Field label={t("admin.fieldName")} value={name} onChange={(e) => setName(e.target.value)} />
            <div className="field">
              <label className="field-label" htmlFor="f-kind">
                {t("admin.fieldKind")}
              </label>
              <select id="f-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {kindLabel(t, k)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label className="field-label" htmlFor="f-vis">
                {t("admin.visibility")}
              </label>
              <select id="f-vis" value={visibility} onChange={(e) => setVisibility(e.target.value)}>
                {VISIBILITY.map((v) => (
                  <option key={v} value={v}>
                    {visibilityLabel(t, v)}
                  </option>
                ))}
              </select>
            </div>
            {kind.endsWith("choice") && (
              <Field
                label={t("admin.options")}
                hint={t("admin.optionsHint")}
                value={options}
                onChange={(e) => setOptions(e.target.value)}
              />
            )}
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} />
            <span>{t("admin.requiredHint")}</span>
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={locked} onChange={(e) => setLocked(e.target.checked)} />
            <span>{t("admin.lockedHint")}</span>
          </label>
          <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
            {t("admin.add")}
          </button>
        </form>
      </section>
    </div>
  );
}
