import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { quietNow } from "../../lib/notifySettings";
import { useRealtime } from "../../lib/realtime";
import { requestQuery } from "./data";
import { statusText } from "./labels";

/** NOTICES are the approval notifications the stream delivers to me, shown as notices. */
const NOTICES = new Set([
  "approval.todo",
  "approval.decided",
  "approval.cc",
  "approval.urged",
  "approval.mentioned",
]);

type Notice = { key: number; event: string; id: string };

/**
 * ApprovalNotices shows, above every screen, what the stream just told me
 * of approvals — a request waiting for me, my request decided, a copy, an
 * urge, a mention — each linking to the request until closed. A browser
 * notification says the same when the tab is hidden and notifications are
 * allowed.
 */
export function ApprovalNotices() {
  const { t } = useTranslation();
  const { stream } = useRealtime();
  const qc = useQueryClient();
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    let n = 0;
    return stream.on((f) => {
      if (f.type !== "event" || !NOTICES.has(f.event)) return;
      const id =
        typeof f.data.id === "string"
          ? f.data.id
          : typeof f.data.request_id === "string"
            ? f.data.request_id
            : "";
      if (!id) return;
      n++;
      setNotices((xs) => [{ key: n, event: f.event, id }, ...xs.filter((x) => x.id !== id)].slice(0, 3));
      if (typeof Notification !== "undefined" && Notification.permission === "granted" && document.hidden) {
        // Not during Do Not Disturb or quiet hours.
        void quietNow(qc).then((quiet) => {
          if (!quiet)
            new Notification(t("approvals.title"), { body: headline(t, f.event, ""), tag: `approval-${id}` });
        });
      }
    });
  }, [stream, t, qc]);
  if (notices.length === 0) return null;
  return (
    <div className="apv-notices" aria-live="polite">
      {notices.map((x) => (
        <NoticeRow
          key={x.key}
          notice={x}
          onClose={() => setNotices((xs) => xs.filter((y) => y.key !== x.key))}
        />
      ))}
    </div>
  );
}

function NoticeRow({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  const { t } = useTranslation();
  const r = useQuery({ ...requestQuery(notice.id), retry: false }).data;
  const title = r ? r.title || r.template_name : "";
  return (
    <aside className="ann-banner" aria-label={t("approvals.notice")} data-testid="approval-notice">
      <span className="ann-banner-icon" aria-hidden="true">
        {icons.approvals}
      </span>
      <Link to="/approvals/$id" params={{ id: notice.id }} className="ann-banner-link" onClick={onClose}>
        <span className="ann-banner-title">{headline(t, notice.event, title)}</span>
        {r && notice.event === "approval.decided" && <span className="small">{statusText(t, r.status)}</span>}
      </Link>
      <button type="button" className="icon-button" aria-label={t("common.close")} onClick={onClose}>
        {icons.close}
      </button>
    </aside>
  );
}

function headline(t: TFunction, event: string, title: string): string {
  switch (event) {
    case "approval.todo":
      return t("approvals.notices.todo", { title });
    case "approval.decided":
      return t("approvals.notices.decided", { title });
    case "approval.cc":
      return t("approvals.notices.cc", { title });
    case "approval.urged":
      return t("approvals.notices.urged", { title });
    default:
      return t("approvals.notices.mentioned", { title });
  }
}
