import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { AudiencePicker } from "../../components/AudiencePicker";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { Markdown } from "../../lib/markdown";
import { useCurrentOrg } from "../../lib/org";
import { buildTree, flatten } from "../../lib/tree";
import { AttachmentsEditor, CoverPicker, InsertImage } from "./Attachments";
import {
  type Action,
  type Announcement,
  announcementsKey,
  audienceEmpty,
  createBody,
  emptyForm,
  type Form,
  formOf,
  patchBody,
  publishAtOf,
} from "./data";
import { FILE_PATH, insertAt } from "./files";
import { oneKey } from "./View";

/** EditAnnouncement loads an announcement into the editor. */
export function EditAnnouncement({ id }: { id: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: oneKey(id),
    queryFn: () => must(api.GET("/api/v1/announcements/{id}", { params: { path: { id } } })),
  });
  if (q.error) return <Alert>{errorText(t, q.error)}</Alert>;
  if (!q.data) return null;
  return <AnnouncementEditor key={q.data.updated_at} a={q.data} />;
}

/**
 * AnnouncementEditor writes a new announcement or changes one: content,
 * options and audience, then keeps it as a draft, schedules it or
 * publishes it. A published one changes only its content.
 */
export function AnnouncementEditor({ a }: { a?: Announcement }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const org = useCurrentOrg();
  const [f, setF] = useState<Form>(() => (a ? formOf(a) : emptyForm));
  const set = (patch: Partial<Form>) => setF((x) => ({ ...x, ...patch }));
  const [problem, setProblem] = useState("");
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  // An uploaded image goes in at the cursor (the end when the body was never focused).
  const insertImage = (md: string) =>
    setF((x) => {
      const at = bodyRef.current?.selectionEnd ?? x.body.length;
      return { ...x, body: insertAt(x.body, at, md).value };
    });
  const status = a?.status ?? "draft";
  const published = status === "published";
  const fixed = published || status === "withdrawn";

  // Departments sign announcements.
  const depts = useQuery({
    queryKey: ["departments", org?.org_id],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!org,
  });
  const tree = flatten(buildTree(depts.data?.items ?? []));

  const save = useMutation({
    mutationFn: async (action: Action): Promise<Schemas["AnnounceAnnouncement"]> => {
      if (!a) return must(api.POST("/api/v1/announcements", { body: createBody(f, action) }));
      const path = { params: { path: { id: a.id } } };
      const saved = await must(
        api.PATCH("/api/v1/announcements/{id}", { ...path, body: patchBody(f, status, action) }),
      );
      if (action === "publish" && saved.status !== "published")
        return must(api.POST("/api/v1/announcements/{id}/publish", path));
      return saved;
    },
    onSuccess: async (saved) => {
      await qc.invalidateQueries({ queryKey: announcementsKey });
      void navigate({ to: "/announcements/manage", search: { status: saved.status as "draft" } });
    },
  });

  const run = (action: Action) => {
    setProblem("");
    if (!f.title.trim()) return setProblem(t("announcements.needTitle"));
    if (!fixed && audienceEmpty(f)) return setProblem(t("announcements.needAudience"));
    if (action === "schedule" && publishAtOf(f) <= Date.now()) return setProblem(t("announcements.needTime"));
    save.mutate(action);
  };

  return (
    <section className="page page-wide ann-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/announcements/manage" search={{}} className="btn-link">
          ← {t("announcements.manage")}
        </Link>
      </p>
      <h1 id="page-title">{a ? t("announcements.editTitle") : t("announcements.new")}</h1>
      <form
        className="card stack ann-editor"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          const submitter = (e.nativeEvent as SubmitEvent).submitter?.getAttribute("value");
          run(
            submitter === "publish" || submitter === "schedule" ? submitter : published ? "publish" : "draft",
          );
        }}
      >
        {published && <Alert kind="info">{t("announcements.publishedHint")}</Alert>}
        <Field
          label={t("announcements.fTitle")}
          value={f.title}
          maxLength={200}
          required
          onChange={(e) => set({ title: e.target.value })}
        />
        <div className="field">
          <label className="field-label" htmlFor="ann-body">
            {t("announcements.fBody")}
          </label>
          <textarea
            ref={bodyRef}
            id="ann-body"
            rows={10}
            value={f.body}
            maxLength={100_000}
            aria-describedby="ann-body-hint"
            onChange={(e) => set({ body: e.target.value })}
            onKeyDown={(e) => {
              // Ctrl/⌘+Enter saves from the body as Enter does from a field.
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <span id="ann-body-hint" className="field-hint">
            {t("announcements.bodyHint")}
          </span>
          <div className="row ann-body-tools">
            <InsertImage onInsert={insertImage} />
          </div>
        </div>
        {f.body.trim() && (
          <details className="ann-preview">
            <summary>{t("announcements.preview")}</summary>
            <Markdown source={f.body} className="msg-text ann-body" imagePrefix={FILE_PATH} />
          </details>
        )}
        <CoverPicker cover={f.cover} onChange={(cover) => set({ cover })} />
        <AttachmentsEditor files={f.files} onChange={(up) => setF((x) => ({ ...x, files: up(x.files) }))} />
        <div className="form-grid">
          <Field
            label={t("announcements.fCategory")}
            value={f.category}
            maxLength={50}
            onChange={(e) => set({ category: e.target.value })}
          />
          <div className="field">
            <label className="field-label" htmlFor="ann-sig">
              {t("announcements.fSignature")}
            </label>
            <select id="ann-sig" value={f.signature} onChange={(e) => set({ signature: e.target.value })}>
              <option value="">{t("announcements.signAsMe")}</option>
              {tree.map((d) => (
                <option key={d.id} value={d.id}>
                  {"  ".repeat(d.depth)}
                  {d.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <fieldset className="checks">
          <legend>{t("announcements.options")}</legend>
          <label className="checkbox">
            <input type="checkbox" checked={f.pinned} onChange={(e) => set({ pinned: e.target.checked })} />
            {t("announcements.fPinned")}
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={f.requireConfirm}
              disabled={fixed}
              onChange={(e) => set({ requireConfirm: e.target.checked })}
            />
            {t("announcements.fConfirm")}
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={f.allowComments}
              onChange={(e) => set({ allowComments: e.target.checked })}
            />
            {t("announcements.fComments")}
          </label>
        </fieldset>
        <fieldset className="checks" disabled={fixed}>
          <legend>{t("announcements.audience")}</legend>
          <label className="checkbox">
            <input type="radio" name="ann-aud" checked={f.all} onChange={() => set({ all: true })} />
            {t("announcements.audAll")}
          </label>
          {f.all && (
            <label className="checkbox inline ann-indent">
              <input
                type="checkbox"
                checked={f.includeLater}
                onChange={(e) => set({ includeLater: e.target.checked })}
              />
              {t("announcements.includeLater")}
            </label>
          )}
          <label className="checkbox">
            <input type="radio" name="ann-aud" checked={!f.all} onChange={() => set({ all: false })} />
            {t("announcements.audSome")}
          </label>
        </fieldset>
        {!f.all && (
          <AudiencePicker
            value={{ departments: f.departments, roles: f.roles, members: f.members }}
            disabled={fixed}
            onChange={(v) => set(v)}
          />
        )}
        {!fixed && (
          <Field
            label={t("announcements.fWhen")}
            type="datetime-local"
            value={f.when}
            hint={t("announcements.whenHint")}
            onChange={(e) => set({ when: e.target.value })}
          />
        )}
        <Alert>{problem || (save.error ? errorText(t, save.error) : "")}</Alert>
        <div className="row">
          {published ? (
            <button type="submit" value="publish" className="btn btn-primary" disabled={save.isPending}>
              {t("common.save")}
            </button>
          ) : (
            <>
              <button type="submit" value="draft" className="btn" disabled={save.isPending}>
                {t("announcements.saveDraft")}
              </button>
              <button type="submit" value="schedule" className="btn" disabled={save.isPending || !f.when}>
                {t("announcements.schedule")}
              </button>
              <button type="submit" value="publish" className="btn btn-primary" disabled={save.isPending}>
                {t("announcements.publish")}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}
