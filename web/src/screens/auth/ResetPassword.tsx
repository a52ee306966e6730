import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, AuthLayout, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** ResetPassword sets a new password with a code emailed to the address. */
export function ResetPassword({ email: initialEmail }: { email?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [email, setEmail] = useState(initialEmail ?? "");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [step, setStep] = useState<"email" | "code">("email");

  const request = useMutation({
    mutationFn: () => must(api.POST("/api/v1/auth/password-reset", { body: { email } })),
    onSuccess: () => setStep("code"),
  });
  const confirm = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/auth/password-reset/confirm", {
          body: { email, code: code.replace(/\s/g, ""), new_password: password },
        }),
      ),
    onSuccess: () => void navigate({ to: "/login", search: { email, notice: "password_reset" } }),
  });

  return (
    <AuthLayout title={t("auth.resetTitle")}>
      {step === "email" ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            request.mutate();
          }}
          noValidate
        >
          <p className="muted">{t("auth.resetBody")}</p>
          <Alert>{request.error ? errorText(t, request.error) : ""}</Alert>
          <Field
            label={t("auth.email")}
            name="email"
            type="email"
            autoComplete="email"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending || !email}>
            {t("auth.sendCode")}
          </button>
        </form>
      ) : (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            confirm.mutate();
          }}
          noValidate
        >
          <Alert kind="info">{t("auth.resetSent", { email })}</Alert>
          <Alert>{confirm.error ? errorText(t, confirm.error) : ""}</Alert>
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
          <Field
            label={t("auth.newPassword")}
            name="new-password"
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
            disabled={confirm.isPending || code.length < 6 || !password}
          >
            {t("auth.setPassword")}
          </button>
        </form>
      )}
      <div className="auth-links">
        <Link to="/login">{t("auth.backToLogin")}</Link>
      </div>
    </AuthLayout>
  );
}
