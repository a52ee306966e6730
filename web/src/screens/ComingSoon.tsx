import { useTranslation } from "react-i18next";
import { type IconName, icons } from "../components/icons";

/** ComingSoon holds the place of a capability whose screens are not built yet. */
export function ComingSoon({ title, icon }: { title: string; icon: IconName }) {
  const { t } = useTranslation();
  return (
    <section className="page coming-soon" aria-labelledby="page-title">
      <div className="coming-soon-icon">{icons[icon]}</div>
      <h1 id="page-title">{title}</h1>
      <p className="badge">{t("common.comingSoon")}</p>
      <p className="muted">{t("common.comingSoonBody")}</p>
    </section>
  );
}
