// Drafts: what someone started writing in a conversation stays when they
// switch to another one or reload the page, kept in localStorage per
// account and conversation, and goes when the message is sent.
import { useSyncExternalStore } from "react";

const PREFIX = "atrium.draft.";

/** draftKey is where one account's draft for one conversation is kept. */
export function draftKey(accountId: string, conversationId: string): string {
  return `${PREFIX}${accountId}.${conversationId}`;
}

const listeners = new Set<() => void>();
let version = 0;

function changed() {
  version++;
  for (const l of listeners) l();
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage switched off
  }
}

/** loadDraft returns the kept draft ("" for none). */
export function loadDraft(accountId: string, conversationId: string): string {
  if (!accountId || !conversationId) return "";
  return storage()?.getItem(draftKey(accountId, conversationId)) ?? "";
}

/** saveDraft keeps text as the draft; blank text removes it. */
export function saveDraft(accountId: string, conversationId: string, text: string) {
  if (!accountId || !conversationId) return;
  const s = storage();
  if (!s) return;
  const key = draftKey(accountId, conversationId);
  const had = s.getItem(key);
  try {
    if (text.trim()) s.setItem(key, text);
    else s.removeItem(key);
  } catch {
    return; // storage full: the draft lives only on screen
  }
  // Lists show whether a conversation has a draft: tell them when that changes.
  if (!had !== !text.trim()) changed();
}

/** clearDraft removes the draft (the message was sent). */
export function clearDraft(accountId: string, conversationId: string) {
  saveDraft(accountId, conversationId, "");
}

/** draftIds lists the conversations of accountId that have a draft. */
export function draftIds(accountId: string): Set<string> {
  const out = new Set<string>();
  const s = storage();
  if (!s || !accountId) return out;
  const p = `${PREFIX}${accountId}.`;
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k?.startsWith(p)) out.add(k.slice(p.length));
  }
  return out;
}

function subscribe(l: () => void) {
  listeners.add(l);
  const onStorage = (e: StorageEvent) => {
    if (!e.key || e.key.startsWith(PREFIX)) changed();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(l);
    window.removeEventListener("storage", onStorage);
  };
}

/** useDraftVersion changes whenever a draft is saved or cleared (here or in another tab). */
export function useDraftVersion(): number {
  return useSyncExternalStore(
    subscribe,
    () => version,
    () => version,
  );
}
