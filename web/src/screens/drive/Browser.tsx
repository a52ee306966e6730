// The file browser: spaces, a folder's items as a list or a grid, sorting,
// selection with the mouse and the keyboard, drag-and-drop upload of files
// and folders, and the actions on what is selected.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import {
  type KeyboardEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  drive,
  formatBytes,
  type Item,
  paths,
  rangeSelect,
  type SortKey,
  type Space,
  sortItems,
} from "./api";
import { FolderPicker, NameDialog, spaceName } from "./Dialogs";
import { driveKey, useFolder, useSpaces } from "./data";
import { Preview } from "./Preview";
import { DriveSearch } from "./Search";
import { SendToChat } from "./SendToChat";
import { ShareDialog } from "./Share";
import { Thumb } from "./Thumb";
import { Uploads, useUploads } from "./Uploads";
import { fromDrop, fromInput } from "./upload";

type View = "list" | "grid";
const VIEW_KEY = "atrium.drive.view";

function storedView(): View {
  try {
    return localStorage.getItem(VIEW_KEY) === "grid" ? "grid" : "list";
  } catch {
    return "list";
  }
}

function Quota({ space }: { space: Space }) {
  const { t } = useTranslation();
  const pct = space.quota_bytes > 0 ? Math.min(100, (space.used_bytes / space.quota_bytes) * 100) : 0;
  return (
    <div className="drive-quota" data-testid="drive-quota">
      <span className="small">
        {space.quota_bytes > 0
          ? t("drive.quotaOf", { used: formatBytes(space.used_bytes), quota: formatBytes(space.quota_bytes) })
          : t("drive.quotaUsed", { used: formatBytes(space.used_bytes) })}
      </span>
      {space.quota_bytes > 0 && (
        <progress max={100} value={pct} aria-label={t("drive.quota")}>
          {Math.round(pct)}%
        </progress>
      )}
    </div>
  );
}

/** Spaces lists where files live: mine, shared with me, the organization's, and the trash. */
function Spaces({ current, shared, spaces }: { current?: string; shared: boolean; spaces: Space[] }) {
  const { t } = useTranslation();
  return (
    <nav className="drive-spaces" aria-label={t("drive.spaces")}>
      <ul>
        {spaces.map((s) => (
          <li key={s.id}>
            <Link
              to="/drive"
              search={{ space: s.id }}
              className={!shared && current === s.id ? "active" : undefined}
              aria-current={!shared && current === s.id ? "page" : undefined}
            >
              {s.kind === "personal" ? "🗂" : "👥"} {spaceName(t, s)}
            </Link>
          </li>
        ))}
        <li>
          <Link
            to="/drive"
            search={{ shared: "1" }}
            className={shared ? "active" : undefined}
            aria-current={shared ? "page" : undefined}
          >
            🤝 {t("drive.sharedWithMe")}
          </Link>
        </li>
        <li>
          <Link to="/drive/trash" search={current ? { space: current } : {}}>
            🗑 {t("drive.trash")}
          </Link>
        </li>
      </ul>
    </nav>
  );
}

type Dialogs =
  | { kind: "mkdir" }
  | { kind: "rename"; item: Item }
  | { kind: "move" | "copy"; items: Item[] }
  | { kind: "trash"; items: Item[] }
  | { kind: "share"; item: Item }
  | { kind: "send"; item: Item }
  | null;

export function DriveBrowser({
  spaceId,
  folderId,
  shared,
}: {
  spaceId?: string;
  folderId?: string;
  shared?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const spaces = useSpaces();
  const all = spaces.data?.items ?? [];
  const space = all.find((s) => s.id === spaceId) ?? (shared || folderId ? undefined : all[0]);
  const folder = folderId ?? space?.root_id;
  const here = useQuery({
    queryKey: [...driveKey, "item", folder],
    queryFn: () => drive.item(folder ?? ""),
    enabled: !!folder && !shared,
  });
  const crumbs = useQuery({
    queryKey: [...driveKey, "ancestors", folder],
    queryFn: () => drive.ancestors(folder ?? ""),
    enabled: !!folder && !shared,
  });
  const listing = useFolder(shared ? undefined : folder);
  const sharedList = useQuery({
    queryKey: [...driveKey, "shared"],
    queryFn: drive.shared,
    enabled: !!shared,
  });
  const list = shared ? sharedList : listing;
  const [sort, setSort] = useState<SortKey>("name");
  const [desc, setDesc] = useState(false);
  const [view, setViewState] = useState<View>(storedView);
  const setView = (v: View) => {
    setViewState(v);
    try {
      localStorage.setItem(VIEW_KEY, v);
    } catch {
      // the choice lasts this visit only
    }
  };
  const items = useMemo(
    () => sortItems(list.data?.items ?? [], sort, desc, i18n.language),
    [list.data, sort, desc, i18n.language],
  );
  const order = items.map((i) => i.id);
  const [selected, setSelected] = useState<string[]>([]);
  const [anchor, setAnchor] = useState("");
  const [focus, setFocus] = useState(0);
  const [previewId, setPreviewId] = useState("");
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const gridRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const dirInput = useRef<HTMLInputElement>(null);
  const uploads = useUploads();

  // A new folder: nothing selected, nothing previewed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the folder changes
  useEffect(() => {
    setSelected([]);
    setAnchor("");
    setFocus(0);
    setPreviewId("");
  }, [folder, shared]);

  const canWrite = !shared && (here.data?.my_role ?? space?.my_role ?? "viewer") !== "viewer";
  const chosen = items.filter((i) => selected.includes(i.id));
  const one = chosen.length === 1 ? chosen[0] : undefined;
  const preview = items.find((i) => i.id === previewId);
  const refresh = useCallback(() => qc.invalidateQueries({ queryKey: driveKey }), [qc]);

  const open = (it: Item) => {
    if (it.kind === "folder") void navigate({ to: "/drive", search: { space: it.space_id, folder: it.id } });
    else setPreviewId(it.id);
  };

  const click = (e: MouseEvent, it: Item, i: number) => {
    setFocus(i);
    if (e.shiftKey && anchor) {
      setSelected(rangeSelect(order, anchor, it.id));
      return;
    }
    if (e.metaKey || e.ctrlKey) {
      setSelected((s) => (s.includes(it.id) ? s.filter((x) => x !== it.id) : [...s, it.id]));
      setAnchor(it.id);
      return;
    }
    setSelected([it.id]);
    setAnchor(it.id);
    if (it.kind === "file") setPreviewId(it.id);
  };

  const toggle = (it: Item, i: number, shift: boolean) => {
    setFocus(i);
    if (shift && anchor) {
      const range = rangeSelect(order, anchor, it.id);
      setSelected((s) => [...new Set([...s, ...range])]);
      return;
    }
    setSelected((s) => (s.includes(it.id) ? s.filter((x) => x !== it.id) : [...s, it.id]));
    setAnchor(it.id);
  };

  const columns = () => {
    const el = gridRef.current;
    if (view !== "grid" || !el) return 1;
    const cells = [...el.querySelectorAll<HTMLElement>("[data-testid=drive-item]")];
    if (cells.length === 0) return 1;
    const top = cells[0].offsetTop;
    return Math.max(1, cells.filter((c) => c.offsetTop === top).length);
  };

  const moveFocus = (to: number, extend: boolean) => {
    const n = Math.max(0, Math.min(items.length - 1, to));
    setFocus(n);
    const it = items[n];
    if (!it) return;
    gridRef.current?.querySelectorAll<HTMLElement>(".drive-open")[n]?.focus();
    if (extend && anchor) setSelected(rangeSelect(order, anchor, it.id));
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === "INPUT" && e.key !== "Enter") return;
    const cur = items[focus];
    const cols = columns();
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        moveFocus(focus + cols, e.shiftKey);
        return;
      case "ArrowUp":
        e.preventDefault();
        moveFocus(focus - cols, e.shiftKey);
        return;
      case "ArrowRight":
        if (view !== "grid") return;
        e.preventDefault();
        moveFocus(focus + 1, e.shiftKey);
        return;
      case "ArrowLeft":
        if (view !== "grid") return;
        e.preventDefault();
        moveFocus(focus - 1, e.shiftKey);
        return;
      case "Home":
        e.preventDefault();
        moveFocus(0, e.shiftKey);
        return;
      case "End":
        e.preventDefault();
        moveFocus(items.length - 1, e.shiftKey);
        return;
      case " ":
        if (!cur) return;
        e.preventDefault();
        toggle(cur, focus, false);
        return;
      case "Enter":
        if (!cur) return;
        e.preventDefault();
        open(cur);
        return;
      case "Delete":
      case "Backspace": {
        const what = chosen.length ? chosen : cur ? [cur] : [];
        if (!what.length || shared || what.some((x) => x.my_role === "viewer")) return;
        e.preventDefault();
        setDialog({ kind: "trash", items: what });
        return;
      }
      case "F2": {
        const it = one ?? cur;
        if (!it || it.my_role === "viewer") return;
        e.preventDefault();
        setDialog({ kind: "rename", item: it });
        return;
      }
      case "Escape":
        setSelected([]);
        return;
      case "a":
      case "A":
        if (e.metaKey || e.ctrlKey) {
          e.preventDefault();
          setSelected(order);
        }
        return;
    }
  };

  const enqueue = (files: ReturnType<typeof fromInput>, emptyDirs: string[][] = []) => {
    if (!folder || !canWrite) return;
    uploads.add(folder, files, emptyDirs, refresh);
  };

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!canWrite) return;
    const got = await fromDrop(e.dataTransfer);
    enqueue(got.files, got.emptyDirs);
  };

  const act = async (f: () => Promise<unknown>) => {
    setPending(true);
    setError(null);
    try {
      await f();
      await refresh();
      setDialog(null);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  const download = (list: Item[]) => {
    for (const it of list.filter((x) => x.kind === "file")) {
      const a = document.createElement("a");
      a.href = paths.content(it.id);
      a.download = it.name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
  };

  const title = shared ? t("drive.sharedWithMe") : space ? spaceName(t, space) : t("nav.drive");
  const path = crumbs.data?.items ?? [];
  return (
    <section className="page page-wide drive" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("nav.drive")}</h1>
        <DriveSearch />
      </div>
      <div className={`drive-layout${preview ? " has-preview" : ""}`}>
        <div className="drive-side">
          <Spaces current={space?.id ?? here.data?.space_id} shared={!!shared} spaces={all} />
          {space && !shared && <Quota space={space} />}
        </div>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: drop zone; the upload buttons are the keyboard way */}
        <div
          className={`drive-main${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            if (!canWrite) return;
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={(e) => {
            if (e.currentTarget === e.target) setDragging(false);
          }}
          onDrop={(e) => void onDrop(e)}
          data-testid="drive-drop"
        >
          <nav className="drive-crumbs" aria-label={t("drive.path")}>
            {shared ? (
              <span>{title}</span>
            ) : (
              <>
                {path.map((p) => (
                  <span key={p.id}>
                    <Link to="/drive" search={{ space: p.space_id, folder: p.id }}>
                      {p.parent_id === "" && space ? spaceName(t, space) : p.name}
                    </Link>
                    <span aria-hidden="true"> / </span>
                  </span>
                ))}
                <span aria-current="page">
                  {here.data && here.data.parent_id !== "" ? here.data.name : title}
                </span>
              </>
            )}
          </nav>
          <div className="drive-toolbar" role="toolbar" aria-label={t("drive.actions")}>
            {canWrite && (
              <>
                <button type="button" className="btn btn-small" onClick={() => setDialog({ kind: "mkdir" })}>
                  {t("drive.newFolder")}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  onClick={() => fileInput.current?.click()}
                >
                  {t("drive.uploadFiles")}
                </button>
                <button type="button" className="btn btn-small" onClick={() => dirInput.current?.click()}>
                  {t("drive.uploadFolder")}
                </button>
                <input
                  ref={fileInput}
                  type="file"
                  multiple
                  hidden
                  data-testid="drive-file-input"
                  onChange={(e) => {
                    if (e.target.files) enqueue(fromInput(e.target.files));
                    e.target.value = "";
                  }}
                />
                <input
                  ref={dirInput}
                  type="file"
                  multiple
                  hidden
                  data-testid="drive-folder-input"
                  {...{ webkitdirectory: "" }}
                  onChange={(e) => {
                    if (e.target.files) enqueue(fromInput(e.target.files));
                    e.target.value = "";
                  }}
                />
              </>
            )}
            <label className="drive-sort">
              <span className="sr-only">{t("drive.sortBy")}</span>
              <select
                value={sort}
                onChange={(e) => setSort(e.target.value as SortKey)}
                aria-label={t("drive.sortBy")}
              >
                <option value="name">{t("drive.sortName")}</option>
                <option value="modified">{t("drive.sortModified")}</option>
                <option value="size">{t("drive.sortSize")}</option>
              </select>
            </label>
            <button
              type="button"
              className="btn btn-small"
              aria-label={desc ? t("drive.descending") : t("drive.ascending")}
              title={desc ? t("drive.descending") : t("drive.ascending")}
              onClick={() => setDesc(!desc)}
            >
              {desc ? "↓" : "↑"}
            </button>
            <button
              type="button"
              className="btn btn-small"
              aria-pressed={view === "grid"}
              onClick={() => setView(view === "grid" ? "list" : "grid")}
            >
              {view === "grid" ? t("drive.listView") : t("drive.gridView")}
            </button>
          </div>
          {chosen.length > 0 && (
            <div className="drive-selbar" role="toolbar" aria-label={t("drive.selection")}>
              <span className="small">{t("drive.selected", { count: chosen.length })}</span>
              <button type="button" className="btn btn-small" onClick={() => download(chosen)}>
                {t("drive.download")}
              </button>
              {one && one.my_role !== "viewer" && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setDialog({ kind: "rename", item: one })}
                >
                  {t("drive.rename")}
                </button>
              )}
              {!shared && chosen.every((x) => x.my_role !== "viewer") && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setDialog({ kind: "move", items: chosen })}
                >
                  {t("drive.move")}
                </button>
              )}
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setDialog({ kind: "copy", items: chosen })}
              >
                {t("drive.copy")}
              </button>
              {one && one.my_role !== "viewer" && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setDialog({ kind: "share", item: one })}
                >
                  {t("drive.share")}
                </button>
              )}
              {one && one.my_role !== "viewer" && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setDialog({ kind: "send", item: one })}
                >
                  {t("drive.sendToChat")}
                </button>
              )}
              {!shared && chosen.every((x) => x.my_role !== "viewer") && (
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => setDialog({ kind: "trash", items: chosen })}
                >
                  {t("drive.toTrash")}
                </button>
              )}
            </div>
          )}
          {error && !dialog ? (
            <div className="alert" role="alert">
              {errorText(t, error)}
            </div>
          ) : null}
          {list.error ? (
            <div className="alert" role="alert">
              {errorText(t, list.error)}
            </div>
          ) : null}
          {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move among the items' name buttons */}
          <div
            ref={gridRef}
            className={`drive-items drive-${view}`}
            onKeyDown={onKey}
            data-testid="drive-items"
          >
            {list.data && items.length === 0 && (
              <p className="muted drive-empty">{canWrite ? t("drive.emptyDrop") : t("drive.empty")}</p>
            )}
            {items.map((it, i) => {
              const sel = selected.includes(it.id);
              return (
                // biome-ignore lint/a11y/noStaticElementInteractions: the checkbox and the name button are the keyboard way
                // biome-ignore lint/a11y/useKeyWithClickEvents: the checkbox and the name button are the keyboard way
                <div
                  key={it.id}
                  className={`drive-item${sel ? " selected" : ""}`}
                  data-testid="drive-item"
                  data-name={it.name}
                  data-selected={sel}
                  onClick={(e) => click(e, it, i)}
                  onDoubleClick={() => open(it)}
                >
                  <span className="drive-check">
                    <input
                      type="checkbox"
                      checked={sel}
                      aria-label={t("drive.select", { name: it.name })}
                      tabIndex={-1}
                      onClick={(e) => {
                        e.stopPropagation();
                        toggle(it, i, e.shiftKey);
                      }}
                      onChange={() => undefined}
                    />
                  </span>
                  <span className="drive-name">
                    {view === "grid" && it.kind === "file" ? (
                      <Thumb
                        item={it}
                        size={256}
                        alt=""
                        fallback={
                          <span className="drive-icon" aria-hidden="true">
                            📄
                          </span>
                        }
                      />
                    ) : (
                      <span className="drive-icon" aria-hidden="true">
                        {it.kind === "folder" ? "📁" : "📄"}
                      </span>
                    )}
                    <button
                      type="button"
                      className="btn-link drive-open"
                      tabIndex={i === focus ? 0 : -1}
                      onFocus={() => setFocus(i)}
                      onClick={(e) => {
                        if (e.shiftKey || e.metaKey || e.ctrlKey) return;
                        e.stopPropagation();
                        setFocus(i);
                        open(it);
                      }}
                    >
                      {it.name}
                    </button>
                  </span>
                  <span className="drive-col muted small">
                    {it.kind === "file" ? formatBytes(it.size) : ""}
                  </span>
                  <span className="drive-col muted small">
                    {formatTime(it.updated_at, i18n.language, { dateStyle: "medium" })}
                  </span>
                </div>
              );
            })}
          </div>
          {dragging && <div className="drive-drop-hint">{t("drive.dropHere")}</div>}
          <Uploads state={uploads} />
        </div>
        {preview && <Preview item={preview} onClose={() => setPreviewId("")} />}
      </div>
      <NameDialog
        open={dialog?.kind === "mkdir"}
        title={t("drive.newFolder")}
        initial=""
        confirm={t("drive.create")}
        onSubmit={async (name) => {
          await drive.mkdir(folder ?? "", name);
          await refresh();
        }}
        onClose={() => setDialog(null)}
      />
      <NameDialog
        open={dialog?.kind === "rename"}
        title={t("drive.rename")}
        initial={dialog?.kind === "rename" ? dialog.item.name : ""}
        confirm={t("common.save")}
        onSubmit={async (name) => {
          if (dialog?.kind === "rename") await drive.rename(dialog.item.id, name);
          await refresh();
        }}
        onClose={() => setDialog(null)}
      />
      <FolderPicker
        open={dialog?.kind === "move" || dialog?.kind === "copy"}
        title={dialog?.kind === "move" ? t("drive.moveTo") : t("drive.copyTo")}
        confirm={dialog?.kind === "move" ? t("drive.move") : t("drive.copy")}
        exclude={dialog?.kind === "move" || dialog?.kind === "copy" ? dialog.items.map((x) => x.id) : []}
        onPick={async (to) => {
          if (dialog?.kind !== "move" && dialog?.kind !== "copy") return;
          for (const it of dialog.items) {
            if (dialog.kind === "move") await drive.move(it.id, to);
            else await drive.copy(it.id, to);
          }
          setSelected([]);
          await refresh();
        }}
        onClose={() => setDialog(null)}
      />
      <ConfirmDialog
        open={dialog?.kind === "trash"}
        title={t("drive.toTrash")}
        confirm={t("drive.toTrash")}
        danger
        pending={pending}
        error={error ? errorText(t, error) : undefined}
        onConfirm={() =>
          void act(async () => {
            if (dialog?.kind !== "trash") return;
            for (const it of dialog.items) await drive.trash(it.id);
            setSelected([]);
            setPreviewId("");
          })
        }
        onClose={() => {
          setDialog(null);
          setError(null);
        }}
      >
        {t("drive.trashConfirm", { count: dialog?.kind === "trash" ? dialog.items.length : 0 })}
      </ConfirmDialog>
      <ShareDialog item={dialog?.kind === "share" ? dialog.item : null} onClose={() => setDialog(null)} />
      <SendToChat item={dialog?.kind === "send" ? dialog.item : null} onClose={() => setDialog(null)} />
    </section>
  );
}
