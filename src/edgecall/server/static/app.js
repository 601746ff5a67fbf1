// edgecall web page: plain JS, no build step. Talks to the same server that served it.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
if (params.get("token")) sessionStorage.setItem("edgecall-token", params.get("token"));
const TOKEN = sessionStorage.getItem("edgecall-token");

function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (TOKEN) headers.set("Authorization", "Bearer " + TOKEN);
  return fetch(path, { ...options, headers });
}

async function errorText(res) {
  try { const j = await res.json(); return typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail); }
  catch { return res.status + " " + res.statusText; }
}

// ---------- state of the current run ----------
let tasks = new Map();     // idx -> {idx, tool, args, state, result, error, started, finished}
let running = false;
let controller = null;

function short(v, n = 300) {
  let s = typeof v === "string" ? v : JSON.stringify(v);
  if (s === undefined || s === null) s = "";
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
function fmtArg(a) { return typeof a === "string" ? JSON.stringify(a) : JSON.stringify(a); }
function depsOf(args) {
  const deps = new Set();
  const walk = (v) => {
    if (typeof v === "string") for (const m of v.matchAll(/\$\{?(\d+)\}?/g)) deps.add(Number(m[1]));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(args);
  return [...deps];
}

// ---------- the DAG ----------
const SVGNS = "http://www.w3.org/2000/svg";
function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function drawDag() {
  const svg = $("dag");
  svg.replaceChildren();
  const list = [...tasks.values()].sort((a, b) => a.idx - b.idx);
  $("dag-empty").hidden = list.length > 0;
  if (!list.length) { svg.setAttribute("width", 0); svg.setAttribute("height", 0); return; }
  const layer = new Map();
  for (const t of list) {
    const deps = t.deps.filter((d) => layer.has(d));
    layer.set(t.idx, deps.length ? 1 + Math.max(...deps.map((d) => layer.get(d))) : 0);
  }
  const cols = new Map();
  for (const t of list) { const l = layer.get(t.idx); if (!cols.has(l)) cols.set(l, []); cols.get(l).push(t); }
  const W = 200, H = 54, GX = 70, GY = 18, PAD = 10;
  const pos = new Map();
  let maxRows = 0;
  for (const [l, col] of cols) { maxRows = Math.max(maxRows, col.length); col.forEach((t, i) => pos.set(t.idx, { x: PAD + l * (W + GX), y: PAD + i * (H + GY) })); }
  const width = PAD * 2 + cols.size * W + (cols.size - 1) * GX;
  const height = PAD * 2 + maxRows * H + (maxRows - 1) * GY;
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
  el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#4b5a70" }, marker);
  for (const t of list) for (const d of t.deps) {
    if (!pos.has(d)) continue;
    const a = pos.get(d), b = pos.get(t.idx);
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    el("path", { class: "edge", d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, "marker-end": "url(#arrow)" }, svg);
  }
  for (const t of list) {
    const p = pos.get(t.idx);
    const g = el("g", { class: `node ${t.state}`, "data-idx": t.idx, "data-state": t.state, transform: `translate(${p.x},${p.y})` }, svg);
    el("rect", { width: W, height: H, rx: 10 }, g);
    const title = el("text", { x: 12, y: 22 }, g); title.textContent = `${t.idx}. ${t.tool}`;
    const sub = el("text", { x: 12, y: 40, class: "sub" }, g);
    sub.textContent = short(t.state === "finished" ? t.result : t.state === "failed" || t.state === "skipped" ? t.error : t.args.map(fmtArg).join(", "), 27);
    const tip = el("title", {}, g); tip.textContent = `${t.tool}(${t.args.map(fmtArg).join(", ")})`;
  }
}

function drawSteps() {
  const ol = $("steps");
  ol.replaceChildren();
  for (const t of [...tasks.values()].sort((a, b) => a.idx - b.idx)) {
    const li = document.createElement("li");
    li.className = `step ${t.state}`;
    li.dataset.idx = t.idx;
    const n = document.createElement("span"); n.className = "n"; n.textContent = t.idx + ".";
    const call = document.createElement("span"); call.className = "call"; call.textContent = `${t.tool}(${t.args.map(fmtArg).join(", ")})`;
    const badge = document.createElement("span"); badge.className = "badge";
    badge.textContent = { planned: "planned", waiting: "needs your OK", started: "running", finished: "done", failed: "failed", skipped: "skipped" }[t.state]
      + (t.seconds != null ? ` · ${t.seconds.toFixed(2)}s` : "");
    li.append(n, call, badge);
    if (t.result != null || t.error) {
      const res = document.createElement("div");
      res.className = "res" + (t.error ? " err" : "");
      res.textContent = t.error ? t.error : short(t.result, 1200);
      li.append(res);
    }
    ol.append(li);
  }
  for (const r of replans) {
    const li = document.createElement("li"); li.className = "step replan";
    li.textContent = `↻ new plan (round ${r.round + 1}): ${r.reason}`; ol.append(li);
  }
}
let replans = [];
let pendingApproval = null;

async function answerApproval(approve) {
  if (!pendingApproval) return;
  $("approve").disabled = $("deny").disabled = true;
  const res = await api("v1/approvals/" + encodeURIComponent(pendingApproval), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ approve }),
  });
  if (!res.ok) { showError(await errorText(res)); $("approval-card").hidden = true; }
}
$("approve").addEventListener("click", () => answerApproval(true));
$("deny").addEventListener("click", () => answerApproval(false));

function reset() {
  tasks = new Map(); replans = [];
  $("answer-card").hidden = true; $("answer").textContent = ""; $("plan-meta").textContent = "";
  $("approval-card").hidden = true; pendingApproval = null;
  document.querySelectorAll(".error-line").forEach((e) => e.remove());
  drawDag(); drawSteps();
}

function showError(msg) {
  const p = document.createElement("p"); p.className = "error-line"; p.textContent = msg;
  $("ask-form").append(p);
}

function onEvent(ev) {
  switch (ev.event) {
    case "transcript":
      $("transcript").hidden = false;
      $("transcript").innerHTML = "<b>Heard</b>";
      $("transcript").append(document.createTextNode(ev.text || "(nothing)"));
      $("transcript").dataset.text = ev.text || "";
      $("request").value = ev.text || "";
      break;
    case "accepted": $("plan-meta").textContent = ev.queued_before > 0 ? `waiting (${ev.queued_before} ahead)` : "starting…"; break;
    case "running": $("plan-meta").textContent = "planning…"; break;
    case "prompt": $("plan-meta").textContent = ev.round > 0 ? `replanning (round ${ev.round + 1})…` : "the model is writing the plan…"; break;
    case "planned":
      if (tasks.has(ev.idx) && replans.length) tasks.delete(ev.idx);
      tasks.set(ev.idx, { idx: ev.idx, tool: ev.tool, args: ev.args, deps: depsOf(ev.args), state: "planned", result: null, error: null });
      break;
    case "started": { const t = tasks.get(ev.idx); if (t) { t.state = "started"; t.started = ev.time; t.args = ev.args; } break; }
    case "finished": case "failed": case "skipped": {
      const t = tasks.get(ev.idx); if (!t) break;
      t.state = ev.event; t.result = ev.result; t.error = ev.error;
      if (t.started) t.seconds = ev.time - t.started;
      break;
    }
    case "replan": replans.push(ev); tasks = new Map(); break;
    case "answer": case "done": {
      const ans = ev.answer;
      $("answer-card").hidden = false; $("answer").textContent = ans;
      if (ev.event === "done") {
        $("answer").classList.toggle("bad", !ev.ok);
        $("answer-meta").textContent = `${ev.ok ? "done" : "incomplete"} in ${ev.seconds.toFixed(2)} s` + (ev.replans ? ` · ${ev.replans} replan(s)` : "");
        $("plan-meta").textContent = `${tasks.size} step(s)`;
      }
      break;
    }
    case "error": showError(ev.message); $("plan-meta").textContent = ""; break;
    case "approval": {
      pendingApproval = ev.approval;
      const ul = $("acts"); ul.replaceChildren();
      for (const a of ev.acts) {
        const li = document.createElement("li"); li.textContent = a.act; ul.append(li);
        const t = tasks.get(a.idx); if (t) t.state = "waiting";
      }
      $("approval-meta").textContent = `no answer in ${Math.round(ev.timeout_s)} s means no`;
      $("approval-card").hidden = false;
      $("approve").disabled = $("deny").disabled = false;
      $("plan-meta").textContent = "waiting for your OK";
      break;
    }
    case "approved":
      pendingApproval = null; $("approval-card").hidden = true;
      $("plan-meta").textContent = ev.approved ? "approved: running…" : "not approved";
      if (!ev.approved && ev.acts) for (const a of ev.acts) { const t = tasks.get(a.idx); if (t) t.state = "planned"; }
      break;
  }
  drawDag(); drawSteps();
}

async function readSSE(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i); buf = buf.slice(i + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (data) onEvent(JSON.parse(data));
    }
  }
}

async function startRun(body, isVoice) {
  if (running && controller) controller.abort();
  reset();
  if (!isVoice) { $("transcript").hidden = true; }
  running = true; setBusy(true);
  controller = new AbortController();
  try {
    const init = { method: "POST", body, signal: controller.signal };
    if (typeof body === "string") init.headers = { "Content-Type": "application/json" };
    if (isVoice) $("plan-meta").textContent = "transcribing…";
    const res = await api("v1/run", init);
    if (!res.ok) { showError(await errorText(res)); $("plan-meta").textContent = ""; return; }
    await readSSE(res);
  } catch (e) {
    if (e.name !== "AbortError") showError(String(e));
  } finally {
    running = false; setBusy(false); loadHistory();
  }
}

function setBusy(b) {
  $("run").disabled = b;
  $("status").className = "status " + (b ? "busy" : "ok");
  $("status-text").textContent = b ? "working…" : statusText;
}

$("ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = $("request").value.trim();
  if (!q) return;
  startRun(JSON.stringify({ request: q }), false);
});

function sendAudio(blob, name) {
  const form = new FormData();
  form.append("file", blob, name);
  startRun(form, true);
}

$("upload").addEventListener("change", (e) => {
  const f = e.target.files[0];
  if (f) sendAudio(f, f.name);
  e.target.value = "";
});

// ---------- push-to-talk ----------
let recorder = null, chunks = [], pressAt = 0;
async function micStart() {
  if (recorder) return;
  if (!navigator.mediaDevices || !window.MediaRecorder) { showError("This browser cannot record audio here (it needs http://localhost or https)."); return; }
  let stream;
  try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); }
  catch (e) { showError("No microphone: " + e.message); return; }
  const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"].find((t) => MediaRecorder.isTypeSupported(t)) || "";
  recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  chunks = [];
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  recorder.onstop = () => {
    stream.getTracks().forEach((t) => t.stop());
    const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
    recorder = null;
    $("mic").classList.remove("recording"); $("mic-label").textContent = "Hold to talk";
    if (blob.size) sendAudio(blob, blob.type.includes("ogg") ? "speech.ogg" : "speech.webm");
  };
  recorder.start();
  pressAt = Date.now();
  $("mic").classList.add("recording"); $("mic-label").textContent = "Listening… release to send";
}
function micStop() { if (recorder && recorder.state === "recording") recorder.stop(); }
$("mic").addEventListener("pointerdown", (e) => { e.preventDefault(); if (recorder) micStop(); else micStart(); });
$("mic").addEventListener("pointerup", () => { if (recorder && Date.now() - pressAt > 400) micStop(); });  // held: release sends; tapped: tap again

// ---------- side panels ----------
async function loadHistory() {
  const res = await api("v1/history"); if (!res.ok) return;
  const { history } = await res.json();
  const ul = $("history"); ul.replaceChildren();
  for (const h of history.slice(0, 12)) {
    const li = document.createElement("li");
    const q = document.createElement("span"); q.className = "q"; q.textContent = h.query;
    if (h.transcript) li.classList.add("voice");
    const a = document.createElement("span"); a.className = "a";
    const mark = h.status === "done" ? (h.ok ? "✓ " : "✗ ") : h.status + " ";
    a.textContent = mark + (h.answer || "");
    a.classList.add(h.ok ? "ok" : h.status === "done" ? "bad" : "x");
    li.append(q, a);
    li.title = "Put this request in the box";
    li.addEventListener("click", () => { $("request").value = h.query; $("request").focus(); });
    ul.append(li);
  }
}

async function loadMail() {
  const res = await api("v1/mail");
  const ul = $("mail"); ul.replaceChildren();
  if (!res.ok) { const li = document.createElement("li"); li.textContent = await errorText(res); ul.append(li); return; }
  const { messages } = await res.json();
  for (const m of messages.slice(0, 15)) {
    const li = document.createElement("li");
    li.className = m.current ? "current" : "";
    li.dataset.number = m.number;
    const s = document.createElement("div"); s.textContent = (m.current ? "● " : "") + (m.subject || "(no subject)");
    const f = document.createElement("div"); f.className = "from"; f.textContent = m.sender;
    li.append(s, f);
    li.addEventListener("click", async () => {
      const r = await api("v1/mail/select", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ which: String(m.number) }) });
      if (!r.ok) showError(await errorText(r));
      loadMail();
    });
    ul.append(li);
  }
}
$("mail-refresh").addEventListener("click", loadMail);

let statusText = "";
async function loadHealth() {
  try {
    const res = await api("v1/health");
    if (!res.ok) { $("status").className = "status down"; $("status-text").textContent = await errorText(res); return; }
    const h = await res.json();
    statusText = `${h.model.name} · ${h.tools} tools · ready`;
    $("status").className = "status ok"; $("status-text").textContent = statusText;
    $("foot").textContent = `edgecall ${h.version} · data: ${h.data_dir} · everything runs on this machine`;
  } catch { $("status").className = "status down"; $("status-text").textContent = "server unreachable"; }
}

loadHealth(); loadHistory(); loadMail(); drawDag();
