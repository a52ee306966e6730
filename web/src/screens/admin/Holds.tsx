import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { MemberPicker, useMemberNames } from "../approvals/Pickers";

/** GroupPicker finds one of the organization's groups by a word of its name. */
function GroupPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [search, setSearch] = useState("");
  const found = useQuery({
    queryKey: ["holds", "targets", search],
    queryFn: () =>
      must(api.GET("/api/v1/admin/legal-holds/targets", withQuery({ kind: "conversation", q: search }))),
  });
  return (
    <fieldset className="checks">
      <legend className="field-label">{t("holds.group")}</legend>
      <div className="field">
        <label htmlFor={id} className="sr-only">
          {t("holds.findGroup")}
        </label>
        <input
          id={id}
          type="search"
          placeholder={t("holds.findGroup")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
        />
      </div>
      <ul className="list" aria-live="polite">
        {found.data?.items.map((g) => (
          <li key={g.id}>
            <label className="check">
              <input
                type="radio"
                name={`${id}-group`}
                checked={value === g.id}
                onChange={() => onChange(g.id)}
              />
              <span>{g.name || t("holds.unnamed")}</span>
              {g.detail ? <span className="muted small"> · {t(`holds.kind.${g.detail}`)}</span> : null}
            </label>
          </li>
        ))}
        {found.data && found.data.items.length === 0 && <li className="muted small">{t("holds.noGroup")}</li>}
      </ul>
    </fieldset>
  );
}

/** Holds places and releases legal holds on members or conversations (they block erasure). */
export function Holds() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["holds"], queryFn: () => must(api.GET("/api/v1/admin/legal-holds")) });
  const [kind, setKind] = useState("member");
  const names = useMemberNames(
    (q.data?.items ?? []).filter((h) => h.target_kind === "member").map((h) => h.target_id),
  );
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const place = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/admin/legal-holds", { body: { target_kind: kind, target_id: target, reason } })),
    onSuccess: () => {
      setTarget("");
      setReason("");
      void qc.invalidateQueries({ queryKey: ["holds"] });
    },
  });
  const release = useMutation({
    mutationFn: (id: string) =>
      must(api.POST("/api/v1/admin/legal-holds/{id}/release", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["holds"] }),
  });
  return (
    <div className="stack">
      <section className="card" aria-labelledby="h-title">
        <h2 id="h-title">{t("holds.title")}</h2>
        <p className="muted">{t("holds.body")}</p>
        {(q.error || release.error) && <Alert>{errorText(t, q.error ?? release.error)}</Alert>}
        <ul className="list">
          {q.data?.items.map((h) => (
            <li key={h.id} className="row row-between">
              <div>
                <span className="badge">
                  {h.target_kind === "member" ? t("holds.member") : t("holds.conversation")}
                </span>{" "}
                <strong>
                  {h.target_kind === "member"
                    ? (names.get(h.target_id) ?? "…")
                    : h.target_name || t("holds.unnamed")}
                </strong>
                <div className="muted small">
                  {h.reason} · {formatTime(h.created_at, i18n.language)}
                </div>
              </div>
              {h.released_at ? (
                <span className="badge badge-muted">{t("holds.released")}</span>
              ) : (
                <button type="button" className="btn btn-small" onClick={() => release.mutate(h.id)}>
                  {t("holds.release")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="h-new">
        <h2 id="h-new">{t("holds.place")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            place.mutate();
          }}
        >
          <Alert>{place.error ? errorText(t, place.error) : ""}</Alert>
          <div className="form-grid">
            <div className="field">
              <label className="field-label" htmlFor="h-kind">
                {t("holds.on")}
              </label>
              <select
                id="h-kind"
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value);
                  setTarget("");
                }}
              >
                <option value="member">{t("holds.member")}</option>
                <option value="conversation">{t("holds.conversation")}</option>
              </select>
            </div>
            {kind === "member" ? (
              <MemberPicker
                label={t("holds.member")}
                value={target ? [target] : []}
                onChange={(ids) => setTarget(ids[ids.length - 1] ?? "")}
              />
            ) : (
              <GroupPicker value={target} onChange={setTarget} />
            )}
            <Field label={t("holds.reason")} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={!target || !reason || place.isPending}>
            {t("holds.place")}
          </button>
        </form>
      </section>
    </div>
  );
}
