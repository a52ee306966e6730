import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useRouter } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, AuthLayout, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { deviceId, signedIn } from "../../lib/session";

/**
 * Register creates an account: name, email and password, then the 6-digit
 * code the server emails to confirm the address (which signs the person in).
 */
export function Register({
  email: initialEmail,
  step: initialStep,
  next,
}: {
  email?: string;
  step?: "code";
  next?: string;
}) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const router = useRouter();
  const [name, setName] = useState("");
  const [email, setEmail] = useState(initialEmail ?? "");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<"form" | "code">(initialStep === "code" && initialEmail ? "code" : "form");
  // Arriving from sign-in at the code step, the password was typed there:
  // the code is confirmed with it, so it is asked again here.
  const [askPassword] = useState(initialStep === "code" && !!initialEmail);

  const register = useMutation({
    mutationFn: () => must(api.POST("/api/v1/auth/register", { body: { name, email, password } })),
    onSuccess: () => setStep("code"),
  });
  const verify = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/auth/verify", {
          body: { email, code: code.replace(/\s/g, ""), password, device_id: deviceId() },
        }),
      ),
    onSuccess: (r) => {
      signedIn(r.account);
      // Remember the language chosen before there was an account.
      void api.PATCH("/api/v1/me", { body: { locale: i18n.language.startsWith("zh") ? "zh-CN" : "en" } });
      // next is a path of this app (e.g. /join?token=…), never another site.
      if (next?.startsWith("/") && !next.startsWith("//")) router.history.push(next);
      else void navigate({ to: "/chat" });
    },
  });

  if (step === "code") {
    return (
      <AuthLayout title={t("auth.verifyTitle")}>
        <p className="muted">{t("auth.verifyBody", { email })}</p>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            verify.mutate();
          }}
          noValidate
        >
          <Alert>{verify.error ? errorText(t, verify.error) : ""}</Alert>
          <Field
            label={t("auth.code")}
            name="code"
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          {askPassword && (
            <Field
              label={t("auth.password")}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={verify.isPending || code.length < 6 || !password}
          >
            {t("auth.verify")}
          </button>
        </form>
        <div className="auth-links">
          <button type="button" className="btn-link" onClick={() => setStep("form")}>
            {t("common.back")}
          </button>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("auth.registerTitle")}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          register.mutate();
        }}
        noValidate
      >
        <Alert>{register.error ? errorText(t, register.error) : ""}</Alert>
        <Field
          label={t("auth.name")}
          name="name"
          autoComplete="name"
          required
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Field
          label={t("auth.email")}
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label={t("auth.password")}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint={t("auth.passwordHint")}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={register.isPending || !name || !email || !password}
        >
          {t("auth.register")}
        </button>
      </form>
      <div className="auth-links">
        <Link to="/login">{t("auth.haveAccount")}</Link>
      </div>
    </AuthLayout>
  );
}
