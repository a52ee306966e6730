import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { countText } from "../../components/Shell";
import { useCan } from "../../lib/org";
import { useTodoCount } from "./data";

/** ApprovalTabs links the approval screens: the four lists, filing one, and (managers) the templates. */
export function ApprovalTabs() {
  const { t } = useTranslation();
  const todo = useTodoCount();
  const manager = useCan("manage_approvals");
  const tab = (box: "todo" | "mine" | "cc" | "done", label: string, count?: number) => (
    <Link
      to="/approvals"
      search={{ box }}
      className="rep-tab"
      activeOptions={{ exact: true, includeSearch: true }}
      activeProps={{ "aria-current": "page" }}
    >
      {label}
      {!!count && <span className="badge">{countText(count)}</span>}
    </Link>
  );
  return (
    <nav className="rep-tabs" aria-label={t("approvals.title")}>
      {tab("todo", t("approvals.box.todo"), todo)}
      {tab("mine", t("approvals.box.mine"))}
      {tab("cc", t("approvals.box.cc"))}
      {tab("done", t("approvals.box.done"))}
      <Link to="/approvals/new" search={{}} className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("approvals.new")}
      </Link>
      {manager && (
        <Link to="/approvals/templates" className="rep-tab" activeProps={{ "aria-current": "page" }}>
          {t("approvals.templates")}
        </Link>
      )}
    </nav>
  );
}
