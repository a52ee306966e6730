import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FilingForm } from "./File";
import { ApprovalForm } from "./FormRenderer";
import { emptyForm, type Problem, problems } from "./form";
import type { FormField, FormValues } from "./types";

const navigate = vi.fn();
vi.mock("@tanstack/react-router", async (orig) => ({
  ...(await orig<typeof import("@tanstack/react-router")>()),
  useNavigate: () => navigate,
  Link: ({ children }: { children: ReactNode }) => <a href="/">{children}</a>,
}));

const fields: FormField[] = [
  { id: "title", type: "text", label: "Title", required: true },
  { id: "amount", type: "money", label: "Amount", required: true, currency: "CNY" },
  { id: "leave", type: "daterange", label: "Leave", unit: "half_day" },
  {
    id: "lines",
    type: "table",
    label: "Lines",
    total: "cost",
    columns: [
      { id: "what", type: "text", label: "What" },
      { id: "cost", type: "money", label: "Cost", required: true },
    ],
  },
  { id: "note", type: "description", label: "", text: "Receipts go to Finance." },
];

function Harness({ start }: { start?: FormValues }) {
  const [values, setValues] = useState<FormValues>(start ?? emptyForm(fields));
  const [shown, setShown] = useState<Problem[]>([]);
  return (
    <>
      <ApprovalForm fields={fields} values={values} problems={shown} onChange={setValues} />
      <button type="button" onClick={() => setShown(problems(fields, values))}>
        Check
      </button>
    </>
  );
}

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
}

afterEach(() => {
  vi.unstubAllGlobals();
  navigate.mockReset();
});

describe("ApprovalForm", () => {
  it("shows each problem on its field, cells included", () => {
    wrap(<Harness />);
    expect(screen.getByText("Receipts go to Finance.")).toBeTruthy();
    fireEvent.change(screen.getAllByLabelText("What")[0], { target: { value: "Taxi" } });
    fireEvent.change(screen.getByLabelText("Amount *"), { target: { value: "12.345" } });
    fireEvent.click(screen.getByRole("button", { name: "Check" }));
    expect(screen.getAllByText("Required.")).toHaveLength(2);
    const title = screen.getByLabelText("Title *");
    expect(title.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("At most 2 decimal places.")).toBeTruthy();
    const row = screen.getAllByTestId("table-row")[0];
    expect(within(row).getByText("Required.")).toBeTruthy();
    expect(within(row).getByLabelText("Cost *").getAttribute("aria-invalid")).toBe("true");
    // Fixed, the problems go.
    fireEvent.change(title, { target: { value: "Client visit" } });
    fireEvent.change(screen.getByLabelText("Amount *"), { target: { value: "8000.5" } });
    fireEvent.change(within(row).getByLabelText("Cost *"), { target: { value: "12" } });
    fireEvent.click(screen.getByRole("button", { name: "Check" }));
    expect(screen.queryAllByTestId("field-error")).toHaveLength(0);
    expect(screen.getAllByTestId("money-shown").map((x) => x.textContent)).toEqual([
      "CNY 8,000.50",
      "CNY 12.00",
    ]);
  });

  it("keeps a live total as rows are added, filled and removed", () => {
    wrap(<Harness />);
    const total = () => screen.getByTestId("table-total").textContent;
    expect(total()).toBe("Total: CNY 0.00");
    const cost = (i: number) => within(screen.getAllByTestId("table-row")[i]).getByLabelText("Cost *");
    fireEvent.change(cost(0), { target: { value: "0.10" } });
    fireEvent.click(screen.getByRole("button", { name: "Add a row" }));
    fireEvent.click(screen.getByRole("button", { name: "Add a row" }));
    fireEvent.change(cost(1), { target: { value: "0.20" } });
    fireEvent.change(cost(2), { target: { value: "1,000" } });
    expect(total()).toBe("Total: CNY 1,000.30");
    fireEvent.click(screen.getByRole("button", { name: "Remove row 3" }));
    expect(screen.getAllByTestId("table-row")).toHaveLength(2);
    expect(total()).toBe("Total: CNY 0.30");
    // A cell that is not an amount counts as nothing until it is one.
    fireEvent.change(cost(1), { target: { value: "abc" } });
    expect(total()).toBe("Total: CNY 0.10");
  });

  it("computes a half-day range's duration and refuses an end before the start", () => {
    wrap(<Harness />);
    const leave = screen.getByRole("group", { name: "Leave" });
    fireEvent.change(within(leave).getByLabelText("Start"), { target: { value: "2026-12-07" } });
    fireEvent.change(within(leave).getByLabelText("End"), { target: { value: "2026-12-08" } });
    expect(screen.getByTestId("duration").textContent).toBe("Duration: 2 days");
    fireEvent.change(within(leave).getByLabelText("Start: morning or afternoon"), {
      target: { value: "pm" },
    });
    fireEvent.change(within(leave).getByLabelText("End: morning or afternoon"), { target: { value: "am" } });
    expect(screen.getByTestId("duration").textContent).toBe("Duration: 1 day");
    fireEvent.change(within(leave).getByLabelText("Start"), { target: { value: "2026-12-09" } });
    expect(screen.getByTestId("duration").textContent).toBe("");
    fireEvent.click(screen.getByRole("button", { name: "Check" }));
    expect(screen.getByText("The end is before the start.")).toBeTruthy();
  });
});

describe("FilingForm", () => {
  it("checks the form, previews the flow, submits the normalized form and shows the server's field error", async () => {
    const calls: { url: string; body: unknown }[] = [];
    let refuse = true;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        const body = init.body ? JSON.parse(String(init.body)) : undefined;
        calls.push({ url, body });
        const json = (status: number, data: unknown) =>
          new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
        if (url.endsWith("/preview"))
          return json(200, {
            steps: [
              { id: "s1", name: "Supervisor", mode: "any", approvers: [{ id: "m1", name: "Wang Fang" }] },
              { id: "s2", name: "Finance", skipped: true, reason: "condition" },
            ],
          });
        if (refuse) {
          refuse = false;
          return json(400, {
            error: { code: "invalid_form", message: "amount: over the limit", details: { field: "amount" } },
          });
        }
        return json(201, { id: "apr_1" });
      }),
    );
    wrap(
      <FilingForm
        template={{ id: "tpl_1", name: "Expense", description: "", fields, flow: { steps: [] } }}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Preview the flow" }));
    expect(screen.getByText("Some fields need attention.")).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.change(screen.getByLabelText("Title *"), { target: { value: "Client visit" } });
    fireEvent.change(screen.getByLabelText("Amount *"), { target: { value: "8,000" } });
    fireEvent.change(screen.getByLabelText("Cost *"), { target: { value: "8000" } });
    fireEvent.click(screen.getByRole("button", { name: "Preview the flow" }));
    const preview = await screen.findByTestId("flow-preview");
    expect(preview.textContent).toContain("Wang Fang");
    expect(preview.textContent).toContain("Skipped: its condition does not hold");
    expect(calls[0].url).toBe("/api/v1/approval-templates/tpl_1/preview");
    const form = { title: "Client visit", amount: "8000.00", lines: { rows: [{ cost: "8000.00" }] } };
    expect(calls[0].body).toEqual({ form, chosen: {} });

    fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    await screen.findByText("amount: over the limit");
    expect(screen.getByLabelText("Amount *").getAttribute("aria-invalid")).toBe("true");
    expect(calls[1].url).toBe("/api/v1/approvals");
    expect(calls[1].body).toMatchObject({ template_id: "tpl_1", form, chosen: {} });

    // Changing the form asks for a new preview; the retry keeps its idempotency key.
    fireEvent.change(screen.getByLabelText("Amount *"), { target: { value: "7000" } });
    expect(screen.queryByTestId("flow-preview")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Preview the flow" }));
    await screen.findByTestId("flow-preview");
    fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    await waitFor(() =>
      expect(navigate).toHaveBeenCalledWith({ to: "/approvals/$id", params: { id: "apr_1" } }),
    );
    const key = (calls[1].body as { client_id: string }).client_id;
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect((calls[3].body as { client_id: string }).client_id).toBe(key);
  });
});

describe("FilingForm prefill", () => {
  it("starts from the values a link carries (a correction from the attendance month)", () => {
    const correction: FormField[] = [
      { id: "date", type: "date", label: "Date", required: true },
      { id: "kind", type: "choice", label: "Kind", required: true, options: ["Check-in", "Check-out"] },
      { id: "time", type: "time", label: "Time", required: true },
    ];
    wrap(
      <FilingForm
        template={{
          id: "tpl_c",
          name: "Correction",
          description: "",
          fields: correction,
          flow: { steps: [] },
        }}
        prefill={{ date: "2026-12-07", kind: "#1", time: "18:00" }}
      />,
    );
    expect((screen.getByLabelText("Date *") as HTMLInputElement).value).toBe("2026-12-07");
    expect((screen.getByLabelText("Time *") as HTMLInputElement).value).toBe("18:00");
    // The second option, by position.
    expect((screen.getByLabelText("Kind *") as HTMLSelectElement).value).toBe("Check-out");
  });
});
