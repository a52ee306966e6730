import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { enumText, errorText } from "../../lib/errors";

type Item = Schemas["AuditItem"];

/**
 * chainStatus checks, for the entries shown (newest first), that each one
 * names the hash of the entry before it. `atrium audit verify` checks the
 * whole log, hashes included; this shows at a glance whether what the page
 * lists is a gap-free, linked run.
 */
export function chainStatus(items: Item[]): { linked: number; broken: number[] } {
  let linked = 0;
  const broken: number[] = [];
  for (let i = 0; i + 1 < items.length; i++) {
    const newer = items[i];
    const older = items[i + 1];
    if (newer.seq !== older.seq + 1) continue; // filtered view: not adjacent in the log
    if (newer.prev_hash === older.hash) linked++;
    else broken.push(newer.seq);
  }
  return { linked, broken };
}

/** AuditLog lists the organization's audit log with filters and the chain's link status. */
export function AuditLog() {
  const { t, i18n } = useTranslation();
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const q = useInfiniteQuery({
    queryKey: ["audit", action, outcome],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/audit", withQuery({ action, outcome, cursor: pageParam, limit: 50 }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const chain = chainStatus(items);
  // The server walks the whole chain (at most once a minute).
  const verify = useQuery({
    queryKey: ["audit", "verify"],
    queryFn: () => must(api.GET("/api/v1/audit/verify")),
    refetchInterval: 60_000,
  });
  return (
    <section className="card" aria-labelledby="a-title">
      <div className="row row-between">
        <h2 id="a-title">{t("admin.audit")}</h2>
        {verify.data &&
          (verify.data.ok ? (
            <span className="badge badge-ok" data-testid="chain-verified">
              {t("admin.chainVerified", { time: formatTime(verify.data.verified_at, i18n.language) })}
            </span>
          ) : (
            <span className="badge badge-danger" role="alert" data-testid="chain-verified">
              {t("admin.chainVerifyFailed")}
            </span>
          ))}
        {items.length > 1 &&
          (chain.broken.length === 0 ? (
            <span className="badge badge-ok" data-testid="chain-status">
              {t("admin.chainOk", { count: chain.linked })}
            </span>
          ) : (
            <span className="badge badge-danger" data-testid="chain-status">
              {t("admin.chainBroken", { seqs: chain.broken.join(", ") })}
            </span>
          ))}
      </div>
      <p className="muted small">{t("admin.auditBody")}</p>
      <div className="row filters">
        <input
          className="input"
          aria-label={t("admin.filterAction")}
          placeholder={t("admin.filterActionHint")}
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
        <select
          aria-label={t("admin.filterOutcome")}
          value={outcome}
          onChange={(e) => setOutcome(e.target.value)}
        >
          <option value="">{t("admin.anyOutcome")}</option>
          <option value="success">{t("admin.outcomeSuccess")}</option>
          <option value="failure">{t("admin.outcomeFailure")}</option>
          <option value="denied">{t("admin.outcomeDenied")}</option>
        </select>
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("settings.when")}</th>
              <th scope="col">{t("admin.action")}</th>
              <th scope="col">{t("admin.target")}</th>
              <th scope="col">{t("admin.actor")}</th>
              <th scope="col">{t("settings.result")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.seq}>
                <td className="muted">{e.seq}</td>
                <td>{formatTime(e.created_at, i18n.language)}</td>
                <td>
                  <span className="audit-action" data-testid="audit-action" title={e.action}>
                    {enumText(t, "audit_action", e.action)}
                  </span>
                </td>
                <td className="small">
                  {e.target_kind && enumText(t, "audit_target_kind", e.target_kind)}{" "}
                  {e.target_id && <code className="muted">{e.target_id}</code>}
                </td>
                <td className="small">
                  {e.actor_account_id ?? "—"} {e.ip && <span className="muted">· {e.ip}</span>}
                </td>
                <td>
                  <span className={e.outcome === "success" ? "badge badge-ok" : "badge badge-danger"}>
                    {enumText(t, "audit_outcome", e.outcome)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {q.hasNextPage && (
        <button type="button" className="btn" onClick={() => q.fetchNextPage()}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}
