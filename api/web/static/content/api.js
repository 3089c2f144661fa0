// The API helper: same-origin fetch with the staff session cookie, the CSRF token on every
// change (X-CSRF-Token, from the login or the bh_csrf cookie), errors as ApiError.
let csrf = null;
let onUnauthorized = () => {};

export function setCsrf(token) { csrf = token; }
export function whenUnauthorized(callback) { onUnauthorized = callback; }

function readCookie(name) {
  const m = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return m ? decodeURIComponent(m.slice(name.length + 1)) : null;
}

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;  // every problem of an import (the 422's import_problem items)
  }
}

/** api(path, {method, json, text}) -> parsed JSON (null for 204). `text` sends text/plain. */
export async function api(path, { method = "GET", json, text } = {}) {
  const headers = {};
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (text !== undefined) { headers["Content-Type"] = "text/plain; charset=utf-8"; body = text; }
  if (method !== "GET") headers["X-CSRF-Token"] = csrf || readCookie("bh_csrf") || "";
  let resp;
  try {
    resp = await fetch(path, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "Ingen kontakt med servern. Kontrollera nätverket och försök igen.");
  }
  if (!resp.ok) {
    const data = await resp.json().catch(() => ({}));
    const detail = data.detail;
    let message = resp.statusText || `HTTP ${resp.status}`;
    let errors = [];
    if (typeof detail === "string") message = detail;
    else if (Array.isArray(detail)) {  // 422: [{loc, msg, type}]; an import adds one item per problem
      const problems = detail.filter((d) => d && d.type === "import_problem");
      const others = detail.filter((d) => d && d.type !== "import_problem" && d.msg);
      if (others.length) message = others.map((d) => d.msg).join(" ");
      errors = problems.map((d) => String(d.msg));
    }
    if (resp.status === 401 && !path.endsWith("/login")) onUnauthorized();
    throw new ApiError(resp.status, message, errors);
  }
  if (resp.status === 204) return null;
  return resp.json();
}
