/* Operators' dashboard of the exchange gateway: vanilla JS, no external assets.
 * Every value from the server is put into the page with textContent, never as HTML. */
"use strict";

(function () {
  const TOKEN_KEY = "gateway-dashboard-token";
  const REFRESH_MS = 5000;
  const COUNTERS = ["received", "accepted", "rejected", "routed"];
  const COLOURS = ["ok", "warn", "err", "unknown"];
  let timer = null;
  let role = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function cell(row, value, numeric) {
    const td = el("td", value === null || value === undefined ? "—" : value);
    if (numeric) td.className = "num";
    row.appendChild(td);
    return td;
  }

  function fill(tbodyId, rows, emptyText, columns) {
    const tbody = $(tbodyId);
    tbody.replaceChildren();
    if (!rows || rows.length === 0) {
      const tr = el("tr", null, "empty");
      const td = el("td", emptyText);
      td.colSpan = columns;
      tr.appendChild(td);
      tbody.appendChild(tr);
      return;
    }
    for (const row of rows) tbody.appendChild(row);
  }

  function fmtTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    try {
      return date.toLocaleString("en-GB", { timeZone: "Asia/Tashkent" }) + " (Tashkent)";
    } catch (e) {
      return String(iso);
    }
  }

  function fmtShare(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + " %";
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path, options) {
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    const init = Object.assign({ cache: "no-store" }, options || {});
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    if (token) init.headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch("/dashboard/api/" + path, init);
    } catch (e) {
      throw new ApiError(0, "network", "The worker does not answer: " + e.message);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.message ? body.message : "HTTP " + response.status;
      throw new ApiError(response.status, body && body.error ? body.error : "http", message);
    }
    return body;
  }

  function refused(error) {
    return error instanceof ApiError && (error.status === 401 || error.status === 403);
  }

  /* ---- sections ------------------------------------------------------------------------ */

  function sparkline(series) {
    const width = 600;
    const height = 120;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Rates of received, accepted, rejected and routed messages");
    const rates = (series && series.rates) || {};
    let top = 0;
    for (const name of COUNTERS) for (const v of rates[name] || []) top = Math.max(top, v);
    top = top || 1;
    for (const name of COUNTERS) {
      const values = rates[name] || [];
      if (values.length < 2) continue;
      const step = width / (values.length - 1);
      const points = values.map((v, i) =>
        (i * step).toFixed(1) + "," + (height - 4 - (v / top) * (height - 8)).toFixed(1));
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", points.join(" "));
      line.setAttribute("class", "line line-" + name);
      svg.appendChild(line);
    }
    const holder = $("sparkline");
    holder.replaceChildren(svg);
    const rows = COUNTERS.map((name) => {
      const tr = el("tr");
      const label = el("td");
      label.appendChild(el("span", null, "key key-" + name));
      label.appendChild(document.createTextNode(" " + name));
      tr.appendChild(label);
      const current = series && series.current ? series.current[name] : null;
      const total = series && series.totals ? series.totals[name] : null;
      cell(tr, current === null || current === undefined ? null : Number(current).toFixed(2), true);
      cell(tr, total, true);
      return tr;
    });
    fill("throughput-figures", rows, "No samples yet.", 3);
  }

  function rejections(rows) {
    fill("rejections-rows", (rows || []).map((r) => {
      const tr = el("tr");
      cell(tr, r.reason);
      cell(tr, r.count, true);
      cell(tr, fmtShare(r.share), true);
      return tr;
    }), "No rejections.", 3);
  }

  function lag(rows) {
    fill("lag-rows", (rows || []).map((r) => {
      const colour = COLOURS.includes(r.colour) ? r.colour : "unknown";
      const tr = el("tr", null, "status-" + colour);
      cell(tr, r.group);
      const status = cell(tr, "");
      status.appendChild(el("span", r.status, "badge badge-" + colour));
      if (r.problems && r.problems.length) status.title = r.problems.join("\n");
      cell(tr, r.total_lag, true);
      cell(tr, r.max_lag_seconds === null ? null : Number(r.max_lag_seconds).toFixed(1), true);
      cell(tr, r.partitions, true);
      return tr;
    }), "No consumer groups known yet.", 5);
  }

  function cases(rows) {
    fill("cases-rows", (rows || []).map((r) => {
      const tr = el("tr", null, r.overdue > 0 ? "overdue" : "");
      cell(tr, r.body);
      cell(tr, r.open, true);
      cell(tr, r.overdue, true);
      cell(tr, r.oldest_open_hours, true);
      return tr;
    }), "No open cases.", 4);
  }

  function rating(rows) {
    fill("rating-rows", (rows || []).map((r) => {
      const tr = el("tr");
      cell(tr, r.rank, true);
      cell(tr, r.body);
      cell(tr, r.received, true);
      cell(tr, r.answered_on_time, true);
      cell(tr, r.answered_late, true);
      cell(tr, r.refused, true);
      cell(tr, r.overdue_now, true);
      cell(tr, fmtShare(r.on_time_share), true);
      cell(tr, r.slowest_service_median_hours, true);
      return tr;
    }), "No statistics yet.", 9);
  }

  function calendarWarning(block) {
    const box = $("calendar-warning");
    const list = $("calendar-problems");
    list.replaceChildren();
    if (!block || block.ok) {
      box.hidden = true;
      return;
    }
    const lines = (block.problems || []).slice();
    if (block.reload_error) lines.unshift("calendar.yaml is refused, the last good calendar is in force: " + block.reload_error);
    for (const line of lines) list.appendChild(el("li", line));
    box.hidden = false;
  }

  function deadLetters(items) {
    const operator = role === "operator";
    for (const node of document.querySelectorAll(".operator-only")) node.hidden = !operator;
    fill("dlq-rows", (items || []).map((d) => {
      const tr = el("tr");
      cell(tr, d.adapter);
      cell(tr, d.id);
      cell(tr, d.message_id);
      cell(tr, d.reason);
      cell(tr, d.status);
      cell(tr, d.attempts, true);
      cell(tr, fmtTime(d.at));
      if (operator) {
        const action = cell(tr, "");
        const button = el("button", "Replay", "replay");
        button.type = "button";
        button.addEventListener("click", () => replay(d.adapter, d.id, button));
        action.appendChild(button);
      }
      return tr;
    }), "No dead letters.", operator ? 8 : 7);
  }

  async function replay(adapter, id, button) {
    button.disabled = true;
    const status = $("dlq-status");
    try {
      const answer = await api("dlq/replay", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ adapter: adapter, id: id }),
      });
      status.textContent = "Replayed " + answer.replayed + " record(s) of " + adapter + " " + id + ".";
      await refreshDlq();
    } catch (error) {
      status.textContent = "Replay failed: " + error.message;
      button.disabled = false;
    }
  }

  /* ---- search -------------------------------------------------------------------------- */

  function summary(found) {
    const box = $("case-summary");
    box.replaceChildren();
    const c = found.case;
    const list = el("dl");
    const add = (label, value) => {
      list.appendChild(el("dt", label));
      list.appendChild(el("dd", value === null || value === undefined ? "—" : value));
    };
    add("Case", found.case_id);
    if (c) {
      add("Status", c.status);
      add("Requester", c.requester);
      add("Holder (owes the answer)", c.holder);
      add("Service", c.service);
      add("Due", c.due_at ? fmtTime(new Date(c.due_at).toISOString()) : "no deadline");
    }
    box.appendChild(list);
  }

  function timeline(found) {
    const box = $("timeline");
    const list = el("ol", null, "stages");
    for (const event of found.timeline || []) {
      const item = el("li", null, "stage");
      item.dataset.stage = String(event.stage);
      item.appendChild(el("span", event.stage, "stage-name"));
      item.appendChild(el("time", fmtTime(event.at), "stage-at"));
      const facts = el("div", null, "stage-facts");
      facts.appendChild(el("span", "Actor: " + (event.actor || "—"), "stage-actor"));
      facts.appendChild(el("span", "Deadline: " + fmtTime(event.deadline), "stage-deadline"));
      facts.appendChild(el("span", "Message: " + (event.message_id || "—"), "stage-message"));
      item.appendChild(facts);
      const detail = event.detail || {};
      const keys = Object.keys(detail);
      if (keys.length) {
        const dl = el("dl", null, "stage-detail");
        for (const key of keys) {
          dl.appendChild(el("dt", key));
          dl.appendChild(el("dd", detail[key]));
        }
        item.appendChild(dl);
      }
      list.appendChild(item);
    }
    if (!list.children.length) box.replaceChildren(el("p", "The case has no recorded stages.", "notice"));
    else box.replaceChildren(list);
  }

  async function search(event) {
    event.preventDefault();
    const ident = $("search-id").value.trim();
    const box = $("timeline");
    $("case-summary").replaceChildren();
    if (!ident) {
      box.replaceChildren(el("p", "Type a message id first.", "notice"));
      return;
    }
    box.replaceChildren(el("p", "Searching…", "notice"));
    try {
      const found = await api("track/" + encodeURIComponent(ident));
      summary(found);
      timeline(found);
    } catch (error) {
      if (refused(error)) signOut(error.message);
      box.replaceChildren(el("p", error.message, "notice notice-error"));
    }
  }

  /* ---- refresh and sign-in -------------------------------------------------------------- */

  async function refreshDlq() {
    const answer = await api("dlq");
    deadLetters(answer.items);
  }

  async function refresh() {
    try {
      const data = await api("overview");
      sparkline(data.throughput);
      rejections(data.rejections);
      lag(data.lag);
      cases(data.cases_by_body);
      rating(data.rating);
      calendarWarning(data.calendar);
      $("updated").textContent = fmtTime(data.generated_at);
      await refreshDlq();
      showError("");
    } catch (error) {
      if (refused(error)) signOut(error.message);
      else showError(error.message);
    }
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    role = null;
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("board").hidden = true;
    $("role").hidden = true;
    $("logout").hidden = true;
    $("token").hidden = false;
    $("token-label").hidden = false;
    $("login").hidden = false;
    showError(message || "");
  }

  async function start() {
    try {
      const who = await api("whoami");
      role = who.role;
    } catch (error) {
      signOut(error.message);
      return;
    }
    showError("");
    $("role").textContent = "Signed in: " + role;
    $("role").hidden = false;
    $("logout").hidden = false;
    $("token").hidden = true;
    $("token-label").hidden = true;
    $("login").hidden = true;
    $("board").hidden = false;
    await refresh();
    if (timer === null) timer = setInterval(refresh, REFRESH_MS);
  }

  function login(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (!token) {
      showError("Enter the observer or operator token.");
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    start();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", () => signOut(""));
    $("search-form").addEventListener("submit", search);
    if (sessionStorage.getItem(TOKEN_KEY)) start();
  });
})();
