/* The page's behaviour. Every text from the data is shown with textContent, never
   innerHTML: document text may contain markup, and it must be shown, not run. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var info = data.info;
  var colours = data.colours;
  var reviewIds = data.reviews.map(function (r) { return r[0]; });
  var byId = Object.create(null);
  var state = { mode: "overview", review: "", off: Object.create(null) };
  var shown = Object.create(null);
  var edgeShown = Object.create(null);

  data.nodes.forEach(function (n) {
    n.ox = n.x; n.oy = n.y;
    byId[n.id] = n;
    shown[n.id] = !n.hidden;
    var alt = (info[n.id] && info[n.id].alt) || [];
    n.search = (n.label + " " + alt.join(" ")).toLowerCase();
  });
  data.edges.forEach(function (e) {
    e.hidden = e.tier !== 0;
    edgeShown[e.id] = !e.hidden;
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function kindName(n) { return (info[n.id] && info[n.id].type) || n.kind; }
  function swatch(kind) {
    var s = el("span", null, "kg-swatch");
    if (kind === "Review") s.className += " box";
    if (kind === "Agency") s.className += " diamond";
    s.style.background = colours[kind] || "#888";
    return s;
  }
  function reviewLabels(n) {
    return n.reviews.map(function (i) { return data.reviews[i][1]; });
  }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }
  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1).replace(/\s+\S*$/, "") + "…" : text;
  }

  /* --- summary, legend, recurring list, filters ------------------------------ */
  var instruments = data.nodes.filter(function (n) { return data.instrumentTypes.indexOf(n.kind) >= 0; });
  var recurring = instruments.filter(function (n) { return n.recurring; }).sort(function (a, b) {
    return b.reviews.length - a.reviews.length || a.label.localeCompare(b.label);
  });
  document.getElementById("kg-summary").textContent =
    plural(reviewIds.length, "review") + " · " + plural(instruments.length, "instrument") +
    " (protocols, toolkits, policies…) · " + recurring.length + " referenced in 2 or more reviews";

  var kindOrder = ["Review"].concat(data.instrumentTypes, ["Recommendation", "Response", "Agency"]);
  var kindCount = Object.create(null);
  data.nodes.forEach(function (n) { kindCount[n.kind] = (kindCount[n.kind] || 0) + 1; });
  var kinds = kindOrder.filter(function (k) { return kindCount[k]; });
  var fullOnly = { Recommendation: true, Response: true, Agency: true };
  var plurals = { Review: "Reviews", Policy: "Policies", Agency: "Agencies", Training: "Training",
    Guidance: "Guidance" };

  function drawLegend() {
    var legend = document.getElementById("kg-legend");
    clear(legend);
    kinds.forEach(function (k) {
      if (fullOnly[k] && state.mode !== "full") return;
      var li = el("li");
      li.appendChild(swatch(k));
      li.appendChild(el("span", plurals[k] || k + "s"));
      li.appendChild(el("span", kindCount[k], "kg-count"));
      legend.appendChild(li);
    });
  }

  var recList = document.getElementById("kg-recurring");
  if (!recurring.length) {
    recList.appendChild(el("li", "None: no instrument is referenced by two or more reviews.", "kg-none"));
  }
  recurring.forEach(function (n) {
    var li = el("li");
    li.dataset.id = n.id;
    li.appendChild(swatch(n.kind));
    li.appendChild(el("span", n.label));
    li.appendChild(el("span", plural(n.reviews.length, "review"), "kg-count"));
    li.title = kindName(n);
    li.addEventListener("click", function () { focusNode(n.id); });
    recList.appendChild(li);
  });

  var reviewSelect = document.getElementById("kg-review-filter");
  data.reviews.forEach(function (r, i) {
    var option = el("option", r[1]);
    option.value = String(i);
    reviewSelect.appendChild(option);
  });
  reviewSelect.addEventListener("change", function () { state.review = reviewSelect.value; apply(true); });

  var typeFilter = document.getElementById("kg-type-filter");
  kinds.forEach(function (k) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = k;
    box.addEventListener("change", function () { state.off[k] = !box.checked; apply(true); });
    label.appendChild(box);
    label.appendChild(swatch(k));
    label.appendChild(el("span", (plurals[k] || k + "s") + (fullOnly[k] ? " (full graph)" : "")));
    typeFilter.appendChild(label);
  });
  document.getElementById("kg-reset").addEventListener("click", function () {
    state.review = ""; state.off = Object.create(null); reviewSelect.value = "";
    typeFilter.querySelectorAll("input").forEach(function (b) { b.checked = true; });
    apply(true);
  });

  /* --- what is shown --------------------------------------------------------- */
  function wanted(n) {
    if (state.mode !== "full" && n.tier !== 0) return false;
    if (state.off[n.kind]) return false;
    if (state.review !== "" && n.reviews.indexOf(Number(state.review)) < 0) return false;
    return true;
  }

  function apply(refit, moved) {
    var nodeUpdates = [];
    var count = 0;
    data.nodes.forEach(function (n) {
      var show = wanted(n);
      if (show) count += 1;
      if (moved || show !== shown[n.id]) {
        var update = { id: n.id, hidden: !show };
        if (moved) {
          update.x = state.mode === "full" ? n.fx : n.ox;
          update.y = state.mode === "full" ? n.fy : n.oy;
        }
        nodeUpdates.push(update);
        shown[n.id] = show;
      }
    });
    var edgeUpdates = [];
    data.edges.forEach(function (e) {
      var show = (state.mode === "full" ? e.tier === 1 : e.tier === 0) && shown[e.from] && shown[e.to];
      if (show !== edgeShown[e.id]) {
        edgeUpdates.push({ id: e.id, hidden: !show });
        edgeShown[e.id] = show;
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    document.getElementById("kg-empty").hidden = count > 0;
    drawLegend();
    if (refit) {
      network.fit({ animation: false });
      keepLabelsReadable();
    }
  }

  function setMode(mode) {
    if (mode === state.mode) return;
    state.mode = mode;
    document.getElementById("kg-view-overview").classList.toggle("on", mode !== "full");
    document.getElementById("kg-view-full").classList.toggle("on", mode === "full");
    hideTooltip();
    apply(true, true);
  }
  document.getElementById("kg-view-overview").addEventListener("click", function () { setMode("overview"); });
  document.getElementById("kg-view-full").addEventListener("click", function () { setMode("full"); });

  /* --- hover ----------------------------------------------------------------- */
  var tooltip = document.getElementById("kg-tooltip");
  function hideTooltip() { tooltip.hidden = true; }
  function showTooltip(id, pointer) {
    var n = byId[id];
    var entry = info[id] || {};
    clear(tooltip);
    tooltip.appendChild(el("strong", n.label));
    var kind = kindName(n);
    var reviews = reviewLabels(n);
    if (n.kind !== "Review" && reviews.length) kind += " · in " + plural(reviews.length, "review");
    tooltip.appendChild(el("span", kind, "kg-kind"));
    if (n.kind !== "Review" && reviews.length) {
      tooltip.appendChild(el("div", "Reviews: " + reviews.join("; ")));
    }
    if (entry.recommendations) {
      tooltip.appendChild(el("div", plural(entry.recommendations.length, "recommendation")));
    }
    var evidence = entry.evidence || [];
    evidence.slice(0, 2).forEach(function (ev) { tooltip.appendChild(el("q", truncate(ev[0], 260))); });
    var more = evidence.length > 2 ? "+ " + plural(evidence.length - 2, "more sentence") + ". " : "";
    tooltip.appendChild(el("div", more + "Click for details.", "kg-more"));
    tooltip.hidden = false;
    var box = container.getBoundingClientRect();
    var x = box.left + pointer.x + 16;
    var y = box.top + pointer.y + 16;
    var width = tooltip.offsetWidth, height = tooltip.offsetHeight;
    if (x + width > window.innerWidth - 8) x = Math.max(8, box.left + pointer.x - width - 16);
    if (y + height > window.innerHeight - 8) y = Math.max(8, window.innerHeight - height - 8);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  network.on("hoverNode", function (p) { showTooltip(p.node, p.pointer.DOM); });
  network.on("blurNode", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);

  /* --- details panel --------------------------------------------------------- */
  var details = document.getElementById("kg-details");
  var detailsBody = document.getElementById("kg-details-body");
  function nodeLink(id) {
    var a = el("a", byId[id] ? byId[id].label : id, "kg-node-link");
    a.addEventListener("click", function () { focusNode(id); });
    return a;
  }
  function factText(id, name) {
    var facts = (info[id] && info[id].facts) || [];
    for (var i = 0; i < facts.length; i += 1) if (facts[i][0] === name) return facts[i][1];
    return "";
  }
  function showDetails(id) {
    var n = byId[id];
    var entry = info[id] || {};
    clear(detailsBody);
    detailsBody.appendChild(el("h3", n.label));
    detailsBody.appendChild(el("p", kindName(n), "kg-kind"));
    if (entry.alt) detailsBody.appendChild(el("p", "Also called: " + entry.alt.join("; ")));
    var facts = (entry.facts || []).filter(function (f) { return f[0] !== "text"; });
    if (facts.length) {
      var ul = el("ul");
      facts.forEach(function (f) { ul.appendChild(el("li", f[0] + ": " + truncate(f[1], 300))); });
      detailsBody.appendChild(ul);
    }
    var text = factText(id, "text");
    if (text) detailsBody.appendChild(el("blockquote", text));
    if (n.kind !== "Review" && n.reviews.length) {
      detailsBody.appendChild(el("h4", "Appears in " + plural(n.reviews.length, "review")));
      var list = el("ul");
      n.reviews.forEach(function (i) {
        var li = el("li");
        li.appendChild(nodeLink(reviewIds[i]));
        list.appendChild(li);
      });
      detailsBody.appendChild(list);
    }
    if (entry.recommendations) {
      detailsBody.appendChild(el("h4", plural(entry.recommendations.length, "recommendation")));
      var ol = el("ol", null, "kg-recommendations");
      entry.recommendations.forEach(function (rid) {
        var li = el("li");
        li.appendChild(nodeLink(rid));
        var recText = factText(rid, "text");
        if (recText) li.appendChild(el("span", truncate(recText, 280), "kg-rec-text"));
        ol.appendChild(li);
      });
      detailsBody.appendChild(ol);
    }
    var evidence = entry.evidence || [];
    if (evidence.length) {
      detailsBody.appendChild(el("h4", "Evidence: " + plural(evidence.length, "sentence")));
      evidence.slice(0, 100).forEach(function (ev) {
        var quote = el("blockquote", ev[0]);
        quote.appendChild(el("cite", ev[1] + ", characters " + ev[2] + "–" + ev[3]));
        detailsBody.appendChild(quote);
      });
      if (evidence.length > 100) detailsBody.appendChild(el("p", "… and " + (evidence.length - 100) + " more."));
    }
    if (details.hidden) {
      details.hidden = false;
      network.setSize("100%", "100%");
      network.redraw();
    }
  }
  document.getElementById("kg-details-close").addEventListener("click", function () {
    details.hidden = true;
    network.unselectAll();
    network.setSize("100%", "100%");
    network.redraw();
  });
  network.on("click", function (p) {
    hideTooltip();
    if (p.nodes.length) showDetails(p.nodes[0]);
  });

  function focusNode(id) {
    var n = byId[id];
    if (!n) return;
    if (n.tier !== 0 && state.mode !== "full") setMode("full");
    if (!wanted(n)) {
      state.review = ""; state.off = Object.create(null); reviewSelect.value = "";
      typeFilter.querySelectorAll("input").forEach(function (b) { b.checked = true; });
      apply(false);
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 300 } });
    showDetails(id);
  }

  /* --- search ---------------------------------------------------------------- */
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    clear(results);
    if (!q) { results.hidden = true; return []; }
    var found = data.nodes.filter(function (n) { return n.search.indexOf(q) >= 0; });
    found.sort(function (a, b) {
      var sa = a.label.toLowerCase().indexOf(q) === 0 ? 0 : 1;
      var sb = b.label.toLowerCase().indexOf(q) === 0 ? 0 : 1;
      return sa - sb || a.tier - b.tier || b.reviews.length - a.reviews.length || a.label.localeCompare(b.label);
    });
    if (!found.length) results.appendChild(el("li", "No match", "kg-none"));
    found.slice(0, 15).forEach(function (n) {
      var li = el("li");
      li.dataset.id = n.id;
      li.appendChild(swatch(n.kind));
      li.appendChild(el("span", n.label));
      li.appendChild(el("span", kindName(n), "kg-type"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(n.id); });
      results.appendChild(li);
    });
    results.hidden = false;
    return found;
  }
  function pick(id) { results.hidden = true; focusNode(id); }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = runSearch();
      if (found.length) pick(found[0].id);
    } else if (ev.key === "Escape") {
      search.value = ""; runSearch();
    }
  });
  search.addEventListener("blur", function () { results.hidden = true; });

  /* --- zoom buttons ---------------------------------------------------------- */
  function zoomBy(factor) {
    network.moveTo({ scale: network.getScale() * factor, animation: { duration: 200 } });
  }
  document.getElementById("kg-zoom-in").addEventListener("click", function () { zoomBy(1.4); });
  document.getElementById("kg-zoom-out").addEventListener("click", function () { zoomBy(1 / 1.4); });
  document.getElementById("kg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });

  /* Names of reviews and of recurring instruments stay readable when zoomed out: their
     font grows as the scale shrinks (other labels simply hide below a size). */
  var readable = data.nodes.filter(function (n) { return n.recurring || n.kind === "Review"; });
  var labelFactor = 1;
  var labelPending = false;
  function keepLabelsReadable() {
    labelPending = false;
    var factor = Math.min(readable.length > 60 ? 1.5 : 4, Math.max(1, 0.6 / network.getScale()));
    if (Math.abs(factor - labelFactor) / labelFactor < 0.08) return;
    labelFactor = factor;
    nodes.update(readable.map(function (n) {
      var font = Object.assign({}, n.font, { size: Math.round(n.font.size * factor) });
      var width = { maximum: Math.round(n.widthConstraint.maximum * factor) };
      return { id: n.id, font: font, widthConstraint: width };
    }));
  }
  function scheduleLabels() {
    if (!labelPending) { labelPending = true; window.requestAnimationFrame(keepLabelsReadable); }
  }
  network.on("zoom", scheduleLabels);
  network.on("animationFinished", scheduleLabels);
  network.on("afterDrawing", scheduleLabels);

  apply(false);
  network.fit({ animation: false });
  keepLabelsReadable();
  var view = {
    network: network, nodes: nodes, edges: edges, data: data, ready: false,
    setMode: setMode, focusNode: focusNode, showDetails: showDetails,
    setReview: function (i) { state.review = i === null ? "" : String(i); reviewSelect.value = state.review; apply(true); },
    setKind: function (kind, on) { state.off[kind] = !on; apply(true); },
    shownNodeIds: function () { return network.body.nodeIndices.slice(); },
    shownEdgeIds: function () { return network.body.edgeIndices.slice(); }
  };
  network.once("afterDrawing", function () { view.ready = true; });
  window.kgView = view;
})();
