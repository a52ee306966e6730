import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { refreshGate } from "./gate";

// A call refused by the gate (a policy to accept, a guardian's consent to
// wait for) refreshes the gate's state, so the gate screen shows instead
// of an error.
export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (e) => refreshGate(queryClient, e) }),
  mutationCache: new MutationCache({ onError: (e) => refreshGate(queryClient, e) }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Ask even when the browser says it is offline: the service worker
      // answers the conversations it kept (then queries wait for the network).
      networkMode: "offlineFirst",
      // Client errors (401, 403, 404, 400) will not change by retrying.
      retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
    },
    mutations: { retry: false },
  },
});
