import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { loadLanguage } from "../i18n";

// Both languages' strings, for tests that switch language.
await loadLanguage("en");
await loadLanguage("zh");

afterEach(() => cleanup());
