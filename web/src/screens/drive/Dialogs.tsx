// Drive's small dialogs: a name (new folder, rename) and a folder picker
// (move, copy, save a chat attachment).
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { drive, type Space } from "./api";
import { driveKey, useSpaces } from "./data";

/** NameDialog asks for a name: a new folder's, or an item's new one. */
export function NameDialog({
  open,
  title,
  initial,
  confirm,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  initial: string;
  confirm: string;
  onSubmit: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (open) {
      setName(initial);
      setError(null);
    }
  }, [open, initial]);
  const submit = async () => {
    if (!name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(name.trim());
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field
          label={t("drive.name")}
          value={name}
          autoFocus
          maxLength={255}
          onChange={(e) => setName(e.target.value)}
        />
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** spaceName is a space's name as shown: "My files" for the personal one. */
export function spaceName(t: (k: string) => string, s: Space): string {
  return s.kind === "personal" ? t("drive.myFiles") : s.name;
}

/**
 * FolderPicker chooses a folder I may add to: a space, then folders down
 * from its root. It answers the folder's id.
 */
export function FolderPicker({
  open,
  title,
  confirm,
  exclude = [],
  onPick,
  onClose,
}: {
  open: boolean;
  title: string;
  confirm: string;
  exclude?: string[];
  onPick: (folderId: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const spaces = useSpaces();
  const writable = (spaces.data?.items ?? []).filter((s) => s.my_role !== "viewer");
  const [space, setSpace] = useState("");
  const [path, setPath] = useState<{ id: string; name: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const sp = writable.find((s) => s.id === space) ?? writable[0];
  const here = path.length ? path[path.length - 1].id : sp?.root_id;
  const list = useQuery({
    queryKey: [...driveKey, "children", here],
    queryFn: () => drive.children(here ?? ""),
    enabled: open && !!here,
  });
  useEffect(() => {
    if (open) {
      setPath([]);
      setError(null);
    }
  }, [open]);
  const pick = async () => {
    if (!here) return;
    setBusy(true);
    setError(null);
    try {
      await onPick(here);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const folders = (list.data?.items ?? []).filter((i) => i.kind === "folder" && !exclude.includes(i.id));
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="drive-picker" data-testid="drive-folder-picker">
        <label className="field">
          <span className="field-label">{t("drive.space")}</span>
          <select
            className="input"
            value={sp?.id ?? ""}
            onChange={(e) => {
              setSpace(e.target.value);
              setPath([]);
            }}
          >
            {writable.map((s) => (
              <option key={s.id} value={s.id}>
                {spaceName(t, s)}
              </option>
            ))}
          </select>
        </label>
        <nav className="drive-crumbs" aria-label={t("drive.path")}>
          <button type="button" className="btn-link" onClick={() => setPath([])}>
            {sp ? spaceName(t, sp) : t("nav.drive")}
          </button>
          {path.map((p, i) => (
            <span key={p.id}>
              <span aria-hidden="true"> / </span>
              <button type="button" className="btn-link" onClick={() => setPath(path.slice(0, i + 1))}>
                {p.name}
              </button>
            </span>
          ))}
        </nav>
        <ul className="drive-picker-list">
          {folders.length === 0 && <li className="muted small">{t("drive.noFolders")}</li>}
          {folders.map((f) => (
            <li key={f.id}>
              <button
                type="button"
                className="drive-picker-folder"
                onClick={() => setPath([...path, { id: f.id, name: f.name }])}
              >
                📁 {f.name}
              </button>
            </li>
          ))}
        </ul>
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || !here}
            onClick={() => void pick()}
          >
            {confirm}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
