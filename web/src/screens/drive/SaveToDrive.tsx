// "Save to drive" on a chat attachment: pick a space and a folder; the
// server files the attachment there without copying its bytes.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { drive } from "./api";
import { FolderPicker } from "./Dialogs";
import { driveKey } from "./data";

export default function SaveToDrive({
  fileId,
  name,
  onClose,
}: {
  fileId: string;
  name: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [saved, setSaved] = useState(false);
  return (
    <>
      <FolderPicker
        open={!saved}
        title={t("drive.saveTitle", { name })}
        confirm={t("drive.saveHere")}
        onPick={async (folder) => {
          await drive.fromFile(fileId, folder, name);
          await qc.invalidateQueries({ queryKey: driveKey });
          setSaved(true);
          setTimeout(onClose, 2500);
        }}
        onClose={() => {
          if (!saved) onClose();
        }}
      />
      {saved && (
        <span className="small" data-testid="drive-saved">
          <Alert kind="ok">{t("drive.savedToDrive")}</Alert>
        </span>
      )}
    </>
  );
}
