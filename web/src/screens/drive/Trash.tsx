// A space's trash: restore, delete for good, empty.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert, ConfirmDialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { drive, formatBytes, type Item } from "./api";
import { spaceName } from "./Dialogs";
import { driveKey, useDriveSettings, useSpaces } from "./data";

export function DriveTrash({ spaceId }: { spaceId?: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const spaces = useSpaces();
  const settings = useDriveSettings();
  const all = spaces.data?.items ?? [];
  const space = all.find((s) => s.id === spaceId) ?? all[0];
  const list = useQuery({
    queryKey: [...driveKey, "trash", space?.id],
    queryFn: () => drive.listTrash(space?.id ?? ""),
    enabled: !!space,
  });
  const [forever, setForever] = useState<Item | "all" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      await qc.invalidateQueries({ queryKey: driveKey });
      setForever(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  const manage = space?.my_role === "manager" || space?.kind === "personal";
  return (
    <section className="page drive" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("drive.trash")}</h1>
      </div>
      <p>
        <Link to="/drive" search={space ? { space: space.id } : {}}>
          ← {t("nav.drive")}
        </Link>
      </p>
      <nav className="drive-tabs" aria-label={t("drive.spaces")}>
        {all.map((s) => (
          <Link
            key={s.id}
            to="/drive/trash"
            search={{ space: s.id }}
            className={s.id === space?.id ? "chip active" : "chip"}
            aria-current={s.id === space?.id ? "page" : undefined}
          >
            {spaceName(t, s)}
          </Link>
        ))}
      </nav>
      {settings.data && (
        <p className="muted small">{t("drive.trashKept", { count: settings.data.trash_days })}</p>
      )}
      {list.error ? <Alert>{errorText(t, list.error)}</Alert> : null}
      {list.data && items.length === 0 && <p className="muted">{t("drive.trashEmpty")}</p>}
      <ul className="list">
        {items.map((it) => (
          <li key={it.id} className="row-between" data-testid="drive-trash-item">
            <span>
              {it.kind === "folder" ? "📁" : "📄"} {it.name}
              <span className="muted small">
                {" "}
                · {it.kind === "file" ? `${formatBytes(it.size)} · ` : ""}
                {t("drive.trashedAt", { date: formatTime(it.trashed_at ?? 0, i18n.language) })}
              </span>
            </span>
            <span className="drive-version-actions">
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => void run(() => drive.restore(it.id))}
              >
                {t("drive.restore")}
              </button>
              <button
                type="button"
                className="btn btn-small btn-danger"
                disabled={busy}
                onClick={() => setForever(it)}
              >
                {t("drive.deleteForever")}
              </button>
            </span>
          </li>
        ))}
      </ul>
      {manage && items.length > 0 && (
        <button type="button" className="btn btn-danger" onClick={() => setForever("all")}>
          {t("drive.emptyTrash")}
        </button>
      )}
      {error && !forever ? <Alert>{errorText(t, error)}</Alert> : null}
      <ConfirmDialog
        open={!!forever}
        title={forever === "all" ? t("drive.emptyTrash") : t("drive.deleteForever")}
        confirm={forever === "all" ? t("drive.emptyTrash") : t("drive.deleteForever")}
        danger
        pending={busy}
        error={error ? errorText(t, error) : undefined}
        onConfirm={() =>
          void run(() =>
            forever === "all" ? drive.emptyTrash(space?.id ?? "") : drive.deleteForever((forever as Item).id),
          )
        }
        onClose={() => setForever(null)}
      >
        {forever === "all"
          ? t("drive.emptyTrashConfirm")
          : t("drive.deleteForeverConfirm", { name: (forever as Item | null)?.name ?? "" })}
      </ConfirmDialog>
    </section>
  );
}
