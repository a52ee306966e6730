import { getRouteApi } from "@tanstack/react-router";
import { GuardianConsent } from "./GuardianConsent";

const guardian = getRouteApi("/guardian-consent");

export function GuardianRoute() {
  return <GuardianConsent token={guardian.useSearch().token} />;
}
