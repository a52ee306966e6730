import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../api/client";
import { errorText } from "../lib/errors";
import { switchOrg } from "../lib/org";
import { Alert, formatTime } from "./ui";

type Notice = Schemas["PrivacyNotice"];
type Doc = Schemas["PrivacyDocument"];
type Invitation = Schemas["DirectoryMyInvitation"];

/**
 * Inbox shows, above every screen, what waits for the person's answer:
 * invitations to organizations (accept or decline), security notices and
 * policy updates (acknowledge). Each stays until answered.
 */
export function Inbox() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const invitations = useQuery({
    queryKey: ["inbox", "invitations"],
    queryFn: () => must(api.GET("/api/v1/me/invitations")),
    retry: false,
    refetchInterval: 60_000,
  });
  const notices = useQuery({
    queryKey: ["inbox", "notices"],
    queryFn: () => must(api.GET("/api/v1/me/unacknowledged")),
    retry: false,
    refetchInterval: 60_000,
  });
  const done = () => qc.invalidateQueries({ queryKey: ["inbox"] });
  const answer = useMutation({
    mutationFn: async ({ inv, accept }: { inv: Invitation; accept: boolean }) => {
      const path = { params: { path: { id: inv.id } } };
      if (!accept) {
        await must(api.POST("/api/v1/me/invitations/{id}/decline", path));
        return;
      }
      const r = await must(api.POST("/api/v1/me/invitations/{id}/accept", path));
      await switchOrg(r.org_id);
      await qc.invalidateQueries();
    },
    onSettled: done,
  });
  const ackNotice = useMutation({
    mutationFn: (n: Notice) =>
      must(api.POST("/api/v1/me/security-notices/{id}/read", { params: { path: { id: n.id } } })),
    onSettled: done,
  });
  const ackPolicy = useMutation({
    mutationFn: (d: Doc) => must(api.POST("/api/v1/me/policies/accept", { body: { document_ids: [d.id] } })),
    onSettled: done,
  });
  const invs = invitations.data?.items ?? [];
  const sec = notices.data?.security_notices ?? [];
  const pol = notices.data?.policy_updates ?? [];
  if (invs.length + sec.length + pol.length === 0) return null;
  const err = answer.error ?? ackNotice.error ?? ackPolicy.error;
  return (
    <section className="inbox stack" aria-label={t("inbox.label")}>
      {err && <Alert>{errorText(t, err)}</Alert>}
      {invs.map((inv) => (
        <article key={inv.id} className="card inbox-item" data-testid="inbox-invitation">
          <p>
            {inv.invited_by
              ? t("inbox.invitedBy", { name: inv.invited_by, org: inv.org_name })
              : t("inbox.invited", { org: inv.org_name })}
          </p>
          <div className="row">
            <button
              type="button"
              className="btn btn-primary btn-small"
              disabled={answer.isPending}
              onClick={() => answer.mutate({ inv, accept: true })}
            >
              {t("inbox.accept")}
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={answer.isPending}
              onClick={() => answer.mutate({ inv, accept: false })}
            >
              {t("inbox.decline")}
            </button>
          </div>
        </article>
      ))}
      {sec.map((n) => (
        <SecurityNotice key={n.id} n={n} busy={ackNotice.isPending} onAck={() => ackNotice.mutate(n)} />
      ))}
      {pol.map((d) => (
        <article key={d.id} className="card inbox-item" data-testid="inbox-policy">
          <h2 className="inbox-title">
            {t(
              d.kind === "terms"
                ? "inbox.termsUpdated"
                : d.kind === "org_notice"
                  ? "inbox.orgNoticeUpdated"
                  : "inbox.privacyUpdated",
              {
                version: d.version,
              },
            )}
          </h2>
          {d.summary && <p>{d.summary}</p>}
          {d.body && (
            <details>
              <summary>{t("gate.readAll")}</summary>
              <pre className="policy-body">{d.body}</pre>
            </details>
          )}
          <button
            type="button"
            className="btn btn-small"
            disabled={ackPolicy.isPending}
            onClick={() => ackPolicy.mutate(d)}
          >
            {t("inbox.acknowledge")}
          </button>
        </article>
      ))}
    </section>
  );
}

function SecurityNotice({ n, busy, onAck }: { n: Notice; busy: boolean; onAck: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <article className="card inbox-item inbox-security" role="alert" data-testid="inbox-security">
      <h2 className="inbox-title">{t("inbox.security", { title: n.title })}</h2>
      <p className="muted small">{formatTime(n.created_at, i18n.language)}</p>
      <dl>
        <dt>{t("inbox.whatHappened")}</dt>
        <dd>{n.what_happened}</dd>
        <dt>{t("inbox.impact")}</dt>
        <dd>{n.impact}</dd>
        <dt>{t("inbox.remedies")}</dt>
        <dd>{n.remedies}</dd>
      </dl>
      <button type="button" className="btn btn-small" disabled={busy} onClick={onAck}>
        {t("inbox.acknowledge")}
      </button>
    </article>
  );
}
