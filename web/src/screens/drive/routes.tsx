import { getRouteApi } from "@tanstack/react-router";
import { DriveBrowser } from "./Browser";
import { PublicLink } from "./PublicLink";
import { DriveTrash } from "./Trash";

const main = getRouteApi("/shell/drive");
const trash = getRouteApi("/shell/drive/trash");
const link = getRouteApi("/s/$token");

export function DriveRoute() {
  const s = main.useSearch();
  return <DriveBrowser spaceId={s.space} folderId={s.folder} shared={!!s.shared} />;
}

export function TrashRoute() {
  return <DriveTrash spaceId={trash.useSearch().space} />;
}

export function LinkRoute() {
  return <PublicLink token={link.useParams().token} />;
}
