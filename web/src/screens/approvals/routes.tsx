import { getRouteApi } from "@tanstack/react-router";
import { TemplateDesigner } from "./Designer";
import { ChooseTemplate, NewRequest } from "./File";
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
  const { template } = file.useSearch();
  return template ? <NewRequest key={template} templateId={template} /> : <ChooseTemplate />;
}

export function RequestRoute() {
  const { id } = one.useParams();
  return <RequestView key={id} id={id} />;
}

export function TemplatesRoute() {
  return <TemplateDesigner />;
}
