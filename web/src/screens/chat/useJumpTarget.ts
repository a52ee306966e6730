// Jumping to a message (from search, a reply quote or a pin) that may lie
// outside the loaded window: load the window around it and highlight it.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { loadAround, messagesKey, type Window } from "./data";

/**
 * useJumpTarget returns the message id to highlight (the one jumped to,
 * until cleared) and loads the history around it when it is not in the
 * conversation's window.
 */
export function useJumpTarget(id: string, at: string | undefined) {
  const qc = useQueryClient();
  const [highlight, setHighlight] = useState(at ?? "");
  useEffect(() => {
    if (!at) return;
    setHighlight(at);
    if (!qc.getQueryData<Window>(messagesKey(id))?.items.some((m) => m.id === at)) {
      void loadAround(id, at).then((w) => qc.setQueryData(messagesKey(id), w));
    }
  }, [at, id, qc]);
  const clear = useCallback(() => setHighlight(""), []);
  return { highlight, clear };
}
