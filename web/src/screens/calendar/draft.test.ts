import { describe, expect, it } from "vitest";
import { accessOf } from "./Calendars";
import { eventIdOf } from "./data";
import {
  type Draft,
  emptyDraft,
  fromEvent,
  repeatOf,
  ruleOf,
  splitEmails,
  switchAllDay,
  toInput,
  toPatch,
  validate,
} from "./draft";
import { unanswered } from "./Invitations";
import { roomProblem } from "./Rooms";

const base = (): Draft => ({
  ...emptyDraft(new Date(2027, 2, 10, 9), new Date(2027, 2, 10, 10), "Europe/Berlin"),
  title: "Planning",
});

describe("validate", () => {
  it("accepts a complete draft", () => {
    expect(validate(base())).toEqual({});
  });
  it("needs a title and an end after the start", () => {
    expect(validate({ ...base(), title: "  " }).title).toBe("calendar.editor.needTitle");
    expect(validate({ ...base(), end: "2027-03-10T09:00" }).end).toBe("calendar.editor.endBeforeStart");
    expect(validate({ ...base(), end: "2027-03-10T08:00" }).end).toBe("calendar.editor.endBeforeStart");
    expect(validate({ ...base(), start: "" }).start).toBe("calendar.editor.badTime");
  });
  it("lets an all-day event end on its first day, not before", () => {
    const d = switchAllDay(base(), true);
    expect(validate(d)).toEqual({});
    expect(validate({ ...d, end: "2027-03-09" }).end).toBe("calendar.editor.endBeforeStart");
    expect(validate({ ...d, start: "2027-02-30" }).start).toBe("calendar.editor.badDate");
  });
  it("checks a custom rule, the guests' addresses and the reminders", () => {
    expect(validate({ ...base(), repeat: "custom", rrule: "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" })).toEqual({});
    expect(validate({ ...base(), repeat: "custom", rrule: "RRULE:FREQ=MONTHLY;BYMONTHDAY=1" })).toEqual({});
    expect(validate({ ...base(), repeat: "custom", rrule: "every monday" }).rrule).toBe(
      "calendar.editor.badRule",
    );
    expect(validate({ ...base(), emails: ["a@example.com", "nope"] }).emails).toBe(
      "calendar.editor.badEmail",
    );
    expect(validate({ ...base(), reminders: [{ minutes: 10081, email: false }] }).reminders).toBeDefined();
    expect(
      validate({ ...base(), reminders: Array(6).fill({ minutes: 5, email: false }) }).reminders,
    ).toBeDefined();
    expect(validate({ ...base(), timeZone: "" }).timeZone).toBe("calendar.editor.needZone");
  });
});

describe("the request a draft becomes", () => {
  it("sends the day after the last day of an all-day event", () => {
    const d = { ...switchAllDay(base(), true), end: "2027-03-12" };
    expect(toInput(d)).toMatchObject({ all_day: true, start: "2027-03-10", end: "2027-03-13" });
  });
  it("carries the attendees, the rule and the chat", () => {
    const d = {
      ...base(),
      repeat: "weekly" as const,
      memberIds: ["m1"],
      roomIds: ["r1"],
      conversationId: "c1",
    };
    expect(toInput(d)).toMatchObject({
      rrule: "FREQ=WEEKLY",
      time_zone: "Europe/Berlin",
      attendees: { member_ids: ["m1"], room_ids: ["r1"], emails: [], department_ids: [] },
      conversation_id: "c1",
    });
  });
  it("changes only what an occurrence may change for scope this", () => {
    const p = toPatch(base(), "this");
    expect(Object.keys(p).sort()).toEqual(["description", "end", "location", "start", "title"]);
    expect(toPatch(base(), "all")).toHaveProperty("attendees");
  });
  it("maps rules to the simple choices and back", () => {
    expect(repeatOf("")).toBe("none");
    expect(repeatOf("FREQ=DAILY")).toBe("daily");
    expect(repeatOf("FREQ=WEEKLY;BYDAY=MO")).toBe("custom");
    expect(ruleOf({ repeat: "monthly", rrule: "" })).toBe("FREQ=MONTHLY");
    expect(ruleOf({ repeat: "none", rrule: "FREQ=DAILY" })).toBe("");
    expect(splitEmails("a@x.org, b@y.org;c@z.org  ")).toEqual(["a@x.org", "b@y.org", "c@z.org"]);
  });
  it("reads an event back, the occurrence's times in the event's zone", () => {
    const d = fromEvent(
      {
        attachments: [{ id: "cfl_1", name: "agenda.pdf", size: 10, content_type: "application/pdf" }],
        id: "e1",
        uid: "u",
        calendar_id: "c",
        title: "Standup",
        description: "",
        location: "",
        time_zone: "Asia/Shanghai",
        all_day: false,
        start: "2027-03-15T09:00:00",
        end: "2027-03-15T09:15:00",
        start_at: Date.UTC(2027, 2, 15, 1),
        end_at: Date.UTC(2027, 2, 15, 1, 15),
        rrule: "FREQ=DAILY",
        rdates: [],
        exdates: [],
        overrides: [],
        visibility: "default",
        reminders: [],
        organizer: { member_id: "m0", name: "Ann" },
        attendees: [
          { kind: "member", member_id: "m0", organizer: true, rsvp: "accepted" },
          { kind: "member", member_id: "m1", organizer: false, rsvp: "needs_action" },
          { kind: "member", member_id: "m2", department_id: "d1", organizer: false, rsvp: "needs_action" },
          { kind: "external", email: "x@example.com", organizer: false, rsvp: "needs_action" },
          { kind: "room", room_id: "r1", organizer: false, rsvp: "accepted" },
        ],
        counts: { accepted: 1, declined: 0, tentative: 0, needs_action: 3 },
        can_edit: true,
        revision: 1,
        created_at: 0,
        updated_at: 0,
      },
      { startAt: Date.UTC(2027, 2, 17, 1), endAt: Date.UTC(2027, 2, 17, 1, 15) },
    );
    expect(d).toMatchObject({
      start: "2027-03-17T09:00",
      end: "2027-03-17T09:15",
      repeat: "daily",
      memberIds: ["m1"],
      departmentIds: ["d1"],
      emails: ["x@example.com"],
      roomIds: ["r1"],
    });
    // Attachments come back, and go with the whole series only.
    expect(d.files.map((f) => f.id)).toEqual(["cfl_1"]);
    expect(toInput(d).file_ids).toEqual(["cfl_1"]);
    expect(toPatch(d, "all").file_ids).toEqual(["cfl_1"]);
    expect(toPatch(d, "following")).not.toHaveProperty("file_ids");
    expect(toPatch(d, "this")).not.toHaveProperty("file_ids");
  });
});

describe("other screens' rules", () => {
  it("reads an event id from an invitation card's link only", () => {
    expect(eventIdOf("/calendar/events/evt_123")).toBe("evt_123");
    expect(eventIdOf("/calendar/events/evt_123?x=1")).toBe("evt_123");
    expect(eventIdOf("/approvals/apr_1")).toBe("");
    expect(eventIdOf("https://evil.example/calendar/events/e")).toBe("");
  });
  it("lists each unanswered invitation once", () => {
    const o = (id: string, at: number, rsvp?: string) => ({
      event_id: id,
      start: "",
      end: "",
      start_at: at,
      end_at: at + 1,
      time_zone: "UTC",
      all_day: false,
      busy_only: false,
      recurring: false,
      overridden: false,
      my_rsvp: rsvp,
    });
    expect(
      unanswered([
        o("b", 5, "needs_action"),
        o("a", 1, "accepted"),
        o("b", 2, "needs_action"),
        o("c", 3),
      ]).map((x) => [x.event_id, x.start_at]),
    ).toEqual([["b", 2]]);
  });
  it("gives a subject that may edit only the edit level", () => {
    const access = accessOf(
      { departments: ["d1"], roles: ["member"], members: [{ id: "m1", name: "" }] },
      { departments: [], roles: [], members: [{ id: "m1", name: "" }] },
    );
    expect(access).toEqual([
      { kind: "department", id: "d1", level: "view" },
      { kind: "role", id: "member", level: "view" },
      { kind: "member", id: "m1", level: "edit" },
    ]);
  });
  it("checks a room's name and seats", () => {
    expect(roomProblem({ name: "", capacity: "4", location: "", equipment: "" })).toBe(
      "calendar.rooms.needName",
    );
    expect(roomProblem({ name: "Lake", capacity: "x", location: "", equipment: "" })).toBe(
      "calendar.rooms.badCapacity",
    );
    expect(roomProblem({ name: "Lake", capacity: "8", location: "", equipment: "" })).toBe("");
  });
});
