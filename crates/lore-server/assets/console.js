// lore's console: each page renders one view from the JSON API under /v1.
// Plain DOM, no framework: text goes in through textContent, never as HTML.
"use strict";

(() => {
  const view = document.body.dataset.view;
  const canApprove = document.body.dataset.role === "approver";
  const root = document.getElementById("view");

  // ---- helpers -----------------------------------------------------------

  /** An element with attributes and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function cookie(name) {
    const pair = document.cookie.split("; ").find((p) => p.startsWith(name + "="));
    return pair ? pair.slice(name.length + 1) : "";
  }

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  /** A JSON API call with the session; a state change carries the CSRF value. */
  async function api(path, body) {
    const init = { credentials: "same-origin", headers: { accept: "application/json" } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["content-type"] = "application/json";
      init.headers["x-lore-csrf"] = cookie("lore_csrf");
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      location.assign("/signin?next=" + encodeURIComponent(location.pathname + location.search));
      throw new ApiError(401, "signed out");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.detail || response.statusText);
    return data;
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") search.set(key, value);
    }
    return search.toString();
  }

  function announce(text) {
    document.getElementById("announce").textContent = text;
  }

  /** Children for replaceChildren: nested lists flattened, gaps dropped. */
  function nodes(children) {
    return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);
  }

  function show(...children) {
    root.replaceChildren(...nodes(children));
    root.setAttribute("aria-busy", "false");
  }

  function failure(err) {
    return h("p", { class: "error", role: "alert" }, err.message || String(err));
  }

  /** A citation (`path:line`) as a link to the cited lines. */
  function cite(text) {
    if (!text) return null;
    return h("a", { class: "mono", href: "/source?" + query({ cite: text }) }, text);
  }

  function badge(decision) {
    return h("span", { class: "badge " + decision }, decision);
  }

  function when(unix) {
    const date = new Date(unix * 1000);
    return h("time", { datetime: date.toISOString() }, date.toLocaleString());
  }

  function trustText(trust) {
    if (!trust) return "";
    const parts = [trust.review, trust.origin];
    if (trust.reviewed) parts.push("reviewed " + trust.reviewed);
    return parts.filter(Boolean).join(", ");
  }

  // ---- systems and the graph ----------------------------------------------

  async function graphView() {
    const graph = await api("/v1/graph");
    document.body.dataset.graphFetchedMs = String(Math.round(performance.now()));
    const search = h("input", { id: "find", type: "search", placeholder: "name, owner or tier", autocomplete: "off" });
    const list = h("ul", { class: "systems-list", id: "systems" });
    const briefing = h("section", { class: "briefing", id: "briefing", "aria-live": "polite" },
      h("p", { class: "muted" }, "Choose a system to see its briefing and blast radius."));
    const canvas = h("div", { id: "cy", role: "img", "aria-label": "Dependency graph of " + graph.systems.length + " systems" });
    const cycleOf = new Map();
    graph.cycles.forEach((members, i) => members.forEach((m) => cycleOf.set(m, i)));
    show(
      h("p", { class: "muted" },
        `${graph.systems.length} systems, ${graph.edges.length} edges, ${graph.dangling.length} dangling names, ${graph.cycles.length} cycles.`),
      h("div", { class: "graph-layout" },
        h("div", { class: "graph-side" },
          h("div", { class: "field" }, h("label", { for: "find" }, "Find a system"), search),
          list),
        h("div", { class: "graph-canvas" },
          h("ul", { class: "legend", "aria-label": "Legend" },
            h("li", {}, h("span", { class: "swatch selected" }), "selected"),
            h("li", {}, h("span", { class: "swatch blast" }), "blast radius"),
            h("li", {}, h("span", { class: "swatch dangling" }), "dangling name"),
            h("li", {}, h("span", { class: "swatch cycle" }), "in a cycle")),
          canvas),
        briefing));

    const buttons = new Map();
    for (const system of graph.systems) {
      const label = [system.id, system.tier ? "tier " + system.tier : null, system.owners.join(", ")].filter(Boolean).join(" · ");
      const button = h("button", { type: "button", "aria-pressed": "false", "data-system": system.id,
        onclick: () => select(system.id, true) }, label);
      buttons.set(system.id, h("li", {}, button));
      list.append(buttons.get(system.id));
    }
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLowerCase();
      for (const [id, item] of buttons) item.hidden = needle !== "" && !item.textContent.toLowerCase().includes(needle);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      const needle = search.value.trim().toLowerCase();
      const exact = graph.systems.find((s) => s.id.toLowerCase() === needle);
      const first = [...buttons.values()].find((item) => !item.hidden);
      if (exact) select(exact.id, true);
      else if (first) select(first.querySelector("button").dataset.system, true);
    });

    const cy = drawGraph(canvas, graph, cycleOf);
    if (cy) cy.on("tap", "node.system", (event) => select(event.target.id(), false));

    let current = null;
    async function select(id, center) {
      current = id;
      for (const item of buttons.values()) {
        const button = item.querySelector("button");
        button.setAttribute("aria-pressed", String(button.dataset.system === id));
      }
      briefing.replaceChildren(h("p", { class: "muted" }, "Loading " + id + "…"));
      try {
        const [brief, blast] = await Promise.all([
          api("/v1/systems/" + encodeURIComponent(id)),
          api("/v1/blast?" + query({ system: id, limit: 1000 })),
        ]);
        if (current !== id) return;
        briefing.replaceChildren(...nodes(briefingParts(brief, blast)));
        if (cy) highlight(cy, id, blast.nodes.map((n) => n.system), center);
        announce(`${id}: ${blast.page.total} systems in its blast radius`);
      } catch (err) {
        briefing.replaceChildren(failure(err));
      }
    }
    const wanted = new URLSearchParams(location.search).get("system");
    if (wanted) select(wanted, true);
  }

  /** Cytoscape over the graph; null when the library did not load. */
  function drawGraph(container, graph, cycleOf) {
    if (typeof window.cytoscape !== "function") {
      container.replaceChildren(h("p", { class: "error" }, "The graph library did not load."));
      return null;
    }
    const elements = [];
    for (const system of graph.systems) {
      const classes = ["system", cycleOf.has(system.id) ? "cycle" : "", system.tier === 1 ? "tier1" : ""].join(" ");
      elements.push({ group: "nodes", data: { id: system.id, label: system.id }, classes });
    }
    const known = new Set(graph.systems.map((s) => s.id));
    for (const name of graph.dangling) {
      if (!known.has(name)) elements.push({ group: "nodes", data: { id: name, label: name }, classes: "dangling" });
    }
    graph.edges.forEach((edge, i) => {
      const inCycle = cycleOf.has(edge.from) && cycleOf.get(edge.from) === cycleOf.get(edge.to);
      elements.push({ group: "edges", data: { id: "e" + i, source: edge.from, target: edge.to },
        classes: [edge.dangling ? "dangling" : "", inCycle ? "cycle" : ""].join(" ") });
    });
    const large = elements.length > 600;
    performance.mark("lore:elements");
    const cy = window.cytoscape({
      container,
      elements,
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, color: "#1b1f24", "text-valign": "bottom",
          "text-margin-y": 3, width: 14, height: 14, "background-color": "#8c959f", "min-zoomed-font-size": 7 } },
        { selector: "node.tier1", style: { width: 20, height: 20, "background-color": "#57606a" } },
        { selector: "node.dangling", style: { "background-color": "#ffffff", "border-width": 2, "border-style": "dashed", "border-color": "#57606a" } },
        { selector: "node.cycle", style: { "border-width": 3, "border-color": "#b0006e" } },
        { selector: "edge", style: { width: 1, "line-color": "#c4cbd3", "target-arrow-color": "#c4cbd3", "target-arrow-shape": "triangle", "curve-style": "haystack", "arrow-scale": 0.6 } },
        { selector: "edge.dangling", style: { "line-style": "dashed" } },
        { selector: "edge.cycle", style: { "line-color": "#b0006e", "target-arrow-color": "#b0006e", width: 2 } },
        { selector: ".faded", style: { opacity: 0.18 } },
        { selector: "node.blast", style: { "background-color": "#d4580b", opacity: 1 } },
        { selector: "edge.blast", style: { "line-color": "#d4580b", "target-arrow-color": "#d4580b", width: 2, opacity: 1, "curve-style": "bezier" } },
        { selector: "node.chosen", style: { "background-color": "#1f6feb", width: 26, height: 26, "font-weight": "bold", opacity: 1 } },
      ],
      layout: { name: "preset" },
    });
    window.loreGraph = cy;
    performance.mark("lore:cytoscape");
    // Concentric by degree is near-instant and puts hubs in the middle; a
    // short force-directed pass from there untangles the neighbourhoods.
    cy.layout({ name: "concentric", concentric: (n) => n.degree(), levelWidth: () => 2, animate: false }).run();
    performance.mark("lore:seeded");
    const layout = cy.layout({ name: "cose", animate: false, randomize: false, numIter: 250, initialTemp: 200,
      nodeRepulsion: () => 6000, idealEdgeLength: () => 40, componentSpacing: 60, nodeDimensionsIncludeLabels: false });
    const layoutStart = performance.now();
    layout.one("layoutstop", () => {
      document.body.dataset.layoutMs = String(Math.round(performance.now() - layoutStart));
      cy.fit(undefined, 20);
      document.body.dataset.graphMs = String(Math.round(performance.now()));
      document.body.dataset.graphReady = "true";
    });
    layout.run();
    return cy;
  }

  function highlight(cy, id, dependents, center) {
    const blast = new Set(dependents);
    cy.batch(() => {
      cy.elements().removeClass("chosen blast").addClass("faded");
      const chosen = cy.getElementById(id);
      chosen.removeClass("faded").addClass("chosen");
      cy.nodes().filter((n) => blast.has(n.id())).removeClass("faded").addClass("blast");
      // Edges along the radius: from a dependent to the chosen system or another dependent.
      cy.edges().filter((e) => blast.has(e.source().id()) && (e.target().id() === id || blast.has(e.target().id())))
        .removeClass("faded").addClass("blast");
      chosen.connectedEdges().removeClass("faded");
    });
    if (center) cy.animate({ center: { eles: cy.getElementById(id) }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200 });
  }

  function briefingParts(brief, blast) {
    const s = brief.system;
    const items = (list, render) => list.length ? h("ul", {}, list.map((x) => h("li", {}, render(x)))) : h("p", { class: "muted" }, "none");
    return [
      h("h2", { id: "briefing-title" }, s.id),
      s.description ? h("p", {}, s.description) : null,
      h("dl", {},
        h("dt", {}, "Owners"), h("dd", {}, s.owners.join(", ") || "none"),
        h("dt", {}, "Tier"), h("dd", {}, s.tier ?? "unknown"),
        h("dt", {}, "Kind"), h("dd", {}, s.kind),
        h("dt", {}, "Environments"), h("dd", {}, s.environments.join(", ") || "none"),
        h("dt", {}, "Trust"), h("dd", {}, trustText(s.trust)),
        h("dt", {}, "Source"), h("dd", {}, cite(s.cite))),
      brief.escalation.length ? [h("h3", {}, "Escalation"), items(brief.escalation, (c) => [c.team, ": ", [...c.contacts, ...c.escalation].join(", ")])] : null,
      h("h3", {}, `Blast radius (${blast.page.total})`),
      items(blast.nodes, (n) => [n.system, h("span", { class: "meta" }, ` · depth ${n.depth}${n.tier ? " · tier " + n.tier : ""}`)]),
      h("h3", {}, `Rules (${brief.rules.length})`),
      items(brief.rules, (r) => [badge(r.decision), " ", r.title, " ", cite(r.cite), r.stale ? h("span", { class: "meta" }, " · stale") : null]),
      h("h3", {}, `Incidents (${brief.incidents.length})`),
      items(brief.incidents, (i) => [i.id, " ", i.title, " ", cite(i.cite)]),
      h("h3", {}, `Runbooks (${brief.runbooks.length})`),
      items(brief.runbooks, (r) => [r.title, " ", cite(r.cite)]),
      h("h3", {}, "Freshness"),
      items(brief.freshness, (f) => f),
      h("p", {}, h("a", { href: "/decisions?" + query({ system: s.id }) }, "Decisions about " + s.id)),
    ];
  }

  // ---- decisions -----------------------------------------------------------

  /** The command, with the parts that change something marked. */
  function commandText(entry) {
    const input = entry.input;
    const spans = (Array.isArray(entry.actions) ? entry.actions : [])
      .filter((a) => a && a.span && a.class !== "read")
      .map((a) => [a.span.start, a.span.end])
      .sort((a, b) => a[0] - b[0]);
    const encoder = new TextEncoder();
    const bytes = encoder.encode(input);
    const decoder = new TextDecoder();
    const parts = [];
    let at = 0;
    for (const [start, end] of spans) {
      if (start < at || end > bytes.length || end <= start) continue;
      parts.push(decoder.decode(bytes.slice(at, start)));
      parts.push(h("mark", {}, decoder.decode(bytes.slice(start, end))));
      at = end;
    }
    parts.push(decoder.decode(bytes.slice(at)));
    return h("code", { class: "command" }, parts);
  }

  function reasonList(entry) {
    const reasons = Array.isArray(entry.reasons) ? entry.reasons : [];
    if (!reasons.length) return h("p", { class: "muted" }, "No reasons recorded.");
    return h("ul", { class: "reasons" }, reasons.map((r) => h("li", {},
      badge(r.decision), " ", r.message, r.cite ? [" ", cite(r.cite)] : null,
      r.instead ? h("div", { class: "meta" }, "Instead: ", r.instead) : null)));
  }

  function actionList(entry) {
    const actions = Array.isArray(entry.actions) ? entry.actions : [];
    if (!actions.length) return null;
    return h("ul", { class: "reasons" }, actions.map((a) => h("li", {},
      h("code", {}, [a.tool, ...(a.command || [])].join(" ")), ` · ${a.class} · ${a.reversibility || ""}`,
      (a.targets || []).length ? ` · ${a.targets.map((t) => t.name || t.value || JSON.stringify(t)).join(", ")}` : "")));
  }

  function decisionCard(entry, extra) {
    const details = h("details", {},
      h("summary", {}, "Actions, reasons and briefing"),
      h("h3", {}, "Actions"), actionList(entry) || h("p", { class: "muted" }, "none"),
      h("h3", {}, "Reasons"), reasonList(entry),
      h("div", { class: "briefings" }),
      h("p", { class: "meta" }, `Pack ${entry.pack_version || "unknown"} · ${entry.source} · session ${entry.session || "none"} · uid ${entry.uid}`));
    details.addEventListener("toggle", () => loadBriefings(details, entry), { once: true });
    return h("li", { class: "card", "data-decision": entry.id },
      h("header", {}, badge(entry.decision), h("strong", {}, "#" + entry.id), when(entry.ts_unix),
        h("span", { class: "meta" }, entry.agent || "unknown agent"),
        entry.systems.length ? h("span", { class: "meta" }, entry.systems.join(", ")) : null),
      commandText(entry),
      extra || null,
      details);
  }

  async function loadBriefings(details, entry) {
    const box = details.querySelector(".briefings");
    for (const system of entry.systems.slice(0, 3)) {
      try {
        const brief = await api("/v1/brief?" + query({ system }));
        box.append(h("h3", {}, "Briefing: " + system + " (current pack)"),
          h("ul", { class: "reasons" },
            brief.rules.map((r) => h("li", {}, badge(r.decision), " ", r.title, " ", cite(r.cite))),
            brief.incidents.map((i) => h("li", {}, i.id, " ", i.title, " ", cite(i.cite))),
            brief.runbooks.map((r) => h("li", {}, "Runbook: ", r.title, " ", cite(r.cite)))));
      } catch (err) {
        box.append(h("p", { class: "muted" }, `No briefing for ${system}: ${err.message}`));
      }
    }
  }

  async function decisionsView() {
    const params = new URLSearchParams(location.search);
    const filters = { decision: params.get("decision") || "", system: params.get("system") || "",
      agent: params.get("agent") || "", since: params.get("since") || "" };
    const form = h("form", { class: "filters", method: "get", action: "/decisions" },
      h("div", { class: "field" }, h("label", { for: "f-decision" }, "Decision"),
        h("select", { id: "f-decision", name: "decision" },
          ["", "allow", "warn", "ask", "deny"].map((d) => h("option", { value: d, selected: d === filters.decision }, d || "any")))),
      h("div", { class: "field" }, h("label", { for: "f-system" }, "System"), h("input", { id: "f-system", name: "system", value: filters.system })),
      h("div", { class: "field" }, h("label", { for: "f-agent" }, "Agent"), h("input", { id: "f-agent", name: "agent", value: filters.agent })),
      h("div", { class: "field" }, h("label", { for: "f-since" }, "Since"),
        h("select", { id: "f-since", name: "since" },
          [["", "any time"], ["1h", "last hour"], ["24h", "last day"], ["7d", "last week"], ["30d", "last 30 days"]]
            .map(([v, t]) => h("option", { value: v, selected: v === filters.since }, t)))),
      h("button", { type: "submit", class: "primary" }, "Filter"));
    const list = h("ol", { class: "cards", id: "decisions", "aria-label": "Decisions, newest first" });
    const more = h("button", { type: "button", id: "older" }, "Older decisions");
    const status = h("span", { class: "meta", id: "live" }, "Live: new decisions appear here.");
    show(form, list, h("div", { class: "pager" }, more, status));

    let before = null;
    let newest = 0;
    async function page() {
      more.disabled = true;
      const data = await api("/v1/decisions?" + query({ ...filters, before, limit: 50 }));
      for (const entry of data.entries) list.append(decisionCard(entry));
      if (data.entries.length) newest = Math.max(newest, data.entries[0].id);
      before = data.next_before;
      more.hidden = !before;
      more.disabled = false;
      if (!list.children.length) list.append(h("li", { class: "muted" }, "No decisions match."));
    }
    more.addEventListener("click", () => page().catch((err) => list.append(failure(err))));
    await page();
    // New decisions without a reload: poll the newest page.
    setInterval(async () => {
      if (document.hidden) return;
      try {
        const data = await api("/v1/decisions?" + query({ ...filters, limit: 50 }));
        const fresh = data.entries.filter((e) => e.id > newest).reverse();
        if (!fresh.length) return;
        const empty = list.querySelector("li.muted");
        if (empty) empty.remove();
        for (const entry of fresh) list.prepend(decisionCard(entry));
        newest = Math.max(newest, fresh[fresh.length - 1].id);
        announce(`${fresh.length} new decision${fresh.length > 1 ? "s" : ""}`);
      } catch (err) {
        status.textContent = "Live updates paused: " + err.message;
      }
    }, 2000);
  }

  // ---- waiting for a human -----------------------------------------------

  function approvalForm(entry, onDone) {
    const id = "why-" + entry.id;
    const why = h("input", { id, name: "why", required: true, placeholder: "why this may run" });
    const out = h("p", { class: "meta", role: "status" });
    async function act(standing) {
      if (!why.value.trim()) {
        out.textContent = "Give a reason first.";
        why.focus();
        return;
      }
      try {
        const done = await api(`/v1/decisions/${entry.id}/approve`, { standing, why: why.value.trim() });
        out.textContent = `Approved ${standing ? "standing" : "once"} by ${done.approved_by || "you"}, until ${new Date(done.expires_unix * 1000).toLocaleString()}.`;
        onDone(out);
      } catch (err) {
        out.textContent = err.message;
      }
    }
    async function reject() {
      if (!why.value.trim()) {
        out.textContent = "Give a reason first.";
        why.focus();
        return;
      }
      try {
        const done = await api(`/v1/decisions/${entry.id}/reject`, { why: why.value.trim() });
        out.textContent = `Rejected by ${done.rejected_by || "you"}: ${done.why}`;
        onDone(out);
      } catch (err) {
        out.textContent = err.message;
      }
    }
    return h("div", { class: "actions-row" },
      h("div", { class: "field" }, h("label", { for: id }, "Reason"), why),
      h("button", { type: "button", class: "primary", onclick: () => act(false) }, "Approve once"),
      h("button", { type: "button", onclick: () => act(true) }, "Approve standing"),
      h("button", { type: "button", class: "danger", onclick: reject }, "Reject"),
      out);
  }

  function proposalCard(proposal, onDone) {
    const id = "pwhy-" + proposal.id;
    const why = h("input", { id, name: "why", placeholder: "required to reject" });
    const out = h("p", { class: "meta", role: "status" });
    async function review(verdict) {
      if (verdict === "reject" && !why.value.trim()) {
        out.textContent = "Give a reason to reject.";
        why.focus();
        return;
      }
      try {
        const body = why.value.trim() ? { why: why.value.trim() } : {};
        await api(`/v1/proposals/${encodeURIComponent(proposal.id)}/${verdict}`, body);
        out.textContent = verdict === "approve" ? "Approved: written into the knowledge." : "Rejected: kept with the reason.";
        onDone(out);
      } catch (err) {
        out.textContent = err.message;
      }
    }
    return h("li", { class: "card", "data-proposal": proposal.id },
      h("header", {}, h("strong", {}, proposal.id), h("span", { class: "meta" }, proposal.kind)),
      h("p", {}, proposal.title),
      h("p", {}, cite(proposal.cite)),
      canApprove ? h("div", { class: "actions-row" },
        h("div", { class: "field" }, h("label", { for: id }, "Reason"), why),
        h("button", { type: "button", class: "primary", onclick: () => review("approve") }, "Approve"),
        h("button", { type: "button", class: "danger", onclick: () => review("reject") }, "Reject"),
        out) : null);
  }

  async function waitingView() {
    const asks = h("ol", { class: "cards", id: "waiting-decisions", "aria-label": "Asks and denials" });
    const proposals = h("ol", { class: "cards", id: "waiting-proposals", "aria-label": "Proposed knowledge" });
    show(
      h("h2", {}, "Asks and denials an approver may lift"),
      canApprove ? null : h("p", { class: "muted" }, "Your token reads only: approving needs an approver's token."),
      asks,
      h("h2", {}, "Proposed knowledge"),
      proposals);
    const [waiting, pending] = await Promise.all([api("/v1/waiting?" + query({ since: "7d" })), api("/v1/proposals")]);
    const entries = waiting.entries;
    for (const entry of entries) {
      const done = (out) => {
        const card = out.closest("li");
        card.querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
      };
      asks.append(decisionCard(entry, canApprove ? approvalForm(entry, done) : null));
    }
    if (!entries.length) asks.append(h("li", { class: "muted" }, "Nothing waits: no asks or liftable denials in the last 7 days."));
    const rows = Array.isArray(pending) ? pending : pending.proposals || [];
    for (const proposal of rows) {
      proposals.append(proposalCard(proposal, (out) => {
        out.closest("li").querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
      }));
    }
    if (!rows.length) proposals.append(h("li", { class: "muted" }, "No proposals wait for review."));
  }

  // ---- knowledge health ----------------------------------------------------

  function trendChart(trend) {
    if (trend.length < 2) return h("p", { class: "meta" }, trend.length ? "One build so far." : "");
    const w = 280, hgt = 60;
    const points = trend.map((p, i) => `${(i / (trend.length - 1)) * w},${hgt - (p.overall / 100) * hgt}`).join(" ");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${hgt}`);
    svg.setAttribute("class", "trend");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Health score over the last " + trend.length + " builds: " + trend.map((p) => p.overall).join(", "));
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", points);
    svg.append(line);
    return svg;
  }

  async function healthView() {
    const report = await api("/v1/health");
    const codes = [...new Set(report.findings.map((f) => f.code))].sort();
    const picker = h("select", { id: "f-code" }, h("option", { value: "" }, "every kind"), codes.map((c) => h("option", { value: c }, c)));
    const body = h("tbody");
    const more = h("button", { type: "button", id: "more-findings" }, "Show more findings");
    let shown = 100;
    const render = () => {
      const code = picker.value;
      const matching = report.findings.filter((f) => !code || f.code === code);
      more.hidden = matching.length <= shown;
      more.textContent = `Show more findings (${matching.length - shown} more)`;
      body.replaceChildren(...matching.slice(0, shown).map((f) =>
        h("tr", {}, h("td", {}, badge(f.severity)), h("td", {}, h("code", {}, f.code)), h("td", {}, f.record),
          h("td", {}, f.message, f.suggestions && f.suggestions.length ? h("div", { class: "meta" }, "Did you mean: " + f.suggestions.join(", ")) : null),
          h("td", {}, f.file ? cite(f.line ? `${f.file}:${f.line}` : f.file) : ""))));
    };
    picker.addEventListener("change", () => { shown = 100; render(); });
    more.addEventListener("click", () => { shown += 200; render(); });
    const count = (s) => report.findings.filter((f) => f.severity === s).length;
    const last = report.trend[report.trend.length - 2];
    const delta = last ? report.health.overall - last.overall : 0;
    show(
      h("div", { class: "health-top" },
        h("div", {}, h("div", { class: "score", id: "score" }, report.health.overall), h("div", { class: "meta" }, "health score of 100",
          last ? ` · ${delta >= 0 ? "+" : ""}${delta} since the build before` : "")),
        h("div", {}, h("div", { class: "meta" }, "Trend over builds"), trendChart(report.trend)),
        h("div", {}, h("div", {}, `${count("error")} errors · ${count("warning")} warnings · ${count("info")} notes`))),
      report.health.top_actions.length ? [h("h2", {}, "What would raise the score most"),
        h("ul", {}, report.health.top_actions.map((a) => h("li", {}, `${a.action}: ${a.systems} systems, +${a.gain}`)))] : null,
      h("h2", {}, "Lowest scores"),
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Team"), h("th", { scope: "col" }, "Score"))),
        h("tbody", {}, report.health.teams.slice(0, 10).map((t) => h("tr", {}, h("td", {}, t.name), h("td", {}, t.score)))))),
      h("h2", {}, `Findings (${report.findings.length})`),
      h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "f-code" }, "Kind"), picker)),
      h("div", { class: "table-wrap" }, h("table", { id: "findings" },
        h("thead", {}, h("tr", {}, ["Severity", "Kind", "Record", "Finding", "Where"].map((t) => h("th", { scope: "col" }, t)))),
        body)),
      h("p", { class: "pager" }, more));
    render();
  }

  // ---- search and sources ----------------------------------------------------

  function excerpt(source) {
    return h("div", { class: "excerpt mono", role: "group", "aria-label": `${source.path} lines ${source.start} to ${source.end}` },
      source.lines.map((text, i) => {
        const no = source.first_line + i;
        const cited = no >= source.start && no <= source.end;
        return h("div", { class: "line" + (cited ? " cited" : ""), id: "L" + no },
          h("span", { class: "no" }, no), h("span", { class: "text" }, text || " "));
      }));
  }

  async function searchView() {
    const params = new URLSearchParams(location.search);
    const text = params.get("q") || "";
    const offset = Number(params.get("offset") || 0);
    const box = h("input", { id: "q", name: "q", type: "search", value: text, required: true });
    const form = h("form", { class: "filters", method: "get", action: "/search", role: "search" },
      h("div", { class: "field" }, h("label", { for: "q" }, "Question or keywords"), box),
      h("button", { type: "submit", class: "primary" }, "Search"));
    const results = h("ol", { class: "cards", id: "hits", start: offset + 1 });
    show(form, results);
    if (!text.trim()) return;
    const answer = await api("/v1/search?" + query({ query: text, limit: 10, offset }));
    if (answer.note) results.before(h("p", { class: "meta" }, answer.note));
    for (const hit of answer.hits) {
      const context = h("div", {}, h("p", { class: "meta" }, hit.snippet));
      results.append(h("li", { class: "card" },
        h("header", {}, h("strong", {}, hit.title), hit.heading && hit.heading !== hit.title ? h("span", {}, "› " + hit.heading) : null,
          h("span", { class: "meta" }, hit.kind), hit.systems.length ? h("span", { class: "meta" }, hit.systems.join(", ")) : null),
        cite(hit.cite), context));
      api("/v1/source?" + query({ cite: hit.cite, context: 2 }))
        .then((source) => context.replaceChildren(excerpt({ ...source, lines: source.lines.slice(0, 30) })))
        .catch(() => {});
    }
    if (!answer.hits.length) results.append(h("li", { class: "muted" }, "No hits."));
    if (answer.next_offset) {
      results.after(h("p", { class: "pager" }, h("a", { href: "/search?" + query({ q: text, offset: answer.next_offset }) }, "More results")));
    }
  }

  async function sourceView() {
    const wanted = new URLSearchParams(location.search).get("cite") || "";
    const source = await api("/v1/source?" + query({ cite: wanted, context: 20 }));
    show(h("p", {}, h("code", {}, source.path), ` lines ${source.start}–${source.end} of ${source.total_lines}`), excerpt(source));
    const first = document.getElementById("L" + source.start);
    if (first) first.scrollIntoView({ block: "center" });
  }

  // ---- start -----------------------------------------------------------------

  const signout = document.getElementById("signout");
  if (signout) {
    signout.addEventListener("click", async () => {
      await fetch("/signout", { method: "POST", credentials: "same-origin", headers: { "x-lore-csrf": cookie("lore_csrf") } });
      location.assign("/signin");
    });
  }
  const views = { graph: graphView, decisions: decisionsView, waiting: waitingView, health: healthView, search: searchView, source: sourceView };
  const run = views[view];
  if (run) {
    run().then(() => { document.body.dataset.ready = "true"; })
      .catch((err) => { show(failure(err)); document.body.dataset.ready = "error"; });
  }
})();
