import { getRouteApi } from "@tanstack/react-router";
import { TemplateDesigner } from "./Design";
import { MyReports, ReportInbox } from "./Lists";
import { ReportStats } from "./Stats";
import { ReportView } from "./View";
import { ChooseTemplate, EditReport, NewReport } from "./Write";

const one = getRouteApi("/shell/reports/$id");
const edit = getRouteApi("/shell/reports/$id/edit");
const write = getRouteApi("/shell/reports/new");

export function InboxRoute() {
  return <ReportInbox />;
}

export function MineRoute() {
  return <MyReports />;
}

export function WriteRoute() {
  const { template, period } = write.useSearch();
  return template ? (
    <NewReport key={`${template}/${period ?? ""}`} templateId={template} period={period} />
  ) : (
    <ChooseTemplate />
  );
}

export function ReportRoute() {
  return <ReportView id={one.useParams().id} />;
}

export function EditRoute() {
  return <EditReport id={edit.useParams().id} />;
}

export function StatsRoute() {
  return <ReportStats />;
}

export function TemplatesRoute() {
  return <TemplateDesigner />;
}
