import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";

type Member = Schemas["DirectoryMember"];

/** EditMember lets an admin change a member's profile and departments. */
export function EditMember({ member, onClose }: { member?: Member; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const depts = useQuery({
    queryKey: ["departments"],
    queryFn: () => must(api.GET("/api/v1/departments")),
    enabled: !!member,
  });
  const [v, setV] = useState({ display_name: "", title: "", employee_no: "", work_phone: "", office: "" });
  const [deptIds, setDeptIds] = useState<string[]>([]);
  useEffect(() => {
    if (!member) return;
    setV({
      display_name: member.display_name,
      title: member.title,
      employee_no: member.employee_no,
      work_phone: member.work_phone,
      office: member.office,
    });
    setDeptIds(member.departments.map((d) => d.id));
  }, [member]);
  const save = useMutation({
    mutationFn: () =>
      must(
        api.PATCH("/api/v1/members/{id}", {
          params: { path: { id: member?.id ?? "" } },
          body: { ...v, department_ids: deptIds },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["members"] });
      void qc.invalidateQueries({ queryKey: ["departments"] });
      onClose();
    },
  });
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) =>
    setV({ ...v, [k]: e.target.value });
  return (
    <Dialog
      open={!!member}
      title={t("admin.editNamed", { name: member?.display_name ?? "" })}
      onClose={onClose}
    >
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
        <div className="form-grid">
          <Field label={t("directory.displayName")} value={v.display_name} onChange={set("display_name")} />
          <Field label={t("directory.title")} value={v.title} onChange={set("title")} />
          <Field label={t("directory.employeeNo")} value={v.employee_no} onChange={set("employee_no")} />
          <Field label={t("directory.workPhone")} value={v.work_phone} onChange={set("work_phone")} />
          <Field label={t("directory.office")} value={v.office} onChange={set("office")} />
        </div>
        <fieldset className="checks">
          <legend className="field-label">{t("directory.departments")}</legend>
          {depts.data?.items.map((d) => (
            <label key={d.id} className="checkbox">
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
        </fieldset>
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
