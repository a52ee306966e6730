import { getRouteApi } from "@tanstack/react-router";
import { Directory } from "./Directory";

const dir = getRouteApi("/shell/directory");

export function DirectoryRoute() {
  return <Directory {...dir.useSearch()} />;
}
