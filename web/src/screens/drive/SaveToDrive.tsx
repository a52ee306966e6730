// "Save to drive" on a chat attachment: pick a space and a folder; the
// server files the attachment there.
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { drive } from "./api";
import { FolderPicker } from "./Dialogs";
import { driveKey } from "./data";

export default function SaveToDrive({
  fileId,
  name,
  onSaved,
  onClose,
}: {
  fileId: string;
  name: string;
  onSaved: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return (
    <FolderPicker
      open
      title={t("drive.saveTitle", { name })}
      confirm={t("drive.saveHere")}
      onPick={async (folder) => {
        await drive.fromFile(fileId, folder, name);
        await qc.invalidateQueries({ queryKey: driveKey });
        onSaved();
      }}
      onClose={onClose}
    />
  );
}
