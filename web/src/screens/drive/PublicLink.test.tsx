import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { grantFresh, PASSWORD_HEADER } from "./api";
import { PublicLink } from "./PublicLink";

type Seen = { method: string; path: string; password: string | null };

const file = {
  id: "f1",
  space_id: "",
  parent_id: "",
  kind: "file",
  name: "plan.pdf",
  size: 2048,
  version: 1,
  etag: "",
  created_by: "",
  updated_by: "",
  created_at: 0,
  updated_at: 0,
  my_role: "",
};

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** server answers the link's routes as the drive does for a passworded download link. */
function server(seen: Seen[], grantEnds: () => number) {
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const password = new Headers(init?.headers).get(PASSWORD_HEADER);
    seen.push({ method: init?.method ?? "GET", path: url.pathname + url.search, password });
    const wrong = { error: { code: "link_password_invalid", message: "" } };
    if (password !== "open sesame")
      return password
        ? json(403, wrong)
        : json(401, { error: { code: "link_password_required", message: "" } });
    if (url.pathname === "/api/v1/drive/public/tok/grant") return json(200, { expires_at: grantEnds() });
    if (url.pathname === "/api/v1/drive/public/tok") return json(200, { item: file, permission: "download" });
    return json(404, { error: { code: "not_found", message: "" } });
  });
}

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
}

afterEach(() => vi.unstubAllGlobals());

async function unlock() {
  fireEvent.change(await screen.findByLabelText("Password"), { target: { value: "open sesame" } });
  fireEvent.click(screen.getByRole("button", { name: "Open" }));
  return (await screen.findByTestId("drive-public-download")) as HTMLAnchorElement;
}

describe("PublicLink", () => {
  it("gets a grant with the password and downloads through a plain anchor, never into memory", async () => {
    const seen: Seen[] = [];
    vi.stubGlobal(
      "fetch",
      server(seen, () => Date.now() + 15 * 60_000),
    );
    wrap(<PublicLink token="tok" />);
    const a = await unlock();
    expect(a.getAttribute("href")).toBe("/api/v1/drive/public/tok/content?item_id=f1");
    expect(a.getAttribute("download")).toBe("plan.pdf");
    await vi.waitFor(() => expect(a.dataset.granted).toBe("true"));
    expect(seen).toContainEqual({
      method: "POST",
      path: "/api/v1/drive/public/tok/grant",
      password: "open sesame",
    });
    // The anchor is left to the browser (jsdom cannot navigate: stopped
    // after the page's handler had its say).
    let prevented: boolean | undefined;
    const stop = (e: Event) => {
      prevented = e.defaultPrevented;
      e.preventDefault();
    };
    document.addEventListener("click", stop);
    fireEvent.click(a);
    document.removeEventListener("click", stop);
    expect(prevented).toBe(false);
    // The bytes are the browser's download: nothing fetched them.
    expect(seen.some((s) => s.path.includes("/content"))).toBe(false);
  });

  it("renews a grant about to end before the download", async () => {
    const seen: Seen[] = [];
    vi.stubGlobal(
      "fetch",
      server(seen, () => Date.now() + 1000),
    );
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    wrap(<PublicLink token="tok" />);
    const a = await unlock();
    await vi.waitFor(() => expect(seen.filter((s) => s.path.endsWith("/grant"))).toHaveLength(1));
    fireEvent.click(a);
    await vi.waitFor(() => expect(clicked).toHaveBeenCalled());
    expect(seen.filter((s) => s.path.endsWith("/grant"))).toHaveLength(2);
    expect(seen.some((s) => s.path.includes("/content"))).toBe(false);
    clicked.mockRestore();
  });

  it("says whether a grant still covers a download", () => {
    expect(grantFresh(undefined, 0)).toBe(false);
    expect(grantFresh({ expires_at: 120_000 }, 0)).toBe(true);
    expect(grantFresh({ expires_at: 30_000 }, 0)).toBe(false);
  });
});
