// 科技需求表单：边填边更新完整度（可选增强；没有脚本时用「检查完整度」按钮）。
// Posts the need as typed to /api/v1/needs/completeness and shows the score and the hints.
(function () {
  "use strict";
  var form = document.getElementById("posting-form");
  var score = document.getElementById("completeness-score");
  var meter = document.getElementById("completeness-meter");
  var hints = document.getElementById("completeness-hints");
  if (!form || !score || !hints || !window.fetch) { return; }
  var names = ["title", "problem", "current_practice", "target", "deadline", "industry", "category", "region"];
  function value(name) {
    var el = form.elements[name];
    var v = el ? String(el.value).trim() : "";
    return v === "" ? null : v;
  }
  function budgetFen() {
    var raw = value("budget_yuan");
    if (raw === null) { return null; }
    var m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(raw.replace(/[,，]/g, ""));
    if (!m) { return null; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  var timer = null;
  var seq = 0;
  function update() {
    var body = { budget_fen: budgetFen() };
    names.forEach(function (n) { body[n] = value(n); });
    var mine = ++seq;
    fetch("/api/v1/needs/completeness", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
      if (!c || mine !== seq) { return; }
      score.textContent = String(c.score);
      score.setAttribute("data-score", String(c.score));
      if (meter) { meter.value = c.score; meter.textContent = String(c.score); }
      while (hints.firstChild) { hints.removeChild(hints.firstChild); }
      (c.missing || []).forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = m;
        hints.appendChild(li);
      });
      var done = document.getElementById("completeness-done");
      if (done) { done.hidden = (c.missing || []).length > 0; }
    }).catch(function () { /* the check button still works */ });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}());
