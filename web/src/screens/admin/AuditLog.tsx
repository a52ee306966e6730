import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { enumText, errorText, fieldLabel } from "../../lib/errors";
import { MemberPicker } from "../approvals/Pickers";

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

const ID = /^[a-z]{3}_[0-9a-f]{32}$/;

/** detailLabel is the UI name of a key of an entry's details. */
export function detailLabel(t: TFunction, key: string): string {
  return enumText(t, "audit_detail", key, fieldLabel(t, key) || key);
}

/** isPerson says whether an id names a person (a member or an account). */
const isPerson = (s: string) => s.startsWith("mem_") || s.startsWith("acc_");

/**
 * detailValue renders one value of an entry's details: ids by the names the
 * server resolved (a person no longer there as a former member), the names
 * of changed profile fields translated, yes/no, lists joined. It is null
 * for a reference that names nothing a reader can use (an invitation or a
 * hold already shown by the entry's action and target).
 */
export function detailValue(t: TFunction, v: unknown, names: Record<string, string>): string | null {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? t("admin.yes") : t("admin.no");
  if (Array.isArray(v)) {
    const parts = v.map((x) => detailValue(t, x, names)).filter((x): x is string => x !== null);
    return parts.length ? parts.join(t("admin.listSep")) : v.length ? null : "—";
  }
  if (typeof v === "object") return JSON.stringify(v);
  const s = String(v);
  if (ID.test(s)) return names[s] ?? (isPerson(s) ? t("admin.formerMember") : null);
  if (s.startsWith("fields.")) return names[s.slice("fields.".length)] ?? t("admin.customField");
  return fieldLabel(t, s) || s;
}

function Details({ item }: { item: Item }) {
  const { t } = useTranslation();
  let d: Record<string, unknown> = {};
  if (item.details && typeof item.details === "object") d = item.details as Record<string, unknown>;
  else if (typeof item.details === "string") {
    try {
      d = JSON.parse(item.details);
    } catch {
      d = {};
    }
  }
  const lines = Object.keys(d)
    .sort()
    .map((k) => ({ k, v: detailValue(t, d[k], item.names ?? {}) }))
    .filter((l): l is { k: string; v: string } => l.v !== null);
  if (lines.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="audit-details">
      {lines.map(({ k, v }) => (
        <div key={k}>
          <dt>{detailLabel(t, k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** dayStart is local midnight of a YYYY-MM-DD date in unix milliseconds ("" → undefined). */
function dayStart(s: string, plusDays = 0): number | undefined {
  if (!s) return undefined;
  const [y, m, d] = s.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).getTime();
}

const ACTION_GROUPS = [
  "member.",
  "department.",
  "field.",
  "role.",
  "invitation.",
  "org.",
  "privacy.",
  "identity.",
];

/** AuditLog lists the organization's audit log by name, with filters and the chain's link status. */
export function AuditLog() {
  const { t, i18n } = useTranslation();
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const [person, setPerson] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const q = useInfiniteQuery({
    queryKey: ["audit", action, outcome, person, from, to],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/audit",
          withQuery({
            action,
            outcome,
            person,
            since: dayStart(from),
            until: dayStart(to, 1),
            cursor: pageParam,
            limit: 50,
          }),
        ),
      ),
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
  const actorText = (e: Item) =>
    e.actor_name || (e.actor_former || e.actor_account_id ? t("admin.formerMember") : t("admin.system"));
  const targetText = (e: Item) =>
    e.target_name ||
    (e.target_former ? t("admin.formerMember") : e.target_id ? t("admin.deletedObject") : "");
  return (
    <section className="card" aria-labelledby="a-title">
      <div className="row row-between wrap">
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
      <div className="audit-filters">
        <MemberPicker
          label={t("admin.filterPerson")}
          value={person ? [person] : []}
          onChange={(ids) => setPerson(ids[ids.length - 1] ?? "")}
        />
        <div className="field">
          <label className="field-label" htmlFor="a-action">
            {t("admin.filterAction")}
          </label>
          <select id="a-action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t("admin.anyAction")}</option>
            {ACTION_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`admin.actionGroup.${g.slice(0, -1)}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="a-outcome">
            {t("admin.filterOutcome")}
          </label>
          <select id="a-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">{t("admin.anyOutcome")}</option>
            <option value="success">{t("admin.outcomeSuccess")}</option>
            <option value="failure">{t("admin.outcomeFailure")}</option>
            <option value="denied">{t("admin.outcomeDenied")}</option>
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="a-from">
            {t("admin.fromDate")}
          </label>
          <input
            id="a-from"
            type="date"
            className="input"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="a-to">
            {t("admin.toDate")}
          </label>
          <input id="a-to" type="date" className="input" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && items.length === 0 && <p className="muted">{t("admin.auditEmpty")}</p>}
      <div className="table-wrap">
        <table className="table audit-table">
          <thead>
            <tr>
              <th scope="col">{t("settings.when")}</th>
              <th scope="col">{t("admin.actor")}</th>
              <th scope="col">{t("admin.action")}</th>
              <th scope="col">{t("admin.target")}</th>
              <th scope="col">{t("admin.details")}</th>
              <th scope="col">{t("settings.result")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.seq} data-testid="audit-entry">
                <td data-label={t("settings.when")}>
                  {formatTime(e.created_at, i18n.language)} <span className="muted small">#{e.seq}</span>
                </td>
                <td data-label={t("admin.actor")} data-testid="audit-actor">
                  {actorText(e)} {e.ip && <span className="muted small">· {e.ip}</span>}
                </td>
                <td data-label={t("admin.action")}>
                  <span className="audit-action" data-testid="audit-action" title={e.action}>
                    {enumText(t, "audit_action", e.action)}
                  </span>
                </td>
                <td data-label={t("admin.target")} data-testid="audit-target">
                  {e.target_kind && (
                    <span className="muted small">{enumText(t, "audit_target_kind", e.target_kind)} </span>
                  )}
                  {targetText(e)}
                </td>
                <td data-label={t("admin.details")} className="small">
                  <Details item={e} />
                </td>
                <td data-label={t("settings.result")}>
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
