import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, Avatar } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { buildTree, flatten } from "../../lib/tree";
import { MemberProfile } from "./MemberProfile";

/** People is the directory: the department tree, a search, the members list and a profile. */
export function People({ member, dept }: { member?: string; dept?: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const depts = useQuery({ queryKey: ["departments"], queryFn: () => must(api.GET("/api/v1/departments")) });
  const tree = useMemo(() => flatten(buildTree(depts.data?.items ?? [])), [depts.data]);
  const members = useInfiniteQuery({
    queryKey: ["members", "dir", search, dept ?? ""],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/members",
          withQuery({
            q: search,
            department_id: dept,
            recursive: dept ? true : undefined,
            cursor: pageParam,
          }),
        ),
      ),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = members.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className={member ? "directory has-profile" : "directory"}>
      <nav className="dir-tree" aria-label={t("directory.departments")}>
        <h2 className="sr-only">{t("directory.departments")}</h2>
        <ul>
          <li>
            <Link
              to="/directory"
              search={{}}
              className={!dept ? "tree-link active" : "tree-link"}
              aria-current={!dept ? "page" : undefined}
            >
              {t("directory.everyone")}
            </Link>
          </li>
          {tree.map((d) => (
            <li key={d.id} data-depth={Math.min(d.depth, 6)}>
              <Link
                to="/directory"
                search={{ dept: d.id }}
                className={dept === d.id ? "tree-link active" : "tree-link"}
                aria-current={dept === d.id ? "page" : undefined}
              >
                {d.name} <span className="muted small">{d.total_count}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section className="dir-list" aria-labelledby="people-title">
        <h2 id="people-title" className="sr-only">
          {t("directory.people")}
        </h2>
        <input
          className="input"
          type="search"
          placeholder={t("directory.searchHint")}
          aria-label={t("directory.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {members.error && <Alert>{errorText(t, members.error)}</Alert>}
        <ul className="list people">
          {items.map((m) => (
            <li key={m.id}>
              <Link
                to="/directory"
                search={{ dept, member: m.id }}
                className={member === m.id ? "person active" : "person"}
                aria-current={member === m.id ? "true" : undefined}
              >
                <Avatar name={m.display_name} id={m.account_id} photo={m.photo_version ?? ""} />
                <span className="grow">
                  <span className="person-name">{m.display_name}</span>
                  <span className="muted small">
                    {[m.title, m.departments.map((d) => d.name).join(", ")].filter(Boolean).join(" · ")}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {items.length === 0 && !members.isPending && <p className="muted">{t("directory.nobody")}</p>}
        {members.hasNextPage && (
          <button type="button" className="btn" onClick={() => members.fetchNextPage()}>
            {t("common.more")}
          </button>
        )}
      </section>
      {member && (
        <aside className="dir-profile" aria-label={t("directory.profile")}>
          <Link to="/directory" search={{ dept }} className="btn btn-small close-profile">
            {t("common.close")}
          </Link>
          <MemberProfile id={member} />
        </aside>
      )}
    </div>
  );
}
