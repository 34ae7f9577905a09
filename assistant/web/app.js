// The web chat page: plain JavaScript, no build step, no external resources (works offline).
// An answer is drawn from the answer object's structured fields (conclusion, advisory, follow_ups,
// factor_card, reasons, citations), never by parsing its prose: conclusion first, then what to add,
// then the reading (each factor can be tapped to correct it), the reasons and the clauses, each once.
"use strict";

const LABELS = {
  tolerable: "可以容错",
  not_tolerable: "不予容错",
  needs_more_facts: "需补充事实",
  not_applicable: "知识问答",
  out_of_scope: "超出范围",
};
const $ = (id) => document.getElementById(id);
const state = { auth: false, token: "", conversation: newId(), busy: false, max: 2000 };

function newId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
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
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 1600);
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

// -- the composer: the page's own messages, a visible count, nothing cut --------------------------
function hint(text) {
  $("hint").textContent = text || "";
  $("hint").hidden = !text;
}

function counted() {
  const length = $("question").value.length;
  const over = length > state.max;
  $("count").textContent = length + "/" + state.max;
  $("count").classList.toggle("over", over);
  $("question").classList.toggle("over", over);
  if (over) {
    hint("问题过长：已输入 " + length + " 字，最多 " + state.max + " 字，请删减 " + (length - state.max) + " 字后再发送。");
  } else if ($("hint").dataset.kind !== "error") {
    hint("");
  }
  return !over;
}

// -- structured answer ------------------------------------------------------------------------------
function answerText(answer) {
  // What the copy button copies: the structured answer, each quote once.
  const lines = ["【" + (LABELS[answer.verdict] || answer.verdict) + "】" + (answer.conclusion || "")];
  if (answer.advisory) lines.push("（" + answer.advisory + "）");
  if (answer.changes) lines.push(answer.changes);
  const judged = answer.factor_card && answer.factor_card.length;
  if (!judged) {
    // Knowledge and procedure answers: their text quotes the clauses, so the list below gives titles only.
    lines.push(answer.answer);
    if (answer.citations.length) {
      lines.push("引用：");
      answer.citations.forEach((c, i) => {
        lines.push("[" + (i + 1) + "] " + c.title + (c.verified === false ? "（条文待核）" : ""));
      });
    }
    return lines.join("\n");
  }
  if (answer.follow_ups && answer.follow_ups.length) {
    lines.push("请补充：");
    answer.follow_ups.forEach((f, i) => lines.push((i + 1) + ". " + f.question));
  }
  lines.push("六个方面：");
  answer.factor_card.forEach((f) => {
    let line = "· " + f.label + "：" + f.value_label;
    if (f.confirmed) line += "（经您确认）";
    else if (f.words) line += "——“" + f.words + "”";
    lines.push(line);
  });
  if (answer.reasons && answer.reasons.length) lines.push("理由：" + answer.reasons.join("；") + "。");
  if (answer.citations.length) {
    lines.push("引用：");
    answer.citations.forEach((c, i) => {
      lines.push("[" + (i + 1) + "] " + c.title + (c.verified === false ? "（条文待核）" : "") + "：“" + c.quote + "”");
    });
  }
  return lines.join("\n");
}

function rationale(answer) {
  return answer.reasons && answer.reasons.length ? "理由：" + answer.reasons.join("；") + "。" : "";
}

async function expand(item, citation) {
  const box = item.querySelector(".clause");
  if (box.dataset.loaded) return;
  box.dataset.loaded = "1";
  const full = el("div", "full");
  const source = el("div", "source");
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

function renderCitations(list, answer, open) {
  answer.citations.forEach((c, i) => {
    const item = el("li");
    const details = el("details");
    const summary = el("summary");
    summary.append(el("span", "num", "[" + (i + 1) + "]"), document.createTextNode(c.title));
    if (c.verified === false) summary.appendChild(el("span", "pending", "条文待核"));
    const box = el("div", "clause");
    box.appendChild(el("blockquote", "", c.quote));
    details.append(summary, box);
    if (open) {
      // A knowledge answer is its clauses: their quotes shown at once, the whole text on request.
      details.open = true;
      const more = el("button", "more", "查看全文与来源");
      more.type = "button";
      more.addEventListener("click", () => { more.remove(); expand(item, c); });
      box.appendChild(more);
    } else {
      details.addEventListener("toggle", () => { if (details.open) expand(item, c); });
    }
    item.appendChild(details);
    list.appendChild(item);
  });
}

function renderFollowUps(section, answer) {
  const list = section.querySelector("ol");
  (answer.follow_ups || []).forEach((f) => {
    const item = el("li");
    item.appendChild(el("p", "q", f.question));
    const choices = el("div", "choices");
    f.answers.forEach((a) => {
      const button = el("button", "", a.label);
      button.type = "button";
      const facts = a.facts && Object.keys(a.facts).length ? a.facts : null;
      button.addEventListener("click", () => {
        if (facts) submit({ facts }, a.label);
        else submit({ question: a.label }, a.label);
      });
      choices.appendChild(button);
    });
    item.appendChild(choices);
    list.appendChild(item);
  });
  section.hidden = !list.children.length;
}

function renderCard(section, answer) {
  const list = section.querySelector("ul");
  (answer.factor_card || []).forEach((f) => {
    const item = el("li");
    const button = el("button", "factor");
    button.type = "button";
    button.dataset.factor = f.factor;
    button.setAttribute("aria-expanded", "false");
    button.append(el("span", "label", f.label), el("span", "value" + (f.value === "unknown" ? " unknown" : ""), f.value_label));
    if (f.confirmed) button.appendChild(el("span", "tag", "您已确认"));
    if (f.in_question) button.appendChild(el("span", "tag asked", "更正待核实"));
    if (f.hedged) button.appendChild(el("span", "tag asked", "据称"));
    if (f.words) button.appendChild(el("span", "words", "“" + f.words + "”"));
    const picker = el("div", "picker");
    picker.hidden = true;
    f.choices.forEach((choice) => {
      const pick = el("button", choice.value === f.value ? "current" : "", choice.value === "unknown" ? "不清楚" : choice.label);
      pick.type = "button";
      pick.dataset.value = choice.value;
      pick.addEventListener("click", () => {
        picker.hidden = true;
        submit({ facts: { [f.factor]: choice.value } }, "更正：" + f.label + "为" + pick.textContent);
      });
      picker.appendChild(pick);
    });
    button.addEventListener("click", () => {
      picker.hidden = !picker.hidden;
      button.setAttribute("aria-expanded", String(!picker.hidden));
    });
    item.append(button, picker);
    list.appendChild(item);
  });
  section.hidden = !list.children.length;
}

function renderAnswer(answer) {
  const node = $("bot-template").content.firstElementChild.cloneNode(true);
  const badge = node.querySelector(".badge");
  badge.textContent = LABELS[answer.verdict] || answer.verdict;
  badge.classList.add(answer.verdict);
  node.dataset.verdict = answer.verdict;
  node.querySelector(".conclusion").textContent = answer.conclusion || "";
  node.querySelector(".advisory").textContent = answer.advisory || "";
  if (answer.changes) {
    node.querySelector(".changes").textContent = answer.changes;
    node.querySelector(".changes").hidden = false;
  }
  const judged = answer.factor_card && answer.factor_card.length;
  if (!judged && !answer.citations.length) {
    // A refusal or a note with no clause: its words are the answer.
    node.querySelector(".prose").textContent = answer.answer;
    node.querySelector(".prose").hidden = false;
  }
  renderFollowUps(node.querySelector(".follow-ups"), answer);
  renderCard(node.querySelector(".card"), answer);
  const reasons = node.querySelector(".reasons");
  (answer.reasons || []).forEach((r) => reasons.querySelector("ul").appendChild(el("li", "", r)));
  reasons.hidden = !(answer.reasons || []).length;
  const cites = node.querySelector(".cites");
  renderCitations(cites.querySelector(".citations"), answer, !judged);
  cites.hidden = !answer.citations.length;
  node.querySelector(".meta").textContent =
    (answer.mode === "llm" ? "大模型撰写" : "离线规则研判") + "，用时 " + Math.round(answer.latency_ms) + " 毫秒";
  node.querySelector(".copy-answer").addEventListener("click", () => copy(answerText(answer)));
  const why = rationale(answer);
  const whyButton = node.querySelector(".copy-rationale");
  if (why) whyButton.addEventListener("click", () => copy(why));
  else whyButton.remove();
  // Buttons of earlier answers would correct the story now being discussed, not theirs: only the
  // latest answer's can be tapped.
  document.querySelectorAll("#log article.msg.bot").forEach((old) => {
    old.classList.add("superseded");
    old.querySelectorAll(".choices button, .factor, .picker button").forEach((b) => { b.disabled = true; });
    old.querySelectorAll(".picker").forEach((p) => { p.hidden = true; });
  });
  $("log").appendChild(node);
  node.scrollIntoView({ block: "start" });
}

function addMessage(cls, text) {
  const node = el("div", "msg " + cls, text);
  $("log").appendChild(node);
  node.scrollIntoView({ block: "end" });
  return node;
}

async function restart() {
  try {
    await api("DELETE", "/v1/conversations/" + state.conversation);
  } catch (e) {
    // A failed reset still starts a new conversation id, which is a reset too.
  }
  state.conversation = newId();
  document.querySelectorAll("#log .msg:not(.intro)").forEach((node) => node.remove());
  hint("");
  toast("已重新开始");
}

async function submit(payload, shown) {
  // One message of the conversation: words, or confirmed values (a tapped answer or a correction).
  if (state.busy) return;
  state.busy = true;
  $("send").disabled = true;
  addMessage("user", shown);
  const waiting = addMessage("bot pending-answer", "正在研判……");
  try {
    const answer = await api("POST", "/v1/converse", {
      conversation_id: state.conversation,
      province: $("province").value.trim() || null,
      ...payload,
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

async function send(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  $("hint").dataset.kind = "";
  if (!question) {
    $("hint").dataset.kind = "error";
    hint("请先输入要咨询的情况或补充的事实，再点发送。");
    $("question").focus();
    return;
  }
  if (!counted()) return; // refused, not cut: the count and the message say by how much
  if (state.busy) return;
  hint("");
  if (question === "重新开始") {
    $("question").value = "";
    counted();
    await restart();
    return;
  }
  $("question").value = "";
  counted();
  await submit({ question }, question);
}

async function init() {
  $("ask").addEventListener("submit", send);
  $("reset").addEventListener("click", restart);
  $("question").addEventListener("input", () => {
    $("hint").dataset.kind = "";
    counted();
  });
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
    if (health.max_question_chars) state.max = health.max_question_chars;
  } catch (e) {
    state.auth = false;
  }
  counted();
  if (state.auth) {
    // The token is kept in this browser only when the service asks for one.
    state.token = localStorage.getItem("assistant-token") || "";
    $("token").value = state.token;
    $("token-bar").hidden = false;
  }
}

init();
