import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { StatusBadge } from "../../components/StatusBadge";
import { Alert, Avatar } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** MemberProfile shows what the caller may see of a member (the server applies field visibility). */
export function MemberProfile({ id }: { id: string }) {
  const { t } = useTranslation();
  const m = useQuery({
    queryKey: ["member", id],
    queryFn: () => must(api.GET("/api/v1/members/{id}", { params: { path: { id } } })),
  });
  const fields = useQuery({ queryKey: ["fields"], queryFn: () => must(api.GET("/api/v1/fields")) });
  const accountId = m.data?.account_id ?? "";
  const status = useQuery({
    queryKey: ["person-status", accountId],
    enabled: !!accountId,
    retry: false,
    queryFn: () =>
      must(api.GET("/api/v1/people/{account_id}/status", { params: { path: { account_id: accountId } } })),
  });
  if (m.error) return <Alert>{errorText(t, m.error)}</Alert>;
  if (!m.data) return null;
  const p = m.data;
  const rows: [string, string][] = [
    [t("directory.title"), p.title],
    [
      t("directory.department"),
      p.departments.map((d) => d.name + (d.leader ? ` (${t("directory.leader")})` : "")).join(", "),
    ],
    [t("directory.workEmail"), p.email],
    [t("directory.workPhone"), p.work_phone],
    [t("directory.office"), p.office],
    [t("directory.employeeNo"), p.employee_no],
    [t("directory.joinDate"), p.join_date],
  ];
  for (const f of fields.data?.items ?? []) {
    const v = p.fields?.[f.id];
    if (v !== undefined && v !== null && v !== "")
      rows.push([f.name, Array.isArray(v) ? v.join(", ") : String(v)]);
  }
  return (
    <div className="profile">
      <div className="row">
        <Avatar name={p.display_name} id={p.account_id} photo={p.photo_version ?? ""} />
        <div>
          <h2 className="profile-name">{p.display_name}</h2>
          <StatusBadge status={status.data?.status} />
          {p.status !== "active" && <span className="badge badge-muted">{t("admin.deactivated")}</span>}
        </div>
      </div>
      <dl className="profile-fields">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
    </div>
  );
}
