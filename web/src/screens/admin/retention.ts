// The retention form's checks, apart from the screen so they can be tested.

/** MAX_DAYS is the longest period the server takes (a hundred years). */
export const MAX_DAYS = 36500;

/** daysText is how a saved period shows in the form: 0 ("keep") as empty. */
export function daysText(days: number): string {
  return days > 0 ? String(days) : "";
}

/**
 * dayProblem says what is wrong with a class's "keep for" value: empty
 * means kept until deleted by hand; anything else must be a whole number
 * of min (1 unless the class sets more) to MAX_DAYS days. "0" is refused
 * rather than read as "forever" or "delete everything at once".
 */
export function dayProblem(value: string, min = 1): { min: number } | null {
  const v = value.trim();
  if (v === "") return null;
  if (!/^\d+$/.test(v) || Number(v) < Math.max(min, 1) || Number(v) > MAX_DAYS)
    return { min: Math.max(min, 1) };
  return null;
}

/** policiesOf turns the form into policies: the classes with a number of days. */
export function policiesOf(days: Record<string, string>): { class: string; days: number }[] {
  return Object.entries(days)
    .filter(([, v]) => v.trim() !== "")
    .map(([k, v]) => ({ class: k, days: Number(v.trim()) }));
}
