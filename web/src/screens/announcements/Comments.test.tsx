import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fakeApi";
import { Comments } from "./Comments";
import type { Comment } from "./data";

const comment = (p: Partial<Comment>): Comment => ({
  id: "acm_1",
  announcement_id: "ann_1",
  author_id: "acc_li",
  body: "",
  created_at: 1,
  mine: false,
  ...p,
});

const names: Record<string, string> = { acc_li: "Li Na", acc_me: "Kim Young" };

let restore: (() => void)[] = [];
afterEach(() => {
  for (const r of restore) r();
  restore = [];
});

describe("Comments", () => {
  it("names authors, marks erased ones, pages on, and offers Delete on my own only", async () => {
    const seen: string[] = [];
    const f = fakeApi((c) => {
      if (c.path === "/api/v1/announcements/ann_1/comments") {
        seen.push(c.path);
        const second = seen.length > 1;
        return {
          status: 200,
          body: second
            ? { items: [comment({ id: "acm_3", body: "Third", created_at: 3 })], next_cursor: "" }
            : {
                items: [
                  comment({ id: "acm_1", author_id: "acc_me", body: "First", mine: true }),
                  comment({ id: "acm_2", body: "secret", content_erased: true, created_at: 2 }),
                ],
                next_cursor: "cur_1",
              },
        };
      }
      const id = c.path.split("/").pop() ?? "";
      return { status: 200, body: { account_id: id, name: names[id] ?? "" } };
    });
    restore.push(f.restore);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <Comments id="ann_1" publisher={false} />
      </QueryClientProvider>,
    );
    await screen.findByText("First");
    await screen.findByText("Kim Young");
    await screen.findByText("Li Na");
    expect(screen.getByText("(erased)")).toBeTruthy();
    expect(screen.queryByText("secret")).toBeNull();
    expect(screen.getAllByRole("button", { name: /^Delete the comment by/ })).toHaveLength(1);
    screen.getByRole("button", { name: "Load more" }).click();
    await screen.findByText("Third");
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(screen.getAllByTestId("announcement-comment").map((li) => li.textContent)).toEqual([
      expect.stringContaining("First"),
      expect.stringContaining("(erased)"),
      expect.stringContaining("Third"),
    ]);
  });

  it("sends with Ctrl+Enter within the limit, appends, and says refusals in words", async () => {
    let refuse = false;
    const f = fakeApi((c) => {
      if (c.path === "/api/v1/announcements/ann_1/comments" && c.method === "GET") {
        return { status: 200, body: { items: [], next_cursor: "" } };
      }
      if (c.method === "POST") {
        if (refuse) {
          return { status: 409, body: { error: { code: "comments_disabled", message: "x" } } };
        }
        const body = (c.body as { body: string }).body;
        return { status: 201, body: comment({ id: "acm_9", author_id: "acc_me", body, mine: true }) };
      }
      return { status: 200, body: { account_id: "acc_me", name: "Kim Young" } };
    });
    restore.push(f.restore);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <Comments id="ann_1" publisher={true} />
      </QueryClientProvider>,
    );
    await screen.findByText("No comments yet.");
    const box = screen.getByLabelText("Your comment") as HTMLTextAreaElement;
    const send = screen.getByRole("button", { name: "Send" }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.change(box, { target: { value: "   " } });
    expect(send.disabled).toBe(true);
    fireEvent.change(box, { target: { value: "x".repeat(2001) } });
    expect(screen.getByText("2001 / 2000 characters")).toBeTruthy();
    expect(send.disabled).toBe(true);

    fireEvent.change(box, { target: { value: "Count me in" } });
    expect(send.disabled).toBe(false);
    fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    await screen.findByText("Count me in");
    expect(f.calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ body: "Count me in" }]);
    await waitFor(() => expect(box.value).toBe(""));

    refuse = true;
    fireEvent.change(box, { target: { value: "Again" } });
    fireEvent.click(send);
    await screen.findByText("This announcement does not take comments.");
  });
});
