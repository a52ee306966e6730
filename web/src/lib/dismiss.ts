import { useEffect, useRef } from "react";

/**
 * useDismiss closes a popup (a menu, a picker) on Escape or on a press
 * outside the element the returned ref is put on. Escape gives the focus
 * back to the control that had it when the popup opened, and is kept from
 * also closing a dialog around the popup.
 */
export function useDismiss<T extends HTMLElement = HTMLDivElement>(open: boolean, close: () => void) {
  const ref = useRef<T>(null);
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    if (!open) return;
    const trigger = document.activeElement instanceof HTMLElement ? document.activeElement : null;
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
