import { type KeyboardEvent as ReactKeyboardEvent, useEffect, useRef } from "react";

/**
 * useDismiss closes a popup (a menu, a picker) on Escape or on a press
 * outside the element the returned ref is put on. Opening it moves the
 * focus to its first menu item, if it has one; Escape gives the focus back
 * to the control that had it when the popup opened, and is kept from also
 * closing a dialog around the popup.
 */
export function useDismiss<T extends HTMLElement = HTMLDivElement>(open: boolean, close: () => void) {
  const ref = useRef<T>(null);
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    if (!open) return;
    const trigger = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) closeRef.current();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      closeRef.current();
      if (trigger && ref.current?.contains(trigger)) trigger.focus();
    };
    document.addEventListener("mousedown", onDown);
    // Capture: the popup hears Escape before a dialog or the composer does.
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open]);
  return ref;
}

/** onMenuKeys moves the focus among a menu's items: arrow keys (wrapping), Home and End. */
export function onMenuKeys(e: ReactKeyboardEvent<HTMLElement>) {
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  if (items.length === 0) return;
  const i = items.indexOf(document.activeElement as HTMLElement);
  let next = -1;
  if (e.key === "ArrowDown") next = (i + 1) % items.length;
  else if (e.key === "ArrowUp") next = (i - 1 + items.length) % items.length;
  else if (e.key === "Home") next = 0;
  else if (e.key === "End") next = items.length - 1;
  if (next < 0) return;
  e.preventDefault();
  items[next].focus();
}
