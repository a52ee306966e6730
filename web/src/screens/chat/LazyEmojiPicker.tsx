import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";

// The picker and its data (some 80 KB gzipped) load on first use only.
const Picker = lazy(() => import("./EmojiPicker"));

/** LazyEmojiPicker shows the full emoji picker, loading it when first opened. */
export function LazyEmojiPicker({ onPick, label }: { onPick: (e: string) => void; label: string }) {
  const { t } = useTranslation();
  return (
    <Suspense
      fallback={
        <div className="emoji-picker" role="status">
          <span className="muted small">{t("chat.emojiLoading")}</span>
        </div>
      }
    >
      <Picker onPick={onPick} label={label} />
    </Suspense>
  );
}
