import i18n from "i18next";
import { afterAll, describe, expect, it } from "vitest";
import "../../i18n";
import { detailLabel, detailValue } from "./AuditLog";

const bob = `mem_${"a".repeat(32)}`;
const gone = `mem_${"b".repeat(32)}`;
const dept = `dep_${"c".repeat(32)}`;
const field = `fld_${"d".repeat(32)}`;

describe("audit details read as words", () => {
  afterAll(() => i18n.changeLanguage("en"));

  it("names ids, marks people no longer there and translates keys", async () => {
    await i18n.changeLanguage("en");
    const names = { [bob]: "Bob", [field]: "Shirt size" };
    expect(detailLabel(i18n.t, "member_ids")).toBe("Members");
    expect(detailValue(i18n.t, [bob, gone], names)).toBe("Bob, Former member");
    expect(detailValue(i18n.t, dept, names)).toBeNull();
    expect(detailValue(i18n.t, "join_date", names)).toBe("Join date");
    expect(detailValue(i18n.t, ["display_name", `fields.${field}`], names)).toBe("Name, Shirt size");
    expect(detailValue(i18n.t, true, names)).toBe("Yes");
  });

  it("speaks Chinese in zh", async () => {
    await i18n.changeLanguage("zh");
    expect(detailLabel(i18n.t, "member_ids")).toBe("成员");
    expect(detailValue(i18n.t, [bob, gone], { [bob]: "鲍勃" })).toBe("鲍勃、前成员");
    expect(detailValue(i18n.t, false, {})).toBe("否");
  });
});
