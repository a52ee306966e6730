import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, ConfirmDialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import { COMMENT_MAX, type Comment, commentLength, commentsKey, mergeComments } from "./data";

const PAGE = 50;

/**
 * Comments lists an announcement's comments, oldest first, and takes new
 * ones. Everyone deletes their own
 * comments; a publisher deletes any, after being asked.
 */
export function Comments({ id, publisher }: { id: string; publisher: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: commentsKey(id),
    queryFn: ({ pageParam }) =>
      must(
        api.GET("/api/v1/announcements/{id}/comments", {
          params: { path: { id }, query: { cursor: pageParam || undefined, limit: PAGE } },
        }),
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  // Comments posted here that no loaded page holds yet (more pages before them), and those just deleted.
  const [posted, setPosted] = useState<Comment[]>([]);
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const items = mergeComments(list.data?.pages ?? [], posted, deleted);
  const people = usePeople(items.map((c) => c.author_id));

  const [body, setBody] = useState("");
  const length = commentLength(body);
  const send = useMutation({
    mutationFn: (text: string) =>
      must(
        api.POST("/api/v1/announcements/{id}/comments", { params: { path: { id } }, body: { body: text } }),
      ),
    onSuccess: (c) => {
      setBody("");
      setPosted((xs) => [...xs, c]);
    },
  });
  const canSend = body.trim() !== "" && length <= COMMENT_MAX && !send.isPending;
  const submit = () => {
    if (canSend) send.mutate(body);
  };

  const [ask, setAsk] = useState<Comment | null>(null);
  const remove = useMutation({
    mutationFn: (c: Comment) =>
      must(
        api.DELETE("/api/v1/announcements/{id}/comments/{comment_id}", {
          params: { path: { id, comment_id: c.id } },
        }),
      ),
    onSuccess: (_, c) => {
      setAsk(null);
      setDeleted((s) => new Set(s).add(c.id));
      void qc.invalidateQueries({ queryKey: commentsKey(id) });
    },
  });

  return (
    <section className="ann-comments" aria-labelledby="ann-comments-title">
      <h2 id="ann-comments-title" className="ann-comments-title">
        {t("announcements.comments.title")}
      </h2>
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {list.isSuccess && items.length === 0 && <p className="muted">{t("announcements.comments.none")}</p>}
      <ol className="ann-comment-list">
        {items.map((c) => (
          <li key={c.id} className="ann-comment" data-testid="announcement-comment">
            <div className="ann-comment-head">
              <span className="ann-comment-author">{personName(t, people.get(c.author_id))}</span>
              <time className="muted small" dateTime={new Date(c.created_at).toISOString()}>
                {formatTime(c.created_at, i18n.language)}
              </time>
              {(c.mine || publisher) && (
                <button
                  type="button"
                  className="btn-link small ann-comment-delete"
                  aria-label={t("announcements.comments.deleteLabel", {
                    name: personName(t, people.get(c.author_id)),
                  })}
                  onClick={() => {
                    remove.reset();
                    setAsk(c);
                  }}
                >
                  {t("common.delete")}
                </button>
              )}
            </div>
            {c.content_erased ? (
              <p className="ann-comment-body muted">{t("announcements.comments.erased")}</p>
            ) : (
              <p className="ann-comment-body">{c.body}</p>
            )}
          </li>
        ))}
      </ol>
      {list.hasNextPage && (
        <button
          type="button"
          className="btn"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {t("common.more")}
        </button>
      )}
      <form
        className="ann-comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field-label" htmlFor="ann-comment">
          {t("announcements.comments.write")}
        </label>
        <textarea
          id="ann-comment"
          rows={3}
          value={body}
          aria-describedby="ann-comment-count"
          aria-invalid={length > COMMENT_MAX ? true : undefined}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            // Ctrl/⌘+Enter sends; Enter alone starts a new line.
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <div className="ann-comment-actions">
          <span id="ann-comment-count" className={length > COMMENT_MAX ? "error-text small" : "muted small"}>
            {t("announcements.comments.count", { n: length, max: COMMENT_MAX })}
          </span>
          <button type="submit" className="btn btn-primary" disabled={!canSend}>
            {t("announcements.comments.send")}
          </button>
        </div>
        <Alert>{send.error ? errorText(t, send.error) : ""}</Alert>
      </form>
      <ConfirmDialog
        open={!!ask}
        title={t("announcements.comments.deleteAsk")}
        confirm={t("common.delete")}
        danger
        pending={remove.isPending}
        error={remove.error ? errorText(t, remove.error) : undefined}
        onConfirm={() => ask && remove.mutate(ask)}
        onClose={() => setAsk(null)}
      >
        <p>{t("announcements.comments.deleteBody")}</p>
      </ConfirmDialog>
    </section>
  );
}
