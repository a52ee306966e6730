import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { QRCode } from "../../components/QRCode";
import { Alert, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { type Account, meQuery, useMe } from "../../lib/session";
import { setTheme, THEMES, useTheme } from "../../lib/theme";
import { AppPasswords } from "./AppPasswords";
import { NotifySettings } from "./NotifySettings";
import { ProfilePhoto } from "./ProfilePhoto";
import { PushDevices } from "./PushDevices";

/** Settings is the person's account page: profile, password, 2FA, sessions, sign-in history. */
export function Settings() {
  const { t } = useTranslation();
  const me = useMe().data;
  if (!me) return null;
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("settings.title")}</h1>
      </div>
      <Profile me={me} />
      <ProfilePhoto me={me} />
      <NotifySettings />
      <Appearance />
      <TwoFactor me={me} />
      <Password />
      <PushDevices />
      <Sessions />
      <AppPasswords />
      <LoginHistory />
      <Notices />
    </section>
  );
}

/** Appearance picks the color theme: the system's, light or dark (kept on this device). */
function Appearance() {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <section className="card" aria-labelledby="appearance-title">
      <h2 id="appearance-title">{t("settings.appearance")}</h2>
      <fieldset className="radio-row">
        <legend>{t("settings.theme")}</legend>
        {THEMES.map((x) => (
          <label key={x} className="checkbox inline">
            <input type="radio" name="theme" value={x} checked={theme === x} onChange={() => setTheme(x)} />
            {t(`settings.themes.${x}`)}
          </label>
        ))}
      </fieldset>
      <p className="muted small">{t("settings.themeHint")}</p>
    </section>
  );
}

function Profile({ me }: { me: Account }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(me.name);
  const [birth, setBirth] = useState(me.birth_date ?? "");
  const changed = name !== me.name || birth !== (me.birth_date ?? "");
  const save = useMutation({
    mutationFn: () =>
      must(
        api.PATCH("/api/v1/me", {
          body: {
            ...(name !== me.name ? { name } : {}),
            ...(birth !== (me.birth_date ?? "") ? { birth_date: birth } : {}),
          },
        }),
      ),
    onSuccess: (a) => {
      qc.setQueryData(meQuery.queryKey, a);
      // The birth date decides whether a guardian must consent.
      void qc.invalidateQueries({ queryKey: ["me", "guardian"] });
    },
  });
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("settings.profile")}</h2>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
        {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}
        <Field
          label={t("auth.name")}
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <Field label={t("auth.email")} name="email" value={me.email} disabled readOnly />
        <Field
          label={t("settings.birthDate")}
          name="birth_date"
          type="date"
          max={new Date().toISOString().slice(0, 10)}
          value={birth}
          onChange={(e) => setBirth(e.target.value)}
          hint={t("settings.birthDateHint")}
        />
        <button type="submit" className="btn" disabled={save.isPending || !name.trim() || !changed}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}

function TwoFactor({ me }: { me: Account }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [setup, setSetup] = useState<Schemas["IdentityTOTPSetup"] | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);

  const start = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/2fa/setup")),
    onSuccess: (s) => {
      setSetup(s);
      setCode("");
    },
  });
  const enable = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/2fa/enable", { body: { code: code.replace(/\s/g, "") } })),
    onSuccess: (r) => {
      setCodes(r.recovery_codes);
      setSetup(null);
      qc.setQueryData(meQuery.queryKey, { ...me, totp_enabled: true } as Account);
    },
  });
  const disable = useMutation({
    mutationFn: () => must(api.POST("/api/v1/me/2fa/disable", { body: { password, code: code.trim() } })),
    onSuccess: () => {
      setPassword("");
      setCode("");
      qc.setQueryData(meQuery.queryKey, { ...me, totp_enabled: false } as Account);
    },
  });

  return (
    <section className="card" aria-labelledby="tfa-title">
      <div className="row row-between">
        <h2 id="tfa-title">{t("settings.twoFactor")}</h2>
        {me.totp_enabled ? (
          <span className="badge badge-ok">{t("settings.on")}</span>
        ) : (
          <span className="badge badge-muted">{t("settings.off")}</span>
        )}
      </div>
      <p className="muted">{t("settings.twoFactorBody")}</p>

      {codes && (
        <div className="stack" aria-live="polite">
          <Alert kind="ok">{t("settings.twoFactorEnabled")}</Alert>
          <p>{t("settings.recoveryCodesBody")}</p>
          <ul className="recovery-codes" aria-label={t("settings.recoveryCodes")}>
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div>
            <button type="button" className="btn" onClick={() => setCodes(null)}>
              {t("settings.savedCodes")}
            </button>
          </div>
        </div>
      )}

      {!me.totp_enabled && !setup && !codes && (
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => start.mutate()}
          disabled={start.isPending}
        >
          {t("settings.setUp2fa")}
        </button>
      )}
      {start.error && <Alert>{errorText(t, start.error)}</Alert>}

      {setup && (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            enable.mutate();
          }}
        >
          <ol className="stack">
            <li>
              {t("settings.scan")}
              <QRCode text={setup.otpauth_url} label={t("settings.qrLabel")} />
              <details>
                <summary>{t("settings.cantScan")}</summary>
                <p className="secret" data-testid="totp-secret">
                  {setup.secret}
                </p>
              </details>
            </li>
            <li>
              <Alert>{enable.error ? errorText(t, enable.error) : ""}</Alert>
              <Field
                label={t("auth.authCode")}
                name="totp"
                className="code-input"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </li>
          </ol>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={enable.isPending || code.length < 6}>
              {t("settings.enable2fa")}
            </button>
            <button type="button" className="btn" onClick={() => setSetup(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      )}

      {me.totp_enabled && !codes && (
        <details>
          <summary>{t("settings.disable2fa")}</summary>
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              disable.mutate();
            }}
          >
            <Alert>{disable.error ? errorText(t, disable.error) : ""}</Alert>
            <Field
              label={t("auth.password")}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Field
              label={t("settings.codeOrRecovery")}
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <button
              type="submit"
              className="btn btn-danger"
              disabled={disable.isPending || !password || !code}
            >
              {t("settings.disable2fa")}
            </button>
          </form>
        </details>
      )}
    </section>
  );
}

function Password() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/me/password", { body: { current_password: current, new_password: next } })),
    onSuccess: () => {
      setCurrent("");
      setNext("");
    },
  });
  return (
    <section className="card" aria-labelledby="pw-title">
      <h2 id="pw-title">{t("settings.password")}</h2>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <Alert>{change.error ? errorText(t, change.error) : ""}</Alert>
        {change.isSuccess && <Alert kind="ok">{t("settings.passwordChanged")}</Alert>}
        <Field
          label={t("settings.currentPassword")}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <Field
          label={t("auth.newPassword")}
          type="password"
          autoComplete="new-password"
          hint={t("auth.passwordHint")}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <button type="submit" className="btn" disabled={change.isPending || !current || !next}>
          {t("settings.changePassword")}
        </button>
      </form>
    </section>
  );
}

/** describeAgent turns a user agent into "Chrome on Linux"-like text. */
export function describeAgent(ua: string): string {
  if (!ua) return "—";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Chrom(e|ium)\//.test(ua)
      ? "Chrome"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Safari\//.test(ua)
          ? "Safari"
          : "";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  if (browser && os) return `${browser} · ${os}`;
  return browser || os || ua.slice(0, 40);
}

function Sessions() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["me", "sessions"], queryFn: () => must(api.GET("/api/v1/me/sessions")) });
  const revoke = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/me/sessions/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["me", "sessions"] }),
  });
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t("settings.sessions")}</h2>
      <p className="muted">{t("settings.sessionsBody")}</p>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {revoke.error && <Alert>{errorText(t, revoke.error)}</Alert>}
      <ul className="list" aria-label={t("settings.sessions")} data-testid="sessions">
        {q.data?.items.map((s) => (
          <li key={s.id} className="row row-between">
            <div className="grow">
              <div>
                <strong>{describeAgent(s.user_agent)}</strong>{" "}
                {s.current && <span className="badge">{t("settings.thisDevice")}</span>}
                {s.kind === "bearer" && <span className="badge badge-muted">{t("settings.apiToken")}</span>}
              </div>
              <div className="muted small">
                {s.ip} · {t("settings.lastActive", { time: formatTime(s.last_seen_at, i18n.language) })}
              </div>
            </div>
            {!s.current && (
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={() => revoke.mutate(s.id)}
                disabled={revoke.isPending}
                aria-label={t("settings.revokeNamed", { name: describeAgent(s.user_agent) })}
              >
                {t("settings.revoke")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function outcomeText(t: ReturnType<typeof useTranslation>["t"], o: string): string {
  switch (o) {
    case "success":
      return t("settings.outcome.success");
    case "bad_password":
      return t("settings.outcome.bad_password");
    case "bad_totp_code":
    case "bad_recovery_code":
      return t("settings.outcome.bad_code");
    case "locked":
      return t("settings.outcome.locked");
    default:
      return o;
  }
}

function LoginHistory() {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: ["me", "login-history"],
    queryFn: () => must(api.GET("/api/v1/me/login-history")),
  });
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("settings.loginHistory")}</h2>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("settings.when")}</th>
              <th scope="col">{t("settings.device")}</th>
              <th scope="col">{t("settings.ip")}</th>
              <th scope="col">{t("settings.result")}</th>
            </tr>
          </thead>
          <tbody>
            {q.data?.items.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.at, i18n.language)}</td>
                <td>{describeAgent(e.user_agent)}</td>
                <td>{e.ip}</td>
                <td>
                  <span className={e.outcome === "success" ? "badge badge-ok" : "badge badge-danger"}>
                    {outcomeText(t, e.outcome)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Notices() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ["me", "notices"], queryFn: () => must(api.GET("/api/v1/me/notices")) });
  if (!q.data?.items.length) return null;
  return (
    <section className="card" aria-labelledby="notices-title">
      <h2 id="notices-title">{t("settings.notices")}</h2>
      <ul className="list">
        {q.data.items.map((n) => (
          <li key={n.id}>
            <strong>{n.kind === "new_sign_in" ? t("settings.newSignIn") : n.kind}</strong>
            <div className="muted small">{formatTime(n.created_at, i18n.language)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
