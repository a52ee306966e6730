import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { switchOrg, useOrgs } from "../lib/org";

/** OrgSwitcher shows the current organization and switches between the person's organizations. */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const orgs = useOrgs().data?.items ?? [];
  const [busy, setBusy] = useState(false);
  const current = orgs.find((o) => o.current);
  if (orgs.length === 0) return null;
  if (orgs.length === 1) {
    return (
      <span className="org-name" title={current?.name}>
        {current?.name ?? orgs[0].name}
      </span>
    );
  }
  return (
    <label className="org-switch">
      <span className="sr-only">{t("org.switch")}</span>
      <select
        aria-label={t("org.switch")}
        value={current?.org_id ?? ""}
        disabled={busy}
        onChange={async (e) => {
          setBusy(true);
          try {
            await switchOrg(e.target.value);
            await navigate({ to: "/chat" });
          } finally {
            setBusy(false);
          }
        }}
      >
        {!current && <option value="">{t("org.none")}</option>}
        {orgs.map((o) => (
          <option key={o.org_id} value={o.org_id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
