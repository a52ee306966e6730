// The color theme: follow the system (prefers-color-scheme), or light or
// dark as chosen in settings, kept in localStorage. The resolved theme is
// set on <html data-theme>, which styles.css reads.
import { useSyncExternalStore } from "react";

export type ThemeChoice = "system" | "light" | "dark";
export const THEMES: ThemeChoice[] = ["system", "light", "dark"];
const KEY = "atrium.theme";

/** loadTheme returns the saved choice ("system" when none). */
export function loadTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

/** resolveTheme is the theme shown for a choice and the system's preference. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): "light" | "dark" {
  return choice === "system" ? (systemDark ? "dark" : "light") : choice;
}

function systemDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

const listeners = new Set<() => void>();

/** THEME_COLORS are the top bar's colors (styles.css --surface), for the installed app's title bar. */
export const THEME_COLORS = { light: "#ffffff", dark: "#181b21" } as const;

function apply() {
  const theme = resolveTheme(loadTheme(), systemDark());
  document.documentElement.dataset.theme = theme;
  for (const m of document.querySelectorAll('meta[name="theme-color"]')) {
    m.setAttribute("content", THEME_COLORS[theme]);
  }
}

/** setTheme saves and applies a choice. */
export function setTheme(choice: ThemeChoice) {
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage off: applies for this page only
  }
  apply();
  for (const l of listeners) l();
}

/** startTheme applies the theme and follows the system's changes; call once at start. */
export function startTheme() {
  apply();
  if (typeof window.matchMedia === "function") {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", apply);
  }
}

/** useTheme is the current choice. */
export function useTheme(): ThemeChoice {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => {
        listeners.delete(l);
      };
    },
    loadTheme,
    loadTheme,
  );
}
