// The page a drive link opens, with or without a session: the item (a
// folder's contents), a password prompt when the link has one, and the
// download when the link allows it.
import { useQuery } from "@tanstack/react-query";
import { type MouseEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorCode } from "../../api/client";
import { Alert, AuthLayout, Field, formatTime } from "../../components/ui";
import { FileViewer, type ViewedFile, viewable } from "../../components/viewer/FileViewer";
import { errorText } from "../../lib/errors";
import { drive, formatBytes, grantFresh, type Item, paths } from "./api";
import { Thumb } from "./Thumb";

export function PublicLink({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [password, setPassword] = useState("");
  const [given, setGiven] = useState("");
  const [folder, setFolder] = useState<{ id: string; name: string }[]>([]);
  const [viewing, setViewing] = useState<ViewedFile | null>(null);
  const info = useQuery({
    queryKey: ["drive-link", token, given],
    queryFn: () => drive.openLink(token, given),
    retry: false,
  });
  const isFolder = info.data?.item.kind === "folder";
  const here = folder.length ? folder[folder.length - 1].id : "";
  const list = useQuery({
    queryKey: ["drive-link", token, given, "children", here],
    queryFn: () => drive.linkChildren(token, here, given),
    enabled: !!isFolder,
    retry: false,
  });
  const canDownload = info.data && info.data.permission !== "view";
  const contentURL = (it: Item) => paths.publicContent(token, it.id);
  // A password travels in a header, which a plain link cannot send: once
  // it is right, the server grants this link a short-lived cookie, so
  // downloads and previews are plain requests (streamed, with ranges).
  // The grant is renewed while the page is open.
  const grant = useQuery({
    queryKey: ["drive-link-grant", token, given],
    queryFn: () => drive.grantLink(token, given),
    enabled: !!given && !!info.data,
    retry: false,
    staleTime: 10 * 60_000,
    refetchInterval: 10 * 60_000,
  });
  const ensureGrant = async () => {
    if (!given || grantFresh(grant.data)) return;
    const r = await grant.refetch();
    if (r.error) throw r.error;
  };
  const view = async (it: Item) => {
    await ensureGrant();
    setViewing({ url: contentURL(it), name: it.name, contentType: it.content_type ?? "" });
  };
  const download = async (e: MouseEvent, it: Item) => {
    if (!given || grantFresh(grant.data)) return; // the anchor downloads as it is
    e.preventDefault();
    await ensureGrant();
    const a = document.createElement("a");
    a.href = contentURL(it);
    a.download = it.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  const code = errorCode(info.error);
  const needPassword = code === "link_password_required" || code === "link_password_invalid";
  if (info.isPending) return <AuthLayout title={t("drive.publicTitle")}>…</AuthLayout>;
  if (needPassword)
    return (
      <AuthLayout title={t("drive.publicTitle")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setGiven(password);
          }}
        >
          <p>{t("drive.passwordNeeded")}</p>
          <Field
            label={t("drive.linkPassword")}
            type="password"
            value={password}
            autoFocus
            onChange={(e) => setPassword(e.target.value)}
          />
          {code === "link_password_invalid" ? <Alert>{t("drive.wrongPassword")}</Alert> : null}
          <button type="submit" className="btn btn-primary btn-block">
            {t("drive.openLink")}
          </button>
        </form>
      </AuthLayout>
    );
  if (info.error)
    return (
      <AuthLayout title={t("drive.publicTitle")}>
        <Alert>{errorText(t, info.error)}</Alert>
      </AuthLayout>
    );
  const item = info.data?.item;
  if (!item) return null;
  const row = (it: Item) => (
    <li key={it.id} className="row-between" data-testid="drive-public-item">
      {it.kind === "folder" ? (
        <button
          type="button"
          className="btn-link"
          onClick={() => setFolder([...folder, { id: it.id, name: it.name }])}
        >
          📁 {it.name}
        </button>
      ) : (
        <span className="drive-public-file">
          {/* A password travels in a header, which an <img> cannot send:
              with a password, thumbnails wait for the link's grant. */}
          {given && !grantFresh(grant.data) ? (
            "📄"
          ) : (
            <Thumb
              item={it}
              size={256}
              alt=""
              className="drive-public-thumb"
              url={paths.publicThumbnail(token, it.id, 256)}
              fallback="📄"
            />
          )}{" "}
          {it.name} <span className="muted small">· {formatBytes(it.size)}</span>
        </span>
      )}
      {it.kind === "file" && canDownload && (
        <span className="drive-version-actions">
          {viewable(it.content_type) && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void view(it).catch(() => undefined)}
            >
              {t("viewer.preview")}
            </button>
          )}
          <a
            className="btn btn-small"
            data-testid="drive-public-download"
            data-granted={given ? String(grantFresh(grant.data)) : undefined}
            href={contentURL(it)}
            download={it.name}
            onClick={(e) => void download(e, it).catch(() => undefined)}
          >
            {t("drive.download")}
          </a>
        </span>
      )}
    </li>
  );
  return (
    <AuthLayout title={item.name}>
      <p className="muted small">
        {t(`enums.drive_link.${info.data?.permission}`)}
        {info.data?.expires_at
          ? ` · ${t("drive.expires", { date: formatTime(info.data.expires_at, i18n.language, { dateStyle: "medium" }) })}`
          : ""}
      </p>
      {grant.error ? <Alert>{errorText(t, grant.error)}</Alert> : null}
      {isFolder ? (
        <>
          <nav className="drive-crumbs" aria-label={t("drive.path")}>
            <button type="button" className="btn-link" onClick={() => setFolder([])}>
              {item.name}
            </button>
            {folder.map((f, i) => (
              <span key={f.id}>
                {" / "}
                <button type="button" className="btn-link" onClick={() => setFolder(folder.slice(0, i + 1))}>
                  {f.name}
                </button>
              </span>
            ))}
          </nav>
          {list.error ? <Alert>{errorText(t, list.error)}</Alert> : null}
          <ul className="list">{(list.data?.items ?? []).map(row)}</ul>
        </>
      ) : (
        <ul className="list">{row(item)}</ul>
      )}
      <FileViewer file={viewing} onClose={() => setViewing(null)} />
    </AuthLayout>
  );
}
