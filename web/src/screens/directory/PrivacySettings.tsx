import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";

type Settings = Schemas["DirectoryPrivacySettings"];
type Patch = Schemas["DirectoryPrivacyPatch"];

// What external contacts may see (directory.ExternalFields).
const EXTERNAL = ["mobile", "email", "organization", "title", "department", "work_phone", "custom_fields"];

/** PrivacySettings: who may find and add me, and what external contacts see. Effective at once. */
export function PrivacySettings() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["me", "privacy"], queryFn: () => must(api.GET("/api/v1/me/privacy")) });
  const save = useMutation({
    mutationFn: (p: Patch) => must(api.PATCH("/api/v1/me/privacy", { body: p })),
    onSuccess: (s) => qc.setQueryData(["me", "privacy"], s),
  });
  const s = q.data;
  if (!s) return q.error ? <Alert>{errorText(t, q.error)}</Alert> : null;
  const toggle = (key: keyof Settings & keyof Patch, label: string, hint: string) => (
    <label className="checkbox">
      <input
        type="checkbox"
        checked={Boolean(s[key])}
        onChange={(e) => save.mutate({ [key]: e.target.checked } as Patch)}
      />
      <span>
        {label}
        <span className="field-hint block">{hint}</span>
      </span>
    </label>
  );
  const labels: Record<string, string> = {
    mobile: t("privacySettings.ext.mobile"),
    email: t("privacySettings.ext.email"),
    organization: t("privacySettings.ext.organization"),
    title: t("directory.title"),
    department: t("directory.department"),
    work_phone: t("directory.workPhone"),
    custom_fields: t("privacySettings.ext.custom_fields"),
  };
  return (
    <section className="card" aria-labelledby="ps-title">
      <h2 id="ps-title">{t("privacySettings.title")}</h2>
      <p className="muted">{t("privacySettings.body")}</p>
      {save.error && <Alert>{errorText(t, save.error)}</Alert>}
      {toggle("discoverable", t("privacySettings.discoverable"), t("privacySettings.discoverableHint"))}
      {toggle("require_verification", t("privacySettings.verify"), t("privacySettings.verifyHint"))}
      {toggle("allow_via_group", t("privacySettings.viaGroup"), t("privacySettings.viaGroupHint"))}
      {toggle("allow_via_card", t("privacySettings.viaCard"), t("privacySettings.viaCardHint"))}
      <fieldset className="checks">
        <legend className="field-label">{t("privacySettings.external")}</legend>
        {EXTERNAL.map((f) => (
          <label key={f} className="checkbox">
            <input
              type="checkbox"
              checked={s.external_fields.includes(f)}
              onChange={(e) =>
                save.mutate({
                  external_fields: e.target.checked
                    ? [...s.external_fields, f]
                    : s.external_fields.filter((x) => x !== f),
                })
              }
            />
            <span>{labels[f]}</span>
          </label>
        ))}
      </fieldset>
    </section>
  );
}
