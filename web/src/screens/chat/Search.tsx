import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { usePeople } from "../../lib/people";
import { conversationsKey, listConversations } from "./data";
import { Highlighted } from "./highlight";
import { previewText } from "./preview";
import { formatSize } from "./upload";

/** Search finds messages I can see, with filters; a result opens the conversation at that message. */
export function Search({ conversation }: { conversation?: string }) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState("");
  const [conv, setConv] = useState(conversation ?? "");
  const [hasFile, setHasFile] = useState(false);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [q, setQ] = useState<{ q: string; conv: string; hasFile: boolean; from: string; to: string } | null>(
    null,
  );
  const convs = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  const results = useInfiniteQuery({
    queryKey: ["search", q],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/search/messages",
          withQuery({
            q: q?.q,
            conversation_id: q?.conv,
            has_file: q?.hasFile || undefined,
            from: q?.from ? Date.parse(q.from) : undefined,
            to: q?.to ? Date.parse(q.to) + 86_400_000 : undefined,
            cursor: pageParam,
          }),
        ),
      ),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
    enabled: !!q,
  });
  const items = results.data?.pages.flatMap((p) => p.items) ?? [];
  const people = usePeople(items.map((m) => m.sender_id));
  const convName = (id: string) => {
    const c = convs.data?.items.find((x) => x.id === id);
    return c?.name || (c?.kind === "direct" ? t("chat.kind.direct") : "");
  };
  return (
    <section className="chat-search" aria-labelledby="search-title">
      <header className="conv-header">
        <Link to="/chat" className="icon-button back-button" aria-label={t("chat.backToList")}>
          ←
        </Link>
        <h1 id="search-title" className="conv-title grow">
          {t("chat.search")}
        </h1>
      </header>
      <form
        className="search-form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          // Words, or "With files" alone to list the files.
          if (!draft.trim() && !hasFile) return;
          setQ({ q: draft.trim(), conv, hasFile, from, to });
        }}
      >
        <div className="row">
          <input
            className="input grow"
            type="search"
            aria-label={t("chat.searchWords")}
            placeholder={t("chat.searchWords")}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" className="btn btn-primary">
            {t("chat.search")}
          </button>
        </div>
        <div className="row filters">
          <select
            aria-label={t("chat.inConversation")}
            value={conv}
            onChange={(e) => setConv(e.target.value)}
          >
            <option value="">{t("chat.allConversations")}</option>
            {convs.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {convName(c.id) || c.id}
              </option>
            ))}
          </select>
          <label className="checkbox inline">
            <input type="checkbox" checked={hasFile} onChange={(e) => setHasFile(e.target.checked)} />
            <span>{t("chat.withFiles")}</span>
          </label>
          <label className="row small">
            {t("chat.from")}
            <input className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="row small">
            {t("chat.to")}
            <input className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </div>
      </form>
      {results.error && <Alert>{errorText(t, results.error)}</Alert>}
      {q && !results.isPending && items.length === 0 && <p className="muted">{t("chat.noResults")}</p>}
      <ul className="list search-results" aria-label={t("chat.results")}>
        {items.map((m) => (
          <li key={m.id}>
            <Link
              to="/chat/$id"
              params={{ id: m.conversation_id }}
              search={{ at: m.id }}
              className="search-hit"
            >
              <span className="row row-between">
                <strong>{people.get(m.sender_id)?.name || t("chat.deletedAccount")}</strong>
                <span className="muted small">
                  {convName(m.conversation_id)} · {formatTime(m.created_at, i18n.language)}
                </span>
              </span>
              {m.body ? (
                <span className="hit-text">
                  <Highlighted text={previewText(m.body, 240)} query={q?.q ?? ""} />
                </span>
              ) : null}
              {m.attachment?.name ? (
                <span className="hit-file">
                  📎 <Highlighted text={m.attachment.name} query={q?.q ?? ""} />
                  {m.attachment.size ? (
                    <span className="muted small"> · {formatSize(m.attachment.size)}</span>
                  ) : null}
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
      {results.hasNextPage && (
        <button type="button" className="btn" onClick={() => results.fetchNextPage()}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}
