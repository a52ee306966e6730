import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import i18n from "../../i18n";
import type { Stream, StreamFrame } from "../../lib/stream";
import { fakeApi } from "../../test/fakeApi";
import { LinkAccessLog, outcomeTone } from "./AccessLog";
import { HandoverNotices, handoverOf } from "./Handover";

const navigate = vi.fn();
vi.mock("@tanstack/react-router", async (orig) => ({
  ...(await orig<typeof import("@tanstack/react-router")>()),
  useNavigate: () => navigate,
}));

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
}

let restore = () => {};
afterEach(async () => {
  restore();
  vi.unstubAllGlobals();
  await i18n.changeLanguage("en");
});

const frame = (event: string, data: Record<string, unknown>) =>
  ({
    type: "event",
    event,
    data,
    pos: 1,
    scope_kind: "account",
    scope_id: "acc_me",
    created_at: 0,
  }) as StreamFrame;
const handover = (data: Record<string, unknown>) => frame("drive.handover", data);

describe("drive handover notices", () => {
  it("reads a handover from the stream, and nothing else", () => {
    expect(handoverOf(handover({ from: "acc_1", spaces: "1", items: "12" }))).toEqual({
      key: "acc_1:1:12",
      from: "acc_1",
      spaces: 1,
      items: 12,
    });
    expect(handoverOf(handover({ spaces: "1" }))).toBeNull();
    expect(handoverOf(frame("calendar.invited", { event_id: "e" }))).toBeNull();
  });

  it("tells the successor who left and what passed, in English and Chinese, and opens the drive", async () => {
    const api = fakeApi((c) =>
      c.path === "/api/v1/people/acc_1"
        ? { status: 200, body: { account_id: "acc_1", name: "Ann Lee" } }
        : { status: 404, body: { error: { code: "not_found", message: "" } } },
    );
    restore = api.restore;
    const subs: ((f: StreamFrame) => void)[] = [];
    const on = (f: (f: StreamFrame) => void) => {
      subs.push(f);
      return () => {};
    };
    const stream = { on } as unknown as Stream;
    wrap(<HandoverNotices stream={stream} />);
    act(() => {
      for (const f of subs) f(handover({ from: "acc_1", spaces: "1", items: "12" }));
    });
    const box = await screen.findByTestId("drive-handover");
    expect(box.textContent).toContain("Files handed over to you");
    expect(await screen.findByText("Ann Lee left the organization")).toBeTruthy();
    expect(box.textContent).toContain("1 space · 12 files and folders");
    await act(() => i18n.changeLanguage("zh"));
    expect(box.textContent).toContain("有文件移交给你");
    expect(box.textContent).toContain("12 个文件或文件夹");
    fireEvent.click(screen.getByRole("button", { name: "打开网盘" }));
    expect(navigate).toHaveBeenCalledWith({ to: "/drive", search: {} });
    expect(screen.queryByTestId("drive-handover")).toBeNull();
  });
});

describe("link access log", () => {
  const entry = (id: string, outcome: string, action: string, account = "") => ({
    id,
    item_id: "f1",
    action,
    account_id: account || undefined,
    network: "203.0.113.0/24",
    user_agent: "Firefox",
    outcome,
    at: Date.UTC(2026, 11, 7, 9, 30),
  });

  it("reads each use: outcome, action, who and the masked network", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL) => {
        expect(String(input)).toBe("/api/v1/drive/links/dln_1/access");
        return new Response(
          JSON.stringify({
            items: [
              entry("a1", "ok", "download", "acc_2"),
              entry("a2", "wrong_password", "grant"),
              entry("a3", "expired", "info"),
              entry("a4", "throttled", "grant"),
            ],
          }),
          { status: 200, headers: { "Content-Type": "application/json" } },
        );
      }),
    );
    wrap(<LinkAccessLog linkId="dln_1" />);
    const rows = await screen.findAllByTestId("drive-access-entry");
    expect(rows.map((r) => r.querySelector(".badge")?.textContent)).toEqual([
      "OK",
      "Wrong password",
      "Expired",
      "Rate limited",
    ]);
    expect(rows[0].textContent).toContain("Downloaded");
    expect(rows[0].textContent).toContain("Signed in");
    expect(rows[1].textContent).toContain("Gave the password");
    expect(rows[1].textContent).toContain("Not signed in");
    expect(rows[1].textContent).toContain("Network 203.0.113.0/24");
    await act(() => i18n.changeLanguage("zh"));
    expect(rows[1].querySelector(".badge")?.textContent).toBe("密码错误");
    expect(rows[3].querySelector(".badge")?.textContent).toBe("尝试过多被限制");
  });

  it("colours refusals apart", () => {
    expect(outcomeTone("ok")).toBe("ok");
    expect(outcomeTone("wrong_password")).toBe("danger");
    expect(outcomeTone("expired")).toBe("muted");
  });
});
