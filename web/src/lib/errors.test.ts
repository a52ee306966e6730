import i18n from "i18next";
import { afterAll, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { enumText, errorText } from "./errors";

describe("server words in the UI language", () => {
  afterAll(() => i18n.changeLanguage("en"));

  it("renders any catalogued code in Chinese, never the server's English", async () => {
    await i18n.changeLanguage("zh");
    const t = i18n.t;
    expect(errorText(t, new ApiError(410, "invitation_used_up", "this invitation has been used up"))).toBe(
      "该邀请的使用次数已用完。",
    );
    expect(errorText(t, new ApiError(429, "too_many_attempts", "too many attempts"))).toBe(
      "尝试次数过多，请稍后再试。",
    );
    // A code this app does not know: a general sentence, not the English message.
    expect(errorText(t, new ApiError(409, "brand_new_code", "some English"))).toBe(t("errors.generic"));
  });

  it("names the field of invalid_field through its label", async () => {
    await i18n.changeLanguage("zh");
    const e = new ApiError(400, "invalid_field", "max_uses must be 0 or more", { field: "max_uses" });
    expect(errorText(i18n.t, e)).toBe("请检查“最多使用次数”：填写的内容有误。");
    const unnamed = new ApiError(400, "invalid_field", "bad", { field: "no_such_field" });
    expect(errorText(i18n.t, unnamed)).toBe("填写的内容有误，请检查。");
    await i18n.changeLanguage("en");
    expect(errorText(i18n.t, e)).toBe("“Maximum uses”: max_uses must be 0 or more");
  });

  it("renders enum values, dotted ones included, and falls back to the server's text", async () => {
    await i18n.changeLanguage("zh");
    const t = i18n.t;
    expect(enumText(t, "invitation_status", "used_up")).toBe("已用完");
    expect(enumText(t, "audit_action", "privacy.erase.account")).toBe("注销账号");
    expect(enumText(t, "audit_action", "privacy.erase.account.request")).toBe("申请注销账号");
    expect(enumText(t, "retention_class", "messages.direct")).toBe("单聊消息");
    expect(enumText(t, "role_description", "custom_x", "The admin's words")).toBe("The admin's words");
    expect(enumText(t, "member_status", "unknown")).toBe("unknown");
  });
});
