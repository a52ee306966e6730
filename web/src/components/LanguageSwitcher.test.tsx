import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useTranslation } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../i18n";
import { LanguageSwitcher } from "./LanguageSwitcher";

function Probe() {
  const { t } = useTranslation();
  return <p>{t("nav.chat")}</p>;
}

describe("LanguageSwitcher", () => {
  afterEach(async () => {
    await i18n.changeLanguage("en");
    localStorage.clear();
  });

  it("switches the UI to Chinese and remembers it", async () => {
    await i18n.changeLanguage("en");
    render(
      <>
        <LanguageSwitcher />
        <Probe />
      </>,
    );
    expect(screen.getByText("Chat")).toBeTruthy();
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Language" }), "zh");
    expect(await screen.findByText("聊天")).toBeTruthy();
    expect(localStorage.getItem("atrium.lang")).toBe("zh");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(screen.getByRole("combobox", { name: "语言" })).toBeTruthy();
  });
});
