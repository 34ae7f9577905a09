// The web chat page: plain JavaScript, no build step, no external resources (works offline).
"use strict";

const LABELS = {
  tolerable: "可以容错",
  not_tolerable: "不予容错",
  needs_more_facts: "需补充事实",
  not_applicable: "知识问答",
  out_of_scope: "超出范围",
};
const $ = (id) => document.getElementById(id);
const state = { auth: false, token: "", conversation: newId(), busy: false };

function newId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const message = data && data.error ? data.error.message : "请求失败（" + response.status + "）";
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return data;
}

function toast(text) {
  const el = $("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 1600);
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Older browsers and non-secure origins: the textarea fallback still copies.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  toast("已复制");
}

function rationale(answerText) {
  // The 理由 section of a judgement: from the line starting 二、理由 to the next numbered section.
  const lines = answerText.split("\n");
  const start = lines.findIndex((l) => /^[一二三四五六七八九十]、理由/.test(l));
  if (start < 0) return "";
  const out = [lines[start]];
  for (const line of lines.slice(start + 1)) {
    if (/^[一二三四五六七八九十]、/.test(line)) break;
    out.push(line);
  }
  return out.join("\n").trim();
}

function addMessage(cls, text) {
  const el = document.createElement("div");
  el.className = "msg " + cls;
  el.textContent = text;
  $("log").appendChild(el);
  el.scrollIntoView({ block: "end" });
  return el;
}

function citationText(answer) {
  return answer.citations
    .map((c, i) => "[" + (i + 1) + "] " + c.title + (c.verified === false ? "（条文待核）" : ""))
    .join("\n");
}

async function expand(item, citation) {
  const box = item.querySelector(".clause");
  if (box.dataset.loaded) return;
  box.dataset.loaded = "1";
  const full = document.createElement("div");
  full.className = "full";
  const source = document.createElement("div");
  source.className = "source";
  box.append(full, source);
  try {
    const unit = await api("GET", "/v1/units/" + encodeURIComponent(citation.id));
    full.textContent = "条文全文：" + unit.text;
    const s = unit.source;
    source.textContent = "来源：" + [s.title, s.issuer, s.doc_number, s.date, s.publication].filter(Boolean).join("，");
  } catch (e) {
    full.textContent = "无法载入条文全文：" + e.message;
  }
}

function renderCitations(list, answer) {
  answer.citations.forEach((c, i) => {
    const item = document.createElement("li");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = "[" + (i + 1) + "]";
    summary.append(num, document.createTextNode(c.title));
    if (c.verified === false) {
      const mark = document.createElement("span");
      mark.className = "pending";
      mark.textContent = "条文待核";
      summary.appendChild(mark);
    }
    const box = document.createElement("div");
    box.className = "clause";
    const quote = document.createElement("blockquote");
    quote.textContent = c.quote;
    box.appendChild(quote);
    details.append(summary, box);
    details.addEventListener("toggle", () => { if (details.open) expand(item, c); });
    item.appendChild(details);
    list.appendChild(item);
  });
}

function renderAnswer(answer) {
  const node = $("bot-template").content.firstElementChild.cloneNode(true);
  const badge = node.querySelector(".badge");
  badge.textContent = LABELS[answer.verdict] || answer.verdict;
  badge.classList.add(answer.verdict);
  node.dataset.verdict = answer.verdict;
  node.querySelector(".meta").textContent =
    (answer.mode === "llm" ? "大模型" : "离线") + " · " + Math.round(answer.latency_ms) + " 毫秒";
  node.querySelector(".answer").textContent = answer.answer;
  const full = answer.answer + (answer.citations.length ? "\n\n引用：\n" + citationText(answer) : "");
  node.querySelector(".copy-answer").addEventListener("click", () => copy(full));
  const why = rationale(answer.answer);
  const whyButton = node.querySelector(".copy-rationale");
  if (why) whyButton.addEventListener("click", () => copy(why));
  else whyButton.remove();
  renderCitations(node.querySelector(".citations"), answer);
  $("log").appendChild(node);
  node.scrollIntoView({ block: "start" });
}

async function restart() {
  try {
    await api("DELETE", "/v1/conversations/" + state.conversation);
  } catch (e) {
    // A failed reset still starts a new conversation id, which is a reset too.
  }
  state.conversation = newId();
  document.querySelectorAll("#log .msg:not(.intro)").forEach((el) => el.remove());
  toast("已重新开始");
}

async function send(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question || state.busy) return;
  if (question === "重新开始") {
    $("question").value = "";
    await restart();
    return;
  }
  state.busy = true;
  $("send").disabled = true;
  addMessage("user", question);
  $("question").value = "";
  const waiting = addMessage("bot pending-answer", "正在研判……");
  try {
    const answer = await api("POST", "/v1/converse", {
      conversation_id: state.conversation,
      question,
      province: $("province").value.trim() || null,
    });
    waiting.remove();
    renderAnswer(answer);
  } catch (e) {
    waiting.remove();
    addMessage("error", e.status === 401 ? "访问令牌无效，请在上方输入正确的令牌。" : e.message);
    if (e.status === 401) $("token-bar").hidden = false;
  } finally {
    state.busy = false;
    $("send").disabled = false;
  }
}

async function init() {
  $("ask").addEventListener("submit", send);
  $("reset").addEventListener("click", restart);
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("ask").requestSubmit();
  });
  $("save-token").addEventListener("click", () => {
    state.token = $("token").value.trim();
    localStorage.setItem("assistant-token", state.token);
    toast("令牌已保存");
  });
  try {
    const health = await api("GET", "/healthz");
    state.auth = Boolean(health.auth);
  } catch (e) {
    state.auth = false;
  }
  if (state.auth) {
    // The token is kept in this browser only when the service asks for one.
    state.token = localStorage.getItem("assistant-token") || "";
    $("token").value = state.token;
    $("token-bar").hidden = false;
  }
}

init();
