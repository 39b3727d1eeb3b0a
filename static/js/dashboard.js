// Dashboard charts: each .chart[data-chart] div is drawn from the table of the same name in the
// #dashboard-charts JSON (the figures of the HTML table beside it). Labels come from the pool and
// from raters, so they are untrusted: plotly reads a few HTML tags in text, hence plain() below.
// Also: the owner's "Compute a report now" button on a project without a report.
(function () {
  "use strict";

  const INK = "#1d2430";
  const MUTED = "#5d6b7e";
  const OVERALL = "#14213d";
  const SEGMENT = "#1f5fbf";
  const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif', size: 12, color: INK };
  const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };

  // Plotly turns <b>, <a href>, <br> ... in text into markup; entities show as the character.
  function plain(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function column(table, key) {
    const index = table.columns.findIndex(function (c) { return c.key === key; });
    return table.rows.map(function (row) { return index < 0 ? null : row[index]; });
  }

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  // The figures, their intervals and any guide lines in view, with a little room either side.
  function span(values) {
    const known = values.filter(isNumber);
    if (!known.length) return undefined;
    const low = Math.min.apply(null, known);
    const high = Math.max.apply(null, known);
    const pad = (high - low || Math.abs(high) || 1) * 0.08;
    return [low - pad, high + pad];
  }

  function baseLayout(height) {
    return {
      height: height, font: FONT, margin: { l: 10, r: 16, t: 8, b: 44 }, showlegend: false,
      paper_bgcolor: "#fff", plot_bgcolor: "#fff", hoverlabel: { font: { family: FONT.family } },
    };
  }

  // Dot and whisker per segment, one facet per measure, segments down the shared y axis.
  function dots(table, spec) {
    const labels = column(table, spec.label).map(plain);
    const n = spec.measures.length;
    const gap = n > 1 ? 0.06 : 0;
    const width = (1 - gap * (n - 1)) / n;
    const layout = baseLayout(64 + 26 * labels.length);
    layout.margin.l = 10;
    const traces = [];
    spec.measures.forEach(function (measure, i) {
      const scale = measure.percent ? 100 : 1;
      const values = column(table, measure.value);
      const cis = measure.ci ? column(table, measure.ci) : values.map(function () { return null; });
      const x = values.map(function (v) { return isNumber(v) ? v * scale : null; });
      const plus = values.map(function (v, j) { return isNumber(v) && cis[j] && isNumber(cis[j][1]) ? (cis[j][1] - v) * scale : 0; });
      const minus = values.map(function (v, j) { return isNumber(v) && cis[j] && isNumber(cis[j][0]) ? (v - cis[j][0]) * scale : 0; });
      const axis = i === 0 ? "" : String(i + 1);
      traces.push({
        type: "scatter", mode: "markers", x: x, y: labels, xaxis: "x" + axis, yaxis: "y",
        name: plain(measure.title),
        marker: { size: 9, color: labels.map(function (_, j) { return table.overall_first && j === 0 ? OVERALL : SEGMENT; }) },
        error_x: { type: "data", symmetric: false, array: plus, arrayminus: minus, color: MUTED, thickness: 1.5, width: 4 },
        hovertemplate: "%{y}: %{x:.3~f}<extra>" + plain(measure.title) + "</extra>",
      });
      const range = span(x.concat(x.map(function (v, j) { return v === null ? null : v + plus[j]; }),
        x.map(function (v, j) { return v === null ? null : v - minus[j]; }),
        (spec.guides || []).map(function (g) { return g * scale; }), spec.zero_line ? [0] : []));
      layout["xaxis" + axis] = {
        domain: [i * (width + gap), i * (width + gap) + width], range: range, zeroline: !!spec.zero_line,
        zerolinecolor: MUTED, title: { text: plain(measure.title), standoff: 6 }, gridcolor: "#eef0f4",
        anchor: "y", ticksuffix: measure.percent ? "%" : "", nticks: n > 2 ? 4 : 6,
      };
      (spec.guides || []).forEach(function (g) {
        layout.shapes = (layout.shapes || []).concat([{
          type: "line", xref: "x" + axis, yref: "paper", x0: g, x1: g, y0: 0, y1: 1,
          line: { color: "#9aa5b5", width: 1, dash: "dot" },
        }]);
      });
    });
    layout.yaxis = { autorange: "reversed", automargin: true, type: "category", gridcolor: "#f3f4f7" };
    return { data: traces, layout: layout };
  }

  // Shares of each row's total, so segments of any size compare; the counts are in the hover and the table.
  function stacked(table, spec) {
    const labels = column(table, spec.label).map(plain);
    const parts = spec.parts.map(function (part) { return column(table, part.value); });
    const totals = labels.map(function (_, j) {
      return parts.reduce(function (sum, values) { return sum + (isNumber(values[j]) ? values[j] : 0); }, 0);
    });
    const colors = ["#1e7a46", "#b8c0cc", "#b3261e"];
    const traces = spec.parts.map(function (part, i) {
      return {
        type: "bar", orientation: "h", name: plain(part.name), y: labels, customdata: parts[i],
        x: parts[i].map(function (v, j) { return isNumber(v) && totals[j] ? (100 * v) / totals[j] : null; }),
        marker: { color: colors[i % colors.length] },
        hovertemplate: "%{y}: %{customdata} " + plain(part.name.toLowerCase()) + " (%{x:.0f}%)<extra></extra>",
      };
    });
    const layout = baseLayout(84 + 24 * labels.length);
    layout.barmode = "stack";
    layout.showlegend = true;
    layout.legend = { orientation: "h", x: 0, y: 1, yanchor: "bottom", traceorder: "normal" };
    layout.margin.t = 24;
    layout.yaxis = { autorange: "reversed", automargin: true, type: "category" };
    layout.xaxis = { title: { text: plain(spec.title || ""), standoff: 6 }, range: [0, 100], ticksuffix: "%", gridcolor: "#eef0f4" };
    layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: 50, x1: 50, y0: 0, y1: 1, line: { color: "#fff", width: 1, dash: "dot" } }];
    return { data: traces, layout: layout };
  }

  function pareto(table, spec) {
    const labels = column(table, spec.label).map(plain);
    const shares = column(table, spec.value);
    const cis = column(table, spec.ci);
    const pct = function (v) { return isNumber(v) ? v * 100 : null; };
    const bars = {
      type: "bar", x: labels, y: shares.map(pct), name: "Share of SERPs", marker: { color: SEGMENT },
      error_y: {
        type: "data", symmetric: false, color: MUTED, thickness: 1.5, width: 4,
        array: shares.map(function (v, j) { return isNumber(v) && cis[j] ? (cis[j][1] - v) * 100 : 0; }),
        arrayminus: shares.map(function (v, j) { return isNumber(v) && cis[j] ? (v - cis[j][0]) * 100 : 0; }),
      },
      hovertemplate: "%{x}: %{y:.1f}% of SERPs<extra></extra>",
    };
    const line = {
      type: "scatter", mode: "lines+markers", x: labels, y: column(table, spec.cumulative).map(pct), yaxis: "y2",
      name: "Cumulative share of tags", line: { color: "#e07b00", width: 2 }, marker: { size: 6 },
      hovertemplate: "up to %{x}: %{y:.0f}% of tags<extra></extra>",
    };
    const layout = baseLayout(300);
    layout.showlegend = true;
    layout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" };
    layout.margin = { l: 56, r: 56, t: 28, b: 40 };
    layout.xaxis = { type: "category", automargin: true };
    layout.yaxis = { title: { text: "Share of SERPs (%)" }, ticksuffix: "%", rangemode: "tozero", gridcolor: "#eef0f4" };
    layout.yaxis2 = { title: { text: "Cumulative share of tags (%)" }, overlaying: "y", side: "right", range: [0, 104], tickvals: [0, 25, 50, 75, 100], ticksuffix: "%", showgrid: false };
    return { data: [bars, line], layout: layout };
  }

  function burn(table, spec) {
    // Each day's figures stand at the end of that day.
    const days = column(table, spec.x).map(function (d) { return d + "T23:59:59Z"; });
    const cumulative = column(table, spec.cumulative);
    const cost = column(table, spec.cost);
    const traces = [{
      type: "scatter", mode: "lines+markers", x: days, y: cumulative, customdata: cost, name: "Judgments made",
      line: { color: SEGMENT, width: 2.5 },
      hovertemplate: "%{x|%Y-%m-%d}: %{y:,} judgments, cost %{customdata:,.2f}<extra></extra>",
    }];
    const layout = baseLayout(300);
    layout.showlegend = true;
    layout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" };
    layout.margin = { l: 60, r: 64, t: 28, b: 40 };
    layout.shapes = [];
    layout.annotations = [];
    const plan = spec.plan;
    if (plan) {
      traces.push({
        type: "scatter", mode: "lines", x: [plan.start, plan.deadline], y: [0, plan.target], name: "Plan to the deadline",
        line: { color: MUTED, width: 1.5, dash: "dash" }, hovertemplate: "plan: %{y:,.0f} by %{x|%Y-%m-%d %H:%M}<extra></extra>",
      });
      layout.shapes.push({ type: "line", xref: "x", yref: "paper", x0: plan.deadline, x1: plan.deadline, y0: 0, y1: 1, line: { color: "#b3261e", width: 1.5 } });
      layout.annotations.push({ x: plan.deadline, y: 0.04, xref: "x", yref: "paper", text: "deadline", showarrow: false, xanchor: "right", yanchor: "bottom", font: { color: "#b3261e", size: 11 } });
    }
    const last = cumulative.length - 1;
    if (spec.forecast_done && plan && last >= 0) {
      traces.push({
        type: "scatter", mode: "lines", x: [days[last], spec.forecast_done], y: [cumulative[last], plan.target],
        name: "Forecast at the recent rate", line: { color: SEGMENT, width: 1.5, dash: "dot" },
        hovertemplate: "forecast: target reached %{x|%Y-%m-%d %H:%M}<extra></extra>",
      });
    }
    const top = Math.max(plan ? plan.target : 0, Math.max.apply(null, cumulative.filter(isNumber).concat([1]))) * 1.06;
    layout.xaxis = { type: "date", gridcolor: "#eef0f4" };
    layout.yaxis = { title: { text: "Judgments (cumulative)" }, range: [0, top], gridcolor: "#eef0f4", tickformat: ",.0f" };
    // Cost is judgments x cost per judgment, so the right axis reads the same line as cost.
    const perJudgment = last >= 0 && isNumber(cost[last]) && cumulative[last] > 0 ? cost[last] / cumulative[last] : null;
    if (perJudgment) {
      traces.push({ type: "scatter", mode: "lines", x: days, y: cost, yaxis: "y2", line: { width: 0 }, hoverinfo: "skip", showlegend: false });
      layout.yaxis2 = { title: { text: "Cost (cumulative)" }, overlaying: "y", side: "right", range: [0, top * perJudgment], showgrid: false, tickformat: ",.0f" };
    }
    return { data: traces, layout: layout };
  }

  const DRAW = { dots: dots, stacked: stacked, pareto: pareto, burn: burn };

  function drawCharts() {
    const source = document.getElementById("dashboard-charts");
    if (!source || typeof Plotly === "undefined") return;
    const tables = JSON.parse(source.textContent);
    document.querySelectorAll(".chart[data-chart]").forEach(function (div) {
      const table = tables[div.dataset.chart];
      const spec = table && table.charts[Number(div.dataset.index)];
      if (!spec || !DRAW[spec.type]) return;
      const figure = DRAW[spec.type](table, spec);
      Plotly.newPlot(div, figure.data, figure.layout, CONFIG).then(function () { div.dataset.rendered = "true"; });
    });
  }

  // --- Starting a report (owners, on a project without one) --------------------------------------

  function startButton() {
    const form = document.getElementById("start-report");
    if (!form) return;
    const status = document.getElementById("start-report-status");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const say = function (text) { status.textContent = text; };

    async function follow(jobId) {
      const url = form.dataset.jobApi.replace(/0\/$/, jobId + "/");
      for (;;) {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return say("The report's progress cannot be read; reload the page in a minute.");
        const job = await response.json();
        if (job.status === "succeeded") return window.location.reload();
        if (job.status === "failed") return say("The report failed; the job's errors are at /api/v1/jobs/" + jobId + "/.");
        say("Computing the report (" + Math.round((job.progress || 0) * 100) + "%)…");
        await new Promise(function (resolve) { setTimeout(resolve, 1000); });
      }
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      say("Starting…");
      try {
        const response = await fetch(form.dataset.api, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": token, Accept: "application/json" },
        });
        if (response.status !== 202 && response.status !== 201) {
          button.disabled = false;
          return say("The report could not be started (HTTP " + response.status + ").");
        }
        await follow((await response.json()).id);
      } catch (error) {
        button.disabled = false;
        say("The connection dropped; try again.");
      }
    });
  }

  drawCharts();
  startButton();
})();
