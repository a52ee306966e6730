import { getRouteApi } from "@tanstack/react-router";
import { Admin } from "./Admin";

const section = getRouteApi("/shell/admin/$section");

export function AdminIndex() {
  return <Admin />;
}

export function AdminSection() {
  return <Admin section={section.useParams().section} />;
}
