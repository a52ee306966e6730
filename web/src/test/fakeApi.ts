// fakeApi answers the typed API client's calls in tests without a server:
// a middleware that returns a canned Response for each request it is
// given, and records the requests.
import type { Middleware } from "openapi-fetch";
import { api } from "../api/client";

export type Call = { method: string; path: string; body: unknown };
type Answer = (c: Call) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/** fakeApi installs answer for every API call and returns the calls seen and a way to remove it. */
export function fakeApi(answer: Answer) {
  const calls: Call[] = [];
  const mw: Middleware = {
    async onRequest({ request }) {
      const text = await request.clone().text();
      const c = {
        method: request.method,
        path: new URL(request.url).pathname,
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(c);
      const a = await answer(c);
      return new Response(a.body === undefined ? null : JSON.stringify(a.body), {
        status: a.status,
        headers: { "Content-Type": "application/json" },
      });
    },
  };
  api.use(mw);
  return { calls, restore: () => api.eject(mw) };
}
