// The app's one real-time connection, shared by every screen: it keeps the
// query cache current from stream events, tracks typing and presence, and
// raises desktop notifications for new messages when allowed.
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "@tanstack/react-router";
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { useTranslation } from "react-i18next";
import { commentsKey } from "../screens/announcements/data";
import { applyEvent, type Message } from "../screens/chat/data";
import { refreshGateState, useGate } from "./gate";
import { quietNow } from "./notifySettings";
import { personQuery } from "./people";
import { useMe } from "./session";
import { Stream, type StreamStatus } from "./stream";

type Typing = Map<string, Map<string, number>>; // conversation → account → until (ms)

class Ephemeral {
  typing: Typing = new Map();
  presence = new Map<string, "online" | "away" | "offline">();
  private subs = new Set<() => void>();
  version = 0;
  subscribe = (f: () => void) => {
    this.subs.add(f);
    return () => this.subs.delete(f);
  };
  changed() {
    this.version++;
    for (const f of this.subs) f();
  }
}

type Realtime = { stream: Stream; status: StreamStatus; eph: Ephemeral; setOpen: (id: string) => void };
const Ctx = createContext<Realtime | null>(null);

// Events that change what the inbox banner shows (components/Inbox.tsx).
const INBOX_EVENTS = new Set(["me.invitations_changed", "security_notice.created", "policy.published"]);

// Events that change the announcements (screens/announcements).
const ANNOUNCEMENT_EVENTS = new Set([
  "announcement.published",
  "announcement.updated",
  "announcement.withdrawn",
  "announcement.reminder",
]);

// Events that change the reports (screens/reports).
const REPORT_EVENTS = new Set([
  "report.submitted",
  "report.updated",
  "report.read",
  "report.commented",
  "report.mentioned",
  "report.reminder",
]);

// Events that change the calendar (screens/calendar).
const CALENDAR_EVENTS = new Set([
  "calendar.invited",
  "calendar.updated",
  "calendar.cancelled",
  "calendar.rsvp",
]);

// Events that change the approvals (screens/approvals).
const APPROVAL_EVENTS = new Set([
  "approval.updated",
  "approval.todo",
  "approval.decided",
  "approval.cc",
  "approval.urged",
  "approval.mentioned",
]);

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const router = useRouter();
  const { t } = useTranslation();
  const me = useMe().data;
  // Behind the gate (policies to accept, a guardian's consent to wait
  // for) the server refuses the stream with 403, which the browser reports
  // as a console error: connect only once the gate is known to be open.
  const gate = useGate(!!me);
  const gated = gate.state !== "open";
  const myId = me?.id;
  const open = useRef("");
  const eph = useMemo(() => new Ephemeral(), []);
  const [status, setStatus] = useState<StreamStatus>("offline");
  const stream = useMemo(
    () =>
      new Stream({
        // A connection refused before it opened may be the gate closing
        // (a birth date just set, a policy just published): look again.
        onRefused: () => refreshGateState(qc),
        onResync: () => void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" }),
        onSignedOut: () => {
          qc.setQueryData(["me"], null);
          // Signing out here already took the person to a sign-in page.
          if (!router.state.location.pathname.startsWith("/login")) {
            void router.navigate({ to: "/login", search: { notice: "signed_out" } });
          }
        },
      }),
    [qc, router],
  );

  useEffect(() => {
    if (!myId || gated) return;
    const offStatus = stream.onStatus(setStatus);
    const off = stream.on((f) => {
      if (f.type === "event") {
        if (INBOX_EVENTS.has(f.event)) void qc.invalidateQueries({ queryKey: ["inbox"] });
        // Announcement events carry only ids: fetch again what may be seen.
        if (ANNOUNCEMENT_EVENTS.has(f.event)) void qc.invalidateQueries({ queryKey: ["announcements"] });
        // Someone commented on my announcement: fetch its comments again.
        if (f.event === "announcement.commented" && typeof f.data.id === "string") {
          void qc.invalidateQueries({ queryKey: commentsKey(f.data.id) });
        }
        if (REPORT_EVENTS.has(f.event)) void qc.invalidateQueries({ queryKey: ["reports"] });
        if (APPROVAL_EVENTS.has(f.event)) void qc.invalidateQueries({ queryKey: ["approvals"] });
        if (CALENDAR_EVENTS.has(f.event)) void qc.invalidateQueries({ queryKey: ["calendar"] });
        const m = applyEvent(qc, f, myId, open.current);
        if (m) notify(m);
      } else if (f.type === "typing") {
        let c = eph.typing.get(f.conversation_id);
        if (!c) {
          c = new Map();
          eph.typing.set(f.conversation_id, c);
        }
        c.set(f.account_id, Date.now() + 5000);
        eph.changed();
        setTimeout(() => eph.changed(), 5100);
      } else if (f.type === "presence") {
        eph.presence.set(f.account_id, f.status);
        eph.changed();
      }
    });
    const notify = async (m: Message) => {
      if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
      if (!document.hidden && open.current === m.conversation_id) return;
      const conv = qc
        .getQueryData<{ items: { id: string; muted: boolean }[] }>(["conversations"])
        ?.items.find((c) => c.id === m.conversation_id);
      if (conv?.muted) return;
      if (await quietNow(qc)) return; // Do Not Disturb or quiet hours
      const who = await qc.fetchQuery(personQuery(m.sender_id)).catch(() => undefined);
      const n = new Notification(who?.name || t("app.name"), {
        body: m.body
          ? m.body.replace(/@\[([^\]]+)\]\([^)]+\)/g, "@$1").slice(0, 140)
          : t("chat.newAttachment"),
        tag: m.conversation_id,
      });
      n.onclick = () => {
        window.focus();
        void router.navigate({ to: "/chat/$id", params: { id: m.conversation_id } });
      };
    };
    const away = () => stream.setAway(document.hidden);
    document.addEventListener("visibilitychange", away);
    stream.start();
    return () => {
      document.removeEventListener("visibilitychange", away);
      off();
      offStatus();
      stream.stop();
    };
  }, [myId, gated, stream, qc, eph, router, t]);

  const value = useMemo(
    () => ({
      stream,
      status,
      eph,
      setOpen: (id: string) => {
        open.current = id;
      },
    }),
    [stream, status, eph],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** useStream returns the tab's stream, or null outside the real-time provider. */
export function useStream(): Stream | null {
  return useContext(Ctx)?.stream ?? null;
}

export function useRealtime(): Realtime {
  const r = useContext(Ctx);
  if (!r) throw new Error("useRealtime outside RealtimeProvider");
  return r;
}

/** useTyping lists who is typing in a conversation now. */
export function useTyping(conversationId: string, me: string): string[] {
  const { eph } = useRealtime();
  useSyncExternalStore(eph.subscribe, () => eph.version);
  const now = Date.now();
  const c = eph.typing.get(conversationId);
  if (!c) return [];
  return [...c.entries()].filter(([id, until]) => id !== me && until > now).map(([id]) => id);
}

/** usePresence is an account's presence as last told by the stream. */
export function usePresence(accountId: string | undefined): "online" | "away" | "offline" | undefined {
  const { eph } = useRealtime();
  useSyncExternalStore(eph.subscribe, () => eph.version);
  return accountId ? eph.presence.get(accountId) : undefined;
}
