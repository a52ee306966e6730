import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { i18nReady } from "./i18n";
import { orgsQuery, switchOrg } from "./lib/org";
import { onNavigate, registerServiceWorker } from "./lib/pwa";
import { queryClient } from "./lib/query";
import { startTheme } from "./lib/theme";
import { router } from "./router";
import "./styles.css";

startTheme();
void registerServiceWorker();
// A tapped notification: show its page, in its organization.
onNavigate(async (url, orgId) => {
  const orgs = queryClient.getQueryData<Awaited<ReturnType<typeof orgsQuery.queryFn>>>(orgsQuery.queryKey);
  const current = orgs?.items.find((o) => o.current)?.org_id;
  if (orgId && current && orgId !== current) {
    try {
      await switchOrg(orgId);
    } catch {
      // no longer a member there: the page says what is possible
    }
  }
  await router.navigate({ href: url });
});
const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
// The first screen is drawn in the person's language: its strings first.
void i18nReady.finally(() =>
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  ),
);
