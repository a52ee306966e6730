import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../../test/fakeApi";
import { TemplateDesigner } from "./Designer";

vi.mock("@tanstack/react-router", async (orig) => ({
  ...(await orig<typeof import("@tanstack/react-router")>()),
  Link: ({ children }: { children: ReactNode }) => <a href="/">{children}</a>,
}));

let restore: (() => void)[] = [];
afterEach(() => {
  for (const r of restore) r();
  restore = [];
  vi.unstubAllGlobals();
});

describe("TemplateDesigner", () => {
  it("orders fields by keyboard and saves the flow's condition tree", async () => {
    // The directory (typed client): my organization, its roles and departments.
    const f = fakeApi((c) => {
      if (c.path === "/api/v1/me/orgs")
        return { status: 200, body: { items: [{ org_id: "org_1", current: true, member_id: "mem_me" }] } };
      if (c.path === "/api/v1/me/permissions")
        return { status: 200, body: { permissions: ["manage_approvals"], role: "owner", scoped: [] } };
      if (c.path === "/api/v1/roles")
        return {
          status: 200,
          body: { items: [{ id: "rol_fin", name: "Finance", builtin: false }], permissions: [] },
        };
      if (c.path === "/api/v1/departments") return { status: 200, body: { items: [] } };
      return { status: 200, body: { items: [] } };
    });
    restore.push(f.restore);
    // The approval API (plain fetch).
    const sent: { url: string; method: string; body: unknown }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        sent.push({
          url,
          method: init.method ?? "GET",
          body: init.body ? JSON.parse(String(init.body)) : undefined,
        });
        const body = init.method === "POST" ? { id: "tpl_1" } : { items: [], next_cursor: "" };
        return new Response(JSON.stringify(body), { status: init.method === "POST" ? 201 : 200 });
      }),
    );
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <TemplateDesigner />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "New template" }));
    const form = screen.getByRole("form", { name: "Template" });

    // Saving an empty design says what is missing.
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(within(form).getByText("The template needs a name.")).toBeTruthy();
    expect(within(form).getByText("Step s1 needs a name.")).toBeTruthy();

    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "Expense" } });
    fireEvent.change(within(form).getByLabelText("Type of the new field"), { target: { value: "money" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add a field" }));
    fireEvent.change(within(form).getByLabelText("Type of the new field"), { target: { value: "choice" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add a field" }));
    let fields = within(form).getAllByTestId("designed-field");
    fireEvent.change(within(fields[0]).getByLabelText("Label"), { target: { value: "Amount" } });
    fireEvent.change(within(fields[1]).getByLabelText("Label"), { target: { value: "Kind" } });
    fireEvent.change(within(fields[1]).getByLabelText("Options"), { target: { value: "Travel, Meals" } });
    // Alt+↑ inside the second field moves it first, its editor keeping what was typed.
    fireEvent.keyDown(within(fields[1]).getByLabelText("Options"), { key: "ArrowUp", altKey: true });
    fields = within(form).getAllByTestId("designed-field");
    expect(fields[0].textContent).toContain("1. Kind");
    expect((within(fields[0]).getByLabelText("Options") as HTMLInputElement).value).toBe("Travel, Meals");
    expect(screen.getByText("Kind moved to position 1.")).toBeTruthy();

    // One step, taken when Amount > 5000 or the applicant is in Finance.
    const step = within(form).getByTestId("designed-step");
    fireEvent.change(within(step).getByLabelText("Step name"), { target: { value: "Finance" } });
    fireEvent.change(within(step).getByLabelText("Approvers"), { target: { value: "role" } });
    await within(step).findByRole("option", { name: "Finance" }, { timeout: 10_000 });
    fireEvent.change(within(step).getByLabelText("Role"), { target: { value: "rol_fin" } });
    fireEvent.click(within(step).getByRole("checkbox", { name: "Only when a condition holds" }));
    const root = within(step).getByTestId("condition-group");
    fireEvent.change(within(root).getByLabelText("Conditions joined by"), { target: { value: "any" } });
    let leaf = within(root).getByTestId("condition");
    fireEvent.change(within(leaf).getByLabelText("What"), { target: { value: "field:amount" } });
    fireEvent.change(within(leaf).getByLabelText("Comparison"), { target: { value: "gt" } });
    fireEvent.change(within(leaf).getByLabelText("Value"), { target: { value: "5000" } });
    fireEvent.click(within(root).getByRole("button", { name: "Add a group" }));
    const inner = within(root).getByTestId("condition-group");
    leaf = within(inner).getByTestId("condition");
    fireEvent.change(within(leaf).getByLabelText("What"), { target: { value: "applicant:role" } });
    fireEvent.click(within(leaf).getByRole("checkbox", { name: "Finance" }));
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(sent.some((s) => s.method === "POST")).toBe(true), { timeout: 10_000 });
    const post = sent.find((s) => s.method === "POST");
    expect(post?.url).toBe("/api/v1/approval-templates");
    const body = post?.body as { fields: { id: string }[]; flow: { steps: unknown[] } };
    expect(body.fields.map((x) => x.id)).toEqual(["kind", "amount"]);
    expect(body.fields[0]).toMatchObject({ type: "choice", label: "Kind", options: ["Travel", "Meals"] });
    expect(body.flow.steps).toEqual([
      {
        id: "s1",
        name: "Finance",
        approvers: { type: "role", role_id: "rol_fin" },
        mode: "any",
        when: {
          any: [
            { field: "amount", op: "gt", value: "5000" },
            { any: [{ applicant: "role", op: "in", value: ["rol_fin"] }] },
          ],
        },
      },
    ]);
    // A big form in jsdom takes a few seconds on a busy machine.
  }, 30_000);
});
