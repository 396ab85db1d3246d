// The operators' console (bot/admin/console.py serves it). Every text that
// comes from the server is put in the page with textContent, never as HTML:
// citizens' questions may look like markup.
"use strict";

const SHORT = {on_time: "Đúng hạn", late: "Muộn", overdue: "Quá hạn", open: "Chưa đến hạn", sample: "Mẫu"};
const CHANNEL_NAMES = {web: "Website", telegram: "Telegram", zalo: "Zalo", rest: "REST", "khác": "Khác"};
const state = {matrix: null, chart: null};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function $(id) { return document.getElementById(id); }

function vnDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

async function api(path, options) {
  const answer = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
  if (answer.status === 401) {
    showLogin();
    throw new Error("unauthorised");
  }
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error || answer.statusText);
  return body;
}

function showLogin() {
  $("app").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-view").hidden = false;
}

async function start() {
  try {
    const me = await api("/admin/api/me");
    $("who").textContent = me.user;
  } catch (e) {
    return;
  }
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  await loadStatus();
}

// ---------------------------------------------------------------- login
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("login-error").textContent = "";
  const answer = await fetch("/admin/login", {
    method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username: form.username.value, password: form.password.value}),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    $("login-error").textContent = body.error || "Đăng nhập không thành công.";
    return;
  }
  form.password.value = "";
  start();
});

$("logout").addEventListener("click", async () => {
  await fetch("/admin/logout", {method: "POST", credentials: "same-origin"});
  showLogin();
});

// ---------------------------------------------------------------- tabs
function showTab(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${name}`;
  for (const button of document.querySelectorAll("nav button")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  if (name === "questions") loadQuestions();
  if (name === "system") loadSystem();
}

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => showTab(button.dataset.tab));
}

// ---------------------------------------------------------------- Tình hình nộp
function cellTitle(cell, obligation) {
  const parts = [obligation.title, `Hạn: ${vnDate(obligation.due_date)}`, state.matrix.statuses[cell.status]];
  if (cell.received_on) parts.push(`Nhận ngày ${vnDate(cell.received_on)}`);
  if (cell.reference_number) parts.push(`Số hiệu: ${cell.reference_number}`);
  if (cell.days_late) parts.push(`Muộn ${cell.days_late} ngày`);
  if (cell.days_overdue) parts.push(`Quá hạn ${cell.days_overdue} ngày`);
  return parts.join(" · ");
}

async function loadStatus() {
  state.matrix = await api("/admin/api/status");
  const select = $("status-filter");
  if (select.options.length === 1) {
    for (const [status, label] of Object.entries(state.matrix.statuses)) {
      const option = el("option", label);
      option.value = status;
      select.appendChild(option);
    }
    const legend = $("legend");
    for (const [status, label] of Object.entries(state.matrix.statuses)) {
      legend.appendChild(el("span", label, `cell st-${status}`));
    }
  }
  renderMatrix();
}

function renderMatrix() {
  const data = state.matrix;
  const query = $("search").value.trim().toLocaleLowerCase("vi").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  const group = $("kind-filter").value;
  const status = $("status-filter").value;
  const table = $("matrix");
  const head = table.tHead;
  head.replaceChildren();
  const headRow = head.insertRow();
  headRow.appendChild(el("th", "Cơ quan"));
  for (const o of data.obligations) {
    const th = el("th", o.code);
    th.title = `${o.title} · hạn ${vnDate(o.due_date)}`;
    headRow.appendChild(th);
  }
  const body = table.tBodies[0];
  body.replaceChildren();
  let shown = 0;
  let lastGroup = null;
  const ordered = [...data.agencies].sort((a, b) => (a.group === b.group ? 0 : a.group === "ministries" ? -1 : 1));
  for (const agency of ordered) {
    if (group && agency.group !== group) continue;
    if (status && !agency.cells.some((c) => c.status === status)) continue;
    const folded = agency.name.toLocaleLowerCase("vi").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
    if (query && !folded.includes(query) && !agency.code.toLowerCase().includes(query)) continue;
    if (agency.group !== lastGroup) {
      const groupRow = body.insertRow();
      groupRow.className = "group-row";
      const th = el("th", data.groups[agency.group]);
      th.colSpan = data.obligations.length + 1;
      groupRow.appendChild(th);
      lastGroup = agency.group;
    }
    const row = body.insertRow();
    row.dataset.code = agency.code;
    const name = el("th");
    const link = el("a", agency.name, "agency-link");
    link.href = `#co-quan/${agency.code}`;
    link.addEventListener("click", (event) => { event.preventDefault(); openAgency(agency.code); });
    name.appendChild(link);
    row.appendChild(name);
    agency.cells.forEach((cell, i) => {
      const td = el("td", SHORT[cell.status], `cell st-${cell.status}`);
      td.title = cellTitle(cell, data.obligations[i]);
      td.tabIndex = 0;
      td.addEventListener("click", () => { $("cell-detail").textContent = `${agency.name}: ${td.title}`; });
      row.appendChild(td);
    });
    shown += 1;
  }
  const foot = table.tFoot;
  foot.replaceChildren();
  for (const [key, label] of Object.entries(data.statuses)) {
    const row = foot.insertRow();
    row.appendChild(el("th", `Tổng: ${label}`));
    for (const o of data.obligations) row.appendChild(el("td", o.totals[key]));
  }
  $("status-summary").textContent = `Đang hiển thị ${shown}/${data.agencies.length} cơ quan, tình hình tính đến ngày ${vnDate(data.today)}.`;
}

for (const id of ["search", "kind-filter", "status-filter"]) $(id).addEventListener("input", renderMatrix);

async function openAgency(code) {
  const data = await api(`/admin/api/agency/${encodeURIComponent(code)}`);
  $("tab-status").hidden = true;
  $("agency-view").hidden = false;
  $("agency-name").textContent = data.name;
  const body = $("agency-cells").tBodies[0];
  body.replaceChildren();
  for (const cell of data.cells) {
    const row = body.insertRow();
    row.appendChild(el("td", `${cell.obligation} — ${cell.title}`));
    row.appendChild(el("td", vnDate(cell.due_date)));
    row.appendChild(el("td", state.matrix.statuses[cell.status], `cell st-${cell.status}`));
    row.appendChild(el("td", vnDate(cell.received_on)));
    row.appendChild(el("td", cell.reference_number));
  }
  const links = $("agency-links");
  links.replaceChildren();
  if (!data.links.length) links.appendChild(el("li", "Chưa có tài khoản nào liên kết."));
  for (const link of data.links) {
    links.appendChild(el("li", `${link.channel}: ${link.user} · liên kết ${link.linked_at}` +
      (link.active ? (link.subscribed ? " · nhận nhắc hạn" : "") : " · đã hủy")));
  }
  const audit = $("agency-audit");
  audit.replaceChildren();
  if (!data.audit.length) audit.appendChild(el("li", "Chưa có thay đổi nào."));
  for (const entry of data.audit) {
    const details = Object.entries(entry.detail).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`);
    audit.appendChild(el("li", `${entry.at} · ${entry.who} · ${entry.action}${details.length ? " · " + details.join(", ") : ""}`));
  }
}

$("agency-back").addEventListener("click", () => {
  $("agency-view").hidden = true;
  $("tab-status").hidden = false;
});

// ---------------------------------------------------------------- Câu hỏi
function sinceParam() {
  const value = $("since").value;
  return value ? `since=${encodeURIComponent(value)}` : "";
}

async function loadQuestions() {
  const [insight, unanswered, feedback] = await Promise.all([
    api(`/admin/api/insight?${sinceParam()}`),
    api(`/admin/api/unanswered?${sinceParam()}${$("show-handled").checked ? "&all=1" : ""}`),
    api(`/admin/api/feedback?${sinceParam()}`),
  ]);
  renderFeedback(feedback.answers);
  if (!$("since").value) $("since").value = insight.since;
  drawChart(insight.per_day);
  const intents = $("intents").tBodies[0];
  intents.replaceChildren();
  for (const item of insight.intents) {
    const row = intents.insertRow();
    row.appendChild(el("td", item.intent || "(không rõ)"));
    row.appendChild(el("td", item.count));
    row.appendChild(el("td", `${(item.share * 100).toFixed(1)}%`));
  }
  const list = $("unanswered");
  list.replaceChildren();
  if (!unanswered.groups.length) list.appendChild(el("li", "Không có câu hỏi nào chưa trả lời được trong khoảng này."));
  for (const group of unanswered.groups) {
    const item = el("li", null, group.handled ? "group handled" : "group");
    item.appendChild(el("q", group.text, "question"));
    const channels = Object.entries(group.channels).map(([c, n]) => `${CHANNEL_NAMES[c] || c} ${n}`).join(", ");
    item.appendChild(el("p", `${group.count} lần · ${group.people} người · đầu tiên ${group.first_seen} · gần nhất ${group.last_seen} · ${channels}`, "meta"));
    if (group.examples.length > 1) {
      item.appendChild(el("p", "Cách hỏi khác: " + group.examples.filter((e) => e !== group.text).join(" | "), "meta"));
    }
    const button = el("button", group.handled ? "Bỏ đánh dấu đã xử lý" : "Đánh dấu đã xử lý");
    button.type = "button";
    button.addEventListener("click", async () => {
      await api("/admin/api/unanswered/handled", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({key: group.key, handled: !group.handled}),
      });
      loadQuestions();
    });
    item.appendChild(button);
    list.appendChild(item);
  }
}

function renderFeedback(answers) {
  const list = $("feedback");
  list.replaceChildren();
  if (!answers.length) list.appendChild(el("li", "Chưa có đánh giá nào trong khoảng này."));
  for (const answer of answers) {
    const item = el("li", null, "group rating");
    item.appendChild(el("p", answer.answer_text, "answer"));
    item.appendChild(el("p", `Chưa đúng ${answer.not_helpful} · Hữu ích ${answer.helpful} · gần nhất ${answer.last_seen} · ${answer.answer_key}`, "meta"));
    if (answer.comments.length) {
      const comments = el("ul", null, "comments");
      for (const comment of answer.comments) comments.appendChild(el("li", comment));
      item.appendChild(comments);
    }
    list.appendChild(item);
  }
}

function drawChart(perDay) {
  if (typeof Chart === "undefined") return;
  const days = [...new Set(perDay.map((p) => p.day))].sort();
  const channels = [...new Set(perDay.map((p) => p.channel))].sort();
  const colours = {web: "#2563eb", telegram: "#0ea5e9", zalo: "#16a34a", rest: "#9333ea", "khác": "#6b7280"};
  const datasets = channels.map((channel) => ({
    label: CHANNEL_NAMES[channel] || channel,
    backgroundColor: colours[channel] || "#6b7280",
    data: days.map((day) => (perDay.find((p) => p.day === day && p.channel === channel) || {count: 0}).count),
  }));
  if (state.chart) state.chart.destroy();
  state.chart = new Chart($("per-day"), {
    type: "bar",
    data: {labels: days.map(vnDate), datasets},
    options: {responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}},
  });
}

$("since").addEventListener("change", loadQuestions);
$("show-handled").addEventListener("change", loadQuestions);

// ---------------------------------------------------------------- Hệ thống
function fill(list, lines) {
  list.replaceChildren();
  for (const line of lines) list.appendChild(el("li", line));
}

async function loadSystem() {
  const data = await api("/admin/api/health");
  fill($("channels"), data.channels);
  const last = Object.entries(data.last_message).map(([c, at]) => `${CHANNEL_NAMES[c] || c}: ${at}`);
  fill($("last-message"), last.length ? last : ["Chưa có tin nhắn nào."]);
  const reminders = Object.entries(data.reminders.by_status).map(([s, n]) => `${s} ${n}`).join(", ") || "chưa có";
  const undelivered = Object.entries(data.undelivered).map(([s, n]) => `${s} ${n}`).join(", ");
  const pass = data.reminders.last_pass;
  fill($("system-facts"), [
    `Lần làm mới mã truy cập Zalo gần nhất: ${data.zalo_token_refresh || "chưa có (hoặc Zalo chưa bật)"}`,
    `Nhắc hạn: lần gần nhất ${data.reminders.last_claimed || "chưa có"}; theo trạng thái: ${reminders}`,
    pass
      ? `Bộ hẹn giờ nhắc hạn chạy lần gần nhất lúc ${pass.at}: đã gửi ${pass.sent}, thất bại ${pass.failed}, ` +
        `chờ gửi lại ${pass.retry}, chờ kênh ${pass.waiting}`
      : "Bộ hẹn giờ nhắc hạn: chưa ghi nhận lượt chạy nào (chưa chạy, hoặc ngoài giờ gửi 07:00–21:00)",
    `Tin trả lời chưa gửi được: ${undelivered}`,
  ]);
  const handoffs = data.handoffs.map((h) =>
    `#${h.id} · ${CHANNEL_NAMES[h.channel] || h.channel} ${h.user} · ${h.agency || "chưa liên kết cơ quan"} · ` +
    `mở lúc ${h.opened_at}, hoạt động gần nhất ${h.last_activity_at} · ${h.relayed} tin đã chuyển`);
  fill($("handoffs"), handoffs.length ? handoffs : ["Không có yêu cầu gặp cán bộ nào đang mở."]);
}

start();
