// The approval API's shapes, as docs/APPROVALS contract §1–§3 describes them.
// Hand-written until the server's OpenAPI document has them; the screens
// import only from here, so the switch to the generated types is one file.

export type FieldType =
  | "text"
  | "textarea"
  | "number"
  | "money"
  | "date"
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

export type AvailableTo = { all: boolean; department_ids: string[]; role_ids: string[] };

export type Template = {
  id: string;
  name: string;
  description: string;
  group: string;
  builtin: string;
  version: number;
  fields: FormField[];
  flow: Flow;
  available_to: AvailableTo;
  archived: boolean;
  created_at: number;
  updated_at: number;
};

export type TemplateInput = {
  name: string;
  description: string;
  group: string;
  fields: FormField[];
  flow: Flow;
  available_to: AvailableTo;
};

export type Person = { id: string; name: string };

/** ResolvedStep is a step of the flow a request would take now (the preview). */
export type ResolvedStep = {
  id: string;
  name: string;
  mode?: string;
  approvers?: Person[];
  skipped?: boolean;
  reason?: string;
};

export type RequestStatus = "pending" | "approved" | "rejected" | "withdrawn" | "returned";

export type RequestSummary = {
  id: string;
  template_id: string;
  template_name: string;
  title: string;
  applicant: Person;
  status: RequestStatus | string;
  current_step?: { id: string; name: string } | null;
  submitted_at: number;
  updated_at: number;
};

export type Task = {
  approver: Person;
  /** on_behalf_of is whom a delegate decides for. */
  on_behalf_of?: Person | null;
  status: "pending" | "approved" | "rejected" | "transferred" | "skipped" | string;
  decided_at?: number;
  comment?: string;
};

export type RequestStep = {
  id: string;
  name: string;
  mode: string;
  status: "waiting" | "active" | "approved" | "rejected" | "skipped" | "returned" | string;
  reason?: string;
  tasks: Task[];
};

export type TimelineEntry = {
  at: number;
  actor?: Person | null;
  action: string;
  step_id?: string;
  comment?: string;
  detail?: Record<string, unknown> | null;
};

export type Comment = {
  id: string;
  author?: Person;
  author_id?: string;
  body: string;
  mentions?: Person[];
  file_ids?: string[];
  created_at: number;
};

export type Can = {
  approve: boolean;
  reject: boolean;
  withdraw: boolean;
  return: boolean;
  transfer: boolean;
  add_approver: boolean;
  urge: boolean;
  comment: boolean;
};

export type Request = RequestSummary & {
  version: number;
  fields: FormField[];
  form: FormValues;
  steps: RequestStep[];
  cc: Person[];
  timeline: TimelineEntry[];
  comments: Comment[];
  can: Can;
};

export type RequestPage = { items: RequestSummary[]; next_cursor: string };

export type UploadedFile = { id: string; name: string; size: number; content_type: string };

export type Box = "todo" | "mine" | "cc" | "done";
