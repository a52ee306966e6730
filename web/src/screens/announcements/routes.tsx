import { getRouteApi } from "@tanstack/react-router";
import { AnnouncementEditor, EditAnnouncement } from "./Editor";
import { AnnouncementList } from "./List";
import { ManageAnnouncements, Publisher } from "./Manage";
import { AnnouncementReceipts } from "./Receipts";
import { AnnouncementView } from "./View";

const one = getRouteApi("/shell/announcements/$id");
const edit = getRouteApi("/shell/announcements/$id/edit");
const receipts = getRouteApi("/shell/announcements/$id/receipts");
const manage = getRouteApi("/shell/announcements/manage");

export function AnnouncementsRoute() {
  return <AnnouncementList />;
}

export function AnnouncementRoute() {
  return <AnnouncementView id={one.useParams().id} />;
}

export function ManageRoute() {
  return (
    <Publisher>
      <ManageAnnouncements status={manage.useSearch().status ?? "published"} />
    </Publisher>
  );
}

export function NewRoute() {
  return (
    <Publisher>
      <AnnouncementEditor />
    </Publisher>
  );
}

export function EditRoute() {
  return (
    <Publisher>
      <EditAnnouncement id={edit.useParams().id} />
    </Publisher>
  );
}

export function ReceiptsRoute() {
  return (
    <Publisher>
      <AnnouncementReceipts id={receipts.useParams().id} />
    </Publisher>
  );
}
