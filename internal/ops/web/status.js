// The status page: polls /api/status and renders it. Everything that
// comes from data is put in the DOM as text (textContent, text nodes),
// never as markup.
"use strict";

(function () {
  const charts = {};
  let refreshMs = 5000;

  // el builds an element; strings and numbers among children become text.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function show(id, ...nodes) {
    const box = document.getElementById(id);
    box.classList.remove("muted");
    box.replaceChildren(...nodes);
  }

  function note(id, text, cls) {
    const box = document.getElementById(id);
    box.className = cls || "muted";
    box.replaceChildren(document.createTextNode(text));
  }

  function num(v) {
    if (v === null || v === undefined) return "–";
    if (!Number.isFinite(v)) return String(v);
    return Math.round(v) === v ? v.toLocaleString("en-US") : v.toLocaleString("en-US", { maximumFractionDigits: 1 });
  }

  function pct(part, whole) {
    return whole > 0 ? Math.floor((100 * part) / whole) + "%" : "–";
  }

  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  // table builds a table; a head entry is a label or {label, num} for a
  // column of numbers.
  function table(head, rows, id) {
    return el("table", { id: id },
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { class: h.num ? "num" : null }, typeof h === "string" ? h : h.label)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) =>
        c instanceof Node ? el("td", {}, c) : el("td", { class: head[i].num ? "num" : null }, c))))));
  }

  function entries(obj) {
    return Object.entries(obj || {}).sort((a, b) => a[0].localeCompare(b[0]));
  }

  function progressCell(part, whole, what) {
    return el("span", {},
      el("progress", { max: Math.max(whole, 1), value: Math.min(part, whole) }),
      " " + num(part) + "/" + num(whole) + " " + what + " (" + pct(part, whole) + ")");
  }

  function renderRuns(runs) {
    if (!runs.enabled) return note("runs", "This process does not track export runs.");
    if (runs.error) return note("runs", "Cannot read the runs: " + runs.error, "error");
    const list = Array.isArray(runs.data) ? runs.data : [];
    if (list.length === 0) return note("runs", "No export runs yet.");
    const rows = list.map((r) => {
      const jobs = r.jobs_by_state || {};
      const finished = (jobs.done || 0) + (jobs.failed || 0);
      return [
        r.name,
        el("span", { class: "state-" + r.state }, r.state),
        progressCell(finished, r.jobs_submitted || 0, "jobs"),
        progressCell(r.exported || 0, r.conversations || 0, "events in the lake"),
        entries(jobs).map(([k, v]) => k + " " + num(v)).join(", "),
        num(r.dead_letters || 0),
        when(r.created),
        when(r.completed_at),
      ];
    });
    show("runs", table(["run", "state", "jobs finished", "exported",
      "jobs by state", { label: "dead letters", num: true }, "created", "completed"], rows));
  }

  function renderJobs(st) {
    const parts = [];
    const runs = st.runs.enabled && Array.isArray(st.runs.data) ? st.runs.data : [];
    if (runs.length > 0) {
      const total = {};
      for (const r of runs) {
        for (const [k, v] of Object.entries(r.jobs_by_state || {})) total[k] = (total[k] || 0) + v;
      }
      parts.push(el("h3", {}, "By state, over every run"),
        table(["state", { label: "jobs", num: true }], entries(total).map(([k, v]) => [k, num(v)])));
    }
    if (st.jobs) {
      const rows = [["running now", num(st.jobs.in_flight)]]
        .concat(entries(st.jobs.outcomes).map(([k, v]) => [k.replace("_", " "), num(v)]));
      parts.push(el("h3", {}, "Handled by this process's producer since it started"),
        table(["outcome", { label: "jobs", num: true }], rows, "jobs-process"));
    }
    if (parts.length === 0) return note("jobs", "No producer runs in this process, and no runs are tracked.");
    show("jobs", ...parts);
  }

  function renderProviders(p) {
    if (!p) {
      note("providers", "No provider calls in this process yet.");
      note("breakers", "No circuit breakers in this process yet.");
      chart("requests", null);
      chart("outcomes", null);
      return;
    }
    const outcomes = [...new Set(p.accounts.flatMap((a) => Object.keys(a.outcomes)))].sort();
    const rows = p.accounts.map((a) => [a.account, num(a.rate_limit_qps)]
      .concat(outcomes.map((o) => num(a.outcomes[o] || 0)))
      .concat([entries(a.retries).map(([k, v]) => k + " " + num(v)).join(", ") || "none"]));
    show("providers", table(["account", { label: "rate limit (qps)", num: true }]
      .concat(outcomes.map((o) => ({ label: o, num: true }))).concat(["retries by class"]), rows));
    if (p.breakers.length === 0) note("breakers", "No circuit breakers in this process yet.");
    else show("breakers", table(["account", "endpoint", "state"],
      p.breakers.map((b) => [b.account, b.endpoint, el("span", { class: "state-" + b.state }, b.state)])));
    chart("requests", p.requests, "req/s");
    chart("outcomes", p.outcomes, "req/s");
  }

  function renderExporter(e, commit) {
    const parts = [];
    if (e) {
      parts.push(table(["", { label: "", num: true }], [
        ["state", e.active ? "exporting" : "standing by"],
        ["lag (events)", num(e.lag_events)],
        ["last committed stream sequence", num(e.committed_stream_seq)],
        ["rows committed by this process", num(e.rows)],
        ["files committed by this process", num(e.files)],
        ["epochs committed by this process", num(e.epochs)],
      ]));
    }
    if (commit.enabled) {
      if (commit.error) parts.push(el("p", { class: "error" }, "Cannot read the commit record: " + commit.error));
      else if (commit.data && commit.data.epoch > 0) {
        const c = commit.data;
        parts.push(el("h3", {}, "Last commit (any exporter)"), table(["", ""], [
          ["committed at", when(c.committed_at)], ["epoch", num(c.epoch)],
          ["last stream sequence", num(c.last_seq)], ["rows", num(c.rows)], ["owner", c.owner],
        ]));
      } else parts.push(el("p", { class: "muted" }, "No exporter has committed yet."));
    }
    if (parts.length === 0) note("exporter", "No exporter in this process.");
    else show("exporter", ...parts);
    chart("lag", e ? e.lag : null, "events");
  }

  function renderDeadLetters(d) {
    const parts = [];
    const counters = [];
    if (d.producer !== null) counters.push(["jobs, by this process's producer", num(d.producer)]);
    if (d.exporter !== null) counters.push(["events, by this process's exporter", num(d.exporter)]);
    if (counters.length > 0) parts.push(table(["sent since start", { label: "", num: true }], counters));
    const r = d.by_reason;
    if (r.enabled) {
      if (r.error) parts.push(el("p", { class: "error" }, "Dead-letter stream: " + r.error));
      if (!r.data || r.data.length === 0) {
        if (!r.error) parts.push(el("p", { class: "muted" }, "The dead-letter stream is empty."));
      } else parts.push(el("h3", {}, "In the dead-letter stream, by reason"),
        table(["kind", "class", "reason", { label: "dead letters", num: true }],
          r.data.map((c) => [c.kind, c.class, c.reason, num(c.count)])));
    }
    if (parts.length === 0) note("dead-letters", "No dead letters to show in this process.");
    else show("dead-letters", ...parts);
  }

  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  // chart draws s (a Series: t and lines) in the element id, reusing the
  // uPlot while the lines stay the same.
  function chart(id, s, unit) {
    const box = document.getElementById(id);
    const names = s ? Object.keys(s.lines).sort() : [];
    if (!s || s.t.length < 2 || names.length === 0) {
      if (charts[id]) { charts[id].plot.destroy(); delete charts[id]; }
      box.setAttribute("data-points", "0");
      box.className = "chart muted";
      box.replaceChildren(document.createTextNode(s ? "Collecting samples…" : "No data in this process."));
      return;
    }
    const data = [s.t].concat(names.map((n) => s.lines[n]));
    const key = names.join("\u0000");
    const width = Math.max(box.clientWidth || 600, 300);
    if (!charts[id] || charts[id].key !== key) {
      if (charts[id]) charts[id].plot.destroy();
      box.replaceChildren();
      box.className = "chart";
      const series = [{}].concat(names.map((n, i) => ({
        label: n, stroke: palette[i % palette.length], width: 1.5, spanGaps: false,
        value: (u, v) => (v === null ? "–" : num(v) + " " + unit),
      })));
      const plot = new uPlot({ width: width, height: 200, series: series, axes: [{}, { size: 60 }] }, data, box);
      charts[id] = { plot: plot, key: key };
    } else {
      charts[id].plot.setData(data);
      if (Math.abs(charts[id].plot.width - width) > 20) charts[id].plot.setSize({ width: width, height: 200 });
    }
    box.setAttribute("data-points", String(s.t.length));
  }

  function render(st) {
    refreshMs = Math.max(1000, (st.refresh_seconds || 5) * 1000);
    document.getElementById("window").textContent = Math.round(st.window_seconds / 60) + " minutes";
    renderRuns(st.runs);
    renderJobs(st);
    chart("throughput", st.throughput, "events/s");
    renderProviders(st.providers);
    renderExporter(st.exporter, st.last_commit);
    renderDeadLetters(st.dead_letters);
    document.querySelector("header").classList.remove("stale");
    note("updated", "updated " + new Date(st.generated_at).toLocaleTimeString() + ", every " + refreshMs / 1000 + " s");
  }

  async function poll() {
    try {
      const resp = await fetch("/api/status", { cache: "no-store" });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      render(await resp.json());
    } catch (err) {
      document.querySelector("header").classList.add("stale");
      note("updated", "cannot reach the process: " + err.message + " (retrying)");
    }
    setTimeout(poll, refreshMs);
  }

  poll();
})();
