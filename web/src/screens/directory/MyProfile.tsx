import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { icons } from "../../components/icons";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  CustomFieldInput,
  type CustomValue,
  customFieldError,
  formValue,
  patchValue,
  sameValue,
} from "./CustomField";

type Patch = Schemas["DirectoryMemberPatch"];
// Built-in fields a member may edit (unless the organization locks them).
const EDITABLE = ["display_name", "email", "work_phone", "office"] as const;
type Editable = (typeof EDITABLE)[number];

/**
 * MyProfile lets a member correct their own profile in the current
 * organization. Fields the organization manages are shown locked.
 */
export function MyProfile() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: ["member", "me"],
    queryFn: () => must(api.GET("/api/v1/members/{id}", { params: { path: { id: "me" } } })),
  });
  const org = useQuery({ queryKey: ["org"], queryFn: () => must(api.GET("/api/v1/orgs/current")) });
  const fields = useQuery({ queryKey: ["fields"], queryFn: () => must(api.GET("/api/v1/fields")) });
  const [vals, setVals] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!me.data) return;
    const v: Record<string, string> = {
      display_name: me.data.display_name,
      email: me.data.email,
      work_phone: me.data.work_phone,
      office: me.data.office,
    };
    setVals(v);
  }, [me.data]);
  const [custom, setCustom] = useState<Record<string, CustomValue>>({});
  useEffect(() => {
    if (!me.data || !fields.data) return;
    const c: Record<string, CustomValue> = {};
    for (const f of fields.data.items) c[f.id] = formValue(f, me.data.fields?.[f.id]);
    setCustom(c);
  }, [me.data, fields.data]);
  const lockedBuiltin = org.data?.settings.locked_profile_fields ?? [];
  const save = useMutation({
    mutationFn: () => {
      const body: Patch = {};
      const d = me.data;
      if (!d) throw new Error("not loaded");
      for (const k of EDITABLE) {
        if (!lockedBuiltin.includes(k) && vals[k] !== (d[k] ?? "")) body[k] = vals[k];
      }
      const changed: Record<string, unknown> = {};
      for (const f of fields.data?.items ?? []) {
        const v = custom[f.id] ?? formValue(f, undefined);
        if (!f.locked && !sameValue(f, v, d.fields?.[f.id])) changed[f.id] = patchValue(f, v);
      }
      if (Object.keys(changed).length) body.fields = changed;
      return must(api.PATCH("/api/v1/members/{id}", { params: { path: { id: "me" } }, body }));
    },
    onSuccess: (m) => {
      qc.setQueryData(["member", "me"], m);
      void qc.invalidateQueries({ queryKey: ["members"] });
    },
  });

  if (me.error) return <Alert>{errorText(t, me.error)}</Alert>;
  if (!me.data) return null;
  const label: Record<Editable, string> = {
    display_name: t("directory.displayName"),
    email: t("directory.workEmail"),
    work_phone: t("directory.workPhone"),
    office: t("directory.office"),
  };

  const input = (key: string, text: string, locked: boolean, type = "text") => (
    <div className="field" key={key}>
      <label className="field-label" htmlFor={`p-${key}`}>
        {text}{" "}
        {locked && (
          <span className="locked-badge">
            {icons.lock} {t("directory.locked")}
          </span>
        )}
      </label>
      <input
        id={`p-${key}`}
        type={type}
        value={vals[key] ?? ""}
        disabled={locked}
        aria-describedby={locked ? "locked-hint" : undefined}
        onChange={(e) => setVals({ ...vals, [key]: e.target.value })}
      />
    </div>
  );

  return (
    <section className="card" aria-labelledby="myp-title">
      <h2 id="myp-title">{t("directory.myProfile")}</h2>
      <p className="muted" id="locked-hint">
        {t("directory.lockedHint")}
      </p>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Alert>
          {save.error
            ? customFieldError(t, save.error, fields.data?.items ?? []) || errorText(t, save.error)
            : ""}
        </Alert>
        {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}
        <div className="form-grid">
          {EDITABLE.map((k) =>
            input(k, label[k], lockedBuiltin.includes(k), k === "email" ? "email" : "text"),
          )}
          <div className="field">
            <span className="field-label">
              {t("directory.title")}{" "}
              <span className="locked-badge">
                {icons.lock} {t("directory.locked")}
              </span>
            </span>
            <span className="readonly">{me.data.title || "—"}</span>
          </div>
          {fields.data?.items.map((f) => (
            <CustomFieldInput
              key={f.id}
              f={f}
              value={custom[f.id] ?? formValue(f, undefined)}
              disabled={f.locked}
              missing={me.data?.missing_required?.includes(f.id)}
              onChange={(v) => setCustom({ ...custom, [f.id]: v })}
            />
          ))}
        </div>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
