// 数据统计：用 ECharts 画趋势、排名、分类与（大屏上的）下级地区方格图（可选增强；没有脚本时页面上的
// 表格就是全部数字）。What to draw comes shaped and labelled in the page's language from the
// server (data-charts, see pages/stats_charts.rs); this file only chooses how it fits the box:
// legends instead of labels on a narrow screen, capped bars, a message for an empty chart. On
// the big screen (data-refresh) it fetches the page again every N seconds and redraws.
(function () {
  "use strict";
  var root = document.getElementById("stats-dashboard");
  if (!root) { return; }
  var refresh = parseInt(root.getAttribute("data-refresh") || "0", 10);
  var dark = document.body.classList.contains("screen");
  var data = parse(root.getAttribute("data-charts"));
  var charts = {};
  // Below this width a chart puts its names in a legend rather than beside the marks.
  var NARROW = 480;
  var ink = dark ? "#e8eef8" : "#1a1a1a";
  var muted = dark ? "#b8c6dc" : "#4f5661";
  var font = dark ? 16 : 12;

  function parse(s) {
    try { return JSON.parse(s || "null"); } catch (e) { return null; }
  }
  function box(id) { return document.getElementById(id); }
  function esc(s) { return window.echarts.format.encodeHTML(String(s)); }

  function chart(id, option) {
    var el = box(id);
    if (!el || !window.echarts) { return; }
    var c = charts[id];
    if (!c) {
      c = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
      charts[id] = c;
    }
    option.backgroundColor = "transparent";
    option.textStyle = { fontSize: font };
    c.setOption(option, true);
    c.resize();
    el.setAttribute("data-rendered", "1");
  }

  // A box's height is set here only on the dashboard (the big screen's grid fixes its own).
  function height(id, px) {
    var el = box(id);
    if (el && !dark) { el.style.height = px + "px"; }
  }

  function message(id, text) {
    chart(id, {
      title: { text: text, left: "center", top: "middle", textStyle: { color: muted, fontSize: font + 2, fontWeight: "normal" } },
      series: []
    });
  }

  function trend(t) {
    if (t.style === "empty") { message("chart-trend", data.empty); return; }
    var el = box("chart-trend");
    var narrow = el && el.clientWidth < NARROW;
    // One or two months: narrow bars side by side with their values (a line between two
    // points overstates a trend, and equal values would hide each other's points).
    var few = t.style === "few";
    var label = { show: few, position: "top", color: ink };
    chart("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, left: "center", textStyle: { color: ink } },
      grid: { left: 8, right: 8, top: 32, bottom: narrow ? 84 : (dark ? 64 : 56), containLabel: true },
      xAxis: { type: "category", data: t.months, boundaryGap: true, axisLabel: { hideOverlap: true, fontSize: font } },
      yAxis: [
        { type: "value", name: t.count_axis, minInterval: 1, axisLabel: { fontSize: font } },
        { type: "value", name: t.amount_axis, splitLine: { show: false }, axisLabel: { fontSize: font } }
      ],
      series: t.series.map(function (s) {
        var axis = s.amount ? 1 : 0;
        if (few || s.amount) {
          // Never one fat bar: bars are capped, whatever the box's width.
          return { name: s.name, type: "bar", yAxisIndex: axis, barMaxWidth: dark ? 32 : 20, barGap: "20%",
            data: s.data, label: label };
        }
        return { name: s.name, type: "line", yAxisIndex: axis, data: s.data, showSymbol: true, symbolSize: 6 };
      })
    });
  }

  function ranking(k) {
    if (!k.regions.length) { message("chart-ranking", data.empty); return; }
    var n = k.regions.length;
    height("chart-ranking", Math.max(320, n * 28 + 90));
    // Horizontal bars list from the bottom up: reverse so the largest is on top.
    var names = k.regions.slice().reverse();
    var zero = k.zero.slice().reverse();
    chart("chart-ranking", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, left: "center", textStyle: { color: ink } },
      grid: { left: 8, right: 16, top: box("chart-ranking").clientWidth < NARROW ? 64 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font } },
      yAxis: {
        type: "category", data: names,
        axisLabel: {
          interval: 0, fontSize: font,
          formatter: function (v, i) { return zero[i] ? "{zero|" + v + " · " + k.nothing_yet + "}" : v; },
          rich: { zero: { color: dark ? "#fdba74" : "#9a3412" } }
        }
      },
      series: k.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", barMaxWidth: dark ? 28 : 20, data: s.data.slice().reverse() };
      })
    });
  }

  function category(p) {
    if (!p.items.length) { message("chart-category", data.empty); return; }
    var el = box("chart-category");
    var w = el ? el.clientWidth : 0;
    var byName = {};
    p.items.forEach(function (s) { byName[s.name] = s.value; });
    if (w < NARROW) {
      // Narrow: no labels beside the ring (they get cut); a legend below, with the values,
      // two to a row, and the box grows to hold it.
      var pie = 240;
      var rows = Math.ceil(p.items.length / 2);
      height("chart-category", pie + rows * 26 + 16);
      chart("chart-category", {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: {
          top: pie, left: 0, width: "100%", itemGap: 8, textStyle: { color: ink, width: w / 2 - 40, overflow: "break" },
          formatter: function (name) { return name + "  " + byName[name]; }
        },
        series: [{ name: p.name, type: "pie", center: ["50%", pie / 2], radius: [55, 100], label: { show: false }, data: p.items }]
      });
      return;
    }
    chart("chart-category", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{
        name: p.name, type: "pie", radius: ["32%", "58%"], avoidLabelOverlap: true,
        // Long names wrap inside a width that fits beside the ring, never "电…".
        label: { formatter: "{b}\n{c} ({d}%)", width: Math.max(96, w * 0.24), overflow: "break", alignTo: "labelLine", color: ink },
        labelLine: { length: 10, length2: 8 },
        labelLayout: { hideOverlap: true },
        data: p.items
      }]
    });
  }

  // The operator's boundary map (a reviewed 标准地图 with its 审图号, docs/operations.md),
  // fetched once; until it arrives, and without one, the tile grid stands in.
  var boundaries = null;
  var mapUrl = root && root.getAttribute("data-map");
  if (mapUrl && window.fetch) {
    window.fetch(mapUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo || !window.echarts) { return; }
      window.echarts.registerMap("kejiyun-children", geo);
      boundaries = geo;
      if (data && data.grid) { grid(data.grid); }
    }).catch(function () { /* the tile grid stays */ });
  }

  function choropleth(g) {
    var m = g.selected;
    var metric = g.metrics[m];
    var unit = metric.unit ? " " + metric.unit : "";
    var max = 0;
    g.tiles.forEach(function (t) { max = Math.max(max, t.values[m]); });
    chart("chart-grid", {
      tooltip: {
        formatter: function (p) {
          var t = g.tiles.filter(function (x) { return x.code === p.name; })[0];
          return t ? esc(t.name) + "<br>" + esc(metric.label) + "：" + esc(t.shown[m] + unit) : esc(p.name);
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: Math.max(max, 1), calculable: false,
        orient: "horizontal", left: "center", bottom: 0, itemWidth: 16, itemHeight: 240,
        text: [String(max) + unit, "0"], textStyle: { color: ink, fontSize: 16 },
        inRange: { color: ["#ffeda0", "#feb24c", "#f03b20"] }
      },
      series: [{
        type: "map", map: "kejiyun-children", nameProperty: "code", roam: false,
        label: { show: true, color: "#1a1a1a", formatter: function (p) {
          var t = g.tiles.filter(function (x) { return x.code === p.name; })[0];
          return t ? t.name : "";
        } },
        itemStyle: { areaColor: "#3d4a63", borderColor: "#13213d" },
        data: g.tiles.map(function (t) { return { name: t.code, value: t.values[m] }; })
      }]
    });
    box("chart-grid").setAttribute("data-map-drawn", "1");
  }

  function grid(g) {
    var el = box("chart-grid");
    if (!el || !g) { return; }
    if (!g.tiles.length) { message("chart-grid", data.empty); return; }
    if (boundaries) { choropleth(g); return; }
    var m = g.selected;
    var metric = g.metrics[m];
    var unit = metric.unit ? " " + metric.unit : "";
    var max = 0;
    g.tiles.forEach(function (t) { max = Math.max(max, t.values[m]); });
    var cells = function (zero) {
      return g.tiles.map(function (t, i) { return { value: [t.x, t.y, t.values[m]], name: t.name, tile: i }; })
        .filter(function (c) { return (c.value[2] === 0) === zero; });
    };
    // Long names (阿坝藏族羌族自治州) wrap inside their tile rather than run into the next.
    var tile = el.clientWidth / Math.max(g.cols, 1);
    var size = Math.max(12, Math.min(18, Math.floor(tile / 7)));
    var label = function (color) {
      return {
        show: true, color: color, fontSize: size, lineHeight: Math.round(size * 1.35),
        width: Math.max(tile - 16, 24), overflow: "break",
        formatter: function (p) { var t = g.tiles[p.data.tile]; return t.name + "\n" + t.shown[m]; }
      };
    };
    var axis = function (n) {
      var a = [];
      for (var i = 0; i < n; i += 1) { a.push(String(i)); }
      return a;
    };
    chart("chart-grid", {
      tooltip: {
        formatter: function (p) {
          var t = g.tiles[p.data.tile];
          return esc(t.name) + "<br>" + esc(metric.label) + "：" + esc(t.shown[m] + unit);
        }
      },
      grid: { left: 0, right: 0, top: 0, bottom: 56 },
      xAxis: { type: "category", data: axis(g.cols), show: false },
      yAxis: { type: "category", data: axis(g.rows), show: false, inverse: true },
      visualMap: {
        type: "continuous", seriesIndex: 0, min: 0, max: Math.max(max, 1), calculable: false,
        orient: "horizontal", left: "center", bottom: 0, itemWidth: 16, itemHeight: 240,
        text: [String(max) + unit, "0"], textStyle: { color: ink, fontSize: 16 },
        inRange: { color: ["#ffeda0", "#feb24c", "#f03b20"] }
      },
      series: [
        { type: "heatmap", data: cells(false), label: label("#1a1a1a"),
          itemStyle: { borderColor: "#13213d", borderWidth: 4, borderRadius: 6 } },
        // Nothing yet: grey, outside the colour scale.
        { type: "heatmap", data: cells(true), label: label("#e8eef8"),
          itemStyle: { color: "#3d4a63", borderColor: "#13213d", borderWidth: 4, borderRadius: 6 } }
      ]
    });
  }

  function draw() {
    if (!data || !window.echarts) { return; }
    trend(data.trend);
    ranking(data.ranking);
    category(data.category);
    grid(data.grid);
  }

  function figures(f) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-figure]"), function (el) {
      var k = el.getAttribute("data-figure");
      if (f && Object.prototype.hasOwnProperty.call(f, k)) { el.textContent = f[k]; }
    });
    var t = box("screen-updated");
    if (t) { t.textContent = new Date().toLocaleTimeString(document.documentElement.lang || "zh-CN", { hour12: false }); }
  }

  // The big screen reloads its own page's data (same range, same map figure) and redraws.
  function reload() {
    if (!window.fetch || !window.DOMParser) { return; }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("stats-dashboard");
        var d = parse(fresh && fresh.getAttribute("data-charts"));
        if (d) { data = d; figures(d.figures); draw(); }
      })
      .catch(function () { /* the figures and charts already shown stay */ });
  }

  // The map's figure changes in place; the address keeps it for the refresh and a reload.
  var select = box("grid-metric");
  var apply = box("grid-apply");
  if (apply) { apply.hidden = true; }
  if (select) {
    select.addEventListener("change", function () {
      if (!data || !data.grid) { return; }
      data.grid.metrics.forEach(function (m, i) { if (m.key === select.value) { data.grid.selected = i; } });
      grid(data.grid);
      if (window.URL && window.history && window.history.replaceState) {
        var u = new URL(window.location.href);
        u.searchParams.set("metric", select.value);
        window.history.replaceState(null, "", u.toString());
      }
    });
  }

  draw();
  figures(data && data.figures);
  if (refresh > 0) { window.setInterval(reload, refresh * 1000); }
  var pending = 0;
  window.addEventListener("resize", function () {
    // Redraw once the resizing stops: narrow and wide layouts differ, not only in size.
    window.clearTimeout(pending);
    pending = window.setTimeout(draw, 150);
  });
}());
