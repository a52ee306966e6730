// The one way the app asks for a permission (lib/permissions.ts): say why
// first, ask on the person's tap, and after a refusal tell how to turn it
// back on in this browser's settings.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  browserFamily,
  type PermissionKind,
  type PermissionState,
  permissionState,
  requestPermission,
} from "../lib/permissions";

/** usePermission follows a permission's state and asks for it on request. */
export function usePermission(kind: PermissionKind) {
  const [state, setState] = useState<PermissionState | null>(null);
  const refresh = useCallback(() => {
    void permissionState(kind).then(setState);
  }, [kind]);
  useEffect(() => {
    refresh();
    // The person may change it in the browser's settings meanwhile.
    let status: PermissionStatus | undefined;
    if (kind !== "notifications" && typeof navigator !== "undefined" && navigator.permissions) {
      navigator.permissions
        .query({ name: kind as PermissionName })
        .then((s) => {
          status = s;
          s.onchange = refresh;
        })
        .catch(() => undefined);
    }
    return () => {
      if (status) status.onchange = null;
    };
  }, [kind, refresh]);
  const request = useCallback(async () => {
    const s = await requestPermission(kind);
    setState(s);
    return s;
  }, [kind]);
  return { state, request, refresh };
}

/** PermissionHelp tells how to allow a refused permission again in this browser. */
export function PermissionHelp({ kind }: { kind: PermissionKind }) {
  const { t } = useTranslation();
  const family = browserFamily(typeof navigator !== "undefined" ? navigator.userAgent : "");
  const what = t(`permission.what.${kind}`);
  return (
    <div className="permission-help" data-testid="permission-help">
      <p className="small">{t("permission.blocked", { what })}</p>
      <ol className="small">
        <li>{t(`permission.steps.${family}`, { what })}</li>
        <li>{t("permission.stepsThen")}</li>
      </ol>
    </div>
  );
}

/**
 * PermissionAsk explains why a permission is needed and asks on the tap of
 * its button (onAllow does the asking, e.g. subscribing to push); refused,
 * it shows how to allow it again; unsupported, it says so.
 */
export function PermissionAsk({
  kind,
  state,
  why,
  action,
  busy,
  onAllow,
}: {
  kind: PermissionKind;
  state: PermissionState | null;
  why: string;
  action: string;
  busy?: boolean;
  onAllow: () => void;
}) {
  const { t } = useTranslation();
  if (state === null) return null;
  if (state === "unsupported") {
    return (
      <p className="muted small">{t("permission.unsupported", { what: t(`permission.what.${kind}`) })}</p>
    );
  }
  if (state === "denied") return <PermissionHelp kind={kind} />;
  return (
    <div className="permission-ask">
      <p className="small">{why}</p>
      <button type="button" className="btn btn-primary" disabled={busy} onClick={onAllow}>
        {action}
      </button>
    </div>
  );
}
