import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { queryClient } from "../../lib/query";
import { PROFILE_FIELDS } from "./labels";

/** OrgSettings: name, joining by approval, the company-wide group, which profile fields members may edit, the recall window, who may mention @all, and disbanding. */
export function OrgSettings() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const org = useQuery({ queryKey: ["org"], queryFn: () => must(api.GET("/api/v1/orgs/current")) });
  const [name, setName] = useState("");
  const [approval, setApproval] = useState(false);
  const [companyGroup, setCompanyGroup] = useState(false);
  const [locked, setLocked] = useState<string[]>([]);
  const [recall, setRecall] = useState("2");
  const [mentionAll, setMentionAll] = useState("admins");
  useEffect(() => {
    if (org.data) {
      setName(org.data.name);
      setApproval(org.data.settings.join_requires_approval);
      setCompanyGroup(org.data.settings.company_group);
      setLocked(org.data.settings.locked_profile_fields ?? []);
      setRecall(String(Math.round(org.data.settings.recall_window_seconds / 60)));
      setMentionAll(org.data.settings.mention_all || "admins");
    }
  }, [org.data]);
  const save = useMutation({
    mutationFn: () =>
      must(
        api.PATCH("/api/v1/orgs/current", {
          body: {
            name,
            join_requires_approval: approval,
            company_group: companyGroup,
            locked_profile_fields: locked,
            recall_window_seconds: Math.round(Number(recall) * 60),
            mention_all: mentionAll,
          },
        }),
      ),
    onSuccess: (o) => {
      qc.setQueryData(["org"], o);
      void qc.invalidateQueries({ queryKey: ["me", "orgs"] });
    },
  });
  const [confirmName, setConfirmName] = useState("");
  const [password, setPassword] = useState("");
  const disband = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/orgs/current/disband", { body: { name: confirmName, password } })),
    onSuccess: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" || q.queryKey.length > 1 });
      await navigate({ to: "/welcome" });
    },
  });
  if (!org.data) return org.error ? <Alert>{errorText(t, org.error)}</Alert> : null;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="o-title">
        <h2 id="o-title">{t("admin.org")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
          {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}
          <Field label={t("setup.orgName")} value={name} onChange={(e) => setName(e.target.value)} />
          <label className="checkbox">
            <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} />
            <span>{t("admin.requireApproval")}</span>
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={companyGroup}
              onChange={(e) => setCompanyGroup(e.target.checked)}
              aria-describedby="os-company-hint"
            />
            <span>{t("admin.companyGroup")}</span>
          </label>
          <p id="os-company-hint" className="muted small">
            {t("admin.companyGroupHint")}
          </p>
          <fieldset className="checks">
            <legend className="field-label">{t("admin.lockedProfileFields")}</legend>
            <p className="field-hint">{t("admin.lockedProfileFieldsHint")}</p>
            {PROFILE_FIELDS.map((f) => (
              <label key={f.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={locked.includes(f.id)}
                  onChange={(e) =>
                    setLocked(e.target.checked ? [...locked, f.id] : locked.filter((x) => x !== f.id))
                  }
                />
                <span>{f.label(t)}</span>
              </label>
            ))}
          </fieldset>
          <Field
            label={t("admin.recallWindow")}
            hint={t("admin.recallWindowHint")}
            type="number"
            inputMode="numeric"
            min={1}
            max={10080}
            step={1}
            required
            value={recall}
            onChange={(e) => setRecall(e.target.value)}
          />
          <div className="field">
            <label htmlFor="o-mention-all" className="field-label">
              {t("admin.mentionAll")}
            </label>
            <select id="o-mention-all" value={mentionAll} onChange={(e) => setMentionAll(e.target.value)}>
              {["admins", "everyone", "nobody"].map((v) => (
                <option key={v} value={v}>
                  {t(`enums.mention_all.${v}`)}
                </option>
              ))}
            </select>
            <p className="field-hint">{t("admin.mentionAllHint")}</p>
          </div>
          <button type="submit" className="btn btn-primary" disabled={save.isPending || !name.trim()}>
            {t("common.save")}
          </button>
        </form>
      </section>
      <section className="card danger-zone" aria-labelledby="o-disband">
        <h2 id="o-disband">{t("admin.disband")}</h2>
        <p>{t("admin.disbandBody")}</p>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            disband.mutate();
          }}
        >
          <Alert>{disband.error ? errorText(t, disband.error) : ""}</Alert>
          <Field
            label={t("admin.typeOrgName", { name: org.data.name })}
            value={confirmName}
            onChange={(e) => setConfirmName(e.target.value)}
          />
          <Field
            label={t("auth.password")}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button
            type="submit"
            className="btn btn-danger-solid"
            disabled={disband.isPending || confirmName !== org.data.name || !password}
          >
            {t("admin.disbandButton")}
          </button>
        </form>
      </section>
    </div>
  );
}
