import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must, type Schemas } from "../../api/client";
import { Alert, ConfirmDialog, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

type AppPassword = Schemas["IdentityAppPassword"];
type NewAppPassword = Schemas["IdentityNewAppPassword"];

const KEY = ["me", "app-passwords"];

/**
 * AppPasswords lets the person create app passwords for the apps that sync
 * their calendars (CalDAV) and files (WebDAV) — each shown once, with the
 * addresses to enter — see when each was last used, and revoke them.
 */
export function AppPasswords() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: KEY, queryFn: () => must(api.GET("/api/v1/me/app-passwords")) });
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [created, setCreated] = useState<NewAppPassword | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<AppPassword | null>(null);

  const create = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/app-passwords", { body: { name: name.trim(), password } })),
    onSuccess: (p) => {
      setCreated(p);
      setCopied(false);
      setName("");
      setPassword("");
      void qc.invalidateQueries({ queryKey: KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      must(api.DELETE("/api/v1/me/app-passwords/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: KEY });
    },
  });

  const createError = create.error
    ? create.error instanceof ApiError && create.error.code === "too_many_app_passwords"
      ? t("appPasswords.tooMany", { max: q.data?.max ?? 50 })
      : errorText(t, create.error)
    : "";
  const origin = window.location.origin;
  const items = q.data?.items ?? [];

  return (
    <section className="card" aria-labelledby="app-passwords-title">
      <h2 id="app-passwords-title">{t("appPasswords.title")}</h2>
      <p className="muted">{t("appPasswords.body")}</p>

      {created && (
        <div className="stack app-password-new" aria-live="polite" data-testid="app-password-new">
          <Alert kind="ok">{t("appPasswords.created", { name: created.name })}</Alert>
          <p>{t("appPasswords.showOnce")}</p>
          <div className="row app-password-secret">
            <code className="secret" data-testid="app-password-secret">
              {created.password}
            </code>
            <button
              type="button"
              className="btn btn-small"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.password).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? t("common.copied") : t("common.copy")}
            </button>
          </div>
          <dl className="app-password-servers">
            <dt>{t("appPasswords.userName")}</dt>
            <dd>{t("appPasswords.userNameValue")}</dd>
            <dt>{t("appPasswords.caldav")}</dt>
            <dd>
              <code>{`${origin}/caldav/`}</code>
            </dd>
            <dt>{t("appPasswords.webdav")}</dt>
            <dd>
              <code>{`${origin}/dav/`}</code>
            </dd>
          </dl>
          <div>
            <button type="button" className="btn" onClick={() => setCreated(null)}>
              {t("appPasswords.done")}
            </button>
          </div>
        </div>
      )}

      {!created && (
        <details>
          <summary>{t("appPasswords.create")}</summary>
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <Alert>{createError}</Alert>
            <Field
              label={t("appPasswords.name")}
              hint={t("appPasswords.nameHint")}
              name="app-password-name"
              maxLength={64}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <Field
              label={t("settings.currentPassword")}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button
              type="submit"
              className="btn btn-primary"
              disabled={create.isPending || !name.trim() || !password}
            >
              {t("appPasswords.createButton")}
            </button>
          </form>
        </details>
      )}

      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && items.length === 0 && <p className="muted">{t("appPasswords.none")}</p>}
      <ul className="list" aria-label={t("appPasswords.title")} data-testid="app-passwords">
        {items.map((p) => (
          <li key={p.id} className="row row-between">
            <div className="grow">
              <strong>{p.name}</strong>
              <div className="muted small">
                {t("appPasswords.createdAt", { time: formatTime(p.created_at, i18n.language) })} ·{" "}
                {p.last_used_at
                  ? t("appPasswords.lastUsed", {
                      time: formatTime(p.last_used_at, i18n.language),
                      ip: p.last_used_ip ?? "",
                    })
                  : t("appPasswords.neverUsed")}
              </div>
            </div>
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() => {
                revoke.reset();
                setRevoking(p);
              }}
              aria-label={t("appPasswords.revokeNamed", { name: p.name })}
            >
              {t("appPasswords.revoke")}
            </button>
          </li>
        ))}
      </ul>

      <ConfirmDialog
        open={revoking !== null}
        title={t("appPasswords.revokeTitle", { name: revoking?.name ?? "" })}
        confirm={t("appPasswords.revoke")}
        danger
        pending={revoke.isPending}
        error={revoke.error ? errorText(t, revoke.error) : undefined}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => setRevoking(null)}
      >
        {t("appPasswords.revokeBody")}
      </ConfirmDialog>
    </section>
  );
}
