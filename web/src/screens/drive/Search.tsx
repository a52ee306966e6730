// Drive search: names, and the text of text and PDF files, across the
// spaces I may open; a content match shows the words around it.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { drive } from "./api";
import { driveKey } from "./data";

export function DriveSearch() {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const id = window.setTimeout(() => setQ(text.trim()), 300);
    return () => window.clearTimeout(id);
  }, [text]);
  const res = useQuery({
    queryKey: [...driveKey, "search", q],
    queryFn: () => drive.search(q),
    enabled: q !== "",
  });
  const hits = res.data?.items ?? [];
  return (
    <div className="drive-search">
      <input
        type="search"
        className="input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={t("drive.searchPlaceholder")}
        aria-label={t("drive.search")}
        data-testid="drive-search"
      />
      {q !== "" && (
        <section className="drive-search-results" aria-label={t("drive.searchResults")} aria-live="polite">
          {res.isError && <p className="error">{errorText(t, res.error)}</p>}
          {res.isSuccess && hits.length === 0 && <p className="small">{t("drive.searchNone")}</p>}
          <ul>
            {hits.map((h) => (
              <li key={h.id} data-testid="drive-search-hit">
                <Link
                  to="/drive"
                  search={{ space: h.space_id, folder: h.kind === "folder" ? h.id : h.parent_id }}
                  onClick={() => setText("")}
                >
                  {h.kind === "folder" ? "📁" : "📄"} {h.name}
                </Link>
                {h.snippet && (
                  <p className="small drive-search-snippet">
                    <span className="muted">{t("drive.searchInContent")} </span>
                    {h.snippet}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
