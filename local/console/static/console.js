// The console's page: plain JavaScript, no build step. Every text that comes from the pipeline (order ids, bodies,
// log lines, reasons) is set as text (textContent), never as HTML, and invisible or direction-changing characters are
// shown as visible marks. Updates arrive as server-sent events from the runner; the page never polls AWS APIs.
"use strict";

const $ = (selector) => document.querySelector(selector);

/** Characters that change direction or are invisible: shown as [U+XXXX] so that no text can disguise itself. */
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/gu;
/** Characters of one text shown at most before "… (N more)". */
const SHOWN = 400;

/** An element with text children only; `children` are nodes or strings (set as text). */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") appendText(node, value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

/** Appends `value` as text, cut to SHOWN characters, with each hidden character as a visible mark. */
function appendText(node, value, limit = SHOWN) {
  let text = value === undefined || value === null ? "" : String(value);
  const characters = [...text];
  let rest = "";
  if (characters.length > limit) {
    rest = ` … (${characters.length - limit} more characters)`;
    text = characters.slice(0, limit).join("");
  }
  let last = 0;
  for (const match of text.matchAll(HIDDEN)) {
    node.append(document.createTextNode(text.slice(last, match.index)));
    const code = match[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    node.append(el("span", { class: "control-char", title: "an invisible or direction-changing character" }, [`U+${code}`]));
    last = match.index + match[0].length;
  }
  node.append(document.createTextNode(text.slice(last)));
  if (rest) node.append(el("span", { class: "muted" }, [rest]));
  return node;
}

function setText(node, value, limit) {
  node.replaceChildren();
  appendText(node, value, limit);
}

/** A button that follows an order (or a message) by id. */
function orderLink(id) {
  const button = el("button", { type: "button", class: "link", "aria-label": `Follow ${shortId(id)}`, onclick: () => follow(id) });
  appendText(button, id, 80);
  return button;
}

function shortId(id) {
  const text = String(id).replace(HIDDEN, "?");
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false }) + "." + String(ms % 1000).padStart(3, "0");

// ---- what is on screen: a view scrolled out of sight is not redrawn until it comes back ----

const onScreen = new Set();
const whenShown = new Map();
const sight = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) {
      onScreen.add(entry.target.id);
      const redraw = whenShown.get(entry.target.id);
      whenShown.delete(entry.target.id);
      redraw?.();
    } else onScreen.delete(entry.target.id);
  }
});

/** Runs `draw` now if the section is on screen, else once it comes into sight. */
function drawIfShown(sectionId, draw) {
  if (onScreen.has(sectionId)) draw();
  else whenShown.set(sectionId, draw);
}

// ---- state from the runner ----

let state;
let pendingRender = false;
const logEntries = [];
const LOG_KEPT = 3000;
let followed;

function onState(next) {
  const before = state;
  state = next;
  for (const entry of next.log.lines) logEntries.push(entry);
  if (next.log.skipped > 0) logEntries.push({ seq: -1, line: `… ${next.log.skipped} lines not sent to the page (the runner keeps the newest) …`, level: "INFO", skipped: true });
  if (logEntries.length > LOG_KEPT) logEntries.splice(0, logEntries.length - LOG_KEPT);
  if (following) followChanged = true;
  else if (followed && next.touched.includes(followed.key)) scheduleFollow();
  if (!before || before.counts.deadLetterQueue.depth !== next.counts.deadLetterQueue.depth || dlqStale) loadDeadLetters();
  if (!before || before.counts.table.items !== next.counts.table.items) refreshTable();
  if (!pendingRender) {
    pendingRender = true;
    requestAnimationFrame(() => {
      pendingRender = false;
      render();
    });
  }
}

function render() {
  const { counts, names, fault } = state;
  $("#stack").textContent = `stack ${state.stack}`;
  for (const node of document.querySelectorAll("[data-name]")) setText(node, names[node.dataset.name]);
  const values = {
    published: counts.published,
    sentToQueue: counts.sentToQueue,
    visible: counts.queue.visible,
    inFlight: counts.queue.inFlight,
    delayed: counts.queue.delayed,
    oldest: `${counts.queue.oldestAgeSeconds} s`,
    invocations: counts.function.invocations,
    errors: counts.function.errors,
    environments: `${counts.function.environments} (${counts.function.busy})`,
    items: counts.table.items ?? "?",
    fault: fault.description.split(":")[0],
    deadLetters: counts.deadLetterQueue.depth,
  };
  for (const node of document.querySelectorAll("[data-count]")) node.textContent = String(values[node.dataset.count]);
  const outcomes = $("#outcomes");
  outcomes.replaceChildren(...Object.entries(counts.function.outcomes).flatMap(([name, n]) => [el("dt", { text: name.toLowerCase() }), el("dd", { class: `outcome-${name.toLowerCase()}`, text: n })]));
  $("#node-dlq").classList.toggle("alarm", counts.deadLetterQueue.depth > 0);
  $("#node-table").classList.toggle("fault", fault.mode !== "pass");
  $("#delivery").textContent = state.settings.rawMessageDelivery ? "raw message delivery is on: the order is the body" : "raw delivery is off: the order arrives in an SNS envelope";
  renderFault();
  scheduleLog();
}

/** The log is redrawn at most once a second while lines flow, and only on screen. */
let logTimer;
let logDrawnAt = 0;
function scheduleLog() {
  if (logTimer) return;
  logTimer = setTimeout(() => {
    logTimer = undefined;
    logDrawnAt = Date.now();
    drawIfShown("log", renderLog);
  }, Math.max(0, 1000 - (Date.now() - logDrawnAt)));
}

// ---- publish ----

let verdict;
let checkTimer;

function renderVerdict(v) {
  const box = $("#verdict");
  box.replaceChildren();
  box.className = v.valid ? "ok" : "bad";
  if (v.valid) {
    box.append("The contract (docs/asyncapi.yaml) accepts this order.");
    return;
  }
  box.append(v.parseError !== undefined ? "Not JSON: the function will reject it and it will end in the dead-letter queue." : "The contract (docs/asyncapi.yaml) rejects this order; the function will too, and it will end in the dead-letter queue:");
  box.append(el("ul", {}, v.problems.map((p) => el("li", { text: `${p.field}: ${p.message}` }))));
}

async function check() {
  const text = $("#order").value;
  verdict = await api("/api/check", { text });
  renderVerdict(verdict);
  return verdict;
}

function edited() {
  $("#publish-anyway").hidden = true;
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => check().catch(showPublishError), 250);
}

function showPublishError(error) {
  setText($("#publish-result"), `Not published: ${error.message}`);
}

async function publish(force, variants) {
  const text = $("#order").value;
  const via = document.querySelector("input[name=via]:checked").value;
  const result = await api("/api/publish", { text, via, force, ...(variants ? { variants } : {}) });
  renderVerdict(result.verdict);
  if (result.refused) {
    // Publishing what the contract refuses is a second, explicit step.
    const anyway = $("#publish-anyway");
    anyway.hidden = false;
    anyway.focus();
    setText($("#publish-result"), "Not published: the contract rejects it (see above). Publish anyway to send it as it is, and watch it reach the dead-letter queue.");
    return;
  }
  $("#publish-anyway").hidden = true;
  const where = via === "topic" ? "on the topic" : "to the queue";
  setText($("#publish-result"), result.published.length === 1 ? `Published ${where}: message ${result.published[0]}.` : `Published ${result.published.length} variants ${where}.`);
  if (result.verdict.orderId !== undefined && result.published.length === 1) follow(result.verdict.orderId);
}

// ---- follow an order ----

let followTimer;

function scheduleFollow() {
  if (followTimer) return;
  followTimer = setTimeout(() => {
    followTimer = undefined;
    if (followed) follow(followed.id, false);
  }, 300);
}

/** Set while a story is being read; a state pushed meanwhile may have changed it, so it is read again after. */
let following = false;
let followChanged = false;

async function follow(id, focus = true) {
  $("#order-id").value = id;
  if (focus) location.hash = "#follow";
  following = true;
  followChanged = false;
  try {
    const story = await api(`/api/orders/${encodeURIComponent(id)}`);
    followed = { id, key: story.key };
    renderStory(story);
  } catch (error) {
    setText($("#story-title"), `Could not follow ${shortId(id)}: ${error.message}`);
  } finally {
    following = false;
    // The pipeline may have moved on while the answer was on its way (an order is often stored within a push).
    if (followChanged && followed?.id === id) scheduleFollow();
  }
}

function describeStep(e) {
  switch (e.kind) {
    case "published": return ["published on the topic as message ", e.messageId, e.version ? ` (timestamp ${JSON.stringify(e.version.timestamp)}, status ${JSON.stringify(e.version.status)})` : ", not an order"];
    case "enqueued": return e.snsMessageId ? ["delivered to the queue as message ", e.messageId] : ["sent straight to the queue as message ", e.messageId, e.version ? ` (timestamp ${JSON.stringify(e.version.timestamp)})` : ""];
    case "received": return [`received${e.receiveCount ? ` (receive ${e.receiveCount})` : ""} by invocation ${e.requestId ?? "?"}: `, el("span", { class: `outcome-${e.outcome}`, text: e.outcome }), e.reason ? ` — ${e.reason}` : "", e.kept ? ` — kept ${e.kept}` : ""];
    case "redriven": return ["redriven from the dead-letter queue (message ", e.from, ") to the order queue as message ", e.messageId];
    case "dead-lettered": return ["moved to the dead-letter queue: message ", e.messageId];
    case "deleted": return ["deleted from the queue: message ", e.messageId];
    case "left the DLQ": return ["left the dead-letter queue (redriven or deleted): message ", e.messageId];
    default: return [e.kind, " ", e.messageId];
  }
}

function renderStory(story) {
  setText($("#story-title"), story.events.length ? `The story of ${story.key}: ${story.events.length} steps` : `Nothing is known of ${story.id} since the console started${story.item ? ", but the table holds it" : ""}.`);
  $("#story").replaceChildren(...story.events.map((e) => {
    const item = el("li", {}, [el("span", { class: "when", text: time(e.at) })]);
    for (const part of describeStep(e)) item.append(typeof part === "string" ? appendText(el("span"), part) : part);
    if (e.body !== undefined) item.append(el("pre", { text: e.body }));
    return item;
  }));
  setText($("#item"), story.item ? JSON.stringify(story.item, null, 2) : "not in the table", 4000);
}

// ---- table ----

let tablePage = { after: undefined, next: null };

async function refreshTable(after = tablePage.after) {
  try {
    const page = await api(`/api/table${after !== undefined ? `?after=${encodeURIComponent(after)}` : ""}`);
    tablePage = { after, next: page.next };
    $("#table-next").disabled = page.next === null;
    $("#items").replaceChildren(...page.items.map((item) => el("tr", {}, [
      el("td", {}, [orderLink(item.orderId)]),
      el("td", { text: item.status }),
      el("td", { text: item.quantity }),
      el("td", { text: item.timestamp }),
      el("td", {}, [el("button", { type: "button", class: "secondary", "aria-label": `Show item ${shortId(item.orderId)}`, onclick: () => setText($("#table-item"), JSON.stringify(item, null, 2), 4000) }, ["Show"])]),
    ])));
  } catch (error) {
    setText($("#table-item"), `Could not read the table: ${error.message}`);
  }
}

// ---- function log ----

let paused = false;

function renderLog() {
  if (paused) return;
  const level = $("#log-level").value;
  const outcome = $("#log-outcome").value;
  const filter = $("#log-filter").value.trim();
  const metrics = $("#log-metrics").checked;
  const order = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  const matching = logEntries.filter((e) =>
    (metrics || !e.line.includes('"_aws"')) &&
    (!level || order.indexOf(e.level ?? "INFO") >= order.indexOf(level)) &&
    (!outcome || e.outcome === outcome) &&
    (!filter || e.orderId === filter || e.messageId === filter || e.line.includes(filter)));
  const shown = matching.slice(-300);
  setText($("#log-count"), `${matching.length} of ${logEntries.length} lines kept here match; the newest ${shown.length} shown`);
  const line = (e) => el("div", { class: `log-line ${e.level ?? ""}` }, [appendText(el("span"), e.line, 2000)]);
  const box = $("#log-lines");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  if ($("#log-group").checked) {
    const groups = [];
    for (const e of shown) {
      const last = groups[groups.length - 1];
      if (last && last.requestId === e.requestId) last.lines.push(e);
      else groups.push({ requestId: e.requestId, lines: [e] });
    }
    box.replaceChildren(...groups.map((g) => el("div", { class: "log-group" }, [
      el("div", { class: "log-group-title", text: g.requestId ? `invocation ${g.requestId}` : "outside an invocation" }), ...g.lines.map(line),
    ])));
  } else {
    box.replaceChildren(...shown.map(line));
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// ---- dead-letter queue ----

let dlqStale = false;
let dlqLoading = false;

async function loadDeadLetters() {
  if (dlqLoading) {
    dlqStale = true;
    return;
  }
  dlqLoading = true;
  dlqStale = false;
  try {
    const { total, messages } = await api("/api/dlq");
    $("#redrive-all").disabled = total === 0;
    const more = total > messages.length ? [el("p", { class: "muted", text: `The first ${messages.length} of ${total} messages; Redrive all moves every one.` })] : [];
    $("#dlq-messages").replaceChildren(...more, ...(messages.length === 0 ? [el("p", { class: "muted", text: "Empty." })] : messages.map((m) => el("article", { class: "dlq-message", "aria-label": `Dead-letter message ${m.messageId}` }, [
      el("dl", {}, [
        el("dt", { text: "message" }), el("dd", { class: "text" }, [appendText(el("span"), m.messageId)]),
        el("dt", { text: "order" }), el("dd", {}, [m.orderId !== null ? orderLink(m.orderId) : el("span", { class: "muted", text: "not an order: " }), ...(m.orderId === null ? [orderLink(m.messageId)] : [])]),
        el("dt", { text: "received" }), el("dd", { text: `${m.receiveCount} times, sent ${m.sentAt ? time(m.sentAt) : "?"}` }),
        el("dt", { text: "reason" }), el("dd", {}, [appendText(el("span"), m.reason ?? "not in the function's log since the console started")]),
        el("dt", { text: "body" }), el("dd", {}, [el("pre", { text: m.order })]),
      ]),
      el("div", { class: "buttons" }, [
        el("button", { type: "button", onclick: () => dlqAction("redrive", m.messageId) }, ["Redrive"]),
        el("button", { type: "button", class: "danger", onclick: () => dlqAction("delete", m.messageId) }, ["Delete"]),
      ]),
    ]))));
  } catch (error) {
    setText($("#dlq-result"), `Could not read the dead-letter queue: ${error.message}`);
  } finally {
    dlqLoading = false;
    if (dlqStale) loadDeadLetters();
  }
}

async function dlqAction(action, messageId) {
  try {
    if (action === "delete" && !confirm(`Delete message ${shortId(messageId)} from the dead-letter queue? It cannot be recovered.`)) return;
    const result = await api(`/api/dlq/${action}`, messageId === undefined ? {} : { messageId });
    setText($("#dlq-result"), action === "delete" ? `Deleted ${result.deleted}.` : `Moved ${result.moved} message(s) back to the order queue.`);
  } catch (error) {
    setText($("#dlq-result"), `${action === "delete" ? "Delete" : "Redrive"} failed: ${error.message}`);
  }
  loadDeadLetters();
}

// ---- metrics ----

const charts = new Map();
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

/** The alarms and the widgets' frames always; the charts' data only when the metrics are on screen. */
function renderMetrics(view) {
  $("#period").textContent = String(view.periodSeconds);
  $("#alarms").replaceChildren(...view.alarms.map((a) => el("li", {}, [
    el("span", { class: `badge ${a.firing ? "alarm" : "ok"}`, text: a.firing ? "ALARM" : "OK" }),
    ` ${a.name}: ${a.statistic} ${a.value === null ? "no data" : round(a.value)} over ${a.periodSeconds} s, threshold ${a.threshold}`,
  ])));
  const box = $("#widgets");
  view.widgets.forEach((w, i) => {
    let chart = charts.get(i);
    if (!chart) {
      const title = el("h3");
      const holder = el("div");
      const figure = el("figure", { class: "widget", "aria-label": w.title }, [title, holder]);
      box.append(figure);
      chart = { figure, title, plot: plotFor(w, holder), widget: w };
      charts.set(i, chart);
    }
    chart.widget = w;
    chart.title.replaceChildren(w.title, ...w.firing.map((name) => el("span", { class: "badge alarm", text: `ALARM ${name}` })));
    chart.figure.classList.toggle("alarm", w.firing.length > 0);
  });
  drawIfShown("metrics", () => view.widgets.forEach((w, i) => charts.get(i).plot.setData(seriesData(view.times, w))));
}

const round = (n) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);

function seriesData(times, w) {
  const lines = w.lines.map((l) => l.values.slice());
  if (w.stacked) {
    for (let i = 1; i < lines.length; i++) {
      lines[i] = lines[i].map((v, j) => (v === null && lines[i - 1][j] === null ? null : (v ?? 0) + (lines[i - 1][j] ?? 0)));
    }
  }
  return [times, ...lines];
}

function plotFor(w, holder) {
  const right = w.lines.some((l) => l.yAxis === "right");
  const opts = {
    width: 420,
    height: 180,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max, ...w.annotations.filter((a) => a.yAxis === "left").map((a) => a.value * 1.1))] }, ...(right ? { r: { range: (u, min, max) => [0, Math.max(1, max, ...w.annotations.filter((a) => a.yAxis === "right").map((a) => a.value * 1.1))] } } : {}) },
    axes: [{}, { scale: "y", size: 64 }, ...(right ? [{ scale: "r", side: 1, size: 56, grid: { show: false } }] : [])],
    series: [{}, ...w.lines.map((l, i) => ({ label: l.label, scale: l.yAxis === "right" ? "r" : "y", stroke: PALETTE[i % PALETTE.length], fill: w.stacked ? PALETTE[i % PALETTE.length] + "33" : undefined, width: 1.5, spanGaps: false, points: { show: true, size: 4 } }))],
    hooks: {
      // The alarm thresholds, drawn where the dashboard draws them (its horizontal annotations).
      draw: [(u) => {
        const ctx = u.ctx;
        for (const a of w.annotations) {
          const y = u.valToPos(a.value, a.yAxis === "right" ? "r" : "y", true);
          ctx.save();
          ctx.strokeStyle = "#d91515";
          ctx.setLineDash([6, 4]);
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, y);
          ctx.lineTo(u.bbox.left + u.bbox.width, y);
          ctx.stroke();
          ctx.fillStyle = "#d91515";
          ctx.font = `${11 * devicePixelRatio}px system-ui`;
          ctx.fillText(a.label, u.bbox.left + 4, y - 4);
          ctx.restore();
        }
      }],
    },
  };
  return new uPlot(opts, [[], ...w.lines.map(() => [])], holder);
}

// ---- faults ----

function renderFault() {
  const f = state.fault;
  const radios = document.querySelectorAll("input[name=fault]");
  for (const radio of radios) {
    radio.disabled = !f.available;
    if (!switchingFault) radio.checked = radio.value === f.mode;
  }
  if (!f.available) {
    setText($("#fault-state"), "This pipeline has no proxy in front of its table.");
    return;
  }
  const seconds = Math.round((Date.now() - f.since) / 1000);
  const dlq = state.counts.deadLetterQueue.depth;
  setText($("#fault-state"), f.mode === "pass"
    ? `The table is ${f.description} (for ${seconds} s). Outage tolerance: ${f.outageToleranceSeconds} s.`
    : `The table is ${f.description}, for ${seconds} s of the ${f.outageToleranceSeconds} s the pipeline tolerates without dead-lettering a valid order. ` +
      `Failed writes since: ${f.failedSince} (each backs off and is received again). In flight or backing off: ${state.counts.queue.inFlight}. Dead-letter queue: ${dlq}.`);
}

/** Set while a switch is on its way, so that a state pushed meanwhile does not flip the radios back. */
let switchingFault = false;

async function setFault(mode) {
  switchingFault = true;
  try {
    state.fault = await api("/api/fault", { mode });
  } catch (error) {
    setText($("#fault-state"), `Could not switch the table: ${error.message}`);
  } finally {
    switchingFault = false;
  }
  renderFault();
}

// ---- start ----

async function start() {
  const samples = await api("/api/samples");
  $("#order").value = samples.sample;
  $("#bad-order").replaceChildren(...samples.badOrders.map((b, i) => el("option", { value: i, text: b.name })));
  $("#function-rules").replaceChildren(...samples.functionOnlyRules.map((r) => el("li", { text: r })));
  check().catch(() => undefined);

  $("#order").addEventListener("input", edited);
  $("#publish-button").addEventListener("click", () => publish(false).catch(showPublishError));
  $("#publish-anyway").addEventListener("click", () => publish(true).catch(showPublishError));
  $("#publish-variants").addEventListener("click", () => publish(false, Number($("#variants").value)).catch(showPublishError));
  $("#load-bad").addEventListener("click", () => {
    $("#order").value = samples.badOrders[Number($("#bad-order").value)].text;
    edited();
  });
  $("#load-sample").addEventListener("click", () => {
    $("#order").value = samples.sample;
    edited();
  });
  $("#follow-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("#order-id").value;
    if (id !== "") follow(id, false);
  });
  $("#table-first").addEventListener("click", () => refreshTable(undefined));
  $("#table-next").addEventListener("click", () => tablePage.next !== null && refreshTable(tablePage.next));
  for (const id of ["#log-level", "#log-outcome", "#log-group", "#log-metrics"]) $(id).addEventListener("change", renderLog);
  $("#log-filter").addEventListener("input", renderLog);
  $("#log-pause").addEventListener("click", () => {
    paused = !paused;
    $("#log-pause").textContent = paused ? "Resume" : "Pause";
    $("#log-pause").setAttribute("aria-pressed", String(paused));
    renderLog();
  });
  $("#redrive-all").addEventListener("click", () => dlqAction("redrive"));
  for (const radio of document.querySelectorAll("input[name=fault]")) radio.addEventListener("change", () => setFault(radio.value));

  const events = new EventSource("/api/events");
  events.addEventListener("open", () => setText($("#connection"), "live"));
  events.addEventListener("error", () => setText($("#connection"), "disconnected: is npm run local still running? Reconnecting…"));
  events.addEventListener("state", (event) => onState(JSON.parse(event.data)));
  events.addEventListener("metrics", (event) => renderMetrics(JSON.parse(event.data)));
  for (const id of ["log", "metrics"]) sight.observe(document.getElementById(id));
}

start().catch((error) => setText($("#connection"), `The console could not start: ${error.message}`));
