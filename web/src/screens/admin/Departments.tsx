import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { buildTree, flatten, isDescendant, type TreeNode } from "../../lib/tree";
import { LeaderNames, LeadersEditor } from "./DepartmentLeaders";

type Dept = TreeNode<Schemas["DirectoryDepartment"]>;

/**
 * Departments edits the department tree: add, rename, delete, and move a
 * department with its subtree — by dragging it onto another, or with the
 * "move to" menu from the keyboard.
 */
export function Departments() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["departments"], queryFn: () => must(api.GET("/api/v1/departments")) });
  const tree = useMemo(() => buildTree(list.data?.items ?? []), [list.data]);
  const all = flatten(tree);
  const refresh = () => qc.invalidateQueries({ queryKey: ["departments"] });
  const [name, setName] = useState("");
  const [parent, setParent] = useState("");
  const [dragging, setDragging] = useState("");

  const create = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/departments", { body: { name, parent_id: parent || undefined } })),
    onSuccess: () => {
      setName("");
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["DirectoryUpdateDepartmentRequest"] }) =>
      must(api.PATCH("/api/v1/departments/{id}", { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/departments/{id}", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const error = create.error ?? update.error ?? remove.error;

  const drop = (target: string) => (e: DragEvent) => {
    e.preventDefault();
    const id = e.dataTransfer.getData("text/x-department") || dragging;
    setDragging("");
    if (id && id !== target) update.mutate({ id, body: { parent_id: target } });
  };

  return (
    <div className="stack">
      <section className="card" aria-labelledby="d-title">
        <h2 id="d-title">{t("admin.departments")}</h2>
        <p className="muted">{t("admin.dragHint")}</p>
        {error && <Alert>{errorText(t, error)}</Alert>}
        <ul className="dept-tree" aria-label={t("admin.departments")}>
          {all.map((d) => (
            <DeptRow
              key={d.id}
              d={d}
              all={all}
              dragging={dragging}
              onDragStart={(e) => {
                e.dataTransfer.setData("text/x-department", d.id);
                e.dataTransfer.effectAllowed = "move";
                setDragging(d.id);
              }}
              onDrop={drop(d.id)}
              onRename={(n) => update.mutate({ id: d.id, body: { name: n } })}
              onMove={(p) => update.mutate({ id: d.id, body: { parent_id: p } })}
              onDelete={() => remove.mutate(d.id)}
            />
          ))}
        </ul>
        {dragging && (
          // biome-ignore lint/a11y/noStaticElementInteractions: drop zone; the "move to" menu is the keyboard way
          <div className="drop-root" onDragOver={(e) => e.preventDefault()} onDrop={drop("")}>
            {t("admin.dropTop")}
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="d-new">
        <h2 id="d-new">{t("admin.newDepartment")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <div className="form-grid">
            <Field label={t("admin.departmentName")} value={name} onChange={(e) => setName(e.target.value)} />
            <div className="field">
              <label className="field-label" htmlFor="d-parent">
                {t("admin.parent")}
              </label>
              <select id="d-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
                <option value="">{t("admin.topLevel")}</option>
                {all.map((d) => (
                  <option key={d.id} value={d.id}>
                    {"  ".repeat(d.depth)}
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
            {t("admin.add")}
          </button>
        </form>
      </section>
    </div>
  );
}

function DeptRow({
  d,
  all,
  dragging,
  onDragStart,
  onDrop,
  onRename,
  onMove,
  onDelete,
}: {
  d: Dept;
  all: Dept[];
  dragging: string;
  onDragStart: (e: DragEvent) => void;
  onDrop: (e: DragEvent) => void;
  onRename: (name: string) => void;
  onMove: (parent: string) => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [leaders, setLeaders] = useState(false);
  const [name, setName] = useState(d.name);
  const [over, setOver] = useState(false);
  const targets = all.filter((o) => o.id !== d.id && !isDescendant(d, o.id));
  return (
    <li
      className={["dept-row", over ? "drop-over" : "", dragging === d.id ? "dragging" : ""].join(" ")}
      data-depth={Math.min(d.depth, 6)}
      draggable
      onDragStart={onDragStart}
      onDragOver={(e) => {
        if (dragging && dragging !== d.id && !isDescendant(all.find((x) => x.id === dragging) ?? d, d.id)) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        onDrop(e);
      }}
    >
      <span className="drag-handle" aria-hidden="true">
        ⋮⋮
      </span>
      {editing ? (
        <form
          className="row grow"
          onSubmit={(e) => {
            e.preventDefault();
            onRename(name);
            setEditing(false);
          }}
        >
          <input
            className="input grow"
            aria-label={t("admin.departmentName")}
            value={name}
            // biome-ignore lint/a11y/noAutofocus: the rename field opens on request
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="btn btn-small">
            {t("common.save")}
          </button>
        </form>
      ) : (
        <span className="grow">
          {d.name}{" "}
          <span className="muted small">
            {d.total_count === d.member_count
              ? `(${d.total_count})`
              : t("admin.deptCounts", { total: d.total_count, direct: d.member_count })}
          </span>
          <LeaderNames d={d} />
        </span>
      )}
      <select
        aria-label={t("admin.moveNamed", { name: d.name })}
        value=""
        onChange={(e) => e.target.value && onMove(e.target.value === "_top" ? "" : e.target.value)}
      >
        <option value="">{t("admin.moveTo")}</option>
        {d.parent_id && <option value="_top">{t("admin.topLevel")}</option>}
        {targets.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-small"
        aria-expanded={leaders}
        onClick={() => setLeaders(!leaders)}
        aria-label={t("admin.leadersOf", { name: d.name })}
      >
        {t("admin.leaders")}
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => setEditing(!editing)}
        aria-label={t("admin.renameNamed", { name: d.name })}
      >
        {t("admin.rename")}
      </button>
      <button
        type="button"
        className="btn btn-small btn-danger"
        onClick={onDelete}
        aria-label={t("admin.deleteNamed", { name: d.name })}
      >
        {t("common.delete")}
      </button>
      {leaders && <LeadersEditor d={d} onDone={() => setLeaders(false)} />}
    </li>
  );
}
