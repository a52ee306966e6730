import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type CSSProperties, type FormEvent, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { buildTree, flatten } from "../../lib/tree";
import { MemberPicker } from "../approvals/Pickers";
import {
  CustomFieldInput,
  type CustomValue,
  customFieldError,
  formValue,
  patchValue,
  sameValue,
} from "../directory/CustomField";

type Member = Schemas["DirectoryMember"];
type Patch = Schemas["DirectoryMemberPatch"];

const TEXTS = ["display_name", "title", "employee_no", "work_phone", "email", "office", "join_date"] as const;
type Text = (typeof TEXTS)[number];

/**
 * EditMember lets an admin change a member's profile: the built-in fields,
 * join date and work email, the supervisor (picked by name), departments
 * (picked from the tree) and the organization's custom fields.
 */
export function EditMember({ member, onClose }: { member?: Member; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const depts = useQuery({
    queryKey: ["departments"],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!member,
  });
  const fields = useQuery({
    queryKey: ["fields"],
    queryFn: () => must(api.GET("/api/v1/fields")),
    enabled: !!member,
  });
  const tree = useMemo(() => flatten(buildTree(depts.data?.items ?? [])), [depts.data]);
  const [v, setV] = useState<Record<Text, string>>({
    display_name: "",
    title: "",
    employee_no: "",
    work_phone: "",
    email: "",
    office: "",
    join_date: "",
  });
  const [deptIds, setDeptIds] = useState<string[]>([]);
  const [supervisor, setSupervisor] = useState("");
  const [custom, setCustom] = useState<Record<string, CustomValue>>({});
  useEffect(() => {
    if (!member) return;
    setV({
      display_name: member.display_name,
      title: member.title,
      employee_no: member.employee_no,
      work_phone: member.work_phone,
      email: member.email,
      office: member.office,
      join_date: member.join_date,
    });
    setDeptIds(member.departments.map((d) => d.id));
    setSupervisor(member.supervisor_id);
  }, [member]);
  useEffect(() => {
    if (!member || !fields.data) return;
    const c: Record<string, CustomValue> = {};
    for (const f of fields.data.items) c[f.id] = formValue(f, member.fields?.[f.id]);
    setCustom(c);
  }, [member, fields.data]);
  const save = useMutation({
    mutationFn: () => {
      if (!member) throw new Error("no member");
      const body: Patch = { department_ids: deptIds };
      for (const k of TEXTS) if (v[k] !== (member[k] ?? "")) body[k] = v[k];
      if (supervisor !== member.supervisor_id) body.supervisor_id = supervisor;
      const changed: Record<string, unknown> = {};
      for (const f of fields.data?.items ?? []) {
        const cv = custom[f.id] ?? formValue(f, undefined);
        if (!sameValue(f, cv, member.fields?.[f.id])) changed[f.id] = patchValue(f, cv);
      }
      if (Object.keys(changed).length) body.fields = changed;
      return must(api.PATCH("/api/v1/members/{id}", { params: { path: { id: member.id } }, body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["members"] });
      void qc.invalidateQueries({ queryKey: ["departments"] });
      onClose();
    },
  });
  const set = (k: Text) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const missing = member?.missing_required ?? [];
  return (
    <Dialog
      open={!!member}
      title={t("admin.editNamed", { name: member?.display_name ?? "" })}
      onClose={onClose}
    >
      <form
        className="edit-member"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Alert>
          {save.error
            ? customFieldError(t, save.error, fields.data?.items ?? []) || errorText(t, save.error)
            : ""}
        </Alert>
        <div className="form-grid">
          <Field label={t("directory.displayName")} value={v.display_name} onChange={set("display_name")} />
          <Field label={t("directory.title")} value={v.title} onChange={set("title")} />
          <Field label={t("directory.employeeNo")} value={v.employee_no} onChange={set("employee_no")} />
          <Field label={t("directory.workPhone")} value={v.work_phone} onChange={set("work_phone")} />
          <Field label={t("directory.workEmail")} type="email" value={v.email} onChange={set("email")} />
          <Field label={t("directory.office")} value={v.office} onChange={set("office")} />
          <Field label={t("admin.joinDate")} type="date" value={v.join_date} onChange={set("join_date")} />
        </div>
        <MemberPicker
          label={t("admin.supervisor")}
          value={supervisor ? [supervisor] : []}
          onChange={(ids) => setSupervisor(ids.filter((x) => x !== member?.id).at(-1) ?? "")}
        />
        <fieldset className="checks dept-pick">
          <legend className="field-label">{t("directory.departments")}</legend>
          {tree.map((d) => (
            <label key={d.id} className="checkbox" style={{ "--depth": d.depth } as CSSProperties}>
              <input
                type="checkbox"
                checked={deptIds.includes(d.id)}
                onChange={(e) =>
                  setDeptIds(e.target.checked ? [...deptIds, d.id] : deptIds.filter((x) => x !== d.id))
                }
              />
              <span>{d.name}</span>
            </label>
          ))}
          {tree.length === 0 && <p className="muted small">{t("admin.noDepartments")}</p>}
        </fieldset>
        {(fields.data?.items.length ?? 0) > 0 && (
          <div className="form-grid">
            {fields.data?.items.map((f) => (
              <CustomFieldInput
                key={f.id}
                f={f}
                value={custom[f.id] ?? formValue(f, undefined)}
                missing={missing.includes(f.id)}
                onChange={(x) => setCustom({ ...custom, [f.id]: x })}
              />
            ))}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={save.isPending || !v.display_name.trim()}
          >
            {t("common.save")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
