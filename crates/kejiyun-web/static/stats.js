// 数据统计：用 ECharts 画趋势、排名与分类图（可选增强；没有脚本时页面上的表格就是全部数字）。
// Reads the figures from the API the page names in data-api; on the big screen (data-refresh)
// fetches them again every N seconds and updates the figures and charts in place.
(function () {
  "use strict";
  var root = document.getElementById("stats-dashboard");
  if (!root || !window.fetch) { return; }
  var api = root.getAttribute("data-api");
  var refresh = parseInt(root.getAttribute("data-refresh") || "0", 10);
  var dark = document.body.classList.contains("screen");
  var labels = {};
  var amounts = {};
  var charts = {};

  function wan(fen) {
    var h = Math.floor((fen + 5000) / 10000);
    var frac = String(h % 100);
    return String(Math.floor(h / 100)) + "." + (frac.length < 2 ? "0" + frac : frac);
  }
  function figure(key, v) { return amounts[key] ? wan(v) : String(v); }
  function label(key) { return labels[key] || key; }
  function val(group, key) { return (group.values && group.values[key]) || 0; }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var c = charts[id];
    if (!c) {
      c = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
      charts[id] = c;
    }
    c.setOption(option, true);
    el.setAttribute("data-rendered", "1");
  }

  var trendKeys = ["services_published", "needs_published", "deals", "achievements_published"];
  var rankKeys = ["services_published", "needs_published", "deals"];
  var catKey = ["needs_published", "services_published", "achievements_published"];

  function draw(s) {
    var base = { backgroundColor: "transparent", tooltip: { trigger: "axis" }, textStyle: {} };
    chart("chart-trend", {
      backgroundColor: base.backgroundColor,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 56, top: 40, bottom: 32 },
      xAxis: { type: "category", data: s.by_month.map(function (g) { return g.label; }) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", name: "万元", splitLine: { show: false } }],
      series: trendKeys.map(function (k) {
        return { name: label(k), type: "line", data: s.by_month.map(function (g) { return val(g, k); }) };
      }).concat([{
        name: label("deal_amount") + "（万元）", type: "bar", yAxisIndex: 1,
        data: s.by_month.map(function (g) { return Number(wan(val(g, "deal_amount"))); })
      }])
    });
    var kids = s.by_child_region.slice(0, 20).reverse();
    chart("chart-ranking", {
      backgroundColor: base.backgroundColor,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 96, right: 24, top: 40, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: kids.map(function (g) { return g.label; }) },
      series: rankKeys.map(function (k) {
        return { name: label(k), type: "bar", stack: "all", data: kids.map(function (g) { return val(g, k); }) };
      })
    });
    chart("chart-category", {
      backgroundColor: base.backgroundColor,
      tooltip: { trigger: "item" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        name: catKey.map(label).join(" + "), type: "pie", radius: ["35%", "65%"],
        data: s.by_category.map(function (g) {
          var n = 0;
          catKey.forEach(function (k) { n += val(g, k); });
          return { name: g.label, value: n };
        }).filter(function (d) { return d.value > 0; })
      }]
    });
  }

  function figures(s) {
    var els = root.querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(els, function (el) {
      var k = el.getAttribute("data-figure");
      if (s.metrics && Object.prototype.hasOwnProperty.call(s.metrics, k)) {
        el.textContent = figure(k, s.metrics[k]);
      }
    });
    var t = document.getElementById("screen-updated");
    if (t) { t.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false }); }
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  function load() {
    return getJSON(api).then(function (s) { figures(s); draw(s); })
      .catch(function () { /* the tables and figures already on the page stay */ });
  }

  getJSON("/api/v1/stats/metrics?per_page=100").then(function (ms) {
    ms.items.forEach(function (m) { labels[m.key] = m.label; amounts[m.key] = m.amount; });
  }).catch(function () { /* keys as labels */ }).then(load).then(function () {
    if (refresh > 0) { window.setInterval(load, refresh * 1000); }
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
}());
