import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Contacts } from "./Contacts";
import { MyProfile } from "./MyProfile";
import { People } from "./People";
import { PrivacySettings } from "./PrivacySettings";

export type DirectorySearch = { tab?: "contacts" | "me" | "privacy"; member?: string; dept?: string };

/** Directory: people of the organization, my contacts, my profile and my privacy settings. */
export function Directory({ tab, member, dept }: DirectorySearch) {
  const { t } = useTranslation();
  const tabs = [
    { id: undefined, label: t("directory.people") },
    { id: "contacts" as const, label: t("contacts.title") },
    { id: "me" as const, label: t("directory.myProfile") },
    { id: "privacy" as const, label: t("privacySettings.title") },
  ];
  return (
    <section className="page page-wide" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("nav.directory")}</h1>
      </div>
      <nav className="tabs" aria-label={t("nav.directory")}>
        {tabs.map((x) => (
          <Link
            key={x.id ?? "people"}
            to="/directory"
            search={x.id ? { tab: x.id } : {}}
            className={tab === x.id ? "tab active" : "tab"}
            aria-current={tab === x.id ? "page" : undefined}
          >
            {x.label}
          </Link>
        ))}
      </nav>
      {tab === "contacts" ? (
        <Contacts />
      ) : tab === "me" ? (
        <MyProfile />
      ) : tab === "privacy" ? (
        <PrivacySettings />
      ) : (
        <People member={member} dept={dept} />
      )}
    </section>
  );
}
