import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../api/client";
import { errorText } from "../lib/errors";
import { Alert, formatTime } from "./ui";

/**
 * PolicyGate stands before the app while the person has policy versions to
 * accept (a first policy, or a significant new version), and while a minor
 * waits for a guardian's consent.
 */
export function PolicyGate({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const policies = useQuery({
    queryKey: ["me", "policies"],
    queryFn: () => must(api.GET("/api/v1/me/policies")),
  });
  const guardian = useQuery({
    queryKey: ["me", "guardian"],
    queryFn: () => must(api.GET("/api/v1/me/guardian-consent")),
    staleTime: 5 * 60_000,
  });
  const accept = useMutation({
    mutationFn: (ids: string[]) =>
      must(api.POST("/api/v1/me/policies/accept", { body: { document_ids: ids } })),
    onSuccess: (st) => {
      qc.setQueryData(["me", "policies"], st);
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    },
  });
  const pending = policies.data?.pending ?? [];
  if (guardian.data?.required && !guardian.data.consent) {
    return (
      <section className="page gate" aria-labelledby="gate-title">
        <h1 id="gate-title">{t("gate.guardianTitle")}</h1>
        <p>{t("gate.guardianBody", { age: guardian.data.min_age })}</p>
      </section>
    );
  }
  if (pending.length === 0) return <>{children}</>;
  const updated = (policies.data?.accepted.length ?? 0) > 0;
  return (
    <section className="page gate" aria-labelledby="gate-title">
      <h1 id="gate-title">{updated ? t("gate.updatedTitle") : t("gate.title")}</h1>
      <p>{updated ? t("gate.updatedBody") : t("gate.body")}</p>
      {pending.map((d) => (
        <article key={d.id} className="card">
          <h2>
            {d.kind === "terms" ? t("gate.terms") : t("gate.privacy")} {d.version}
          </h2>
          <p className="muted small">{formatTime(d.published_at, i18n.language)}</p>
          {d.summary && <p>{d.summary}</p>}
          {d.body && (
            <details>
              <summary>{t("gate.readAll")}</summary>
              <pre className="policy-body">{d.body}</pre>
            </details>
          )}
        </article>
      ))}
      {accept.error && <Alert>{errorText(t, accept.error)}</Alert>}
      <button
        type="button"
        className="btn btn-primary"
        disabled={accept.isPending}
        onClick={() => accept.mutate(pending.map((d) => d.id))}
      >
        {t("gate.accept")}
      </button>
    </section>
  );
}
