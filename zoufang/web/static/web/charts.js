/* 走访 — charts drawn from the tables that carry their numbers.
 *
 * Every <table data-chart="line|bar|stacked-bar|funnel"> gets a chart inserted before it; the table stays.
 * The numbers come from the table itself: the last header row names the series, each body row is a category
 * (the footer — totals — is left out). Attributes pick the columns, counted from 1 like :nth-child:
 *   data-chart-x="1"         the column that names the categories (default: the first)
 *   data-chart-series="2,3"  the columns drawn as bars / lines (default: every other column with numbers)
 *   data-chart-line="4"      columns drawn as a dashed step line over the chart: a requirement (the pace line, a
 *                            target) holds from its row on and changes at a row, never in between
 * A header cell holding an element with class "chart-key" gives its series that element's colour.
 * Loaded only on pages with charts, after ECharts; without ECharts (not installed) the tables stand alone.
 */
(function () {
  "use strict";

  var echarts = window.echarts;
  if (!echarts) return;

  var root = getComputedStyle(document.documentElement);
  function cssVar(name, fallback) { return root.getPropertyValue(name).trim() || fallback; }
  var INK = cssVar("--ink", "#1f2933");
  var MUTED = cssVar("--muted", "#5f6b7a");
  var LINE = cssVar("--line", "#dde2e8");
  var PALETTE = [cssVar("--accent", "#1d5fa8"), cssVar("--good", "#1e6b3a"), cssVar("--warn", "#9a5b00"),
    cssVar("--bad", "#a61b1b"), cssVar("--brand", "#1d3a5f"), MUTED];
  var FONT = getComputedStyle(document.body).fontFamily;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function positions(table, name) {
    var value = table.getAttribute(name);
    if (!value) return null;
    return value.split(",").map(function (s) { return parseInt(s, 10) - 1; }).filter(function (i) { return i >= 0; });
  }

  function number(cell) {
    if (!cell) return null;
    var text = cell.textContent.replace(/[,，\s%]/g, "");
    if (text === "" || text === "—" || text === "-") return null;
    var n = Number(text);
    return isFinite(n) ? n : null;
  }

  function label(cell) { return cell ? cell.textContent.replace(/\s+/g, " ").trim() : ""; }

  function keyColour(cell) {
    var key = cell && cell.querySelector(".chart-key");
    if (!key) return null;
    var colour = getComputedStyle(key).backgroundColor;
    return colour && colour !== "transparent" && colour !== "rgba(0, 0, 0, 0)" ? colour : null;
  }

  /* The table as data: header cells, category names, and one column of numbers per table column. */
  function read(table) {
    var heads = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    var rows = [];
    for (var b = 0; b < table.tBodies.length; b++) {
      for (var r = 0; r < table.tBodies[b].rows.length; r++) rows.push(table.tBodies[b].rows[r].cells);
    }
    var width = heads.length || (rows[0] ? rows[0].length : 0);
    var x = (positions(table, "data-chart-x") || [0])[0];
    var lines = positions(table, "data-chart-line") || [];
    var series = positions(table, "data-chart-series");
    if (!series) {
      series = [];
      for (var c = 0; c < width; c++) {
        if (c === x || lines.indexOf(c) >= 0) continue;
        if (rows.some(function (cells) { return number(cells[c]) !== null; })) series.push(c);
      }
    }
    function column(c) {
      return { name: label(heads[c]) || String(c + 1), colour: keyColour(heads[c]),
        values: rows.map(function (cells) { return number(cells[c]); }) };
    }
    return { kind: table.getAttribute("data-chart"), axis: label(heads[x]), categories: rows.map(function (cells) { return label(cells[x]); }),
      series: series.map(column), lines: lines.map(column) };
  }

  function paint(item, colour) {
    if (colour) item.itemStyle = { color: colour };
    return item;
  }

  /* Room for the legend above the plot: it wraps onto as many lines as the names need at this width. */
  function legendHeight(data, width, fontSize) {
    var names = data.series.concat(data.lines).map(function (s) { return s.name; });
    if (data.kind === "funnel") names = data.categories;
    var line = 0, lines = 1;
    names.forEach(function (name) {
      var item = name.length * fontSize + 40;  // swatch, gap and a CJK character's width each
      if (line && line + item > width) { lines++; line = 0; }
      line += item;
    });
    return lines * (fontSize + 12) + 8;
  }

  function option(kind, data, width) {
    var fontSize = width < 480 ? 12 : 13;
    var top = legendHeight(data, width - 16, fontSize);
    var base = {
      animation: !still, color: PALETTE,
      textStyle: { fontFamily: FONT, color: INK, fontSize: fontSize },
      tooltip: { trigger: kind === "funnel" ? "item" : "axis", confine: true },
      legend: { top: 0, left: "center", textStyle: { color: INK, fontSize: fontSize } },
    };
    if (kind === "funnel") {
      var first = data.series[0] || { values: [] };
      base.series = [{
        // The labels sit beside the funnel, not inside it: a stage with few cases is too narrow for its name
        // ("答复（办结或解释说明）") on a phone.
        type: "funnel", name: first.name, sort: "none", gap: 2, minSize: "8%", left: "4%",
        right: width < 640 ? "46%" : "40%", top: top, bottom: 8,
        label: { show: true, position: "right", formatter: "{b}：{c}", color: INK, overflow: "break",
          width: Math.max(96, Math.floor(width * 0.4) - 24) },
        labelLine: { show: true, length: 12, lineStyle: { color: LINE } },
        data: data.categories.map(function (name, i) { return { name: name, value: first.values[i] }; }),
      }];
      return base;
    }
    var sideways = kind !== "line";  // bars run sideways: Chinese place names stay readable on a phone
    var category = { type: "category", data: data.categories, inverse: sideways,
      axisLine: { lineStyle: { color: LINE } }, axisTick: { show: false },
      // Sideways, a long name (上下塘社区居委会) breaks onto a second line within a third of a phone's width rather
      // than running past the chart's left edge.
      axisLabel: sideways ? { color: INK, hideOverlap: true, width: Math.min(168, Math.max(96, Math.floor(width * 0.4))),
        overflow: "break", lineHeight: fontSize + 2 } : { color: INK, hideOverlap: true } };
    var values = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: LINE } },
      axisLabel: { color: MUTED, hideOverlap: true } };
    base.grid = { left: 8, right: 16, top: top, bottom: 8, containLabel: true };
    base.xAxis = sideways ? values : category;
    base.yAxis = sideways ? category : values;
    base.series = data.series.map(function (s) {
      return paint({ type: kind === "line" ? "line" : "bar", name: s.name, data: s.values,
        stack: kind === "stacked-bar" ? "total" : undefined, barMaxWidth: 28,
        symbolSize: 6, connectNulls: false }, s.colour);
    }).concat(data.lines.map(function (s) {
      // step "end": the week's requirement is drawn flat from the week before and rises at its own row (the
      // monthly pace rises on a month's last day; a slope between two weeks would show a rule that does not exist).
      return { type: "line", name: s.name, data: s.values, symbol: "none", z: 5, step: "end",
        lineStyle: { type: "dashed", width: 2, color: s.colour || MUTED }, itemStyle: { color: s.colour || MUTED } };
    }));
    return base;
  }

  /* Bars run sideways, one band per category; lines and funnels get a fixed plot. */
  function height(data, width) {
    var legend = legendHeight(data, width - 16, width < 480 ? 12 : 13);
    var sideways = data.kind === "bar" || data.kind === "stacked-bar";
    return legend + (sideways ? Math.max(120, 30 + data.categories.length * 34) : 260);
  }

  function draw(table) {
    if (table.zoufangChart) return table.zoufangChart;  // drawn already: one chart per table
    var kind = table.getAttribute("data-chart");
    if (["line", "bar", "stacked-bar", "funnel"].indexOf(kind) < 0) return null;
    var data = read(table);
    if (!data.categories.length || !(data.series.length || data.lines.length)) return null;
    var box = document.createElement("div");
    box.className = "chart chart-" + kind;
    box.setAttribute("aria-hidden", "true");  // the table beside it carries the same numbers for everyone
    var anchor = table.closest(".table-wrap") || table;
    anchor.parentNode.insertBefore(box, anchor);
    var width = box.clientWidth;
    box.style.height = height(data, width) + "px";
    var chart = echarts.init(box, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(kind, data, width));
    table.zoufangChart = chart;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (box.clientWidth === width) return;
        width = box.clientWidth;
        box.style.height = height(data, width) + "px";
        chart.setOption(option(kind, data, width));
        chart.resize();
      }).observe(box);
    }
    return chart;
  }

  function drawAll() {
    var tables = document.querySelectorAll("table[data-chart]");
    for (var i = 0; i < tables.length; i++) draw(tables[i]);
  }

  window.zoufangCharts = { draw: draw };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
