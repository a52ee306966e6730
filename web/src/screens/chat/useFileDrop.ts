// Dropping files onto a conversation sends them.
import { type DragEvent, useState } from "react";

/** useFileDrop returns whether files are dragged over, and the handlers that accept a drop. */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragOver, setDragOver] = useState(false);
  const handlers = {
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer.types.includes("Files")) {
        e.preventDefault();
        setDragOver(true);
      }
    },
    onDragLeave: () => setDragOver(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setDragOver(false);
      const files = [...e.dataTransfer.files];
      if (files.length) onFiles(files);
    },
  };
  return { dragOver, handlers };
}
