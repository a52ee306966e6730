import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Avatar, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** Contacts: my contacts (across organizations), requests in and out, and adding someone. */
export function Contacts() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const contacts = useQuery({ queryKey: ["contacts"], queryFn: () => must(api.GET("/api/v1/contacts")) });
  const requests = useQuery({
    queryKey: ["contact-requests"],
    queryFn: () => must(api.GET("/api/v1/contact-requests")),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["contacts"] });
    void qc.invalidateQueries({ queryKey: ["contact-requests"] });
  };
  const [email, setEmail] = useState("");
  const [message, setMessage] = useState("");
  const add = useMutation({
    mutationFn: () => must(api.POST("/api/v1/contacts", { body: { email, message: message || undefined } })),
    onSuccess: () => {
      setEmail("");
      setMessage("");
      refresh();
    },
  });
  const decide = useMutation({
    mutationFn: ({ id, ok }: { id: string; ok: boolean }) =>
      ok
        ? must(api.POST("/api/v1/contact-requests/{id}/accept", { params: { path: { id } } }))
        : must(api.POST("/api/v1/contact-requests/{id}/decline", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (account_id: string) =>
      must(api.DELETE("/api/v1/contacts/{account_id}", { params: { path: { account_id } } })),
    onSuccess: refresh,
  });
  const incoming = requests.data?.incoming.filter((r) => r.status === "pending") ?? [];
  const outgoing = requests.data?.outgoing.filter((r) => r.status === "pending") ?? [];
  return (
    <div className="stack">
      {incoming.length > 0 && (
        <section className="card" aria-labelledby="c-in">
          <h2 id="c-in">{t("contacts.incoming")}</h2>
          {decide.error && <Alert>{errorText(t, decide.error)}</Alert>}
          <ul className="list">
            {incoming.map((r) => (
              <li key={r.id} className="row row-between">
                <div className="row">
                  <Avatar name={r.from_name} small />
                  <div>
                    <strong>{r.from_name}</strong>
                    {r.message && <div className="muted small">“{r.message}”</div>}
                  </div>
                </div>
                <div className="row">
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    onClick={() => decide.mutate({ id: r.id, ok: true })}
                  >
                    {t("contacts.accept")}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => decide.mutate({ id: r.id, ok: false })}
                  >
                    {t("contacts.decline")}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="c-list">
        <h2 id="c-list">{t("contacts.title")}</h2>
        {contacts.data?.items.length === 0 && <p className="muted">{t("contacts.none")}</p>}
        <ul className="list">
          {contacts.data?.items.map((c) => (
            <li key={c.account_id} className="row row-between">
              <div className="row">
                <Avatar name={c.name} id={c.account_id} small />
                <span>{c.name}</span>
              </div>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => remove.mutate(c.account_id)}
                aria-label={t("contacts.removeNamed", { name: c.name })}
              >
                {t("contacts.remove")}
              </button>
            </li>
          ))}
        </ul>
        {outgoing.length > 0 && (
          <>
            <h3>{t("contacts.outgoing")}</h3>
            <ul className="list">
              {outgoing.map((r) => (
                <li key={r.id} className="muted small">
                  {t("contacts.waiting", { time: formatTime(r.created_at, i18n.language) })}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="c-add">
        <h2 id="c-add">{t("contacts.add")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Alert>{add.error ? errorText(t, add.error) : ""}</Alert>
          {add.data && (
            <Alert kind="ok">
              {add.data.status === "added" ? t("contacts.added") : t("contacts.requestSent")}
            </Alert>
          )}
          <div className="form-grid">
            <Field
              label={t("auth.email")}
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <Field
              label={t("contacts.message")}
              value={message}
              onChange={(e) => setMessage(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary" disabled={!email || add.isPending}>
            {t("contacts.send")}
          </button>
        </form>
      </section>
    </div>
  );
}
