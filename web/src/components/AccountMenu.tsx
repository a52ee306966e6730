import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { onMenuKeys, useDismiss } from "../lib/dismiss";
import { signOut, useMe } from "../lib/session";
import { Avatar } from "./ui";

/** AccountMenu is the avatar button in the top bar: settings, privacy, sign out. */
export function AccountMenu() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const ref = useDismiss(open, () => setOpen(false));
  if (!me) return null;
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="icon-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t("account.menu", { name: me.name })}
        onClick={() => setOpen(!open)}
      >
        <Avatar name={me.name} id={me.id} small />
      </button>
      {open && (
        <div className="menu-pop" role="menu" tabIndex={-1} onKeyDown={onMenuKeys}>
          <div className="muted small menu-who">
            <strong>{me.name}</strong>
            <br />
            {me.email}
          </div>
          <Link to="/settings" role="menuitem" onClick={() => setOpen(false)}>
            {t("nav.settings")}
          </Link>
          <Link to="/privacy" role="menuitem" onClick={() => setOpen(false)}>
            {t("nav.privacy")}
          </Link>
          <button
            type="button"
            role="menuitem"
            onClick={async () => {
              setOpen(false);
              await signOut();
              await navigate({ to: "/login" });
            }}
          >
            {t("account.signOut")}
          </button>
        </div>
      )}
    </div>
  );
}
