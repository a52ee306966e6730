import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorCode, must, withQuery } from "../../api/client";
import { StatusBadge } from "../../components/StatusBadge";
import { Alert, Avatar, ConfirmDialog, Dialog, Field, formatTime } from "../../components/ui";
import { FileViewer, type ViewedFile, viewable } from "../../components/viewer/FileViewer";
import { onMenuKeys, useDismiss } from "../../lib/dismiss";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { type PersonName, personName, usePeople } from "../../lib/people";
import { usePresence } from "../../lib/realtime";
import { plainText } from "../../lib/text";
import {
  type Conversation,
  conversationsKey,
  type Member,
  membersKey,
  messagesKey,
  notificationsKey,
  pinsKey,
  sortMembers,
} from "./data";
import { type ChatKind, kindHint, kindLabel, type Picked, PickList, usePickCandidates } from "./PickPeople";
import { formatSize } from "./upload";

/** MEMBER_PAGE is how many members the panel lists before "Show more". */
const MEMBER_PAGE = 100;

/** useSetMine mutes, pins or marks unread a conversation for the caller. */
export function useSetMine(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { muted?: boolean; pinned?: boolean; unread?: boolean }) =>
      must(api.PATCH("/api/v1/conversations/{id}/me", { params: { path: { id } }, body })),
    onSuccess: (c) => {
      qc.setQueryData(["conversation", id], c);
      void qc.invalidateQueries({ queryKey: conversationsKey });
    },
  });
}

type Confirm =
  | { kind: "leave" | "dissolve" | "clear" }
  | { kind: "remove" | "transfer"; account: string; name: string };

/**
 * ConversationDetails is the panel beside a conversation: the group's name,
 * topic and announcement (editable by its owner and admins), its members
 * with their roles (add, remove, make admin, hand on the ownership), the
 * pinned messages, my own settings (mute, pin, clear my history), and
 * leaving or dissolving the group.
 */
export function ConversationDetails({
  open,
  conv,
  members,
  people,
  myId,
  name,
  onJump,
  onClose,
}: {
  open: boolean;
  conv: Conversation;
  members: Member[];
  people: Map<string, PersonName>;
  myId: string;
  name: string;
  onJump: (messageId: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const id = conv.id;
  const group = conv.kind !== "direct";
  const live = group && !conv.dissolved;
  const owner = conv.role === "owner";
  const admin = owner || conv.role === "admin";
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [adding, setAdding] = useState(false);
  const [filter, setFilter] = useState("");
  const [shown, setShown] = useState(MEMBER_PAGE);
  const [menuFor, setMenuFor] = useState("");
  const setMine = useSetMine(id);
  const org = useCurrentOrg();
  // Colleagues come from the directory of the organization the session is
  // in, so an organization's group gains colleagues only from inside it.
  const sameOrg = !conv.org_id || conv.org_id === org?.org_id;
  // Escape closes an open member menu first, then (pressed again) the panel.
  const menuRef = useDismiss(!!menuFor, () => setMenuFor(""));

  // One item of a member's menu: choosing it closes the menu, then acts.
  const menuItem = (label: string, run: () => void, danger?: boolean) => (
    <button
      type="button"
      role="menuitem"
      className={danger ? "danger-text" : undefined}
      onClick={() => {
        setMenuFor("");
        run();
      }}
    >
      {label}
    </button>
  );

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["conversation", id] });
    void qc.invalidateQueries({ queryKey: membersKey(id) });
    void qc.invalidateQueries({ queryKey: conversationsKey });
  };
  const path = { params: { path: { id } } };
  const act = useMutation({
    mutationFn: async (c: Confirm) => {
      switch (c.kind) {
        case "leave":
          return must(api.POST("/api/v1/conversations/{id}/leave", path));
        case "dissolve":
          return must(api.DELETE("/api/v1/conversations/{id}", path));
        case "clear":
          return must(
            api.POST("/api/v1/me/erasures/conversation", {
              body: { conversation_id: id, for_everyone: false },
            }),
          );
        case "remove":
          return must(
            api.DELETE("/api/v1/conversations/{id}/members/{account_id}", {
              params: { path: { id, account_id: c.account } },
            }),
          );
        case "transfer":
          return must(
            api.POST("/api/v1/conversations/{id}/transfer", { ...path, body: { account_id: c.account } }),
          );
      }
    },
    onSuccess: async (_, c) => {
      setConfirm(null);
      if (c.kind === "leave") {
        qc.setQueryData<{ items: Conversation[] }>(conversationsKey, (l) =>
          l ? { ...l, items: l.items.filter((x) => x.id !== id) } : l,
        );
        void qc.invalidateQueries({ queryKey: notificationsKey });
        onClose();
        await navigate({ to: "/chat" });
        return;
      }
      if (c.kind === "clear") {
        await qc.invalidateQueries({ queryKey: messagesKey(id) });
        void qc.invalidateQueries({ queryKey: pinsKey(id) });
      }
      refresh();
    },
  });
  const setRole = useMutation({
    mutationFn: (x: { account: string; role: "admin" | "member" }) =>
      must(
        api.PUT("/api/v1/conversations/{id}/members/{account_id}/role", {
          params: { path: { id, account_id: x.account } },
          body: { role: x.role },
        }),
      ),
    onSuccess: refresh,
  });

  const nameOf = (a: string) => personName(t, people.get(a));
  const sorted = sortMembers(members);
  const q = filter.trim().toLowerCase();
  const matching = q ? sorted.filter((m) => nameOf(m.account_id).toLowerCase().includes(q)) : sorted;

  const confirmText: Record<Confirm["kind"], { title: string; body: ReactNode; button: string }> = {
    leave: {
      title: t("chat.details.leaveTitle", { name }),
      body: (
        <>
          <p>{t("chat.details.leaveBody")}</p>
          {owner && live && <p>{t("chat.details.leaveOwner")}</p>}
        </>
      ),
      button: t("chat.details.leave"),
    },
    dissolve: {
      title: t("chat.details.dissolveTitle", { name }),
      body: <p>{t("chat.details.dissolveBody")}</p>,
      button: t("chat.details.dissolve"),
    },
    clear: {
      title: t("chat.details.clearTitle"),
      body: <p>{t("chat.details.clearBody")}</p>,
      button: t("chat.details.clear"),
    },
    remove: {
      title: t("chat.details.removeTitle", { name: confirm && "name" in confirm ? confirm.name : "" }),
      body: <p>{t("chat.details.removeBody")}</p>,
      button: t("chat.details.remove"),
    },
    transfer: {
      title: t("chat.details.transferTitle", { name: confirm && "name" in confirm ? confirm.name : "" }),
      body: <p>{t("chat.details.transferBody")}</p>,
      button: t("chat.details.transfer"),
    },
  };
  const c = confirm ? confirmText[confirm.kind] : undefined;

  return (
    <Dialog
      open={open}
      title={group ? t("chat.details.groupTitle") : t("chat.details.chatTitle")}
      onClose={onClose}
      side
    >
      <div className="details" data-testid="conversation-details">
        <p className="muted small details-kind">
          {kindLabel(t, conv.kind as ChatKind)}
          {group && ` · ${t("chat.members", { count: members.length })}`}
          {conv.dissolved && ` · ${t("chat.details.dissolvedBadge")}`}
        </p>

        {group && <GroupSettings conv={conv} editable={live && admin} onSaved={refresh} />}

        <section className="details-section" aria-labelledby="details-mine">
          <h3 id="details-mine">{t("chat.details.forMe")}</h3>
          <label className="switch-row">
            <input
              type="checkbox"
              checked={conv.muted}
              onChange={(e) => setMine.mutate({ muted: e.target.checked })}
            />
            <span>
              {t("chat.details.mute")}
              {group && <span className="field-hint block">{t("chat.details.muteHint")}</span>}
            </span>
          </label>
          <label className="switch-row">
            <input
              type="checkbox"
              checked={conv.pinned}
              onChange={(e) => setMine.mutate({ pinned: e.target.checked })}
            />
            <span>{t("chat.pinConversation")}</span>
          </label>
          {setMine.error && <Alert>{errorText(t, setMine.error)}</Alert>}
          <div className="row">
            <button
              type="button"
              className="btn btn-small"
              onClick={() =>
                // Marked unread, the conversation is left: opening it again reads it.
                setMine.mutate({ unread: true }, { onSuccess: () => void navigate({ to: "/chat" }) })
              }
            >
              {t("chat.markUnread")}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirm({ kind: "clear" })}>
              {t("chat.details.clear")}
            </button>
          </div>
        </section>

        {group && (
          <section className="details-section" aria-labelledby="details-members">
            <div className="details-head">
              <h3 id="details-members">{t("chat.details.membersTitle", { count: members.length })}</h3>
              {live && admin && sameOrg && (
                <button type="button" className="btn btn-small btn-primary" onClick={() => setAdding(true)}>
                  {t("chat.details.addPeople")}
                </button>
              )}
            </div>
            {live && admin && !sameOrg && <p className="field-hint">{t("chat.details.addFromOrg")}</p>}
            {members.length > 8 && (
              <Field
                label={t("chat.details.findMember")}
                type="search"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                autoComplete="off"
              />
            )}
            {(setRole.error || (act.error && !confirm)) && (
              <Alert>{errorText(t, setRole.error ?? act.error)}</Alert>
            )}
            <ul className="member-list" aria-labelledby="details-members">
              {matching.slice(0, shown).map((m) => {
                const mayRemove =
                  live &&
                  m.account_id !== myId &&
                  m.role !== "owner" &&
                  (owner || (admin && m.role === "member"));
                const mayRole = live && owner && m.role !== "owner";
                const n = nameOf(m.account_id);
                return (
                  <MemberRow key={m.account_id} m={m} name={n} me={m.account_id === myId}>
                    {(mayRemove || mayRole) && (
                      <div className="menu-wrap" ref={menuFor === m.account_id ? menuRef : undefined}>
                        <button
                          type="button"
                          className="icon-button"
                          aria-label={t("chat.details.memberActions", { name: n })}
                          aria-expanded={menuFor === m.account_id}
                          onClick={() => setMenuFor(menuFor === m.account_id ? "" : m.account_id)}
                        >
                          ⋯
                        </button>
                        {menuFor === m.account_id && (
                          <div className="menu-pop" role="menu" tabIndex={-1} onKeyDown={onMenuKeys}>
                            {mayRole &&
                              menuItem(
                                m.role === "admin"
                                  ? t("chat.details.unmakeAdmin")
                                  : t("chat.details.makeAdmin"),
                                () =>
                                  setRole.mutate({
                                    account: m.account_id,
                                    role: m.role === "admin" ? "member" : "admin",
                                  }),
                              )}
                            {mayRole &&
                              menuItem(t("chat.details.makeOwner"), () =>
                                setConfirm({ kind: "transfer", account: m.account_id, name: n }),
                              )}
                            {mayRemove &&
                              menuItem(
                                t("chat.details.remove"),
                                () => setConfirm({ kind: "remove", account: m.account_id, name: n }),
                                true,
                              )}
                          </div>
                        )}
                      </div>
                    )}
                  </MemberRow>
                );
              })}
            </ul>
            {matching.length > shown && (
              <button type="button" className="btn btn-small" onClick={() => setShown(shown + MEMBER_PAGE)}>
                {t("chat.details.showMore", { count: matching.length - shown })}
              </button>
            )}
          </section>
        )}

        <Pins conversationId={id} people={people} onJump={onJump} />
        <Files conversationId={id} onJump={onJump} />

        {group && (
          <section className="details-section details-danger" aria-labelledby="details-danger">
            <h3 id="details-danger">
              {live && owner ? t("chat.details.leaveOrDissolve") : t("chat.details.leave")}
            </h3>
            <div className="row-actions">
              <button type="button" className="btn btn-danger" onClick={() => setConfirm({ kind: "leave" })}>
                {t("chat.details.leave")}
              </button>
              {live && owner && (
                <button
                  type="button"
                  className="btn btn-danger"
                  onClick={() => setConfirm({ kind: "dissolve" })}
                >
                  {t("chat.details.dissolve")}
                </button>
              )}
            </div>
          </section>
        )}
      </div>
      <ConfirmDialog
        open={!!confirm}
        title={c?.title ?? ""}
        confirm={c?.button ?? ""}
        danger={confirm?.kind !== "transfer"}
        pending={act.isPending}
        error={
          act.error
            ? confirm?.kind === "transfer" && errorCode(act.error) === "member_not_allowed"
              ? t("chat.details.transferNotAllowed")
              : errorText(t, act.error)
            : undefined
        }
        onConfirm={() => confirm && act.mutate(confirm)}
        onClose={() => {
          setConfirm(null);
          act.reset();
        }}
      >
        {c?.body}
      </ConfirmDialog>
      <AddMembers
        open={adding}
        conversationId={id}
        kind={conv.kind as ChatKind}
        existing={members.map((m) => m.account_id)}
        onClose={() => setAdding(false)}
        onAdded={refresh}
      />
    </Dialog>
  );
}

function MemberRow({
  m,
  name,
  me,
  children,
}: {
  m: Member;
  name: string;
  me: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const presence = usePresence(me ? undefined : m.account_id);
  return (
    <li className="member-row" data-testid="member">
      <span className="avatar-wrap">
        <Avatar name={name} id={m.account_id} small />
        {presence && presence !== "offline" && (
          <span className={`presence-dot ${presence}`} aria-hidden="true" />
        )}
      </span>
      <span className="grow member-name">
        {name}
        {me && <span className="muted small"> ({t("chat.details.you")})</span>}
        <StatusBadge status={m.status} />
      </span>
      {m.role === "owner" && <span className="badge">{t("chat.details.role.owner")}</span>}
      {m.role === "admin" && <span className="badge badge-muted">{t("chat.details.role.admin")}</span>}
      {children}
    </li>
  );
}

/** GroupSettings edits a group's name, topic and announcement, or shows them to plain members. */
function GroupSettings({
  conv,
  editable,
  onSaved,
}: {
  conv: Conversation;
  editable: boolean;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  // Only the fields this admin edits are held here (and sent): the others
  // show, and keep, what the group has now, changed elsewhere or not.
  type Settings = { name?: string; topic?: string; announcement?: string };
  const [draft, setDraft] = useState<Settings>({});
  const name = draft.name ?? conv.name;
  const topic = draft.topic ?? conv.topic;
  const announcement = draft.announcement ?? conv.announcement;
  const save = useMutation({
    mutationFn: (body: Settings) =>
      must(api.PATCH("/api/v1/conversations/{id}", { params: { path: { id: conv.id } }, body })),
    onSuccess: (c, sent) => {
      qc.setQueryData(["conversation", conv.id], c);
      // Keep whatever was typed while the save was on its way.
      setDraft((d) => {
        const rest = { ...d };
        for (const k of Object.keys(sent) as (keyof Settings)[]) if (rest[k] === sent[k]) delete rest[k];
        return rest;
      });
      onSaved();
    },
  });
  // A change after a save hides its "Saved." until the next one.
  const edit = (field: keyof Settings) => (e: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [field]: e.target.value }));
    save.reset();
  };
  const changed = name !== conv.name || topic !== conv.topic || announcement !== conv.announcement;
  if (!editable) {
    return (
      <section className="details-section" aria-labelledby="details-about">
        <h3 id="details-about">{t("chat.details.about")}</h3>
        <dl className="details-dl">
          <dt>{t("chat.details.topic")}</dt>
          <dd>{conv.topic || <span className="muted">{t("chat.details.none")}</span>}</dd>
          <dt>{t("chat.details.announcement")}</dt>
          <dd className="pre-wrap">
            {conv.announcement || <span className="muted">{t("chat.details.none")}</span>}
          </dd>
        </dl>
      </section>
    );
  }
  return (
    <section className="details-section" aria-labelledby="details-about">
      <h3 id="details-about">{t("chat.details.about")}</h3>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate(draft);
        }}
      >
        <Field label={t("chat.groupName")} value={name} maxLength={100} onChange={edit("name")} />
        <Field label={t("chat.details.topic")} value={topic} maxLength={500} onChange={edit("topic")} />
        <div className="field">
          <label htmlFor="details-announcement" className="field-label">
            {t("chat.details.announcement")}
          </label>
          <textarea
            id="details-announcement"
            rows={3}
            maxLength={5000}
            value={announcement}
            aria-describedby="details-announcement-hint"
            onChange={edit("announcement")}
          />
          <span id="details-announcement-hint" className="field-hint">
            {t("chat.details.announcementHint")}
          </span>
        </div>
        {save.error && <Alert>{errorText(t, save.error)}</Alert>}
        {save.isSuccess && !changed && <Alert kind="ok">{t("common.saved")}</Alert>}
        <button type="submit" className="btn btn-primary btn-small" disabled={!changed || save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}

/** Pins lists a conversation's pinned messages, newest pin first, each with jump and unpin. */
function Pins({
  conversationId,
  people,
  onJump,
}: {
  conversationId: string;
  people: Map<string, PersonName>;
  onJump: (messageId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const pins = useQuery({
    queryKey: pinsKey(conversationId),
    queryFn: () =>
      must(api.GET("/api/v1/conversations/{id}/pins", { params: { path: { id: conversationId } } })),
  });
  const unpin = useMutation({
    mutationFn: (mid: string) =>
      must(
        api.DELETE("/api/v1/conversations/{id}/messages/{message_id}/pin", {
          params: { path: { id: conversationId, message_id: mid } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: pinsKey(conversationId) }),
  });
  const items = pins.data?.items ?? [];
  return (
    <section className="details-section" aria-labelledby="details-pins">
      <h3 id="details-pins">{t("chat.details.pinsTitle", { count: items.length })}</h3>
      {pins.error && <Alert>{errorText(t, pins.error)}</Alert>}
      {unpin.error && <Alert>{errorText(t, unpin.error)}</Alert>}
      {pins.data && items.length === 0 && <p className="muted small">{t("chat.details.noPins")}</p>}
      <ul className="pin-list" data-testid="pins">
        {items.map((m) => {
          const p = people.get(m.sender_id);
          return (
            <li key={m.id} className="pin-item">
              <div className="muted small">
                <strong>{personName(t, p)}</strong> · {formatTime(m.created_at, i18n.language)}
              </div>
              <div className="pin-text">
                {m.body
                  ? plainText(m.body, 300)
                  : m.attachment?.name || (m.kind === "location" ? t("chat.location") : t("chat.file"))}
              </div>
              <div className="row-actions">
                <button type="button" className="btn-link small" onClick={() => onJump(m.id)}>
                  {t("chat.details.jump")}
                </button>
                <button type="button" className="btn-link small" onClick={() => unpin.mutate(m.id)}>
                  {t("chat.unpin")}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Files lists the conversation's files, newest first: a viewable one opens in the viewer, any downloads. */
function Files({ conversationId, onJump }: { conversationId: string; onJump: (messageId: string) => void }) {
  const { t, i18n } = useTranslation();
  const [viewing, setViewing] = useState<ViewedFile | null>(null);
  const files = useInfiniteQuery({
    queryKey: ["conversation-files", conversationId],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/search/messages",
          withQuery({ conversation_id: conversationId, has_file: true, cursor: pageParam, limit: 30 }),
        ),
      ),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = (files.data?.pages.flatMap((p) => p.items) ?? []).filter((m) => m.attachment?.file_id);
  const people = usePeople(items.map((m) => m.sender_id));
  return (
    <section className="details-section" aria-labelledby="details-files">
      <h3 id="details-files">{t("chat.details.filesTitle")}</h3>
      {files.error && <Alert>{errorText(t, files.error)}</Alert>}
      {files.data && items.length === 0 && <p className="muted small">{t("chat.details.noFiles")}</p>}
      <ul className="file-list" data-testid="conversation-files">
        {items.map((m) => {
          const a = m.attachment;
          if (!a?.file_id) return null;
          const url = `/api/v1/files/${encodeURIComponent(a.file_id)}/content`;
          const name = a.name || t("chat.file");
          const kind = viewable(a.content_type);
          return (
            <li key={m.id} className="file-item">
              <div className="file-item-name">
                {kind ? (
                  <button
                    type="button"
                    className="btn-link"
                    onClick={() => setViewing({ url, name, contentType: a.content_type ?? "" })}
                  >
                    {name}
                  </button>
                ) : (
                  <a href={url} download={name}>
                    {name}
                  </a>
                )}
              </div>
              <div className="muted small">
                {a.size ? `${formatSize(a.size)} · ` : ""}
                {personName(t, people.get(m.sender_id))} · {formatTime(m.created_at, i18n.language)}
              </div>
              <div className="row-actions">
                <button type="button" className="btn-link small" onClick={() => onJump(m.id)}>
                  {t("chat.details.jump")}
                </button>
                <a className="btn-link small" href={url} download={name}>
                  {t("viewer.download")}
                </a>
              </div>
            </li>
          );
        })}
      </ul>
      {files.hasNextPage && (
        <button type="button" className="btn btn-small" onClick={() => files.fetchNextPage()}>
          {t("common.more")}
        </button>
      )}
      {viewing && <FileViewer file={viewing} onClose={() => setViewing(null)} />}
    </section>
  );
}

/** AddMembers picks people to add to a group, by the rules of its kind. */
function AddMembers({
  open,
  conversationId,
  kind,
  existing,
  onClose,
  onAdded,
}: {
  open: boolean;
  conversationId: string;
  kind: ChatKind;
  existing: string[];
  onClose: () => void;
  onAdded: () => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<Picked[]>([]);
  const candidates = usePickCandidates(kind, search, open, existing);
  const close = () => {
    setPicked([]);
    setSearch("");
    add.reset();
    onClose();
  };
  const add = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/conversations/{id}/members", {
          params: { path: { id: conversationId } },
          body: { account_ids: picked.map((p) => p.id) },
        }),
      ),
    onSuccess: () => {
      onAdded();
      close();
    },
  });
  return (
    <Dialog open={open} title={t("chat.details.addPeople")} onClose={close}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <p className="field-hint">{kindHint(t, kind)}</p>
        <Field
          label={t("chat.findPeople")}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoComplete="off"
        />
        <PickList candidates={candidates} picked={picked} onChange={setPicked} />
        <Alert>{add.error ? errorText(t, add.error) : ""}</Alert>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={close}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={picked.length === 0 || add.isPending}>
            {t("chat.details.addCount", { count: picked.length })}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
