// "Notifications on this device": web push for a closed app. Turning it on
// asks for the notification permission in context (after saying why),
// subscribes with the server's VAPID key and registers the device; every
// device of the person is listed and can be revoked.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorCode } from "../../api/client";
import { PermissionAsk, usePermission } from "../../components/Permission";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { needsHomeScreen } from "../../lib/permissions";
import {
  forgetThisDevice,
  listDevices,
  pushSupported,
  revokeDevice,
  subscribed,
  thisDevice,
  turnOff,
  turnOn,
} from "../../lib/push";

const devicesKey = ["me", "push-subscriptions"] as const;

/** standalone says whether the app runs installed (home screen, app window). */
function standalone(): boolean {
  return (
    (typeof window.matchMedia === "function" && window.matchMedia("(display-mode: standalone)").matches) ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true
  );
}

export function PushDevices() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const perm = usePermission("notifications");
  const [on, setOn] = useState<boolean | null>(null);
  const devices = useQuery({ queryKey: devicesKey, queryFn: listDevices, retry: false });
  useEffect(() => {
    void subscribed().then(setOn, () => setOn(false));
  }, []);
  const refused = (s: string) => s !== "granted";
  const enable = useMutation({
    mutationFn: async () => {
      const s = await perm.request();
      if (refused(s)) return null;
      return turnOn();
    },
    onSuccess: (d) => {
      if (d) setOn(true);
      void qc.invalidateQueries({ queryKey: devicesKey });
    },
  });
  const disable = useMutation({
    mutationFn: turnOff,
    onSuccess: () => {
      setOn(false);
      void qc.invalidateQueries({ queryKey: devicesKey });
    },
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => {
      await revokeDevice(id);
      if (id === thisDevice()) {
        await forgetThisDevice();
        setOn(false);
      }
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: devicesKey }),
  });
  // A server without push answers the routes with 404 no_route.
  const unavailable = errorCode(devices.error) === "no_route" || errorCode(enable.error) === "push_disabled";
  const ua = typeof navigator !== "undefined" ? navigator.userAgent : "";
  const items = devices.data?.items ?? [];

  let control: ReactNode;
  if (unavailable) control = <p className="muted small">{t("push.unavailable")}</p>;
  else if (needsHomeScreen(ua, standalone())) control = <p className="small">{t("push.iosHomeScreen")}</p>;
  else if (!pushSupported()) control = <p className="muted small">{t("push.unsupported")}</p>;
  else if (on)
    control = (
      <div className="row">
        <span className="badge badge-ok" data-testid="push-on">
          {t("push.on")}
        </span>
        <button type="button" className="btn" disabled={disable.isPending} onClick={() => disable.mutate()}>
          {t("push.turnOff")}
        </button>
      </div>
    );
  else
    control = (
      <PermissionAsk
        kind="notifications"
        state={perm.state}
        why={t("push.why")}
        action={t("push.turnOn")}
        busy={enable.isPending}
        onAllow={() => enable.mutate()}
      />
    );

  return (
    <section className="card" aria-labelledby="push-title">
      <h2 id="push-title">{t("push.title")}</h2>
      <p className="muted">{t("push.body")}</p>
      {control}
      {enable.error && !unavailable && <Alert>{errorText(t, enable.error)}</Alert>}
      {disable.error && <Alert>{errorText(t, disable.error)}</Alert>}
      {revoke.error && <Alert>{errorText(t, revoke.error)}</Alert>}
      {devices.error && !unavailable && <Alert>{errorText(t, devices.error)}</Alert>}
      {items.length > 0 && (
        <>
          <h3>{t("push.devices")}</h3>
          <ul className="push-devices" aria-label={t("push.devices")} data-testid="push-devices">
            {items.map((d) => (
              <li key={d.id}>
                <div className="grow">
                  <strong>{d.device_name || d.endpoint_host}</strong>{" "}
                  {d.id === thisDevice() && <span className="badge">{t("settings.thisDevice")}</span>}
                  <div className="muted small">
                    {d.endpoint_host} ·{" "}
                    {t("push.added", { time: formatTime(Date.parse(d.created_at), i18n.language) })}
                    {d.last_used_at &&
                      ` · ${t("push.lastUsed", { time: formatTime(Date.parse(d.last_used_at), i18n.language) })}`}
                  </div>
                </div>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate(d.id)}
                  aria-label={t("settings.revokeNamed", { name: d.device_name || d.endpoint_host })}
                >
                  {t("settings.revoke")}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
