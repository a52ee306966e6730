// The share dialog: people, departments and roles with a role each, and
// links (permission, expiry, password) as far as the organization allows.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { AudiencePicker, type Chosen, roleName } from "../../components/AudiencePicker";
import { Alert, Dialog, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useDepartmentNames } from "../announcements/data";
import { LinkAccessLog } from "./AccessLog";
import { drive, type Item, type LinkPermission, linkURL, type Share } from "./api";
import { driveKey, useDriveSettings } from "./data";

const EMPTY: Chosen = { departments: [], roles: [], members: [] };

function useSubjectName() {
  const depts = useDepartmentNames();
  const roles = useQuery({ queryKey: ["roles"], queryFn: () => must(api.GET("/api/v1/roles")) });
  const { t } = useTranslation();
  return (s: Share, memberName: string | undefined) => {
    if (s.kind === "department") return depts.get(s.subject_id) ?? s.subject_id;
    if (s.kind === "role") {
      const r = roles.data?.items.find((x) => x.id === s.subject_id);
      return r ? roleName(t, r) : s.subject_id;
    }
    return memberName ?? s.subject_id;
  };
}

function MemberName({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ["members", "one", id],
    queryFn: () => must(api.GET("/api/v1/members/{id}", { params: { path: { id } } })),
    staleTime: 5 * 60_000,
  });
  return <>{q.data?.display_name ?? id}</>;
}

/** ShareDialog shares an item and lists, and revokes, its shares and links. */
export function ShareDialog({ item, onClose }: { item: Item | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const settings = useDriveSettings();
  const id = item?.id ?? "";
  const shares = useQuery({
    queryKey: [...driveKey, "shares", id],
    queryFn: () => drive.shares(id),
    enabled: !!item,
  });
  const links = useQuery({
    queryKey: [...driveKey, "links", id],
    queryFn: () => drive.links(id),
    enabled: !!item,
  });
  const [chosen, setChosen] = useState<Chosen>(EMPTY);
  const [role, setRole] = useState<"viewer" | "editor">("viewer");
  const [perm, setPerm] = useState<LinkPermission>("view");
  const [expiry, setExpiry] = useState("");
  const [password, setPassword] = useState("");
  const [made, setMade] = useState("");
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [logOf, setLogOf] = useState("");
  const [error, setError] = useState<unknown>(null);
  const name = useSubjectName();
  const refresh = () => qc.invalidateQueries({ queryKey: driveKey });
  const close = () => {
    setChosen(EMPTY);
    setMade("");
    setPassword("");
    setExpiry("");
    setError(null);
    onClose();
  };
  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const share = () =>
    run(async () => {
      for (const d of chosen.departments) await drive.addShare(id, "department", d, role);
      for (const r of chosen.roles) await drive.addShare(id, "role", r, role);
      for (const m of chosen.members) await drive.addShare(id, "member", m.id, role);
      setChosen(EMPTY);
    });
  const makeLink = () =>
    run(async () => {
      const l = await drive.createLink(id, {
        permission: perm,
        password: password || undefined,
        expires_at: expiry ? new Date(`${expiry}T23:59:59`).getTime() : undefined,
      });
      setPassword("");
      setMade(l.token ? linkURL(l.token) : "");
    });
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // the link stays on screen to copy by hand
    }
  };
  const linkSharing = settings.data?.link_sharing ?? "none";
  const anyChosen = chosen.departments.length + chosen.roles.length + chosen.members.length > 0;
  const live = (links.data?.items ?? []).filter((l) => !l.revoked_at);
  return (
    <Dialog open={!!item} title={t("drive.shareTitle", { name: item?.name ?? "" })} onClose={close} side>
      <div className="drive-share" data-testid="drive-share">
        <h3>{t("drive.shareWith")}</h3>
        <AudiencePicker value={chosen} onChange={setChosen} disabled={busy} />
        <div className="drive-share-row">
          <label className="field">
            <span className="field-label">{t("drive.role")}</span>
            <select value={role} onChange={(e) => setRole(e.target.value as "viewer" | "editor")}>
              <option value="viewer">{t("enums.drive_role.viewer")}</option>
              <option value="editor">{t("enums.drive_role.editor")}</option>
            </select>
          </label>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || !anyChosen}
            onClick={() => void share()}
          >
            {t("drive.share")}
          </button>
        </div>
        <h3>{t("drive.sharedWith")}</h3>
        {shares.error ? <Alert>{errorText(t, shares.error)}</Alert> : null}
        <ul className="list drive-shares">
          {(shares.data?.items ?? []).length === 0 && <li className="muted small">{t("drive.noShares")}</li>}
          {(shares.data?.items ?? []).map((s) => (
            <li key={s.id} className="row-between" data-testid="drive-share-entry">
              <span>
                {s.kind === "member" ? <MemberName id={s.subject_id} /> : name(s, undefined)}{" "}
                <span className="muted small">
                  · {t(`enums.drive_subject.${s.kind}`)} · {t(`enums.drive_role.${s.role}`)}
                </span>
              </span>
              <button
                type="button"
                className="btn btn-small btn-danger"
                disabled={busy}
                onClick={() => void run(() => drive.removeShare(id, s.id))}
              >
                {t("drive.revoke")}
              </button>
            </li>
          ))}
        </ul>
        <h3>{t("drive.links")}</h3>
        {linkSharing === "none" ? (
          <p className="muted small">{t("drive.linksOff")}</p>
        ) : (
          <>
            {linkSharing === "inside" && <p className="muted small">{t("drive.linksInside")}</p>}
            <div className="drive-link-form">
              <label className="field">
                <span className="field-label">{t("drive.linkPermission")}</span>
                <select value={perm} onChange={(e) => setPerm(e.target.value as LinkPermission)}>
                  <option value="view">{t("enums.drive_link.view")}</option>
                  <option value="download">{t("enums.drive_link.download")}</option>
                  {item?.kind === "folder" && <option value="edit">{t("enums.drive_link.edit")}</option>}
                </select>
              </label>
              <Field
                label={t("drive.linkExpiry")}
                type="date"
                value={expiry}
                onChange={(e) => setExpiry(e.target.value)}
              />
              <Field
                label={t("drive.linkPassword")}
                type="password"
                autoComplete="new-password"
                hint={t("drive.linkPasswordHint")}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
              <button type="button" className="btn" disabled={busy} onClick={() => void makeLink()}>
                {t("drive.makeLink")}
              </button>
            </div>
            {made && (
              <div className="drive-made-link">
                <input className="input" readOnly value={made} aria-label={t("drive.linkAddress")} />
                <button type="button" className="btn btn-small" onClick={() => void copy(made)}>
                  {copied ? t("common.copied") : t("drive.copyLink")}
                </button>
              </div>
            )}
          </>
        )}
        <ul className="list drive-links">
          {live.map((l) => (
            <li key={l.id} className="row-between" data-testid="drive-link-entry">
              <span>
                {t(`enums.drive_link.${l.permission}`)}
                <span className="muted small">
                  {l.has_password ? ` · ${t("drive.withPassword")}` : ""}
                  {l.expires_at
                    ? ` · ${t("drive.expires", { date: formatTime(l.expires_at, i18n.language, { dateStyle: "medium" }) })}`
                    : ""}
                </span>
              </span>
              <span className="row">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-expanded={logOf === l.id}
                  onClick={() => setLogOf(logOf === l.id ? "" : l.id)}
                >
                  {logOf === l.id ? t("drive.access.hide") : t("drive.access.show")}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  disabled={busy}
                  onClick={() => void run(() => drive.revokeLink(l.id))}
                >
                  {t("drive.revoke")}
                </button>
              </span>
            </li>
          ))}
        </ul>
        {logOf && live.some((l) => l.id === logOf) && <LinkAccessLog linkId={logOf} />}
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
      </div>
    </Dialog>
  );
}
