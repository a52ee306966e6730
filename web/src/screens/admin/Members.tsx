import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must, type Schemas, withQuery } from "../../api/client";
import { Alert, Avatar, ConfirmDialog, Field } from "../../components/ui";
import { errorText, fieldLabel } from "../../lib/errors";
import { EditMember } from "./EditMember";

type Member = Schemas["DirectoryMember"];

/** Members lists the organization's members with the admin actions, plus CSV import. */
export function Members() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Member | undefined>();
  const members = useInfiniteQuery({
    queryKey: ["members", "admin", search],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/members", withQuery({ q: search, cursor: pageParam, status: "all" }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["members"] });
  const act = useMutation({
    mutationFn: async ({
      m,
      action,
    }: {
      m: Member;
      action: "deactivate" | "reactivate" | "admin" | "member";
    }) => {
      const path = { params: { path: { id: m.id } } };
      if (action === "deactivate") return must(api.POST("/api/v1/members/{id}/deactivate", path));
      if (action === "reactivate") return must(api.POST("/api/v1/members/{id}/reactivate", path));
      return must(api.PUT("/api/v1/members/{id}/roles", { ...path, body: { role: action } }));
    },
    onSuccess: refresh,
  });
  const items = members.data?.pages.flatMap((p) => p.items) ?? [];
  const [deactivating, setDeactivating] = useState<Member | undefined>();

  return (
    <div className="stack">
      <section className="card" aria-labelledby="m-title">
        <div className="row row-between">
          <h2 id="m-title">{t("admin.members")}</h2>
          <input
            className="input search-input"
            type="search"
            placeholder={t("directory.search")}
            aria-label={t("directory.search")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        {act.error && <Alert>{errorText(t, act.error)}</Alert>}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("auth.name")}</th>
                <th scope="col">{t("directory.title")}</th>
                <th scope="col">{t("directory.department")}</th>
                <th scope="col">{t("admin.role")}</th>
                <th scope="col">{t("admin.status")}</th>
                <th scope="col">
                  <span className="sr-only">{t("admin.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>
                    <div className="row">
                      <Avatar name={m.display_name} id={m.account_id} photo={m.photo_version ?? ""} small />
                      <div>
                        <div>{m.display_name}</div>
                        <div className="muted small">{m.email}</div>
                      </div>
                    </div>
                  </td>
                  <td>{m.title}</td>
                  <td>{m.departments.map((d) => d.name).join(", ")}</td>
                  <td>
                    {m.role === "owner" ? (
                      t("admin.roleOwner")
                    ) : (
                      <select
                        aria-label={t("admin.roleOf", { name: m.display_name })}
                        value={m.role}
                        onChange={(e) => act.mutate({ m, action: e.target.value as "admin" | "member" })}
                      >
                        <option value="admin">{t("admin.roleAdmin")}</option>
                        <option value="member">{t("admin.roleMember")}</option>
                      </select>
                    )}
                  </td>
                  <td>
                    <span className={m.status === "active" ? "badge badge-ok" : "badge badge-muted"}>
                      {memberStatus(t, m)}
                    </span>
                  </td>
                  <td className="row">
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setEditing(m)}
                      aria-label={t("admin.editNamed", { name: m.display_name })}
                    >
                      {t("chat.edit")}
                    </button>
                    {m.role !== "owner" &&
                      (m.status === "active" || m.status === "left" || m.anonymized ? (
                        m.status === "active" && (
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            onClick={() => {
                              act.reset();
                              setDeactivating(m);
                            }}
                            aria-label={t("admin.deactivateNamed", { name: m.display_name })}
                          >
                            {t("admin.deactivate")}
                          </button>
                        )
                      ) : (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => act.mutate({ m, action: "reactivate" })}
                          aria-label={t("admin.reactivateNamed", { name: m.display_name })}
                        >
                          {t("admin.reactivate")}
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {members.hasNextPage && (
          <button type="button" className="btn" onClick={() => members.fetchNextPage()}>
            {t("common.more")}
          </button>
        )}
      </section>
      <EditMember member={editing} onClose={() => setEditing(undefined)} />
      <ConfirmDialog
        open={!!deactivating}
        title={t("admin.confirmDeactivateTitle", { name: deactivating?.display_name ?? "" })}
        confirm={t("admin.deactivate")}
        danger
        pending={act.isPending}
        error={act.error ? errorText(t, act.error) : undefined}
        onConfirm={() =>
          deactivating &&
          act.mutate(
            { m: deactivating, action: "deactivate" },
            { onSuccess: () => setDeactivating(undefined) },
          )
        }
        onClose={() => setDeactivating(undefined)}
      >
        <p>{t("admin.confirmDeactivateBody")}</p>
      </ConfirmDialog>
      <AddMember onDone={refresh} />
      <ImportCSV onDone={refresh} />
    </div>
  );
}

/** memberStatus names a member's state: who left, and whose data was anonymized, are not just "deactivated". */
function memberStatus(t: ReturnType<typeof useTranslation>["t"], m: Member): string {
  if (m.anonymized) return t("admin.anonymized");
  if (m.status === "active") return t("admin.active");
  if (m.status === "left") return t("admin.left");
  return t("admin.deactivated");
}

function AddMember({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [title, setTitle] = useState("");
  const add = useMutation({
    mutationFn: () => must(api.POST("/api/v1/members", { body: { email, title: title || undefined } })),
    onSuccess: () => {
      setEmail("");
      setTitle("");
      onDone();
    },
  });
  return (
    <section className="card" aria-labelledby="add-title">
      <h2 id="add-title">{t("admin.addMember")}</h2>
      <p className="muted">{t("admin.addMemberBody")}</p>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Alert>{add.error ? errorText(t, add.error) : ""}</Alert>
        {add.isSuccess && <Alert kind="ok">{t("admin.memberInvited")}</Alert>}
        <div className="form-grid">
          <Field
            label={t("auth.email")}
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <Field label={t("directory.title")} value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={add.isPending || !email}>
          {t("admin.invite")}
        </button>
      </form>
    </section>
  );
}

/** ImportCSV checks a CSV of members with a dry run, then imports it. */
function ImportCSV({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [csv, setCsv] = useState("");
  const run = useMutation({
    mutationFn: async (dryRun: boolean) =>
      must(
        api.POST("/api/v1/members/import", {
          ...withQuery({ dry_run: dryRun }),
          body: csv as never,
          bodySerializer: (b: unknown) => b as string,
          headers: { "Content-Type": "text/csv" },
        }),
      ),
    onSuccess: (r) => {
      if (!r.dry_run) onDone();
    },
  });
  const r = run.data;
  return (
    <section className="card" aria-labelledby="csv-title">
      <h2 id="csv-title">{t("admin.import")}</h2>
      <p className="muted">{t("admin.importBody")}</p>
      <div className="field">
        <label className="field-label" htmlFor="csv-file">
          {t("admin.csvFile")}
        </label>
        <input
          id="csv-file"
          type="file"
          accept=".csv,text/csv"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) setCsv(await f.text());
            run.reset();
          }}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor="csv-text">
          {t("admin.csvText")}
        </label>
        <textarea
          id="csv-text"
          rows={5}
          value={csv}
          placeholder="email,display_name,title,department"
          onChange={(e) => {
            setCsv(e.target.value);
            run.reset();
          }}
        />
      </div>
      <Alert>{run.error ? errorText(t, run.error) : ""}</Alert>
      {r && (
        <div className={r.errors.length ? "alert alert-warn" : "alert alert-ok"} role="status">
          <strong>{r.dry_run ? t("admin.dryRunResult") : t("admin.importResult")}</strong>{" "}
          {t("admin.importCounts", {
            rows: r.rows,
            updated: r.updated,
            invited: r.invited,
          })}
          {r.errors.length > 0 && (
            <ul>
              {r.errors.map((e) => (
                <li key={`${e.row}-${e.column}-${e.code}`}>
                  {t("admin.rowError", { row: e.row })}{" "}
                  {e.column ? `(${fieldLabel(t, e.column) || e.column})` : ""}{" "}
                  {errorText(t, new ApiError(400, e.code, e.message, { field: e.column }))}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="row">
        <button
          type="button"
          className="btn"
          disabled={!csv.trim() || run.isPending}
          onClick={() => run.mutate(true)}
        >
          {t("admin.dryRun")}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!csv.trim() || run.isPending || !r?.dry_run || r.errors.length > 0}
          onClick={() => run.mutate(false)}
        >
          {t("admin.importNow")}
        </button>
      </div>
    </section>
  );
}
