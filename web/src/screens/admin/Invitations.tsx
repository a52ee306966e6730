import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, ConfirmDialog, Field, formatTime } from "../../components/ui";
import { enumText, errorText } from "../../lib/errors";

/** Invitations creates invitation links (with a team code and QR code) and email invitations. */
export function Invitations() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["invitations"], queryFn: () => must(api.GET("/api/v1/invitations")) });
  const [kind, setKind] = useState<"link" | "email">("link");
  const [email, setEmail] = useState("");
  const [hours, setHours] = useState("168");
  const [uses, setUses] = useState("0");
  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/invitations", {
          body: {
            kind,
            email: kind === "email" ? email : undefined,
            expires_in_hours: Number(hours) || undefined,
            max_uses: Number(uses) || undefined,
          },
        }),
      ),
    onSuccess: () => {
      setEmail("");
      void qc.invalidateQueries({ queryKey: ["invitations"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/invitations/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["invitations"] }),
  });
  const [copied, setCopied] = useState("");
  const [revoking, setRevoking] = useState("");

  return (
    <div className="stack">
      <section className="card" aria-labelledby="inv-new">
        <h2 id="inv-new">{t("admin.newInvitation")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Alert>{create.error ? errorText(t, create.error) : ""}</Alert>
          <fieldset className="radio-row">
            <legend className="field-label">{t("admin.invitationKind")}</legend>
            <label>
              <input type="radio" name="kind" checked={kind === "link"} onChange={() => setKind("link")} />{" "}
              {t("admin.kindLink")}
            </label>
            <label>
              <input type="radio" name="kind" checked={kind === "email"} onChange={() => setKind("email")} />{" "}
              {t("admin.kindEmail")}
            </label>
          </fieldset>
          <div className="form-grid">
            {kind === "email" && (
              <Field
                label={t("auth.email")}
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
            <Field
              label={t("admin.validHours")}
              type="number"
              min={1}
              value={hours}
              onChange={(e) => setHours(e.target.value)}
            />
            {kind === "link" && (
              <Field
                label={t("admin.maxUses")}
                hint={t("admin.maxUsesHint")}
                type="number"
                min={0}
                value={uses}
                onChange={(e) => setUses(e.target.value)}
              />
            )}
          </div>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={create.isPending || (kind === "email" && !email)}
          >
            {t("admin.createInvitation")}
          </button>
        </form>
      </section>

      <section className="card" aria-labelledby="inv-list">
        <h2 id="inv-list">{t("admin.invitations")}</h2>
        {list.error && <Alert>{errorText(t, list.error)}</Alert>}
        <ul className="list" data-testid="invitations">
          {list.data?.items.map((inv) => (
            <li key={inv.id} className="invitation">
              <div className="grow stack">
                <div className="row">
                  <span className="badge">
                    {inv.kind === "email" ? t("admin.kindEmail") : t("admin.kindLink")}
                  </span>
                  <span className={inv.status === "active" ? "badge badge-ok" : "badge badge-muted"}>
                    {enumText(t, "invitation_status", inv.status)}
                  </span>
                  {inv.email && <span>{inv.email}</span>}
                  <span className="muted small">
                    {t("admin.expires", { time: formatTime(inv.expires_at, i18n.language) })} ·{" "}
                    {t("admin.uses", { uses: inv.uses, max: inv.max_uses || "∞" })}
                  </span>
                </div>
                {inv.link && (
                  <div className="row">
                    <input
                      className="input grow"
                      readOnly
                      value={inv.link}
                      aria-label={t("admin.inviteLink")}
                      data-testid="invite-link"
                      onFocus={(e) => e.target.select()}
                    />
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={async () => {
                        await navigator.clipboard?.writeText(inv.link ?? "").catch(() => undefined);
                        setCopied(inv.id);
                      }}
                    >
                      {copied === inv.id ? t("common.copied") : t("common.copy")}
                    </button>
                  </div>
                )}
                {inv.code && (
                  <div>
                    {t("admin.teamCode")}: <code data-testid="team-code">{inv.code}</code>
                  </div>
                )}
              </div>
              {inv.kind === "link" && inv.status === "active" && (
                <img
                  className="qr qr-small"
                  src={`/api/v1/invitations/${encodeURIComponent(inv.id)}/qr.svg`}
                  alt={t("admin.inviteQR")}
                  width={120}
                  height={120}
                />
              )}
              {inv.status === "active" && (
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => {
                    revoke.reset();
                    setRevoking(inv.id);
                  }}
                >
                  {t("admin.revoke")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <ConfirmDialog
        open={!!revoking}
        title={t("admin.confirmRevokeTitle")}
        confirm={t("admin.revoke")}
        danger
        pending={revoke.isPending}
        error={revoke.error ? errorText(t, revoke.error) : undefined}
        onConfirm={() => revoke.mutate(revoking, { onSuccess: () => setRevoking("") })}
        onClose={() => setRevoking("")}
      >
        <p>{t("admin.confirmRevokeBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
