/* The 360° view's charts (CUS-02): each `[data-chart]` element reads its spec from the
   json_script tag named by the attribute. Charts are (re-)initialised whenever htmx swaps a tab in. */
(function () {
  "use strict";

  function num(value) {
    return Number(value);
  }

  function pieOption(spec) {
    return {
      tooltip: { trigger: "item", valueFormatter: function (v) { return "¥" + v.toLocaleString(undefined, { minimumFractionDigits: 2 }); } },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        name: spec.title, type: "pie", radius: ["35%", "65%"],
        data: spec.data.map(function (d) { return { name: d.name, value: num(d.value) }; }),
      }],
    };
  }

  function trendOption(spec) {
    var point = function (p) { return [p[0], num(p[1])]; };
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [spec.labels.average, spec.labels.aum] },
      xAxis: { type: "time" },
      yAxis: { type: "value" },
      series: [
        { name: spec.labels.average, type: "line", step: "end", data: spec.monthly.map(point) },
        { name: spec.labels.aum, type: "line", showSymbol: false, data: spec.daily.map(point) },
      ],
    };
  }

  function initCharts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var existing = window.echarts.getInstanceByDom(el);
      if (existing) existing.dispose();
      window.echarts.init(el).setOption(spec.kind === "pie" ? pieOption(spec) : trendOption(spec));
    });
  }

  document.addEventListener("htmx:afterSwap", initCharts);
  document.addEventListener("htmx:load", initCharts);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", initCharts);
})();
