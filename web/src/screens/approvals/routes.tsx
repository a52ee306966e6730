import { getRouteApi } from "@tanstack/react-router";
import { TemplateDesigner } from "./Designer";
import { ChooseTemplate, NewBuiltin, NewRequest } from "./File";
import { ApprovalList } from "./Lists";
import { RequestView } from "./View";

const list = getRouteApi("/shell/approvals");
const one = getRouteApi("/shell/approvals/$id");
const file = getRouteApi("/shell/approvals/new");

export function ListRoute() {
  const s = list.useSearch();
  return (
    <ApprovalList
      key={s.box ?? "todo"}
      box={s.box ?? "todo"}
      filter={{ status: s.status, template_id: s.template, q: s.q }}
    />
  );
}

export function NewRoute() {
  const { template, builtin, prefill } = file.useSearch();
  if (template) return <NewRequest key={template} templateId={template} prefill={prefill} />;
  if (builtin) return <NewBuiltin key={builtin} builtin={builtin} prefill={prefill} />;
  return <ChooseTemplate />;
}

export function RequestRoute() {
  const { id } = one.useParams();
  return <RequestView key={id} id={id} />;
}

export function TemplatesRoute() {
  return <TemplateDesigner />;
}
