import { Link, useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { LanguageSwitcher } from "../../components/LanguageSwitcher";
import { Avatar } from "../../components/ui";
import { useCurrentOrg, usePermissions } from "../../lib/org";
import { signOut, useMe } from "../../lib/session";

/** Me is the phone's Me tab: the person, their settings, privacy, the admin console and signing out. */
export function Me() {
  const { t } = useTranslation();
  const me = useMe().data;
  const org = useCurrentOrg();
  const admin = (usePermissions().data?.permissions.length ?? 0) > 0;
  const navigate = useNavigate();
  if (!me) return null;
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title" className="sr-only">
        {t("nav.me")}
      </h1>
      <div className="card me-card">
        <Avatar name={me.name} id={me.id} />
        <div className="me-who">
          <strong>{me.name}</strong>
          <span className="muted small">{me.email}</span>
          {org && <span className="muted small">{org.name}</span>}
        </div>
      </div>
      <ul className="me-list card">
        <li>
          <Link to="/directory" search={{ tab: "me" }} className="me-link">
            {icons.directory}
            <span>{t("me.profile")}</span>
          </Link>
        </li>
        <li>
          <Link to="/settings" className="me-link">
            {icons.lock}
            <span>{t("nav.settings")}</span>
          </Link>
        </li>
        <li>
          <Link to="/notifications" className="me-link">
            {icons.bell}
            <span>{t("me.notifications")}</span>
          </Link>
        </li>
        <li>
          <Link to="/privacy" className="me-link">
            {icons.privacy}
            <span>{t("nav.privacy")}</span>
          </Link>
        </li>
        {admin && (
          <li>
            <Link to="/admin" className="me-link">
              {icons.admin}
              <span>{t("nav.admin")}</span>
            </Link>
          </li>
        )}
        <li className="me-link me-language">
          {icons.globe}
          <span>{t("me.language")}</span>
          <LanguageSwitcher />
        </li>
      </ul>
      <button
        type="button"
        className="btn btn-block"
        onClick={async () => {
          await signOut();
          await navigate({ to: "/login" });
        }}
      >
        {t("account.signOut")}
      </button>
    </section>
  );
}
