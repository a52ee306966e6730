import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, AuthLayout, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { queryClient } from "../../lib/query";
import { meQuery } from "../../lib/session";

/**
 * Setup is the first-run page, opened from the one-time link the server
 * prints: it creates the first organization and its owner, and signs the
 * owner in.
 */
export function Setup({ token }: { token?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const status = useQuery({ queryKey: ["setup"], queryFn: () => must(api.GET("/api/v1/setup")) });
  const [org, setOrg] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const setup = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/setup", {
          body: { token: token ?? "", organization: { name: org }, owner: { name, email, password } },
        }),
      ),
    onSuccess: async () => {
      queryClient.clear();
      await queryClient.fetchQuery(meQuery);
      await navigate({ to: "/chat" });
    },
  });

  if (status.data && !status.data.needed) {
    return (
      <AuthLayout title={t("setup.doneTitle")}>
        <p>{t("setup.doneBody")}</p>
        <Link to="/login" className="btn btn-primary btn-block">
          {t("auth.login")}
        </Link>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("setup.title")}>
      <p className="muted">{t("setup.body")}</p>
      {!token && <Alert kind="warn">{t("setup.noToken")}</Alert>}
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setup.mutate();
        }}
        noValidate
      >
        <Alert>{setup.error ? errorText(t, setup.error) : ""}</Alert>
        <Field
          label={t("setup.orgName")}
          name="org"
          required
          autoFocus
          value={org}
          onChange={(e) => setOrg(e.target.value)}
        />
        <h2 className="form-section">{t("setup.owner")}</h2>
        <Field
          label={t("auth.name")}
          name="name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Field
          label={t("auth.email")}
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label={t("auth.password")}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint={t("auth.passwordHint")}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={setup.isPending || !token || !org || !name || !email || !password}
        >
          {t("setup.create")}
        </button>
      </form>
    </AuthLayout>
  );
}
