import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ApiError, api, must, type Schemas } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import { announcementsKey, useDepartmentNames } from "./data";
import { oneKey } from "./View";

type Receipt = Schemas["AnnounceReceipt"];

/** remindError says why a reminder was not sent: already sent today says until when. */
export function remindError(t: TFunction, e: unknown, lang: string): string {
  if (e instanceof ApiError && e.code === "already_reminded") {
    const next = Number(e.details?.next_at ?? 0);
    return next
      ? t("announcements.alreadyRemindedUntil", { time: formatTime(next, lang) })
      : t("announcements.alreadyReminded");
  }
  return errorText(t, e);
}

type State = "confirmed" | "read" | "left" | "unconfirmed" | "pending";

/**
 * receiptState is where a person stands: done (confirmed, or read when no
 * confirmation is asked), gone from the organization, read but not
 * confirmed, or pending.
 */
export function receiptState(r: Receipt, requireConfirm: boolean): State {
  if (r.confirmed_at) return "confirmed";
  if (r.read_at && !requireConfirm) return "read";
  if (r.left_at) return "left";
  return r.read_at ? "unconfirmed" : "pending";
}

/**
 * AnnouncementReceipts is the read list of an announcement: the totals,
 * the people per department (names from the directory), those who joined
 * later, and a reminder for those who have not read or confirmed it.
 */
export function AnnouncementReceipts({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const ann = useQuery({
    queryKey: oneKey(id),
    queryFn: () => must(api.GET("/api/v1/announcements/{id}", { params: { path: { id } } })),
  });
  const q = useQuery({
    queryKey: [...announcementsKey, "receipts", id],
    queryFn: () => must(api.GET("/api/v1/announcements/{id}/receipts", { params: { path: { id } } })),
  });
  const r = q.data;
  const depts = useDepartmentNames();
  const everyone = [...(r?.departments.flatMap((d) => d.people) ?? []), ...(r?.later ?? [])];
  const people = usePeople(everyone.map((p) => p.account_id));
  const remind = useMutation({
    mutationFn: () => must(api.POST("/api/v1/announcements/{id}/remind", { params: { path: { id } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: [...announcementsKey, "receipts", id] }),
  });
  const confirmKind = r?.require_confirm ?? false;

  const person = (p: Receipt) => {
    const s = receiptState(p, confirmKind);
    return (
      <li key={p.member_id} className="ann-person" data-testid="receipt-person" data-state={s}>
        <span>{personName(t, people.get(p.account_id))}</span>
        <span
          className={
            s === "left"
              ? "badge badge-muted"
              : s === "confirmed" || s === "read"
                ? "badge badge-ok"
                : "badge badge-danger"
          }
        >
          {stateLabel(t, s)}
        </span>
        {(p.confirmed_at || p.read_at) > 0 && (
          <span className="muted small">{formatTime(p.confirmed_at || p.read_at, i18n.language)}</span>
        )}
      </li>
    );
  };

  return (
    <section className="page page-wide ann-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/announcements/manage" search={{}} className="btn-link">
          ← {t("announcements.manage")}
        </Link>
      </p>
      <h1 id="page-title">{t("announcements.readListOf", { title: ann.data?.title ?? "…" })}</h1>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {r && (
        <>
          <dl className="ann-totals" data-testid="receipt-totals">
            <div>
              <dt>{t("announcements.total")}</dt>
              <dd data-testid="total">{r.total}</dd>
            </div>
            <div>
              <dt>{t("announcements.read")}</dt>
              <dd data-testid="read">{r.read}</dd>
            </div>
            {r.require_confirm && (
              <div>
                <dt>{t("announcements.confirmed")}</dt>
                <dd data-testid="confirmed">{r.confirmed}</dd>
              </div>
            )}
            <div>
              <dt>{t("announcements.pending")}</dt>
              <dd data-testid="pending">{r.pending}</dd>
            </div>
            <div>
              <dt>{t("announcements.left")}</dt>
              <dd data-testid="left">{r.left}</dd>
            </div>
          </dl>
          <div className="card stack">
            <p className="muted small">
              {r.reminded_at
                ? t("announcements.remindedAt", { time: formatTime(r.reminded_at, i18n.language) })
                : t("announcements.neverReminded")}
            </p>
            {remind.isSuccess && (
              <Alert kind="ok">{t("announcements.reminded", { count: remind.data.count })}</Alert>
            )}
            {remind.error && <Alert kind="warn">{remindError(t, remind.error, i18n.language)}</Alert>}
            <div>
              <button
                type="button"
                className="btn btn-primary"
                disabled={remind.isPending || r.pending === 0 || ann.data?.status !== "published"}
                onClick={() => remind.mutate()}
              >
                {t("announcements.remind")}
              </button>
            </div>
          </div>
          {r.departments.map((d) => (
            <section
              key={d.department_id || "none"}
              className="card"
              aria-label={deptName(t, depts, d.department_id)}
            >
              <h2 className="ann-dept">
                {deptName(t, depts, d.department_id)}{" "}
                <span className="muted small">
                  {r.require_confirm
                    ? t("announcements.deptConfirmed", { done: d.confirmed, total: d.total })
                    : t("announcements.deptRead", { done: d.read, total: d.total })}
                </span>
              </h2>
              <ul className="ann-people">{d.people.map(person)}</ul>
            </section>
          ))}
          {r.later.length > 0 && (
            <section className="card" aria-labelledby="ann-later">
              <h2 id="ann-later" className="ann-dept">
                {t("announcements.later")}
              </h2>
              <p className="muted small">{t("announcements.laterHint")}</p>
              <ul className="ann-people">{r.later.map(person)}</ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}

function deptName(t: TFunction, depts: Map<string, string>, id: string): string {
  if (!id) return t("announcements.noDepartment");
  return depts.get(id) ?? "…";
}

function stateLabel(t: TFunction, s: State): string {
  switch (s) {
    case "unconfirmed":
      return t("announcements.stateUnconfirmed");
    case "confirmed":
      return t("announcements.stateConfirmed");
    case "read":
      return t("announcements.stateRead");
    case "left":
      return t("announcements.stateLeft");
    default:
      return t("announcements.statePending");
  }
}
