import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../api/client";
import { errorText } from "../lib/errors";
import { policiesKey, useGate } from "../lib/gate";
import { Alert, Field, formatTime } from "./ui";

/**
 * PolicyGate stands before the app while the person has policy versions to
 * accept (a first policy, or a significant new version), and while a minor
 * waits for a guardian's consent.
 */
export function PolicyGate({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const { state, policies, guardian } = useGate();
  const accept = useMutation({
    mutationFn: (ids: string[]) =>
      must(api.POST("/api/v1/me/policies/accept", { body: { document_ids: ids } })),
    onSuccess: (st) => {
      qc.setQueryData(policiesKey, st);
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    },
  });
  const pending = policies.data?.pending ?? [];
  if (state === "guardian") {
    return (
      <section className="page gate" aria-labelledby="gate-title">
        <h1 id="gate-title">{t("gate.guardianTitle")}</h1>
        <p>{t("gate.guardianBody", { age: guardian.data?.min_age })}</p>
        <AskGuardian />
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

/** AskGuardian emails a parent or guardian the one-time link to consent. */
function AskGuardian() {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [relationship, setRelationship] = useState("");
  const ask = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/me/guardian-consent/request", {
          body: {
            guardian_name: name.trim(),
            guardian_email: email.trim(),
            relationship: relationship.trim(),
          },
        }),
      ),
  });
  return (
    <form
      className="card"
      aria-labelledby="ask-guardian"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        ask.mutate();
      }}
    >
      <h2 id="ask-guardian">{t("gate.askGuardian")}</h2>
      <Alert>{ask.error ? errorText(t, ask.error) : ""}</Alert>
      {ask.data && <Alert kind="ok">{t("gate.guardianSent", { email: ask.data.guardian_email })}</Alert>}
      <Field label={t("gate.guardianName")} value={name} onChange={(e) => setName(e.target.value)} required />
      <Field
        label={t("gate.guardianEmail")}
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        required
      />
      <Field
        label={t("gate.relationship")}
        value={relationship}
        onChange={(e) => setRelationship(e.target.value)}
      />
      <button
        type="submit"
        className="btn btn-primary"
        disabled={ask.isPending || !name.trim() || !email.trim()}
      >
        {t("gate.sendLink")}
      </button>
    </form>
  );
}
