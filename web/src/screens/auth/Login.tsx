import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useRouter } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorCode, must } from "../../api/client";
import { Alert, AuthLayout, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { deviceId, signedIn } from "../../lib/session";

/**
 * Login signs a person in: email and password, then — when the account has
 * two-factor authentication — a code from the authenticator app or a
 * recovery code.
 */
export function Login({
  next,
  email: initialEmail,
  notice,
}: {
  next?: string;
  email?: string;
  notice?: string;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const router = useRouter();
  const [email, setEmail] = useState(initialEmail ?? "");
  const [password, setPassword] = useState("");
  const [step, setStep] = useState<"password" | "totp" | "recovery">("password");
  const [code, setCode] = useState("");
  // An emailed sign-in code: sent with the password, it gets the owner in
  // while failed guesses from elsewhere slow the account down.
  const [emailCode, setEmailCode] = useState<string | null>(null);

  const login = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/auth/login", {
          body: {
            email,
            password,
            device_id: deviceId(),
            ...(emailCode ? { email_code: emailCode.replace(/\s/g, "") } : {}),
            ...(step === "totp" ? { totp_code: code.replace(/\s/g, "") } : {}),
            ...(step === "recovery" ? { recovery_code: code.trim() } : {}),
          },
        }),
      ),
    onSuccess: (r) => {
      signedIn(r.account);
      // next is a path of this app (e.g. /join?token=…), never another site.
      if (next?.startsWith("/") && !next.startsWith("//")) router.history.push(next);
      else void navigate({ to: "/chat" });
    },
    onError: (e) => {
      if (errorCode(e) === "totp_required") {
        setStep("totp");
        setCode("");
      }
    },
  });

  const sendCode = useMutation({
    mutationFn: () => must(api.POST("/api/v1/auth/login-code", { body: { email } })),
    onSuccess: () => setEmailCode(""),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const err = login.error && errorCode(login.error) !== "totp_required" ? errorText(t, login.error) : "";
  const unverified = errorCode(login.error) === "email_not_verified";
  const throttled = errorCode(login.error) === "too_many_attempts" && emailCode === null;

  if (step !== "password") {
    return (
      <AuthLayout title={t("auth.twoFactorTitle")}>
        <p className="muted">{step === "totp" ? t("auth.twoFactorBody") : t("auth.recoveryBody")}</p>
        <form onSubmit={submit} noValidate>
          <Alert>{err}</Alert>
          {step === "totp" ? (
            <Field
              label={t("auth.authCode")}
              name="totp"
              className="code-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          ) : (
            <Field
              label={t("auth.recoveryCode")}
              name="recovery"
              autoComplete="off"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending || !code}>
            {t("auth.verify")}
          </button>
        </form>
        <div className="auth-links">
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setStep(step === "totp" ? "recovery" : "totp");
              setCode("");
              login.reset();
            }}
          >
            {step === "totp" ? t("auth.useRecovery") : t("auth.useAuthenticator")}
          </button>
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setStep("password");
              setPassword("");
              login.reset();
            }}
          >
            {t("common.back")}
          </button>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("auth.loginTitle")}>
      {notice && <Alert kind="ok">{notice}</Alert>}
      <form onSubmit={submit} noValidate>
        {err && (
          <Alert>
            {err}
            {unverified && (
              <>
                {" "}
                <Link to="/register" search={{ email, step: "code" }}>
                  {t("auth.enterCode")}
                </Link>
              </>
            )}
            {throttled && (
              <>
                {" "}
                <button
                  type="button"
                  className="btn-link"
                  disabled={sendCode.isPending || !email}
                  onClick={() => sendCode.mutate()}
                >
                  {t("auth.emailSignInCode")}
                </button>
              </>
            )}
          </Alert>
        )}
        {sendCode.error && <Alert>{errorText(t, sendCode.error)}</Alert>}
        {emailCode !== null && <Alert kind="ok">{t("auth.signInCodeSent", { email })}</Alert>}
        <Field
          label={t("auth.email")}
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus={!initialEmail}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label={t("auth.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={!!initialEmail}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {emailCode !== null && (
          <Field
            label={t("auth.signInCode")}
            name="email_code"
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            required
            value={emailCode}
            onChange={(e) => setEmailCode(e.target.value)}
          />
        )}
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={login.isPending || !email || !password || emailCode === ""}
        >
          {t("auth.login")}
        </button>
      </form>
      <div className="auth-links">
        <Link to="/reset-password" search={{ email }}>
          {t("auth.forgot")}
        </Link>
        <Link to="/register">{t("auth.noAccount")}</Link>
      </div>
    </AuthLayout>
  );
}
