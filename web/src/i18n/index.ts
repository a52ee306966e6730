// Every string the app shows goes through i18next. en.json and zh.json hold
// the same keys (i18n.test.ts fails when one lacks a key the other has or the
// code uses). The chosen language is kept in localStorage. Each language's
// strings are their own chunk, loaded when the language is first used
// (loadLanguage): the app starts with one language's strings, not both.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh", label: "中文" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

const STORAGE_KEY = "atrium.lang";

export function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    // storage unavailable (private mode): fall through
  }
  const nav = typeof navigator !== "undefined" ? navigator.language : "en";
  return nav.toLowerCase().startsWith("zh") ? "zh" : "en";
}

const LOADERS: Record<Language, () => Promise<{ default: Record<string, unknown> }>> = {
  en: () => import("./locales/en.json"),
  zh: () => import("./locales/zh.json"),
};

/** loadLanguage fetches a language's strings once, before it is shown. */
export async function loadLanguage(lang: Language): Promise<void> {
  if (i18n.hasResourceBundle(lang, "translation")) return;
  const m = await LOADERS[lang]();
  i18n.addResourceBundle(lang, "translation", m.default, true, true);
}

/** setLanguage switches the UI language and remembers the choice. */
export async function setLanguage(lang: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; the switch still applies to this page
  }
  await loadLanguage(lang);
  await i18n.changeLanguage(lang);
}

function applyToDocument(lang: string) {
  if (typeof document !== "undefined") {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }
}

void i18n.use(initReactI18next).init({
  resources: {},
  partialBundledLanguages: true,
  lng: initialLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyToDocument(i18n.language);
i18n.on("languageChanged", applyToDocument);

/** i18nReady resolves once the first language's strings are loaded: render after it. */
export const i18nReady: Promise<void> = loadLanguage(initialLanguage());

export default i18n;
