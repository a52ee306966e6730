import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, AuthLayout, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { switchOrg } from "../../lib/org";
import { queryClient } from "../../lib/query";
import { useMe } from "../../lib/session";

/**
 * Join accepts an invitation (a link with a token, or a team code). People
 * without an account create one first and come back here.
 */
export function Join({ token, code: initialCode }: { token?: string; code?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const [code, setCode] = useState(initialCode ?? "");
  const [submitted, setSubmitted] = useState(!!token || !!initialCode);
  const body = token ? { token } : { code: code.trim() };
  const here = token ? `/join?token=${encodeURIComponent(token)}` : "/join";

  const preview = useQuery({
    queryKey: ["join", token ?? code],
    queryFn: () => must(api.POST("/api/v1/join/preview", { body })),
    enabled: !!me.data && submitted && (!!token || !!code.trim()),
    retry: false,
  });
  // Before sign-in, a link says which organization it is from and
  // whether it can still be used, so that a dead link is told before
  // anyone creates an account for it.
  const link = useQuery({
    queryKey: ["join", "link", token],
    queryFn: () => must(api.POST("/api/v1/invitation-links/preview", { body: { token: token ?? "" } })),
    enabled: !!token && me.isSuccess && !me.data,
    retry: false,
  });
  const join = useMutation({
    mutationFn: () => must(api.POST("/api/v1/join", { body })),
    onSuccess: async (r) => {
      if (r.status === "joined") {
        await switchOrg(r.org_id);
        await queryClient.invalidateQueries();
        await navigate({ to: "/chat" });
      }
    },
  });

  if (me.isPending) return null;
  if (!me.data) {
    const lp = link.data;
    const dead = lp && lp.status !== "active";
    return (
      <AuthLayout title={t("join.title")}>
        {lp && !dead && (
          <div data-testid="link-preview">
            <p>
              {t("join.invitedTo")} <strong>{lp.org_name}</strong>
            </p>
            {lp.requires_approval && <p className="muted">{t("join.needsApproval")}</p>}
          </div>
        )}
        {dead && (
          <Alert>
            {t(`join.dead.${lp.status}`, {
              org: lp.org_name,
              defaultValue: t("join.dead.other", { org: lp.org_name }),
            })}{" "}
            {t("join.askNew")}
          </Alert>
        )}
        {link.error && <Alert>{t("join.notFound")}</Alert>}
        {dead || link.error ? (
          <div className="stack">
            <Link to="/login" className="btn btn-block">
              {t("auth.login")}
            </Link>
          </div>
        ) : (
          <>
            <p>{t("join.signInFirst")}</p>
            <div className="stack">
              <Link to="/register" search={{ next: here }} className="btn btn-primary btn-block">
                {t("auth.noAccount")}
              </Link>
              <Link to="/login" search={{ next: here }} className="btn btn-block">
                {t("auth.login")}
              </Link>
            </div>
          </>
        )}
      </AuthLayout>
    );
  }

  if (join.data?.status === "pending") {
    return (
      <AuthLayout title={t("join.title")}>
        <Alert kind="info">{t("join.pending", { org: join.data.org_name })}</Alert>
        <Link to="/welcome">{t("common.back")}</Link>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("join.title")}>
      {!token && (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setSubmitted(true);
            void preview.refetch();
          }}
        >
          <Field
            label={t("join.code")}
            name="code"
            autoComplete="off"
            value={code}
            onChange={(e) => {
              setCode(e.target.value);
              setSubmitted(false);
            }}
          />
          <button type="submit" className="btn btn-block" disabled={!code.trim()}>
            {t("join.check")}
          </button>
        </form>
      )}
      {preview.error && <Alert>{errorText(t, preview.error)}</Alert>}
      {preview.data && (
        <div className="stack">
          <p>
            {t("join.invitedTo")} <strong>{preview.data.org_name}</strong>
          </p>
          {preview.data.requires_approval && <p className="muted">{t("join.needsApproval")}</p>}
          <Alert>{join.error ? errorText(t, join.error) : ""}</Alert>
          <button
            type="button"
            className="btn btn-primary btn-block"
            onClick={() => join.mutate()}
            disabled={join.isPending}
          >
            {t("join.join", { org: preview.data.org_name })}
          </button>
        </div>
      )}
    </AuthLayout>
  );
}
