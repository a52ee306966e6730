import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { switchOrg, useOrgs } from "../../lib/org";

/** Welcome is shown to a signed-in person who acts in no organization yet. */
export function Welcome() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const orgs = useOrgs().data?.items ?? [];
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => must(api.POST("/api/v1/orgs", { body: { name } })),
    onSuccess: async (o) => {
      await switchOrg(o.id);
      await navigate({ to: "/chat" });
    },
  });
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{t("welcome.title")}</h1>
      <p className="muted">{t("welcome.body")}</p>
      {orgs.length > 0 && (
        <section className="card" aria-labelledby="w-orgs">
          <h2 id="w-orgs">{t("welcome.yourOrgs")}</h2>
          <ul className="list">
            {orgs.map((o) => (
              <li key={o.org_id} className="row row-between">
                <span>{o.name}</span>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={async () => {
                    await switchOrg(o.org_id);
                    await navigate({ to: "/chat" });
                  }}
                >
                  {t("welcome.open")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="w-join">
        <h2 id="w-join">{t("welcome.join")}</h2>
        <p className="muted">{t("welcome.joinBody")}</p>
        <Link to="/join" className="btn">
          {t("welcome.enterCode")}
        </Link>
      </section>
      <section className="card" aria-labelledby="w-create">
        <h2 id="w-create">{t("welcome.create")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Alert>{create.error ? errorText(t, create.error) : ""}</Alert>
          <Field label={t("setup.orgName")} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            {t("welcome.createButton")}
          </button>
        </form>
      </section>
    </section>
  );
}
