// State shared by the spec files of one run (they run in order against one
// server): e.g. the owner's TOTP secret and the last code used, since a
// code works only once.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const file = join(
  tmpdir(),
  `atrium-e2e-${(process.env.ATRIUM_E2E_URL ?? "local").replace(/\W+/g, "_")}.json`,
);

type State = { totpSecret?: string; usedCode?: string };

export function loadState(): State {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as State) : {};
}

export function saveState(patch: State) {
  writeFileSync(file, JSON.stringify({ ...loadState(), ...patch }));
}
