// Minimal first-run setup and sign-in forms (see internal/server/pages.go).
"use strict";

function cookie(name) {
  const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return m ? decodeURIComponent(m[1]) : "";
}

function say(text, bad) {
  const el = document.getElementById("message");
  el.textContent = text;
  el.className = bad ? "error" : "ok";
}

async function post(path, body) {
  const headers = { "Content-Type": "application/json" };
  const csrf = cookie("atrium_csrf");
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const msg = data && data.error ? data.error.message + " (" + data.error.code + ")" : "request failed (" + res.status + ")";
    throw new Error(msg);
  }
  return data;
}

function value(form, name) {
  const el = form.elements.namedItem(name);
  return el ? el.value.trim() : "";
}

async function setup(form) {
  const token = new URLSearchParams(location.search).get("token") || "";
  if (!token) throw new Error("The setup link is missing its token: open the link the server printed.");
  await post("/api/v1/setup", {
    token,
    organization: { name: value(form, "org_name"), region: value(form, "org_region"), industry: value(form, "org_industry"), size: value(form, "org_size") },
    owner: { name: value(form, "owner_name"), email: value(form, "owner_email"), password: form.elements.namedItem("owner_password").value },
  });
  say("Your organization is ready. Opening Atrium…", false);
  location.assign("/");
}

async function login(form) {
  const body = { email: value(form, "email"), password: form.elements.namedItem("password").value };
  const code = value(form, "totp_code");
  if (code) body.totp_code = code;
  await post("/api/v1/auth/login", body);
  say("Signed in. Opening Atrium…", false);
  const next = new URLSearchParams(location.search).get("next");
  location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.querySelector("form[data-action]");
  if (!form) return;
  if (form.dataset.action === "setup") {
    try {
      const st = await fetch("/api/v1/setup").then((r) => r.json());
      if (st && st.needed === false) say("Setup is already done: sign in instead.", true);
    } catch (e) { /* the form still works */ }
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    say("", false);
    try {
      await (form.dataset.action === "setup" ? setup(form) : login(form));
    } catch (e) {
      say(e.message, true);
    } finally {
      button.disabled = false;
    }
  });
});
