import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Dialog } from "./ui";

describe("Dialog", () => {
  it("closes on its own close and cancel, not on a nested dialog's", () => {
    const outer = vi.fn();
    const inner = vi.fn();
    render(
      <Dialog open title="Group details" onClose={outer} side>
        <p>panel</p>
        <Dialog open title="Leave the group?" onClose={inner}>
          <p>ask</p>
        </Dialog>
      </Dialog>,
    );
    const [outerEl, innerEl] = document.querySelectorAll("dialog");
    fireEvent(innerEl, new Event("close"));
    fireEvent(innerEl, new Event("cancel"));
    expect(inner).toHaveBeenCalledTimes(2);
    expect(outer).not.toHaveBeenCalled();
    fireEvent(outerEl, new Event("cancel"));
    expect(outer).toHaveBeenCalledTimes(1);
    // A side dialog has a close button in its header.
    fireEvent.click(screen.getAllByRole("button", { name: "Close", hidden: true })[0]);
    expect(outer).toHaveBeenCalledTimes(2);
  });
});
