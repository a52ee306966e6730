import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, Field, formatTime } from "../../components/ui";
import { enumText, errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { queryClient } from "../../lib/query";
import { useRealtime } from "../../lib/realtime";
import { meQuery } from "../../lib/session";
import { useConversationName } from "../chat/ConversationList";
import type { Conversation } from "../chat/data";
import { conversationsKey, listConversations } from "../chat/data";
import { MyProfile } from "../directory/MyProfile";

/**
 * PrivacyCenter is where a person sees, downloads, corrects and deletes
 * their data, manages consents and policies, files requests, leaves an
 * organization and deletes their account.
 */
export function PrivacyCenter() {
  const { t } = useTranslation();
  const org = useCurrentOrg();
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("privacy.title")}</h1>
      </div>
      <p className="muted">{t("privacy.intro")}</p>
      <nav className="toc" aria-label={t("privacy.sections")}>
        <a href="#held">{t("privacy.held")}</a>
        <a href="#export">{t("privacy.export")}</a>
        <a href="#clear">{t("privacy.clear")}</a>
        {org && <a href="#profile">{t("directory.myProfile")}</a>}
        <a href="#consents">{t("privacy.consents")}</a>
        <a href="#policies">{t("privacy.policies")}</a>
        <a href="#requests">{t("privacy.requests")}</a>
        <a href="#leave">{t("privacy.leave")}</a>
      </nav>
      <Held />
      <Export />
      <ClearHistories />
      {org && (
        <div id="profile">
          <MyProfile />
        </div>
      )}
      <Consents />
      <Policies />
      <section className="card" aria-labelledby="sess-title">
        <h2 id="sess-title">{t("settings.sessions")}</h2>
        <p className="muted">{t("privacy.sessionsBody")}</p>
        <Link to="/settings" className="btn">
          {t("privacy.openSessions")}
        </Link>
      </section>
      <Requests />
      <Notices />
      {org && <QuitOrg name={org.name} />}
      <DeleteAccount />
    </section>
  );
}

function Held() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith("zh") ? "zh" : "en";
  const q = useQuery({
    queryKey: ["me", "data", lang],
    queryFn: () => must(api.GET("/api/v1/me/data", withQuery({ lang }))),
  });
  return (
    <section className="card" id="held" aria-labelledby="held-title">
      <h2 id="held-title">{t("privacy.held")}</h2>
      <p className="muted">{t("privacy.heldBody")}</p>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      <div className="stack" data-testid="inquiry">
        {q.data?.categories.map((c) => (
          <section key={c.category} aria-labelledby={`held-${c.category}`} className="held-group">
            <h3 id={`held-${c.category}`}>{c.title}</h3>
            <ul className="held-list">
              {c.items.map((i) => (
                <li key={`${i.what}-${i.org_id ?? ""}`} className="held-item">
                  <div className="row row-between">
                    <strong>
                      {i.what}
                      {i.organization ? ` · ${i.organization}` : ""}
                    </strong>
                    <span className="badge badge-muted">{t("privacy.itemCount", { count: i.count })}</span>
                  </div>
                  <p className="small">{i.purpose}</p>
                  <p className="muted small">
                    {t("privacy.decidedBy", { who: i.controller })} · {t("privacy.keptFor")}: {i.retention}
                  </p>
                  <p className="muted small">{i.erasure}</p>
                  {i.reason && <p className="muted small">{i.reason}</p>}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
}

function Export() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["me", "exports"],
    queryFn: () => must(api.GET("/api/v1/me/exports")),
    refetchInterval: (q) =>
      q.state.data?.items.some((e) => e.status === "queued" || e.status === "running") ? 1000 : false,
  });
  const start = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/exports")),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["me", "exports"] }),
  });
  const latest = list.data?.items[0];
  const busy = latest && (latest.status === "queued" || latest.status === "running");
  return (
    <section className="card" id="export" aria-labelledby="export-title">
      <h2 id="export-title">{t("privacy.export")}</h2>
      <p className="muted">{t("privacy.exportBody")}</p>
      {(start.error || list.error) && <Alert>{errorText(t, start.error ?? list.error)}</Alert>}
      {latest && (
        <div className="export-status" data-testid="export-status">
          {busy ? (
            <>
              <span>{t("privacy.exportBuilding", { pct: Math.round(latest.progress * 100) })}</span>
              <progress
                className="progress"
                value={latest.progress}
                max={1}
                aria-label={t("privacy.exportProgress")}
              />
            </>
          ) : latest.status === "ready" && latest.download_url ? (
            <a className="btn btn-primary" href={latest.download_url} download>
              {t("privacy.download")}
            </a>
          ) : (
            <span className="muted">{enumText(t, "export_status", latest.status)}</span>
          )}
          {latest.expires_at && latest.status === "ready" && (
            <span className="muted small">
              {t("privacy.expires", { time: formatTime(latest.expires_at, i18n.language) })}
            </span>
          )}
        </div>
      )}
      <button
        type="button"
        className="btn"
        onClick={() => start.mutate()}
        disabled={start.isPending || !!busy}
      >
        {t("privacy.startExport")}
      </button>
    </section>
  );
}

function ClearRow({ c }: { c: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { name } = useConversationName(c);
  const clear = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/me/erasures/conversation", {
          body: { conversation_id: c.id, for_everyone: false },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["messages", c.id] });
      void qc.invalidateQueries({ queryKey: conversationsKey });
    },
  });
  return (
    <li className="row row-between">
      <span>{name}</span>
      {clear.isSuccess ? (
        <span className="badge badge-ok">{t("privacy.cleared")}</span>
      ) : (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => clear.mutate()}
          disabled={clear.isPending}
          aria-label={t("privacy.clearNamed", { name })}
        >
          {t("privacy.clearForMe")}
        </button>
      )}
      {clear.error && <Alert>{errorText(t, clear.error)}</Alert>}
    </li>
  );
}

function ClearHistories() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  return (
    <section className="card" id="clear" aria-labelledby="clear-title">
      <h2 id="clear-title">{t("privacy.clear")}</h2>
      <p className="muted">{t("privacy.clearBody")}</p>
      <ul className="list">
        {list.data?.items.map((c) => (
          <ClearRow key={c.id} c={c} />
        ))}
      </ul>
    </section>
  );
}

function Consents() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["me", "consents"], queryFn: () => must(api.GET("/api/v1/me/consents")) });
  const set = useMutation({
    mutationFn: ({ purpose, granted }: { purpose: string; granted: boolean }) =>
      must(api.PUT("/api/v1/me/consents/{purpose}", { params: { path: { purpose } }, body: { granted } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["me", "consents"] }),
  });
  return (
    <section className="card" id="consents" aria-labelledby="consents-title">
      <h2 id="consents-title">{t("privacy.consents")}</h2>
      <p className="muted">{t("privacy.consentsBody")}</p>
      {(q.error || set.error) && <Alert>{errorText(t, q.error ?? set.error)}</Alert>}
      <ul className="list">
        {q.data?.items.map((c) => (
          <li key={c.purpose} className="row row-between">
            <div className="grow">
              <strong>{enumText(t, "consent_purpose", c.purpose)}</strong>
              <div className="muted small">
                {enumText(t, "consent_purpose_description", c.purpose, c.description)}
              </div>
              {c.updated_at ? (
                <div className="muted small">
                  {t("privacy.since", { time: formatTime(c.updated_at, i18n.language) })}
                </div>
              ) : null}
            </div>
            <button
              type="button"
              className={c.granted ? "btn btn-small btn-danger" : "btn btn-small"}
              onClick={() => set.mutate({ purpose: c.purpose, granted: !c.granted })}
            >
              {c.granted ? t("privacy.withdraw") : t("privacy.grant")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Policies() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ["me", "policies"], queryFn: () => must(api.GET("/api/v1/me/policies")) });
  return (
    <section className="card" id="policies" aria-labelledby="policies-title">
      <h2 id="policies-title">{t("privacy.policies")}</h2>
      {q.data?.current.length === 0 && <p className="muted">{t("privacy.noPolicies")}</p>}
      <ul className="list">
        {q.data?.current.map((d) => {
          const acc = q.data?.accepted.find((a) => a.document_id === d.id);
          return (
            <li key={d.id}>
              <strong>
                {enumText(t, "policy_kind", d.kind)} {d.version}
              </strong>{" "}
              {acc ? (
                <span className="muted small">
                  {t("privacy.acceptedOn", { time: formatTime(acc.accepted_at, i18n.language) })}
                </span>
              ) : (
                <span className="badge badge-danger">{t("privacy.notAccepted")}</span>
              )}
              {d.summary && <p className="small">{d.summary}</p>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Requests() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const org = useCurrentOrg();
  const q = useQuery({ queryKey: ["me", "requests"], queryFn: () => must(api.GET("/api/v1/me/requests")) });
  const [kind, setKind] = useState("access");
  const [note, setNote] = useState("");
  const file = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/me/requests", { body: { kind, note, org_id: org?.org_id ?? "" } })),
    onSuccess: () => {
      setNote("");
      void qc.invalidateQueries({ queryKey: ["me", "requests"] });
    },
  });
  const kinds: [string, string][] = [
    ["access", t("privacy.kind.access")],
    ["export", t("privacy.kind.export")],
    ["correction", t("privacy.kind.correction")],
    ["erasure", t("privacy.kind.erasure")],
    ["objection", t("privacy.kind.objection")],
  ];
  return (
    <section className="card" id="requests" aria-labelledby="req-title">
      <h2 id="req-title">{t("privacy.requests")}</h2>
      <p className="muted">{t("privacy.requestsBody")}</p>
      <ul className="list">
        {q.data?.items.map((r) => (
          <li key={r.id} className="row row-between">
            <span>
              <strong>{kinds.find(([k]) => k === r.kind)?.[1] ?? r.kind}</strong>{" "}
              <span className="muted small">{formatTime(r.created_at, i18n.language)}</span>
            </span>
            <span className="row">
              <span className="badge">{enumText(t, "privacy_request_status", r.status)}</span>
              <span className="muted small">
                {t("privacy.due", { time: formatTime(r.due_at, i18n.language, { dateStyle: "medium" }) })}
              </span>
            </span>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          file.mutate();
        }}
      >
        <Alert>{file.error ? errorText(t, file.error) : ""}</Alert>
        <div className="form-grid">
          <div className="field">
            <label className="field-label" htmlFor="req-kind">
              {t("privacy.requestKind")}
            </label>
            <select id="req-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {kinds.map(([k, l]) => (
                <option key={k} value={k}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <Field label={t("privacy.note")} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <button type="submit" className="btn" disabled={file.isPending}>
          {t("privacy.fileRequest")}
        </button>
      </form>
    </section>
  );
}

function Notices() {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: ["me", "security-notices"],
    queryFn: () => must(api.GET("/api/v1/me/security-notices")),
  });
  if (!q.data?.items.length) return null;
  return (
    <section className="card" aria-labelledby="sn-title">
      <h2 id="sn-title">{t("privacy.securityNotices")}</h2>
      <ul className="list">
        {q.data.items.map((n) => (
          <li key={n.id}>
            <strong>{n.title}</strong>{" "}
            <span className="muted small">{formatTime(n.created_at, i18n.language)}</span>
            <p className="small">{n.what_happened}</p>
            <p className="small">
              <strong>{t("privacy.impact")}</strong> {n.impact}
            </p>
            <p className="small">
              <strong>{t("privacy.remedies")}</strong> {n.remedies}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QuitOrg({ name }: { name: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [sure, setSure] = useState(false);
  const quit = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/erasures/quit-org")),
    onSuccess: async () => {
      const me = queryClient.getQueryData(meQuery.queryKey);
      queryClient.clear();
      queryClient.setQueryData(meQuery.queryKey, me);
      await navigate({ to: "/welcome" });
    },
  });
  return (
    <section className="card danger-zone" id="leave" aria-labelledby="quit-title">
      <h2 id="quit-title">{t("privacy.quit", { org: name })}</h2>
      <p>{t("privacy.quitBody")}</p>
      <Alert>{quit.error ? errorText(t, quit.error) : ""}</Alert>
      <label className="checkbox">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />
        <span>{t("privacy.quitConfirm", { org: name })}</span>
      </label>
      <button
        type="button"
        className="btn btn-danger"
        disabled={!sure || quit.isPending}
        onClick={() => quit.mutate()}
      >
        {t("privacy.quitButton")}
      </button>
    </section>
  );
}

function DeleteAccount() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const [sure, setSure] = useState(false);
  const { stream } = useRealtime();
  const del = useMutation({
    mutationFn: async () => {
      // The stream would close as the sessions end and announce a sign-out;
      // this page says why instead.
      stream.stop();
      try {
        return await must(api.POST("/api/v1/me/erasures/account", { body: { password } }));
      } catch (e) {
        stream.start();
        throw e;
      }
    },
    onSuccess: async () => {
      queryClient.clear();
      queryClient.setQueryData(meQuery.queryKey, null);
      await navigate({ to: "/login", search: { notice: "account_deleted" } });
    },
  });
  return (
    <section className="card danger-zone" aria-labelledby="del-title">
      <h2 id="del-title">{t("privacy.deleteAccount")}</h2>
      <p>{t("privacy.deleteBody")}</p>
      <ul className="small">
        <li>{t("privacy.deleteWhat1")}</li>
        <li>{t("privacy.deleteWhat2")}</li>
        <li>{t("privacy.deleteWhat3")}</li>
        <li>{t("privacy.deleteWhat4")}</li>
      </ul>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          del.mutate();
        }}
      >
        <Alert>{del.error ? errorText(t, del.error) : ""}</Alert>
        <Field
          label={t("auth.password")}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label className="checkbox">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />
          <span>{t("privacy.deleteConfirm")}</span>
        </label>
        <button type="submit" className="btn btn-danger-solid" disabled={!sure || !password || del.isPending}>
          {t("privacy.deleteButton")}
        </button>
      </form>
    </section>
  );
}
