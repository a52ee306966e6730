import type { TFunction } from "i18next";
import { ApiError } from "../api/client";

// Messages for the server's stable error codes. Literal keys, so the i18n
// test sees each one.
const MESSAGES: Record<string, (t: TFunction) => string> = {
  invalid_credentials: (t) => t("errors.invalid_credentials"),
  totp_required: (t) => t("errors.totp_required"),
  invalid_totp_code: (t) => t("errors.invalid_totp_code"),
  invalid_recovery_code: (t) => t("errors.invalid_recovery_code"),
  invalid_second_factor: (t) => t("errors.invalid_second_factor"),
  email_not_verified: (t) => t("errors.email_not_verified"),
  account_disabled: (t) => t("errors.account_disabled"),
  invalid_code: (t) => t("errors.invalid_code"),
  invalid_password: (t) => t("errors.invalid_password"),
  rate_limited: (t) => t("errors.rate_limited"),
  too_many_requests: (t) => t("errors.rate_limited"),
  too_many_attempts: (t) => t("errors.rate_limited"),
  email_taken: (t) => t("errors.email_taken"),
  csrf_failed: (t) => t("errors.csrf_failed"),
  unauthenticated: (t) => t("errors.unauthenticated"),
  forbidden: (t) => t("errors.forbidden"),
  not_found: (t) => t("errors.not_found"),
  field_locked: (t) => t("errors.field_locked"),
  no_organization: (t) => t("errors.no_organization"),
  not_group_admin: (t) => t("errors.not_group_admin"),
  not_group_owner: (t) => t("errors.not_group_owner"),
  cannot_remove: (t) => t("errors.cannot_remove"),
  group_full: (t) => t("errors.group_full"),
  member_not_allowed: (t) => t("errors.member_not_allowed"),
  conversation_dissolved: (t) => t("errors.conversation_dissolved"),
  peer_account_deleted: (t) => t("chat.peerGone"),
  legal_hold: (t) => t("errors.legal_hold"),
  recall_window_passed: (t) => t("errors.recall_window_passed"),
  message_deleted: (t) => t("errors.message_deleted"),
  mention_all_not_allowed: (t) => t("errors.mention_all_not_allowed"),
  password_too_short: (t) => t("errors.password_too_short"),
  password_too_long: (t) => t("errors.password_too_long"),
  password_common: (t) => t("errors.password_common"),
  password_control_characters: (t) => t("errors.password_control_characters"),
  password_blank: (t) => t("errors.password_blank"),
  unsafe_characters: (t) => t("errors.unsafe_characters"),
  already_reminded: (t) => t("errors.already_reminded"),
  announcement_published: (t) => t("errors.announcement_published"),
  announcement_withdrawn: (t) => t("errors.announcement_withdrawn"),
  announcement_not_published: (t) => t("errors.announcement_not_published"),
  confirmation_not_required: (t) => t("errors.confirmation_not_required"),
  comments_disabled: (t) => t("errors.comments_disabled"),
  edit_window_closed: (t) => t("errors.edit_window_closed"),
  report_exists: (t) => t("errors.report_exists"),
  report_submitted: (t) => t("errors.report_submitted"),
  report_not_submitted: (t) => t("errors.report_not_submitted"),
  step_closed: (t) => t("errors.step_closed"),
  not_your_turn: (t) => t("errors.not_your_turn"),
  not_pending: (t) => t("errors.not_pending"),
  urged_recently: (t) => t("errors.urged_recently"),
  file_too_large: (t) => t("errors.file_too_large"),
  empty_file: (t) => t("errors.empty_file"),
};

/** errorText is the message to show for a failed call, in the UI language. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const m = MESSAGES[e.code];
    if (m) return m(t);
    if (e.status === 429) return t("errors.rate_limited");
    if (e.status >= 500) return t("errors.server");
    // A validation message from the server (English) is better than none.
    return e.message || t("errors.generic");
  }
  if (e instanceof TypeError) return t("errors.network");
  return t("errors.generic");
}
