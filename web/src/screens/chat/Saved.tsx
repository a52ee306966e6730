import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import { plainText } from "../../lib/text";
import { conversationsKey, listConversations } from "./data";

export const savedKey = ["saved-messages"] as const;

/** useSavedIds is the set of messages I saved (the most recent 100), to offer "Save" or "Unsave". */
export function useSavedIds(): Set<string> {
  const q = useQuery({
    queryKey: [...savedKey, "ids"],
    queryFn: () => must(api.GET("/api/v1/me/saved-messages", withQuery({ limit: 100 }))),
    staleTime: 60_000,
  });
  return useMemo(() => new Set((q.data?.items ?? []).map((s) => s.message.id)), [q.data]);
}

/** Saved lists the messages I saved, most recently saved first, each opening in its conversation. */
export function Saved() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: [...savedKey, "list"],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/me/saved-messages", withQuery({ cursor: pageParam || undefined }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const convs = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const people = usePeople(items.map((s) => s.message.sender_id));
  const unsave = useMutation({
    mutationFn: (m: { id: string; conversation_id: string }) =>
      must(
        api.DELETE("/api/v1/conversations/{id}/messages/{message_id}/saved", {
          params: { path: { id: m.conversation_id, message_id: m.id } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: savedKey }),
  });
  const convName = (id: string) => {
    const c = convs.data?.items.find((x) => x.id === id);
    return c?.name || (c?.kind === "direct" ? t("chat.kind.direct") : "");
  };
  return (
    <section className="chat-search" aria-labelledby="saved-title">
      <header className="conv-header">
        <Link to="/chat" className="icon-button back-button" aria-label={t("chat.backToList")}>
          ←
        </Link>
        <h1 id="saved-title" className="conv-title grow">
          {t("chat.saved.title")}
        </h1>
      </header>
      {(list.error || unsave.error) && <Alert>{errorText(t, list.error ?? unsave.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{t("chat.saved.none")}</p>}
      <ul className="list search-results" aria-label={t("chat.saved.title")}>
        {items.map(({ message: m, saved_at }) => (
          <li key={m.id} className="saved-item" data-testid="saved-message">
            <Link
              to="/chat/$id"
              params={{ id: m.conversation_id }}
              search={{ at: m.id }}
              className="search-hit"
            >
              <span className="row row-between">
                <strong>{personName(t, people.get(m.sender_id))}</strong>
                <span className="muted small">
                  {convName(m.conversation_id)} · {formatTime(m.created_at, i18n.language)}
                </span>
              </span>
              <span className="hit-text">
                {m.deleted ? t("chat.deletedMessage") : plainText(m.body) || m.attachment?.name}
              </span>
            </Link>
            <button
              type="button"
              className="btn btn-small"
              aria-label={t("chat.saved.removeNamed", { time: formatTime(saved_at, i18n.language) })}
              onClick={() => unsave.mutate(m)}
            >
              {t("chat.saved.remove")}
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" className="btn" onClick={() => list.fetchNextPage()}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}
