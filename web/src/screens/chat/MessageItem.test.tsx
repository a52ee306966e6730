import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import i18n from "i18next";
import { describe, expect, it, vi } from "vitest";
import type { Message } from "./data";
import { type MessageActions, MessageItem } from "./MessageItem";

const m: Message = {
  id: "msg_1",
  seq: 1,
  body: "Kick-off at ten",
  html: "<p>Kick-off at ten</p>",
  client_msg_id: "c1",
  conversation_id: "cnv_1",
  created_at: Date.UTC(2026, 0, 5, 10, 0),
  kind: "text",
  sender_id: "acc_me",
  reactions: [{ emoji: "👍", count: 2, mine: true }],
};

function actions(): MessageActions {
  return {
    reply: vi.fn(),
    edit: vi.fn(),
    react: vi.fn(),
    hide: vi.fn(),
    remove: vi.fn(),
    receipts: vi.fn(),
    thread: vi.fn(),
    jump: vi.fn(),
    retry: vi.fn(),
    edits: vi.fn(),
    pin: vi.fn(),
    save: vi.fn(),
    isSaved: () => false,
  };
}

describe("MessageItem", () => {
  it("shows group receipts and opens the lists", async () => {
    const a = actions();
    render(
      <MessageItem
        m={m}
        mine
        sender={{ id: "acc_me", name: "Ada Lovelace", gone: false }}
        showHeader
        receipt={{ read: 12, unread: 3, direct: false }}
        highlight={false}
        actions={a}
      />,
    );
    expect(screen.getByText("Kick-off at ten")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "read by 12 · unread 3" }));
    expect(a.receipts).toHaveBeenCalledWith(m);
    // Clicking my own reaction takes it back.
    await userEvent.click(screen.getByRole("button", { name: "👍 2" }));
    expect(a.react).toHaveBeenCalledWith(m, "👍", false);
  });

  it("opens a message's thread, and the thread a reply belongs to", async () => {
    const a = actions();
    const { rerender } = render(<MessageItem m={m} mine showHeader highlight={false} actions={a} />);
    await userEvent.click(screen.getByRole("button", { name: "More actions" }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Reply in thread" }));
    expect(a.thread).toHaveBeenCalledWith("msg_1");
    rerender(
      <MessageItem
        m={{ ...m, id: "msg_2", thread_root_id: "msg_1" }}
        mine
        showHeader
        highlight={false}
        actions={a}
      />,
    );
    await userEvent.click(screen.getByRole("button", { name: "In a thread · open" }));
    expect(a.thread).toHaveBeenLastCalledWith("msg_1");
  });

  it("shows a deleted account as a tombstone and a deleted message as such", () => {
    render(
      <MessageItem
        m={{ ...m, body: "", html: "", deleted: true, reactions: [] }}
        mine={false}
        sender={{ id: "acc_x", name: "", gone: true }}
        showHeader
        highlight={false}
        actions={actions()}
      />,
    );
    expect(screen.getByTestId("sender").textContent).toBe("Deleted account");
    expect(screen.getByText("This message was deleted.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Reply" })).toBeNull();
  });

  it("opens the edit history of an edited message", async () => {
    const a = actions();
    const { rerender } = render(<MessageItem m={m} mine showHeader highlight={false} actions={a} />);
    expect(screen.queryByRole("button", { name: "Edited — show earlier versions" })).toBeNull();
    const edited = { ...m, edited_at: m.created_at + 60_000 };
    rerender(<MessageItem m={edited} mine showHeader highlight={false} actions={a} />);
    await userEvent.click(screen.getByRole("button", { name: "Edited — show earlier versions" }));
    expect(a.edits).toHaveBeenCalledWith(edited);
  });

  it("pins a message and unpins a pinned one from its menu", async () => {
    const a = actions();
    const { rerender } = render(<MessageItem m={m} mine={false} showHeader highlight={false} actions={a} />);
    await userEvent.click(screen.getByRole("button", { name: "More actions" }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Pin message" }));
    expect(a.pin).toHaveBeenCalledWith(m, true);
    const pinned = { ...m, pinned: true };
    rerender(<MessageItem m={pinned} mine={false} showHeader highlight={false} actions={a} />);
    await userEvent.click(screen.getByRole("button", { name: "More actions" }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Unpin" }));
    expect(a.pin).toHaveBeenLastCalledWith(pinned, false);
  });

  it("closes its menu on Escape, giving the focus back, and on a press outside", async () => {
    render(<MessageItem m={m} mine showHeader highlight={false} actions={actions()} />);
    const more = screen.getByRole("button", { name: "More actions" });
    await userEvent.click(more);
    expect(screen.getByRole("menu")).toBeTruthy();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(more);
    await userEvent.click(more);
    // The menu takes the focus; the arrow keys move it, wrapping.
    const items = screen.getAllByRole("menuitem");
    expect(document.activeElement).toBe(items[0]);
    await userEvent.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(items[1]);
    await userEvent.keyboard("{ArrowUp}{ArrowUp}");
    expect(document.activeElement).toBe(items[items.length - 1]);
    await userEvent.keyboard("{Home}");
    expect(document.activeElement).toBe(items[0]);
    await userEvent.click(screen.getByRole("button", { name: "Add reaction" }));
    expect(screen.getByRole("toolbar", { name: "Add reaction" })).toBeTruthy();
    await userEvent.click(document.body);
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.queryByRole("toolbar")).toBeNull();
  });
});

describe("MessageItem with erased content", () => {
  const erased: Message = { ...m, body: "", html: "", content_erased: true, reactions: [] };

  it("says the message was deleted instead of showing an empty bubble, in English and Chinese", async () => {
    const { rerender } = render(
      <MessageItem m={erased} mine={false} showHeader highlight={false} actions={actions()} />,
    );
    expect(screen.getByText("This message was deleted: its content was erased.")).toBeTruthy();
    await act(() => i18n.changeLanguage("zh"));
    try {
      rerender(<MessageItem m={erased} mine={false} showHeader highlight={false} actions={actions()} />);
      expect(screen.getByText("此消息已删除：其内容已被抹除。")).toBeTruthy();
    } finally {
      await act(() => i18n.changeLanguage("en"));
    }
  });

  it("shows no file or image for an erased attachment, and cannot be edited", async () => {
    const image: Message = {
      ...erased,
      kind: "image",
      edited_at: m.created_at + 1,
      attachment: { file_id: "fil_1", name: "", content_type: "application/octet-stream" },
    };
    const { container } = render(
      <MessageItem m={image} mine showHeader highlight={false} actions={actions()} />,
    );
    expect(screen.getByText("This message was deleted: its content was erased.")).toBeTruthy();
    expect(container.querySelector("img, a.msg-file")).toBeNull();
    expect(screen.queryByRole("button", { name: "Edited — show earlier versions" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "More actions" }));
    expect(screen.queryByRole("menuitem", { name: "Edit" })).toBeNull();
  });

  it("quotes an erased message as erased in a reply", () => {
    render(
      <MessageItem
        m={{ ...m, id: "msg_2", reply_to_id: "msg_1" }}
        mine={false}
        showHeader
        replyTo={erased}
        replyName="Ada Lovelace"
        highlight={false}
        actions={actions()}
      />,
    );
    expect(screen.getByText("This message was deleted: its content was erased.")).toBeTruthy();
  });
});

describe("cards", () => {
  it("opens a card of the app in place and any other in a new tab", () => {
    const card = (id: string, url: string): Message => ({
      ...m,
      id,
      kind: "card",
      body: "",
      html: "",
      reactions: [],
      attachment: { url, title: `Leave · Ann ${id}`, description: "Waiting for your approval · 待你审批" },
    });
    for (const [id, url] of [
      ["msg_app", "/approvals/apr_1"],
      ["msg_web", "https://example.com/plan"],
    ]) {
      render(
        <MessageItem
          m={card(id, url)}
          mine={false}
          sender={{ id: "acc_ann", name: "Ann", gone: false }}
          showHeader
          highlight={false}
          actions={actions()}
        />,
      );
    }
    const app = screen.getByText("Leave · Ann msg_app").closest("a");
    expect(app?.getAttribute("href")).toBe("/approvals/apr_1");
    expect(app?.getAttribute("target")).toBeNull();
    expect(app?.textContent).toContain("Waiting for your approval");
    const web = screen.getByText("Leave · Ann msg_web").closest("a");
    expect(web?.getAttribute("target")).toBe("_blank");
    expect(web?.getAttribute("rel")).toContain("noopener");
  });
});
