import i18next, { type TFunction } from "i18next";
import { ApiError } from "../api/client";

// The server answers with stable error codes (docs/vocabulary.json lists
// them all; docs/api.md says what each means). Each has a message under
// errors.<code> in both locales, and i18n.test.ts fails when one lacks it.
// A few codes share another code's message.
const ALIASES: Record<string, string> = {
  too_many_requests: "rate_limited",
  too_many_attempts: "rate_limited",
};

/** fieldLabel is the UI name of a request field the server names, or "". */
export function fieldLabel(t: TFunction, field: string): string {
  const key = `fields.${field}`;
  return i18next.exists(key) ? t(key) : "";
}

// English is the language of the server's own messages, which say more
// precisely what is wrong with a field; other languages get the translated
// sentence naming the field.
function serverSpeaksUILanguage(): boolean {
  return (i18next.resolvedLanguage ?? i18next.language ?? "en").startsWith("en");
}

function invalidFieldText(t: TFunction, e: ApiError): string {
  const field = typeof e.details?.field === "string" ? e.details.field : "";
  const label = field ? fieldLabel(t, field) : "";
  if (serverSpeaksUILanguage() && e.message) {
    return label ? t("errors.invalid_field_hint", { field: label, hint: e.message }) : e.message;
  }
  return label ? t("errors.invalid_field_named", { field: label }) : t("errors.invalid_field");
}

/** errorText is the message to show for a failed call, in the UI language. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === "invalid_field") return invalidFieldText(t, e);
    const key = `errors.${ALIASES[e.code] ?? e.code}`;
    if (e.code && i18next.exists(key)) return t(key, { ...e.details });
    if (e.status === 429) return t("errors.rate_limited");
    if (e.status >= 500) return t("errors.server");
    // A code this app does not know (a newer server): its English message
    // is better than nothing in English; other languages say it generally.
    if (serverSpeaksUILanguage() && e.message) return e.message;
    if (e.status === 403) return t("errors.forbidden");
    if (e.status === 404) return t("errors.not_found");
    return t("errors.generic");
  }
  if (e instanceof TypeError) return t("errors.network");
  return t("errors.generic");
}

/**
 * hintText is for errors that point at one input (a form's field): the
 * server's precise English message in English, the translated one otherwise.
 */
export function hintText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError && e.message && serverSpeaksUILanguage()) return e.message;
  return errorText(t, e);
}

/**
 * enumText is the UI word for a value of one of the server's enums
 * (docs/vocabulary.json: statuses, kinds, audit actions, built-in roles…),
 * through enums.<name>.<value>. An unknown value shows as fallback (the
 * server's own text, e.g. an admin's words), or as sent.
 */
export function enumText(t: TFunction, name: string, value: string, fallback?: string): string {
  const key = `enums.${name}.${value}`;
  return i18next.exists(key) ? t(key) : (fallback ?? value);
}
