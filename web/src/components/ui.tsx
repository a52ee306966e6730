// Small building blocks shared by the screens.
import { type InputHTMLAttributes, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { usePerson } from "../lib/people";
import { icons } from "./icons";
import { LanguageSwitcher } from "./LanguageSwitcher";

/** Field is a labelled input with an optional hint and error. */
export function Field({
  label,
  hint,
  error,
  ...input
}: { label: string; hint?: ReactNode; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input id={id} aria-describedby={hintId} aria-invalid={error ? true : undefined} {...input} />
      {hint && (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      )}
      {error && <span className="error-text small">{error}</span>}
    </div>
  );
}

/** Alert shows a message; errors are announced to screen readers. */
export function Alert({
  kind = "error",
  children,
}: {
  kind?: "error" | "ok" | "info" | "warn";
  children: ReactNode;
}) {
  if (!children) return null;
  const cls = kind === "error" ? "alert" : `alert alert-${kind}`;
  return (
    <div className={cls} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** AuthLayout frames the sign-in pages: brand, language, one card. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <div className="auth-top">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            A
          </span>
          <span>{t("app.name")}</span>
        </span>
        <LanguageSwitcher />
      </div>
      <main className="auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {children}
      </main>
    </div>
  );
}

/**
 * Dialog is a modal <dialog>: focus is trapped and Escape closes it. A side
 * dialog is a panel along the right edge (the whole screen on phones).
 */
export function Dialog({
  open,
  title,
  onClose,
  side,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  side?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close?.();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={side ? "dialog dialog-side" : "dialog"}
      aria-labelledby={id}
      // React passes a nested dialog's close and cancel up the tree: only
      // this dialog's own close is ours.
      onClose={(e) => e.target === e.currentTarget && onClose()}
      onCancel={(e) => e.target === e.currentTarget && onClose()}
    >
      {open && (
        <div className="dialog-body">
          {side ? (
            <div className="dialog-head">
              <h2 id={id}>{title}</h2>
              <button type="button" className="icon-button" aria-label={t("common.close")} onClick={onClose}>
                {icons.close}
              </button>
            </div>
          ) : (
            <h2 id={id}>{title}</h2>
          )}
          {children}
        </div>
      )}
    </dialog>
  );
}

/**
 * ConfirmDialog asks before an action that cannot be undone: it says what
 * will happen, shows the server's error if the action fails, and stays open
 * until the action succeeds or the person cancels.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirm,
  danger,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirm: string;
  danger?: boolean;
  pending?: boolean;
  error?: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="confirm-text">{children}</div>
      <Alert>{error ?? ""}</Alert>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          className={danger ? "btn btn-danger-solid" : "btn btn-primary"}
          disabled={pending}
          onClick={onConfirm}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** Initials for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  // CJK names: the first character reads best.
  if (/[\u3400-\u9fff]/.test(parts[0])) return parts[0].slice(0, 1);
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

/** photoURL is where a person's profile photo (of a version) is served, 96 or 512 pixels square. */
export function photoURL(accountId: string, version: string, size: 96 | 512 = 96): string {
  return `/api/v1/people/${encodeURIComponent(accountId)}/photo?size=${size}&v=${encodeURIComponent(version)}`;
}

type AvatarProps = {
  name: string;
  gone?: boolean;
  small?: boolean;
  id?: string;
  photo?: string;
};

/**
 * Avatar shows a person's profile photo, or their initials when they have
 * none (or it cannot be loaded). id is their account id; photo is the
 * photo's version when the caller knows it ("" for none: member rows and
 * resolved people carry it), else it is looked up with the person.
 */
export function Avatar(props: AvatarProps) {
  if (props.id && props.photo === undefined && !props.gone) return <PersonAvatar {...props} id={props.id} />;
  return <AvatarView {...props} version={props.gone ? "" : (props.photo ?? "")} />;
}

function PersonAvatar(props: AvatarProps & { id: string }) {
  const person = usePerson(props.id);
  return <AvatarView {...props} version={person?.photo ?? ""} />;
}

function AvatarView({ name, gone, small, id, version }: AvatarProps & { version: string }) {
  const src = id && version ? photoURL(id, version, small ? 96 : 512) : "";
  const [failed, setFailed] = useState("");
  const cls = ["avatar", small ? "avatar-sm" : "", gone ? "avatar-gone" : ""].filter(Boolean).join(" ");
  if (src && failed !== src) {
    return (
      <span className={`${cls} avatar-photo`} aria-hidden="true">
        <img src={src} alt="" loading="lazy" data-testid="avatar-photo" onError={() => setFailed(src)} />
      </span>
    );
  }
  return (
    <span className={cls} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

/** formatTime renders unix milliseconds in the UI language. */
export function formatTime(ms: number, lang: string, opts?: Intl.DateTimeFormatOptions): string {
  if (!ms) return "";
  return new Intl.DateTimeFormat(
    lang.startsWith("zh") ? "zh-CN" : "en",
    opts ?? { dateStyle: "medium", timeStyle: "short" },
  ).format(new Date(ms));
}
