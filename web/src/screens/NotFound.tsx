import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

export function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="page centered" aria-labelledby="page-title">
      <h1 id="page-title">{t("common.notFound")}</h1>
      <p>
        <Link to="/">{t("common.backHome")}</Link>
      </p>
    </section>
  );
}
