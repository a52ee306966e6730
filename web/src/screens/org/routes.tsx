import { getRouteApi } from "@tanstack/react-router";
import { Join } from "./Join";
import { Setup } from "./Setup";

const setup = getRouteApi("/setup");
const join = getRouteApi("/join");

export function SetupRoute() {
  return <Setup token={setup.useSearch().token} />;
}

export function JoinRoute() {
  return <Join {...join.useSearch()} />;
}
