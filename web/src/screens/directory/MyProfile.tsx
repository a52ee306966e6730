import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { icons } from "../../components/icons";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";

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
    for (const [k, x] of Object.entries(me.data.fields ?? {})) v[`f:${k}`] = x == null ? "" : String(x);
    setVals(v);
  }, [me.data]);
  const lockedBuiltin = org.data?.settings.locked_profile_fields ?? [];
  const save = useMutation({
    mutationFn: () => {
      const body: Patch = {};
      const d = me.data;
      if (!d) throw new Error("not loaded");
      for (const k of EDITABLE) {
        if (!lockedBuiltin.includes(k) && vals[k] !== (d[k] ?? "")) body[k] = vals[k];
      }
      const custom: Record<string, unknown> = {};
      for (const f of fields.data?.items ?? []) {
        const v = vals[`f:${f.id}`] ?? "";
        const old = d.fields?.[f.id];
        if (!f.locked && v !== (old == null ? "" : String(old)))
          custom[f.id] = f.kind === "number" ? Number(v) : v;
      }
      if (Object.keys(custom).length) body.fields = custom;
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
        <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
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
          {fields.data?.items.map((f) =>
            input(
              `f:${f.id}`,
              f.name,
              f.locked,
              f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text",
            ),
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
