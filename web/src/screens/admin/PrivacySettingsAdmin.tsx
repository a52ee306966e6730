import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** PrivacySettingsAdmin: what happens to a leaver's data, and what exports include. */
export function PrivacySettingsAdmin() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["privacy-settings"],
    queryFn: () => must(api.GET("/api/v1/admin/privacy/settings")),
  });
  const [s, setS] = useState<Schemas["PrivacyOrgSettings"] | null>(null);
  useEffect(() => {
    if (q.data) setS(q.data);
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      must(api.PUT("/api/v1/admin/privacy/settings", { body: s as Schemas["PrivacyOrgSettings"] })),
    onSuccess: (x) => qc.setQueryData(["privacy-settings"], x),
  });
  if (!s) return q.error ? <Alert>{errorText(t, q.error)}</Alert> : null;
  return (
    <section className="card" aria-labelledby="pset-title">
      <h2 id="pset-title">{t("privacyAdmin.title")}</h2>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
        {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}
        <div className="form-grid">
          <div className="field">
            <label className="field-label" htmlFor="ps-leave">
              {t("privacyAdmin.leaveAction")}
            </label>
            <select
              id="ps-leave"
              value={s.leave_action}
              onChange={(e) => setS({ ...s, leave_action: e.target.value })}
            >
              <option value="anonymize">{t("privacyAdmin.anonymize")}</option>
              <option value="delete">{t("privacyAdmin.delete")}</option>
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="ps-period">
              {t("privacyAdmin.leavePeriod")}
            </label>
            <input
              id="ps-period"
              type="number"
              min={0}
              value={s.leave_period_days}
              onChange={(e) => setS({ ...s, leave_period_days: Number(e.target.value) })}
            />
          </div>
          <div className="field">
            <label className="field-label" htmlFor="ps-grace">
              {t("privacyAdmin.disbandGrace")}
            </label>
            <input
              id="ps-grace"
              type="number"
              min={0}
              value={s.disband_grace_days}
              onChange={(e) => setS({ ...s, disband_grace_days: Number(e.target.value) })}
            />
          </div>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={s.export_others_messages}
            onChange={(e) => setS({ ...s, export_others_messages: e.target.checked })}
          />
          <span>{t("privacyAdmin.exportOthers")}</span>
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={s.tell_about_holds}
            onChange={(e) => setS({ ...s, tell_about_holds: e.target.checked })}
          />
          <span>{t("privacyAdmin.tellHolds")}</span>
        </label>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
