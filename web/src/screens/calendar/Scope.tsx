import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../../components/ui";
import type { Scope } from "./data";

/**
 * ScopeDialog asks which occurrences of a recurring event a change or a
 * deletion applies to: this one, this and the following, or all.
 */
export function ScopeDialog({
  open,
  title,
  onPick,
  onClose,
}: {
  open: boolean;
  title: string;
  onPick: (s: Scope) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [scope, setScope] = useState<Scope>("this");
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <fieldset className="checks">
        <legend className="sr-only">{title}</legend>
        {(["this", "following", "all"] as const).map((s) => (
          <label key={s} className="checkbox">
            <input type="radio" name="scope" checked={scope === s} onChange={() => setScope(s)} />
            {t(`calendar.scope.${s}`)}
          </label>
        ))}
      </fieldset>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => onPick(scope)}>
          {t("calendar.scope.apply")}
        </button>
      </div>
    </Dialog>
  );
}
