import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "./Composer";

const people = [
  { id: "acc_0123456789abcdef0123456789abcdef", name: "李雷" },
  { id: "acc_fedcba9876543210fedcba9876543210", name: "Ann Lee" },
];

function setup() {
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
});
