// The people of the e2e story.
export const owner = { name: "Ada Lovelace", email: "ada@example.test", password: "analytical-engine-1843" };
export const member = { name: "李雷", email: "lilei@example.test", password: "hanmeimei-2026" };
export const org = { name: "Analytical Engines Ltd" };
