import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, AuthLayout, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

/**
 * GuardianConsent is the page the emailed link opens: a parent or guardian,
 * who needs no account, sees who asked and confirms their consent.
 */
export function GuardianConsent({ token }: { token?: string }) {
  const { t, i18n } = useTranslation();
  const [name, setName] = useState("");
  const [agree, setAgree] = useState(false);
  const link = useQuery({
    queryKey: ["guardian-link", token],
    queryFn: () =>
      must(api.GET("/api/v1/guardian-consents/{token}", { params: { path: { token: token ?? "" } } })),
    enabled: !!token,
    retry: false,
  });
  const confirm = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/guardian-consents/{token}/confirm", {
          params: { path: { token: token ?? "" } },
          body: { guardian_name: name.trim(), consent: true },
        }),
      ),
  });

  if (confirm.isSuccess) {
    return (
      <AuthLayout title={t("guardian.doneTitle")}>
        <Alert kind="ok">{t("guardian.done")}</Alert>
      </AuthLayout>
    );
  }
  const gone = link.error instanceof ApiError && (link.error.status === 404 || link.error.status === 410);
  if (!token || gone) {
    return (
      <AuthLayout title={t("guardian.title")}>
        <Alert>{t("guardian.invalid")}</Alert>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t("guardian.title")}>
      {link.error && <Alert>{errorText(t, link.error)}</Alert>}
      {link.data && (
        <form
          className="stack"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <p>
            {t("guardian.body", { name: link.data.guardian_name })}
            {link.data.relationship ? ` (${link.data.relationship})` : ""}
          </p>
          <p className="muted small">
            {t("guardian.expires", { at: formatTime(link.data.expires_at, i18n.language) })}
          </p>
          <Alert>{confirm.error ? errorText(t, confirm.error) : ""}</Alert>
          <Field
            label={t("guardian.yourName")}
            name="guardian_name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
          <label className="checkbox">
            <input type="checkbox" checked={agree} onChange={(e) => setAgree(e.target.checked)} />{" "}
            {t("guardian.agree")}
          </label>
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={confirm.isPending || !agree || !name.trim()}
          >
            {t("guardian.confirm")}
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
