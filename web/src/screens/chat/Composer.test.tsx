import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "./Composer";
import { loadDraft, saveDraft } from "./drafts";

const people = [
  { id: "acc_0123456789abcdef0123456789abcdef", name: "李雷" },
  { id: "acc_fedcba9876543210fedcba9876543210", name: "Ann Lee" },
];

function setup(canMentionAll = false) {
  const onSend = vi.fn();
  const onTyping = vi.fn();
  const onFiles = vi.fn();
  render(
    <Composer
      conversationName="Launch team"
      people={people}
      onCancel={() => undefined}
      onSend={onSend}
      onFiles={onFiles}
      onTyping={onTyping}
      canMentionAll={canMentionAll}
    />,
  );
  return { onSend, onTyping, onFiles, box: screen.getByRole("combobox", { name: "Message Launch team" }) };
}

describe("Composer", () => {
  it("autocompletes a mention and sends it as the server's markup", async () => {
    const { onSend, onTyping, box } = setup();
    await userEvent.type(box, "hi @An");
    const option = screen.getByRole("option", { name: "@Ann Lee" });
    expect(option.getAttribute("aria-selected")).toBe("true");
    expect(box.getAttribute("aria-activedescendant")).toBe(option.id);
    await userEvent.keyboard("{Enter}");
    expect((box as HTMLTextAreaElement).value).toBe("hi @Ann Lee ");
    await userEvent.type(box, "see you{Enter}");
    expect(onSend).toHaveBeenCalledWith("hi @[Ann Lee](acc_fedcba9876543210fedcba9876543210) see you");
    expect((box as HTMLTextAreaElement).value).toBe("");
    expect(onTyping).toHaveBeenCalled();
  });

  it("offers @all only to those the server allows, and sends it as text", async () => {
    const { onSend, box } = setup(true);
    await userEvent.type(box, "@a");
    const all = screen.getByRole("option", { name: /^@all/ });
    expect(all.getAttribute("aria-selected")).toBe("true");
    await userEvent.keyboard("{Enter}");
    expect((box as HTMLTextAreaElement).value).toBe("@all ");
    await userEvent.type(box, "lunch{Enter}");
    expect(onSend).toHaveBeenCalledWith("@all lunch");
  });

  it("does not offer @all without the right", async () => {
    const { box } = setup(false);
    await userEvent.type(box, "@a");
    expect(screen.queryByRole("option", { name: /^@all/ })).toBeNull();
  });

  it("keeps Shift+Enter for a new line and Escape closes the list", async () => {
    const { onSend, box } = setup();
    await userEvent.type(box, "line one{Shift>}{Enter}{/Shift}@");
    expect(screen.getAllByRole("option")).toHaveLength(2);
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("option")).toBeNull();
    expect(onSend).not.toHaveBeenCalled();
    expect((box as HTMLTextAreaElement).value).toBe("line one\n@");
  });

  it("hands pasted files to the upload", () => {
    const { onFiles, box } = setup();
    const file = new File(["x"], "a.png", { type: "image/png" });
    fireEvent.paste(box, { clipboardData: { files: [file] } });
    expect(onFiles).toHaveBeenCalledWith([file]);
  });

  it("keeps a draft per conversation and clears it when sent", async () => {
    localStorage.clear();
    saveDraft("acc_me", "cnv_1", "hello @[Ann Lee](acc_fedcba9876543210fedcba9876543210)");
    const onSend = vi.fn();
    const props = {
      conversationName: "Launch team",
      people,
      onCancel: () => undefined,
      onSend,
      onFiles: () => undefined,
      onTyping: () => undefined,
    };
    const { unmount } = render(
      <Composer {...props} draft={{ accountId: "acc_me", conversationId: "cnv_1" }} />,
    );
    const box = screen.getByRole("combobox", { name: "Message Launch team" }) as HTMLTextAreaElement;
    expect(box.value).toBe("hello @Ann Lee");
    await userEvent.type(box, " and more");
    expect(loadDraft("acc_me", "cnv_1")).toBe(
      "hello @[Ann Lee](acc_fedcba9876543210fedcba9876543210) and more",
    );
    unmount();
    render(<Composer {...props} draft={{ accountId: "acc_me", conversationId: "cnv_1" }} />);
    const again = screen.getByRole("combobox", { name: "Message Launch team" }) as HTMLTextAreaElement;
    expect(again.value).toBe("hello @Ann Lee and more");
    await userEvent.type(again, "{Enter}");
    expect(onSend).toHaveBeenCalledWith("hello @[Ann Lee](acc_fedcba9876543210fedcba9876543210) and more");
    expect(loadDraft("acc_me", "cnv_1")).toBe("");
  });

  it("edits my last message with ↑ in an empty box and marks read with Escape", async () => {
    const onEditLast = vi.fn();
    const onEscape = vi.fn();
    render(
      <Composer
        conversationName="Launch team"
        people={people}
        onCancel={() => undefined}
        onSend={() => undefined}
        onFiles={() => undefined}
        onTyping={() => undefined}
        onEditLast={onEditLast}
        onEscape={onEscape}
      />,
    );
    const box = screen.getByRole("combobox", { name: "Message Launch team" });
    await userEvent.type(box, "{ArrowUp}");
    expect(onEditLast).toHaveBeenCalledTimes(1);
    await userEvent.type(box, "x{ArrowUp}");
    expect(onEditLast).toHaveBeenCalledTimes(1);
    await userEvent.type(box, "{Escape}");
    expect(onEscape).toHaveBeenCalledTimes(1);
  });
});
