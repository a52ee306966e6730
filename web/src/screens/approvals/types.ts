// The approval API's shapes. Responses are the OpenAPI document's types
// (src/api/schema.d.ts); the form schema, values, flow and conditions —
// which the document leaves as "unknown" or plain strings — are typed here
// as docs/approvals.md describes them. The screens import only from here.
import type { Schemas } from "../../api/client";

export type FieldType =
  | "text"
  | "textarea"
  | "number"
  | "money"
  | "date"
  | "time"
  | "daterange"
  | "choice"
  | "multichoice"
  | "member"
  | "department"
  | "attachment"
  | "image"
  | "location"
  | "table"
  | "description";

/** FormField is one field of a template's form. */
export type FormField = {
  id: string;
  type: FieldType;
  label: string;
  required?: boolean;
  placeholder?: string;
  help?: string;
  options?: string[];
  currency?: string;
  decimals?: number;
  min?: string;
  max?: string;
  multiple?: boolean;
  unit?: "day" | "half_day" | "hour";
  columns?: FormField[];
  total?: string;
  text?: string;
};

export type DateRangeValue = {
  start: string;
  end: string;
  start_half?: "am" | "pm";
  end_half?: "am" | "pm";
  duration?: string;
};

export type LocationValue = { lat: string; lng: string; address?: string };

export type TableRow = Record<string, FieldValue>;
export type TableValue = { rows: TableRow[]; total?: string };

/** FieldValue is a field's value in a request's form (null or absent = empty). */
export type FieldValue = string | string[] | DateRangeValue | LocationValue | TableValue | null;

export type FormValues = Record<string, FieldValue | undefined>;

/** Condition decides whether a step applies: a group (all/any) or one comparison. */
export type Condition = {
  all?: Condition[];
  any?: Condition[];
  field?: string;
  applicant?: "department" | "role";
  op?: string;
  value?: unknown;
};

export type Approvers = {
  type: "members" | "role" | "supervisor" | "department_leaders" | "applicant_choice";
  member_ids?: string[];
  role_id?: string;
  levels?: number;
  department_id?: string;
  multiple?: boolean;
};

export type FlowStep = {
  id: string;
  name: string;
  approvers: Approvers;
  mode: "sequential" | "all" | "any";
  when?: Condition;
  hidden_fields?: string[];
  timeout?: { hours: number; action: "remind" | "escalate" };
};

export type Flow = {
  steps: FlowStep[];
  cc?: { member_ids?: string[]; role_ids?: string[]; supervisor?: boolean; at?: "submit" | "end" };
  auto_approve?: { applicant?: boolean; repeated?: boolean };
};

/** Template is a template at its current version; its form is typed here (the document says only "unknown"). */
export type Template = Omit<Schemas["ApprovalTemplate"], "fields" | "flow"> & {
  fields: FormField[];
  flow: Flow;
};

export type AvailableTo = Schemas["ApprovalAudience"];

export type TemplateInput = {
  name: string;
  description: string;
  group: string;
  fields: FormField[];
  flow: Flow;
  available_to: AvailableTo;
};

export type Person = Schemas["ApprovalPersonRef"];

/** ResolvedStep is a step of the flow a request would take now (the preview). */
export type ResolvedStep = Schemas["ApprovalResolvedStep"];

export type RequestStatus = "pending" | "approved" | "rejected" | "withdrawn" | "returned";

export type RequestSummary = Schemas["ApprovalSummary"];
export type Task = Schemas["ApprovalTaskView"];
export type RequestStep = Schemas["ApprovalStepView"];
export type TimelineEntry = Schemas["ApprovalEntry"];
export type Comment = Schemas["ApprovalComment"];
export type Can = Schemas["ApprovalCan"];

/** Request is one request as its page shows it, with the fields and values typed as the contract says. */
export type Request = Omit<Schemas["ApprovalRequest"], "fields" | "form"> & {
  fields: FormField[];
  form: FormValues;
};

export type RequestPage = Schemas["ApprovalPage"];

export type UploadedFile = { id: string; name: string; size: number; content_type: string };

export type Box = "todo" | "mine" | "cc" | "done";
