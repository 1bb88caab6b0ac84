/* The page's behaviour. Every text from the data is shown with textContent, never
   innerHTML: document text may contain markup, and it must be shown, not run. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var S = D.strings;
  var colours = D.colours;
  var ROWS_PER_PAGE = 50;
  var LIST_PAGE = 25;

  /* --- the data ------------------------------------------------------------------ */
  var reviews = D.reviews.map(function (r, i) {
    return { i: i, id: r[0], title: r[1], kase: r[2], partnership: r[3], kind: r[4], date: r[5],
      doc: r[6], files: r[7], year: r[5] ? parseInt(r[5].slice(0, 4), 10) : null };
  });
  var insts = D.instruments.map(function (r, i) {
    return { i: i, id: r[0], label: r[1], type: r[2], alt: r[3], refs: r[4], under: r[5],
      search: (r[1] + " " + r[3].join(" ")).toLowerCase() };
  });
  function pairKey(i, r) { return i + ":" + r; }
  var cites = Object.create(null);
  D.cites.forEach(function (c) { cites[pairKey(c[0], c[1])] = c[2]; });
  var commissioned = Object.create(null);
  D.commissioned.forEach(function (c) { commissioned[pairKey(c[0], c[1])] = c[2]; });
  var actions = Object.create(null);
  D.actions.forEach(function (a) {
    var key = pairKey(a[0], a[1]);
    (actions[key] = actions[key] || []).push({ kind: a[2], date: a[3], evidence: a[4] });
  });
  var hasActions = D.actions.length > 0;
  var byId = Object.create(null);
  reviews.forEach(function (r) { byId[r.id] = { kind: "r", idx: r.i }; });
  insts.forEach(function (n) { byId[n.id] = { kind: "i", idx: n.i }; });

  var state = { scope: "recurring", review: -1, off: Object.create(null), tab: "matrix", group: false,
    colPage: 0, rowPage: 0, timeline: -1, currentRow: -1 };

  /* --- helpers ------------------------------------------------------------------- */
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function button(text, cls, onClick) {
    var b = el("button", text, cls);
    b.type = "button";
    if (onClick) b.addEventListener("click", onClick);
    return b;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function plural(count, word, many) { return count + " " + (count === 1 ? word : (many || word + "s")); }
  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1).replace(/\s+\S*$/, "") + "…" : text;
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function humanDate(value) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value || "");
    if (!m) return "undated";
    if (m[3]) return parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1];
    if (m[2]) return MONTHS[parseInt(m[2], 10) - 1] + " " + m[1];
    return m[1];
  }
  var PLURALS = { Policy: "Policies", Guidance: "Guidance", Training: "Training" };
  function typeName(t) { return PLURALS[t] || t + "s"; }
  function swatch(type) {
    var s = el("span", null, "kg-swatch");
    s.style.background = colours[type] || "#555";
    s.style.borderColor = colours[type] || "#555";
    s.setAttribute("aria-hidden", "true");
    return s;
  }
  function sentences(list) { return list ? list.length : 0; }

  /* --- filters ------------------------------------------------------------------- */
  function minRefs() { return state.scope === "all" ? 1 : 2; }
  function inScope(n) {
    if (n.refs.length < minRefs()) return false;
    if (state.review >= 0 && n.refs.indexOf(state.review) < 0) return false;
    return true;
  }
  function shownInst(n) { return !state.off[n.type] && inScope(n); }
  function shownReviews() { return state.review >= 0 ? [reviews[state.review]] : reviews; }
  function matrixRows() {
    var rows = insts.filter(shownInst);
    if (state.group) {
      rows.sort(function (a, b) { return D.types.indexOf(a.type) - D.types.indexOf(b.type) || a.i - b.i; });
    }
    return rows;
  }

  function summarise() {
    var cols = shownReviews();
    var inCols = Object.create(null);
    cols.forEach(function (r) { inCols[r.i] = true; });
    var referenced = 0, recurring = 0;
    insts.forEach(function (n) {
      if (state.off[n.type]) return;
      if (!n.refs.some(function (r) { return inCols[r]; })) return;
      referenced += 1;
      if (n.refs.length >= 2) recurring += 1;
    });
    var parts = [plural(cols.length, "review"), plural(referenced, "instrument") + " referenced",
      recurring + " referenced in 2 or more reviews"];
    var off = D.types.filter(function (t) { return state.off[t]; });
    if (off.length) parts.push("hidden: " + off.map(typeName).join(", "));
    document.getElementById("kg-summary").textContent = parts.join(" · ");
    var filtered = off.length + (state.review >= 0 ? 1 : 0) + (state.scope === "all" ? 0 : 1);
    document.getElementById("kg-filters-summary").textContent = "Filters and key (" + filtered + " active)";
    var under = insts.filter(function (n) { return n.under.length && !state.off[n.type]; });
    document.getElementById("kg-commissioned").textContent = under.length
      ? "Commissioned under (not counted as a reference): " + under.map(function (n) {
        return n.label + " (" + plural(n.under.length, "review") + ")"; }).join("; ")
      : "";
  }

  var legend = document.getElementById("kg-legend");
  function drawLegend() {
    clear(legend);
    D.types.forEach(function (t) {
      var count = insts.filter(function (n) { return n.type === t && inScope(n); }).length;
      var li = el("li");
      var b = button(null, null, function () { state.off[t] = !state.off[t]; update(); focusLegend(t); });
      b.dataset.type = t;
      b.setAttribute("aria-pressed", state.off[t] ? "false" : "true");
      b.appendChild(swatch(t));
      b.appendChild(el("span", typeName(t)));
      b.appendChild(el("span", count, "kg-count"));
      b.setAttribute("aria-label", typeName(t) + ": " + count + (state.off[t] ? ", hidden" : ", shown"));
      li.appendChild(b);
      legend.appendChild(li);
    });
  }
  function focusLegend(t) {
    var b = legend.querySelector('button[data-type="' + t + '"]');
    if (b) b.focus();
  }

  var reviewSelect = document.getElementById("kg-review-filter");
  reviews.forEach(function (r) {
    var option = el("option", r.title + (r.date ? " (" + humanDate(r.date) + ")" : ""));
    option.value = String(r.i);
    reviewSelect.appendChild(option);
  });
  reviewSelect.addEventListener("change", function () {
    state.review = reviewSelect.value === "" ? -1 : Number(reviewSelect.value);
    state.colPage = 0; state.rowPage = 0;
    update();
  });
  document.querySelectorAll('input[name="kg-scope"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) { state.scope = radio.value; state.rowPage = 0; update(); }
    });
  });
  document.getElementById("kg-group").addEventListener("change", function (ev) {
    state.group = ev.target.checked; state.rowPage = 0; update();
  });
  document.getElementById("kg-reset").addEventListener("click", function () {
    state.off = Object.create(null); state.review = -1; state.scope = "all"; reviewSelect.value = "";
    document.querySelector('input[name="kg-scope"][value="all"]').checked = true;
    state.colPage = 0; state.rowPage = 0;
    update();
  });

  /* --- the matrix ---------------------------------------------------------------- */
  var table = document.getElementById("kg-matrix");
  var wrap = document.getElementById("kg-matrix-wrap");
  var lastFocus = null;
  function colsPerPage() {
    var width = wrap.clientWidth || 900;
    var head = window.innerWidth <= 760 ? 150 : 330;
    return Math.max(1, Math.floor((width - head) / 40));
  }
  function pager(node, label, page, pages, total, from, to, onPage) {
    clear(node);
    if (pages <= 1) return;
    node.appendChild(el("span", label + " " + (from + 1) + "–" + to + " of " + total));
    var prev = button("‹ Previous", null, function () { onPage(page - 1); });
    prev.disabled = page <= 0;
    var next = button("Next ›", null, function () { onPage(page + 1); });
    next.disabled = page >= pages - 1;
    prev.setAttribute("aria-label", "Previous " + label.toLowerCase());
    next.setAttribute("aria-label", "Next " + label.toLowerCase());
    node.appendChild(prev);
    node.appendChild(next);
  }
  function cellMark(n, r) {
    var found = cites[pairKey(n.i, r.i)];
    var under = n.under.indexOf(r.i) >= 0;
    if (!found && !under) return null;
    var mark = el("span", found ? String(found.length) : "", "kg-mark" + (found ? "" : " kg-ring") + (found && under ? " kg-both" : ""));
    mark.style.background = colours[n.type];
    mark.style.borderColor = colours[n.type];
    mark.setAttribute("aria-hidden", "true");
    var words = n.label + " in " + r.title + ": " + (found ? "referenced, " + plural(found.length, "sentence") : "") +
      (found && under ? "; " : "") + (under ? "commissioned under it (not a reference)" : "");
    return { mark: mark, words: words };
  }
  function matrixView() {
    var rows = matrixRows();
    var cols = shownReviews();
    var per = colsPerPage();
    var colPages = Math.max(1, Math.ceil(cols.length / per));
    state.colPage = Math.min(state.colPage, colPages - 1);
    var rowPages = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
    state.rowPage = Math.min(state.rowPage, rowPages - 1);
    var c0 = state.colPage * per, c1 = Math.min(cols.length, c0 + per);
    var r0 = state.rowPage * ROWS_PER_PAGE, r1 = Math.min(rows.length, r0 + ROWS_PER_PAGE);
    return { rows: rows, cols: cols, pageCols: cols.slice(c0, c1), pageRows: rows.slice(r0, r1),
      c0: c0, c1: c1, r0: r0, r1: r1, colPages: colPages, rowPages: rowPages };
  }
  function singlesOf(r) {
    return insts.filter(function (n) { return n.refs.length === 1 && n.refs[0] === r.i && !state.off[n.type]; });
  }
  function drawMatrix() {
    var v = matrixView();
    pager(document.getElementById("kg-col-pager"), "Reviews", state.colPage, v.colPages, v.cols.length, v.c0, v.c1,
      function (p) { state.colPage = p; drawMatrix(); });
    pager(document.getElementById("kg-row-pager"), "Instruments", state.rowPage, v.rowPages, v.rows.length, v.r0, v.r1,
      function (p) { state.rowPage = p; drawMatrix(); });
    clear(table);
    var caption = el("caption", (state.scope === "all" ? "Every referenced instrument" : "Instruments referenced in 2 or more reviews") +
      " (" + v.rows.length + "), by the reviews that reference them; reviews by date");
    table.appendChild(caption);
    var thead = el("thead");
    var hr = el("tr");
    var h0 = el("th", "Instrument", "kg-inst-head"); h0.scope = "col"; hr.appendChild(h0);
    var h1 = el("th", "Type", "kg-type-col"); h1.scope = "col"; hr.appendChild(h1);
    var h2 = el("th", "Reviews", "kg-count-col"); h2.scope = "col"; hr.appendChild(h2);
    v.pageCols.forEach(function (r, c) {
      var th = el("th", null, "kg-colhead"); th.scope = "col";
      var b = button(null, "kg-grid", function () { showReview(r.i, b); });
      b.dataset.row = "-1"; b.dataset.col = String(c);
      b.title = r.title + (r.date ? ", " + humanDate(r.date) : "");
      b.setAttribute("aria-label", r.title + (r.date ? ", " + humanDate(r.date) : ", undated"));
      b.appendChild(el("span", r.kase, "kg-col-case"));
      b.appendChild(el("span", [r.date ? r.date.slice(0, 4) : "undated", r.partnership].filter(Boolean).join(" · "), "kg-col-sub"));
      th.appendChild(b);
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el("tbody");
    v.pageRows.forEach(function (n, rowIndex) {
      var tr = el("tr");
      tr.dataset.inst = String(n.i);
      if (n.i === state.currentRow) tr.className = "kg-current";
      var th = el("th", null, "kg-rowhead"); th.scope = "row";
      var b = button(null, "kg-grid", function () { showInstrument(n.i, b); });
      b.dataset.row = String(rowIndex); b.dataset.col = "-1";
      b.appendChild(swatch(n.type));
      b.appendChild(el("span", n.label));
      b.setAttribute("aria-label", n.label + ", " + n.type + ", referenced in " + plural(n.refs.length, "review"));
      th.appendChild(b);
      tr.appendChild(th);
      tr.appendChild(el("td", n.type, "kg-type-col"));
      tr.appendChild(el("td", n.refs.length + (n.under.length ? " (+" + n.under.length + " commissioned)" : ""), "kg-count-col"));
      v.pageCols.forEach(function (r, c) {
        var td = el("td", null, "kg-cell");
        var m = cellMark(n, r);
        if (m) {
          var cb = button(null, "kg-grid", function () { showPair(n.i, r.i, cb); });
          cb.dataset.row = String(rowIndex); cb.dataset.col = String(c);
          cb.setAttribute("aria-label", m.words);
          cb.appendChild(m.mark);
          td.appendChild(cb);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    if (state.scope !== "all") {
      var tr = el("tr", null, "kg-singles");
      var th = el("th", null, "kg-rowhead"); th.scope = "row";
      th.appendChild(el("span", "Referenced in one review only", "kg-plain"));
      th.firstChild.style.padding = "5px 10px"; th.firstChild.style.display = "block";
      tr.appendChild(th);
      tr.appendChild(el("td", "", "kg-type-col"));
      var total = insts.filter(function (n) { return n.refs.length === 1 && !state.off[n.type] &&
        (state.review < 0 || n.refs[0] === state.review); }).length;
      tr.appendChild(el("td", total, "kg-count-col"));
      v.pageCols.forEach(function (r, c) {
        var td = el("td", null, "kg-cell");
        var own = singlesOf(r);
        if (own.length) {
          var cb = button(null, "kg-grid", function () { showSingles(r.i, cb); });
          cb.dataset.row = String(v.pageRows.length); cb.dataset.col = String(c);
          cb.appendChild(el("span", own.length, "kg-single-count"));
          cb.setAttribute("aria-label", plural(own.length, "instrument") + " referenced only in " + r.title);
          td.appendChild(cb);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    if (!v.rows.length && !v.cols.length) table.appendChild(el("tfoot", "Nothing matches these filters."));
    var grid = table.querySelectorAll("button.kg-grid");
    grid.forEach(function (g) { g.tabIndex = -1; });
    var first = table.querySelector("tbody button.kg-grid") || grid[0];
    if (first) first.tabIndex = 0;
  }
  function gridButton(row, col) {
    return table.querySelector('button.kg-grid[data-row="' + row + '"][data-col="' + col + '"]');
  }
  table.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (!t.classList || !t.classList.contains("kg-grid")) return;
    var row = Number(t.dataset.row), col = Number(t.dataset.col);
    var dr = 0, dc = 0;
    if (ev.key === "ArrowDown") dr = 1; else if (ev.key === "ArrowUp") dr = -1;
    else if (ev.key === "ArrowRight") dc = 1; else if (ev.key === "ArrowLeft") dc = -1;
    else if (ev.key === "Home") { dc = -1000; } else if (ev.key === "End") { dc = 1000; }
    else return;
    ev.preventDefault();
    var maxRow = table.querySelectorAll("tbody tr").length, maxCol = table.querySelectorAll("thead th.kg-colhead").length;
    var found = null;
    if (Math.abs(dc) === 1000) {
      found = dc < 0 ? gridButton(row, -1) : null;
      for (var c = maxCol - 1; !found && c >= -1; c -= 1) found = gridButton(row, c);
    } else {
      var r = row + dr, c2 = col + dc;
      while (!found && r >= -1 && r <= maxRow && c2 >= -1 && c2 <= maxCol) {
        found = gridButton(r, c2);
        r += dr; c2 += dc;
      }
    }
    if (found) { t.tabIndex = -1; found.tabIndex = 0; found.focus(); }
  });

  /* --- the details panel --------------------------------------------------------- */
  var details = document.getElementById("kg-details");
  var detailsBody = document.getElementById("kg-details-body");
  function openDetails(opener) {
    lastFocus = opener || document.activeElement;
    details.hidden = false;
    detailsBody.scrollTop = 0;
    details.scrollTop = 0;
    detailsBody.focus({ preventScroll: true });
    if (network) redrawSoon();
  }
  function closeDetails() {
    if (details.hidden) return false;
    details.hidden = true;
    if (lastFocus && document.body.contains(lastFocus)) lastFocus.focus();
    return true;
  }
  document.getElementById("kg-details-close").addEventListener("click", closeDetails);
  function link(text, onClick) { return button(text, "kg-node-link", onClick); }
  function quote(text, cite) {
    var q = el("blockquote", text);
    q.appendChild(el("cite", cite));
    return q;
  }
  function citeText(ev) {
    var where = ev[5] ? "response to recommendation " + ev[2] + (S[ev[6]] ? " by " + S[ev[6]] : "")
      : "recommendation " + ev[2];
    return S[ev[1]] + " · " + where + " · characters " + ev[3] + "–" + ev[4];
  }
  /* One entry per kind: how many of the review's responses did it, and when, where stated. */
  function actionKinds(list) {
    var out = [], byKind = Object.create(null);
    list.forEach(function (a) {
      var k = byKind[a.kind];
      if (!k) { k = byKind[a.kind] = { kind: a.kind, count: 0, dates: [] }; out.push(k); }
      k.count += 1;
      if (a.date && k.dates.indexOf(humanDate(a.date)) < 0) k.dates.push(humanDate(a.date));
    });
    out.sort(function (a, b) { return D.actionKinds.indexOf(a.kind) - D.actionKinds.indexOf(b.kind); });
    return out.map(function (k) {
      return { kind: k.kind, text: k.kind + (k.count > 1 ? " ×" + k.count : "") + (k.dates.length ? " " + k.dates.join(", ") : "") };
    });
  }
  function actionWords(list) {
    return actionKinds(list).map(function (k) { return k.text; }).join("; ");
  }
  function pagedList(parent, items, draw) {
    var shown = 0;
    var more = button("", "kg-node-link kg-more");
    function next() {
      var upto = Math.min(items.length, shown + LIST_PAGE);
      for (; shown < upto; shown += 1) parent.appendChild(draw(items[shown]));
      more.textContent = "Show " + Math.min(LIST_PAGE, items.length - shown) + " more of " + (items.length - shown);
      more.hidden = shown >= items.length;
    }
    more.addEventListener("click", next);
    parent.parentNode.insertBefore(more, parent.nextSibling);
    next();
  }
  function showPair(i, r, opener) {
    var n = insts[i], rv = reviews[r];
    clear(detailsBody);
    detailsBody.appendChild(el("h3", n.label));
    detailsBody.appendChild(el("p", n.type + " · in " + rv.title + (rv.date ? " · " + humanDate(rv.date) : ""), "kg-kind"));
    var acts = actions[pairKey(i, r)];
    if (acts) detailsBody.appendChild(el("p", "What the response did: " + actionWords(acts)));
    var found = cites[pairKey(i, r)] || [];
    if (found.length) {
      detailsBody.appendChild(el("h4", "Referenced: " + plural(found.length, "sentence")));
      found.forEach(function (ev) { detailsBody.appendChild(quote(S[ev[0]], citeText(ev))); });
    }
    var under = commissioned[pairKey(i, r)];
    if (under || n.under.indexOf(r) >= 0) {
      detailsBody.appendChild(el("h4", "Commissioned under (not a reference)"));
      (under || []).forEach(function (ev) {
        detailsBody.appendChild(quote(S[ev[0]], S[ev[1]] + " · characters " + ev[2] + "–" + ev[3]));
      });
    }
    var nav = el("p");
    nav.appendChild(link("Everything about " + n.label, function () { showInstrument(i); }));
    nav.appendChild(el("br"));
    nav.appendChild(link("Everything about " + rv.title, function () { showReview(r); }));
    detailsBody.appendChild(nav);
    openDetails(opener);
    highlight({ kind: "pair", i: i, r: r });
  }
  function showInstrument(i, opener) {
    var n = insts[i];
    state.timeline = i;
    state.currentRow = i;
    clear(detailsBody);
    detailsBody.appendChild(el("h3", n.label));
    detailsBody.appendChild(el("p", n.type + " · referenced in " + plural(n.refs.length, "review") +
      (n.under.length ? " · commissioned under it: " + plural(n.under.length, "review") : ""), "kg-kind"));
    if (n.alt.length) detailsBody.appendChild(el("p", "Also called: " + n.alt.join("; ")));
    var nav = el("p");
    nav.appendChild(link("Show its timeline", function () { selectTab("timeline"); }));
    nav.appendChild(el("br"));
    nav.appendChild(link("Show it in the graph", function () { selectTab("graph"); highlight({ kind: "i", idx: i }, true); }));
    detailsBody.appendChild(nav);
    if (n.refs.length) {
      detailsBody.appendChild(el("h4", "Referenced in " + plural(n.refs.length, "review") + ", by date"));
      var box = el("div");
      detailsBody.appendChild(box);
      pagedList(box, n.refs, function (r) {
        var part = el("div");
        var h = el("h5");
        h.appendChild(link(reviews[r].title + (reviews[r].date ? " (" + humanDate(reviews[r].date) + ")" : ""),
          function () { showPair(i, r); }));
        part.appendChild(h);
        var acts = actions[pairKey(i, r)];
        if (acts) part.appendChild(el("p", "What the response did: " + actionWords(acts), "kg-did"));
        var found = cites[pairKey(i, r)] || [];
        found.slice(0, 2).forEach(function (ev) { part.appendChild(quote(truncate(S[ev[0]], 400), citeText(ev))); });
        if (found.length > 2) part.appendChild(link("+ " + plural(found.length - 2, "more sentence"), function () { showPair(i, r); }));
        return part;
      });
    }
    if (n.under.length) {
      detailsBody.appendChild(el("h4", "Commissioned under (not a reference)"));
      var ul = el("ul");
      n.under.forEach(function (r) {
        var li = el("li");
        li.appendChild(link(reviews[r].title, function () { showPair(i, r); }));
        ul.appendChild(li);
      });
      detailsBody.appendChild(ul);
    }
    openDetails(opener);
    highlight({ kind: "i", idx: i });
    if (state.tab === "timeline") drawTimeline();
    markRow();
  }
  function referencedBy(r) {
    return insts.filter(function (n) { return n.refs.indexOf(r) >= 0; });
  }
  function showReview(r, opener) {
    var rv = reviews[r];
    clear(detailsBody);
    detailsBody.appendChild(el("h3", rv.title));
    detailsBody.appendChild(el("p", rv.kind + (rv.date ? " · considered " + humanDate(rv.date) : " · undated"), "kg-kind"));
    var facts = el("ul");
    if (rv.partnership) facts.appendChild(el("li", "Partnership or board: " + rv.partnership));
    facts.appendChild(el("li", "Document: " + rv.doc));
    if (rv.files.length) facts.appendChild(el("li", "Source file: " + rv.files.join(", "), "kg-file"));
    detailsBody.appendChild(facts);
    var refs = referencedBy(r);
    detailsBody.appendChild(el("h4", "References " + plural(refs.length, "instrument")));
    D.types.forEach(function (t) {
      var ofType = refs.filter(function (n) { return n.type === t; });
      if (!ofType.length) return;
      detailsBody.appendChild(el("h5", typeName(t) + " (" + ofType.length + ")"));
      var ul = el("ul");
      detailsBody.appendChild(ul);
      pagedList(ul, ofType, function (n) {
        var li = el("li");
        li.appendChild(link(n.label, function () { showPair(n.i, r); }));
        li.appendChild(document.createTextNode(n.refs.length > 1 ? " · in " + plural(n.refs.length, "review") : " · this review only"));
        return li;
      });
    });
    var under = insts.filter(function (n) { return n.under.indexOf(r) >= 0; });
    if (under.length) {
      detailsBody.appendChild(el("h4", "Commissioned under (not a reference)"));
      var ul = el("ul");
      under.forEach(function (n) {
        var li = el("li");
        li.appendChild(link(n.label, function () { showPair(n.i, r); }));
        ul.appendChild(li);
      });
      detailsBody.appendChild(ul);
    }
    openDetails(opener);
    highlight({ kind: "r", idx: r });
  }
  function showSingles(r, opener) {
    var own = singlesOf(reviews[r]);
    clear(detailsBody);
    detailsBody.appendChild(el("h3", reviews[r].title));
    detailsBody.appendChild(el("p", plural(own.length, "instrument") + " referenced in this review only", "kg-kind"));
    var ul = el("ul");
    detailsBody.appendChild(ul);
    pagedList(ul, own, function (n) {
      var li = el("li");
      li.appendChild(swatch(n.type));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(link(n.label, function () { showPair(n.i, r); }));
      li.appendChild(document.createTextNode(" · " + n.type));
      return li;
    });
    openDetails(opener);
    highlight({ kind: "r", idx: r });
  }
  function markRow() {
    table.querySelectorAll("tr.kg-current").forEach(function (tr) { tr.className = ""; });
    var tr = table.querySelector('tr[data-inst="' + state.currentRow + '"]');
    if (tr) tr.className = "kg-current";
  }

  /* --- the timeline -------------------------------------------------------------- */
  var pick = document.getElementById("kg-timeline-pick");
  var timeline = document.getElementById("kg-timeline");
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fillPick() {
    clear(pick);
    var list = insts.filter(function (n) { return n.refs.length && !state.off[n.type]; });
    list.forEach(function (n) {
      var o = el("option", n.label + " (" + n.type + ", " + plural(n.refs.length, "review") + ")");
      o.value = String(n.i);
      pick.appendChild(o);
    });
    if (state.timeline < 0 && list.length) state.timeline = list[0].i;
    pick.value = String(state.timeline);
  }
  pick.addEventListener("change", function () { state.timeline = Number(pick.value); drawTimeline(); });
  var KIND_COLOURS = { created: "#0068B5", revised: "#6F42A6", promoted: "#C25400", embedded: "#00805E",
    audited: "#7A5230", used: "#1A7F8E", planned: "#4a5a64", unspecified: "#4a5a64" };
  function drawTimeline() {
    fillPick();
    clear(timeline);
    var n = insts[state.timeline];
    if (!n) { timeline.appendChild(el("p", "No instrument is referenced.")); return; }
    var entries = n.refs.map(function (r) { return { r: reviews[r], acts: actions[pairKey(n.i, r)] || [], under: false }; });
    n.under.forEach(function (r) { if (n.refs.indexOf(r) < 0) entries.push({ r: reviews[r], acts: [], under: true }); });
    entries.sort(function (a, b) { return (a.r.date || "9999").localeCompare(b.r.date || "9999") || a.r.title.localeCompare(b.r.title); });
    var dated = entries.filter(function (e) { return e.r.year; });
    var years = dated.map(function (e) { return e.r.year; });
    var y0 = years.length ? Math.min.apply(null, years) : 0, y1 = years.length ? Math.max.apply(null, years) : 0;
    var kinds = Object.create(null);
    entries.forEach(function (e) { actionKinds(e.acts).forEach(function (k) { kinds[k.kind] = (kinds[k.kind] || 0) + 1; }); });
    var head = n.label + ": referenced in " + plural(n.refs.length, "review") +
      (years.length ? ", " + (y0 === y1 ? y0 : y0 + "–" + y1) : "");
    var kindWords = D.actionKinds.filter(function (k) { return kinds[k]; }).map(function (k) { return k + " in " + plural(kinds[k], "review"); });
    timeline.appendChild(el("h3", head, "kg-timeline-title"));
    timeline.appendChild(el("p", hasActions ? (kindWords.length ? "What the responses did: " + kindWords.join("; ") + "." : "No response says what it did with it.")
      : "What each review's sentences say about it is listed below (the graph records no actions yet).", "kg-note"));
    if (dated.length) {
      var width = Math.max(320, timeline.clientWidth || 800), pad = 36;
      var span = Math.max(1, y1 - y0 + 1);
      var x = function (e) {
        var m = /^\d{4}-(\d{2})/.exec(e.r.date);
        var frac = m ? (parseInt(m[1], 10) - 0.5) / 12 : 0.5;
        return pad + (e.r.year - y0 + frac) / span * (width - 2 * pad);
      };
      var many = dated.length > 40;  /* then one bar per year, not one mark per review */
      var stack = [], perYear = Object.create(null);
      dated.forEach(function (e) {
        e.x = x(e); e.level = 0;
        if (many) { perYear[e.r.year] = (perYear[e.r.year] || 0) + 1; return; }
        stack.forEach(function (o) { if (Math.abs(o.x - e.x) < 16 && o.level >= e.level) e.level = o.level + 1; });
        stack.push(e);
      });
      var tallest = Math.max.apply(null, Object.keys(perYear).map(function (k) { return perYear[k]; }).concat([1]));
      var levels = many ? 6 : Math.max.apply(null, dated.map(function (e) { return e.level; })) + 1;
      var height = 58 + levels * 18;
      var s = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img",
        "aria-label": head + ". The same reviews are listed below in date order.", width: String(width), height: String(height) });
      s.appendChild(svg("rect", { x: 0, y: 0, width: width, height: height, fill: "#ffffff" }));
      var axisY = height - 30;
      s.appendChild(svg("line", { x1: pad, x2: width - pad, y1: axisY, y2: axisY, stroke: "#4a5a64", "stroke-width": 1.5 }));
      var yearWidth = (width - 2 * pad) / span;
      var step = Math.max(1, Math.ceil(span / Math.max(1, Math.floor((width - 2 * pad) / 48))));
      for (var yr = y0; yr <= y1 + 1; yr += step) {
        var tx = pad + (yr - y0) / span * (width - 2 * pad);
        s.appendChild(svg("line", { x1: tx, x2: tx, y1: axisY, y2: axisY + 5, stroke: "#4a5a64" }));
        if (yr <= y1) s.appendChild(svg("text", { x: tx + yearWidth / 2, y: axisY + 20, "text-anchor": "middle",
          "font-size": 12, fill: "#1d2b33", "font-family": "Arial, sans-serif" }, String(yr)));
      }
      if (many) {
        Object.keys(perYear).forEach(function (year) {
          var count = perYear[year], h = Math.max(2, count / tallest * (levels * 18 - 6));
          var bx = pad + (Number(year) - y0) / span * (width - 2 * pad) + yearWidth * 0.15;
          var bar = svg("rect", { x: bx.toFixed(1), y: (axisY - h).toFixed(1), width: (yearWidth * 0.7).toFixed(1),
            height: h.toFixed(1), fill: colours[n.type], "class": "kg-year-bar" });
          bar.appendChild(svg("title", {}, year + ": " + plural(count, "review")));
          s.appendChild(bar);
          s.appendChild(svg("text", { x: (bx + yearWidth * 0.35).toFixed(1), y: (axisY - h - 4).toFixed(1), "text-anchor": "middle",
            "font-size": 11, fill: "#1d2b33", "font-family": "Arial, sans-serif" }, String(count)));
        });
      }
      if (!many) dated.forEach(function (e, k) {
        var cy = axisY - 14 - e.level * 18;
        var colour = e.acts.length ? KIND_COLOURS[actionKinds(e.acts)[0].kind] || "#4a5a64" : colours[n.type];
        var dot = svg("circle", { cx: e.x.toFixed(1), cy: cy, r: 7, fill: e.under ? "#ffffff" : colour,
          stroke: colour, "stroke-width": 2.5 });
        dot.appendChild(svg("title", {}, e.r.title + ", " + humanDate(e.r.date) + (e.under ? " (commissioned under)" : "")));
        s.appendChild(dot);
        s.appendChild(svg("text", { x: e.x.toFixed(1), y: cy + 4, "text-anchor": "middle", "font-size": 9,
          fill: e.under ? colour : "#ffffff", "font-family": "Arial, sans-serif" }, String(k + 1)));
      });
      timeline.appendChild(s);
    }
    var ol = el("ol");
    timeline.appendChild(ol);
    pagedList(ol, entries, function (e) {
      var li = el("li");
      var number = dated.indexOf(e) + 1;
      if (number) { li.appendChild(el("span", number + ".", "kg-when")); li.appendChild(document.createTextNode(" ")); }
      li.appendChild(el("span", humanDate(e.r.date), "kg-when"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(link(e.r.title, function () { showPair(n.i, e.r.i); }));
      if (e.under) li.appendChild(el("div", "Commissioned under it (not a reference).", "kg-did"));
      if (e.acts.length) {
        var chips = el("div", null, "kg-chips");
        chips.appendChild(el("span", "What the responses did: ", "kg-did-label"));
        actionKinds(e.acts).forEach(function (k) {
          var chip = el("span", k.text, "kg-chip");
          chip.style.background = KIND_COLOURS[k.kind] || "#4a5a64";
          chips.appendChild(chip);
        });
        li.appendChild(chips);
      }
      var found = cites[pairKey(n.i, e.r.i)] || [];
      var said = found.filter(function (ev) { return ev[5]; })[0] || found[0];
      if (said) li.appendChild(el("div", (said[5] ? "Response: " : "Recommendation " + said[2] + ": ") + truncate(S[said[0]], 300), "kg-did"));
      return li;
    });

  }

  /* --- the graph ----------------------------------------------------------------- */
  var network = null, gNodes = null, gEdges = null, graphNodes = [], graphEdges = [];
  var nodeShown = Object.create(null), edgeShown = Object.create(null), focusKey = null, dimmed = false;
  /* Past D.graph.linksDrawn links the overview draws nodes only (vis-network redraws 60,000 links in
     about a second and re-styles each in half a millisecond): a selection is drawn over a faded
     overview, its links and nodes painted on the canvas after vis-network's own drawing. */
  var onlySelected = false, overlay = null, graphById = Object.create(null);
  var FONT = "Arial, Liberation Sans, Helvetica, sans-serif";
  var SHARED_FONT = 14, READABLE = 9;  /* px: the font of recurring instruments; the least readable size */
  function nodeOf(key) { return key[0] === "r" ? reviews[Number(key.slice(1))] : insts[Number(key.slice(1))]; }
  function baseStyle(g) {
    var key = g[0];
    if (key[0] === "r") {
      return { id: key, x: g[1], y: g[2], label: g[3], shape: "box", margin: 8, borderWidth: 0,
        color: { background: colours.Review, border: colours.Review, highlight: { background: "#000", border: "#0b62a3" } },
        font: { color: "#ffffff", size: g[4], face: FONT, multi: false }, opacity: 1 };
    }
    var n = insts[Number(key.slice(1))];
    var c = colours[n.type];
    return { id: key, x: g[1], y: g[2], label: g[3], shape: "dot", size: g[5], borderWidth: 2,
      color: { background: c, border: "#1d2b33", highlight: { background: c, border: "#000" } },
      font: { color: "#1d2b33", size: g[4], face: FONT, strokeWidth: 3, strokeColor: "#ffffff" }, opacity: 1 };
  }
  function initGraph() {
    if (network) return;
    var graphInst = Object.create(null);
    graphNodes = D.graph.nodes.map(function (g) { if (g[0][0] === "i") graphInst[g[0].slice(1)] = true; return baseStyle(g); });
    graphEdges = [];
    insts.forEach(function (n) {
      if (!graphInst[n.i]) return;
      n.refs.forEach(function (r) {
        graphEdges.push({ id: "e" + n.i + ":" + r, from: "r" + r, to: "i" + n.i, i: n.i, r: r,
          color: { color: "#7d8a93", highlight: "#0b62a3", opacity: 0.9 }, width: n.refs.length > 1 ? 1.5 : 1 });
      });
    });
    graphNodes.forEach(function (n) { nodeShown[n.id] = true; });
    graphEdges.forEach(function (e) { edgeShown[e.id] = true; });
    gNodes = new vis.DataSet(graphNodes);
    gEdges = new vis.DataSet(graphEdges);
    var big = graphEdges.length > 4000;
    onlySelected = graphEdges.length > D.graph.linksDrawn;
    graphNodes.forEach(function (g) { graphById[g.id] = g; });
    if (onlySelected) gEdges = new vis.DataSet([]);
    network = new vis.Network(document.getElementById("kg-network"), { nodes: gNodes, edges: gEdges }, {
      autoResize: true,
      physics: { enabled: false },
      layout: { improvedLayout: false, randomSeed: 1 },
      interaction: { hover: !big, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false, multiselect: false,
        selectConnectedEdges: false, tooltipDelay: 300 },
      edges: { smooth: false, selectionWidth: 2, hoverWidth: 0, arrows: { to: { enabled: false } } },
      nodes: { font: { face: FONT }, scaling: { label: { drawThreshold: 6 } } }
    });
    network.on("click", function (p) {
      var drawn = onlySelected && !p.nodes.length ? overlayEdgeAt(p.pointer.DOM) : null;
      if (p.nodes.length) {
        var n = byKey(p.nodes[0]);
        if (n.kind === "r") showReview(n.idx); else showInstrument(n.idx);
      } else if (drawn) {
        showPair(drawn.i, drawn.r);
      } else if (!onlySelected && p.edges.length) {
        var e = gEdges.get(p.edges[0]);
        if (e) showPair(e.i, e.r);
      } else {
        highlight(null);
      }
    });
    network.on("afterDrawing", drawOverlay);
    graphFilter();
    fitShown();
    network.once("afterDrawing", function () { view.graphReady = true; });
  }
  /* The links of the selection, in the overview that draws none. */
  function overlayEdges() {
    if (!overlay) return [];
    return graphEdges.filter(function (e) {
      return overlay.keep[e.from] && overlay.keep[e.to] && nodeShown[e.from] && nodeShown[e.to] &&
        (!overlay.focus || e.from === overlay.focus || e.to === overlay.focus);
    });
  }
  function overlayEdgeAt(dom) {
    if (!overlay) return null;
    var best = null, bestDist = 6;
    overlay.edges.forEach(function (e) {
      var a = network.canvasToDOM(network.getPosition(e.from)), b = network.canvasToDOM(network.getPosition(e.to));
      var dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
      var t = len ? Math.max(0, Math.min(1, ((dom.x - a.x) * dx + (dom.y - a.y) * dy) / len)) : 0;
      var d = Math.hypot(dom.x - a.x - t * dx, dom.y - a.y - t * dy);
      if (d < bestDist) { bestDist = d; best = e; }
    });
    return best;
  }
  function drawOverlay(ctx) {
    if (!onlySelected || !overlay) return;
    var scale = network.getScale();
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(251,252,253,0.86)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    ctx.save();
    ctx.strokeStyle = "#0b62a3";
    /* in device pixels: 2 for a few links, 1 for many (wide lines cost four times as much to paint) */
    ctx.lineWidth = (overlay.edges.length > 300 ? 1 : 2) / scale;
    ctx.beginPath();
    overlay.edges.forEach(function (e) {
      var a = graphById[e.from], b = graphById[e.to];
      ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y);
    });
    ctx.stroke();
    /* only the nodes on screen are painted (a selection may keep thousands) */
    var rect = graphBox.getBoundingClientRect();
    var tl = network.DOMtoCanvas({ x: 0, y: 0 }), br = network.DOMtoCanvas({ x: rect.width, y: rect.height });
    var font = "";
    Object.keys(overlay.keep).forEach(function (id) {
      var g = graphById[id];
      if (!g || !nodeShown[id]) return;
      var reach = 260;  /* the widest label box, in canvas units */
      if (g.x < tl.x - reach || g.x > br.x + reach || g.y < tl.y - reach || g.y > br.y + reach) return;
      var f = g.font.size + "px " + FONT;
      if (f !== font) { ctx.font = font = f; }
      drawNode(ctx, g, scale);
    });
    ctx.restore();
  }
  /* A node as vis-network draws it: a box with its label inside, or a dot with its label below. */
  function drawNode(ctx, g, scale) {
    var size = g.font.size, lines = g.lines || (g.lines = String(g.label).split("\n")), readable = size * scale >= 6;
    if (g.shape === "box") {
      if (g.boxWidth === undefined) {
        g.boxWidth = Math.max.apply(null, lines.map(function (l) { return ctx.measureText(l).width; })) + 2 * g.margin;
      }
      var width = g.boxWidth;
      var height = lines.length * size * 1.25 + 2 * g.margin;
      ctx.fillStyle = g.color.background;
      ctx.beginPath();
      if (ctx.roundRect) ctx.roundRect(g.x - width / 2, g.y - height / 2, width, height, 4);
      else ctx.rect(g.x - width / 2, g.y - height / 2, width, height);
      ctx.fill();
      if (!readable) return;
      ctx.fillStyle = g.font.color; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      lines.forEach(function (l, k) { ctx.fillText(l, g.x, g.y + (k - (lines.length - 1) / 2) * size * 1.25); });
      return;
    }
    ctx.beginPath();
    ctx.arc(g.x, g.y, g.size, 0, 2 * Math.PI);
    ctx.fillStyle = g.color.background; ctx.fill();
    ctx.lineWidth = g.borderWidth; ctx.strokeStyle = g.color.border; ctx.stroke();
    if (!readable) return;
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.lineWidth = 3; ctx.strokeStyle = "#ffffff"; ctx.fillStyle = g.font.color; ctx.lineJoin = "round";
    lines.forEach(function (l, k) {
      var y = g.y + g.size + 4 + k * size * 1.1;
      ctx.strokeText(l, g.x, y); ctx.fillText(l, g.x, y);
    });
  }
  /* One drawing for a burst of changes (vis-network's redraw() draws at once, each costing a frame). */
  var redrawPending = false;
  function redrawSoon() {
    if (!network || redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(function () { redrawPending = false; if (network) network.redraw(); });
  }
  /* Fit the nodes shown, not the hidden ones too (a filter to one review would leave the view empty). */
  function fitShown() {
    restoreStacked();
    var ids = graphNodes.filter(function (g) { return nodeShown[g.id]; }).map(function (g) { return g.id; });
    network.fit(ids.length ? { nodes: ids, animation: false } : { animation: false });
    if (ids.length && ids.length <= STACK_MAX && ids.length < graphNodes.length && !labelsReadable(ids)) {
      stackShown(ids);
      network.fit({ nodes: ids, animation: false });
    }
  }
  /* A filter leaves a few nodes spread over the whole layout: the fit is then too far out to draw any label.
     Those few are stacked in one column (review first), no two boxes overlapping, and the fit made on that;
     the layout's own positions come back on the next fit. */
  var STACK_MAX = 60, stacked = {};
  function labelsReadable(ids) {
    var scale = network.getScale(), byId = {};
    graphNodes.forEach(function (g) { byId[g.id] = g; });
    return ids.every(function (id) { return byId[id].font.size * scale >= READABLE; });
  }
  function stackShown(ids) {
    var order = ids.slice().sort(function (a, b) {
      return (a[0] === "r" ? 0 : 1) - (b[0] === "r" ? 0 : 1) || (a < b ? -1 : a > b ? 1 : 0);
    });
    var y = 0;
    order.forEach(function (id) {
      var box = network.getBoundingBox(id), pos = network.getPosition(id);
      if (!(id in stacked)) stacked[id] = { x: pos.x, y: pos.y };
      var h = box.bottom - box.top;
      network.moveNode(id, 0, y + (pos.y - box.top));
      y += h + 12;
    });
  }
  function restoreStacked() {
    Object.keys(stacked).forEach(function (id) { network.moveNode(id, stacked[id].x, stacked[id].y); });
    stacked = {};
  }
  /* A hidden panel has no size to fit: fit when the graph tab is shown again. */
  var fitPending = false;
  function fitShownOrLater() {
    if (document.getElementById("kg-panel-graph").hidden) fitPending = true;
    else fitShown();
  }
  function byKey(key) { return { kind: key[0], idx: Number(key.slice(1)) }; }
  function graphFilter() {
    if (!network) return;
    var nodeUpdates = [], edgeUpdates = [];
    graphNodes.forEach(function (g) {
      var show;
      if (g.id[0] === "r") show = state.review < 0 || Number(g.id.slice(1)) === state.review;
      else show = shownInst(insts[Number(g.id.slice(1))]);
      if (show !== nodeShown[g.id]) { nodeShown[g.id] = show; nodeUpdates.push({ id: g.id, hidden: !show }); }
    });
    if (!onlySelected) graphEdges.forEach(function (e) {
      var show = nodeShown[e.from] && nodeShown[e.to];
      if (show !== edgeShown[e.id]) { edgeShown[e.id] = show; edgeUpdates.push({ id: e.id, hidden: !show }); }
    });
    if (overlay) overlay.edges = overlayEdges();
    if (nodeUpdates.length) gNodes.update(nodeUpdates);
    if (edgeUpdates.length) gEdges.update(edgeUpdates);
    if (nodeUpdates.length) fitShownOrLater();
    var shown = graphNodes.filter(function (g) { return nodeShown[g.id]; }).length;
    status(shown ? plural(shown, "node") + " shown" + (D.graph.collapsed ? "; instruments of one review only are counted on their review" : "") +
        (onlySelected ? "; links are drawn for the selected node" : "")
      : "Nothing matches these filters.");
  }
  function status(text) { document.getElementById("kg-graph-status").textContent = text; }
  /* Selecting a review or an instrument shows it and its neighbours; the rest fades. */
  function highlight(sel, zoom) {
    if (!network) return;
    var keep = null, focus = null;
    if (sel && sel.kind === "pair") { keep = {}; keep["r" + sel.r] = true; keep["i" + sel.i] = true; focus = "i" + sel.i; }
    else if (sel && sel.kind === "i" && gNodes.get("i" + sel.idx)) {
      focus = "i" + sel.idx; keep = {}; keep[focus] = true;
      insts[sel.idx].refs.forEach(function (r) { keep["r" + r] = true; });
    } else if (sel && sel.kind === "r") {
      focus = "r" + sel.idx; keep = {}; keep[focus] = true;
      graphEdges.forEach(function (e) { if (e.r === sel.idx) keep[e.to] = true; });
    }
    if (!keep && !dimmed) return;
    if (onlySelected) {
      dimmed = !!keep;
      focusKey = focus;
      overlay = keep ? { keep: keep, focus: focus, edges: [] } : null;
      if (overlay) overlay.edges = overlayEdges();
      if (focus && zoom) zoomTo(keep, focus);
      redrawSoon();
      if (focus) { var f = nodeOf(focus); status((f.label || f.title) + ": " + plural(Object.keys(keep).length - 1, "neighbour")); }
      return;
    }
    var nodeUpdates = graphNodes.map(function (g) {
      var on = !keep || keep[g.id];
      return { id: g.id, opacity: on ? 1 : 0.15, font: { color: on ? g.font.color : "rgba(29,43,51,0.2)", size: g.font.size,
        face: FONT, strokeWidth: g.font.strokeWidth || 0, strokeColor: "#ffffff" } };
    });
    var edgeUpdates = graphEdges.map(function (e) {
      var on = !keep || (keep[e.from] && keep[e.to] && (!focus || e.from === focus || e.to === focus));
      return { id: e.id, color: { color: on ? (keep ? "#0b62a3" : "#7d8a93") : "#d5dbdf", opacity: on ? 0.9 : 0.3, highlight: "#0b62a3" },
        width: on && keep ? 2 : e.width };
    });
    gNodes.update(nodeUpdates);
    gEdges.update(edgeUpdates);
    dimmed = !!keep;
    focusKey = focus;
    if (focus && gNodes.get(focus)) {
      network.selectNodes([focus], false);
      if (zoom) zoomTo(keep, focus);
      var n = nodeOf(focus);
      status((n.label || n.title) + (keep ? ": " + plural(Object.keys(keep).length - 1, "neighbour") : ""));
    } else {
      network.unselectAll();
    }
  }
  function zoomTo(keep, focus) {
    network.fit({ nodes: Object.keys(keep).filter(function (k) { return nodeShown[k]; }), animation: false });
    /* a neighbourhood too wide to read: the node itself, at a readable size, the rest around it */
    if (network.getScale() * SHARED_FONT < READABLE) {
      network.focus(focus, { scale: READABLE / SHARED_FONT, animation: false });
    }
  }
  function moveFocus(dx, dy) {
    var shown = graphNodes.filter(function (g) { return nodeShown[g.id]; });
    if (!shown.length) return;
    var from = focusKey && nodeShown[focusKey] ? network.getPosition(focusKey) : null;
    var best = null, bestScore = Infinity;
    shown.forEach(function (g) {
      if (g.id === focusKey) return;
      if (!from) { var s0 = g.x * 0.001 + g.y; if (s0 < bestScore) { bestScore = s0; best = g; } return; }
      var vx = g.x - from.x, vy = g.y - from.y;
      var along = vx * dx + vy * dy;
      if (along <= 0) return;
      var across = Math.abs(vx * dy - vy * dx);
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = g; }
    });
    if (!best) return;
    var k = byKey(best.id);
    highlight(k.kind === "r" ? { kind: "r", idx: k.idx } : { kind: "i", idx: k.idx });
    network.focus(best.id, { scale: Math.max(network.getScale(), 0.8), animation: false });
  }
  var graphBox = document.getElementById("kg-network");
  graphBox.addEventListener("keydown", function (ev) {
    if (!network) return;
    var moves = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    if (moves[ev.key]) { ev.preventDefault(); moveFocus(moves[ev.key][0], moves[ev.key][1]); }
    else if (ev.key === "Enter" && focusKey) {
      ev.preventDefault();
      var k = byKey(focusKey);
      if (k.kind === "r") showReview(k.idx, graphBox); else showInstrument(k.idx, graphBox);
    } else if (ev.key === "+" || ev.key === "=") zoomBy(1.3);
    else if (ev.key === "-") zoomBy(1 / 1.3);
  });
  function zoomBy(factor) { if (network) network.moveTo({ scale: network.getScale() * factor, animation: false }); }
  document.getElementById("kg-zoom-in").addEventListener("click", function () { zoomBy(1.3); });
  document.getElementById("kg-zoom-out").addEventListener("click", function () { zoomBy(1 / 1.3); });
  document.getElementById("kg-fit").addEventListener("click", function () { if (network) network.fit({ animation: false }); });

  /* --- tabs ---------------------------------------------------------------------- */
  var TABS = ["matrix", "timeline", "graph"];
  function selectTab(name, focus) {
    state.tab = name;
    TABS.forEach(function (t) {
      var tab = document.getElementById("kg-tab-" + t);
      tab.setAttribute("aria-selected", t === name ? "true" : "false");
      tab.tabIndex = t === name ? 0 : -1;
      document.getElementById("kg-panel-" + t).hidden = t !== name;
    });
    if (focus) document.getElementById("kg-tab-" + name).focus();
    if (name === "graph") {
      initGraph();
      if (fitPending && network) { fitPending = false; fitShown(); }
      redrawSoon();
      if (state.timeline >= 0 && dimmed === false) highlight(null);
    }
    if (name === "timeline") drawTimeline();
    if (name === "matrix") drawMatrix();
  }
  TABS.forEach(function (t, k) {
    var tab = document.getElementById("kg-tab-" + t);
    tab.addEventListener("click", function () { selectTab(t); });
    tab.addEventListener("keydown", function (ev) {
      var step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (ev.key === "Home") { ev.preventDefault(); selectTab(TABS[0], true); }
      if (ev.key === "End") { ev.preventDefault(); selectTab(TABS[TABS.length - 1], true); }
      if (step) { ev.preventDefault(); selectTab(TABS[(k + step + TABS.length) % TABS.length], true); }
    });
  });

  /* --- search -------------------------------------------------------------------- */
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var found = [], active = -1;
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    clear(results);
    found = [];
    active = -1;
    if (!q) { results.hidden = true; search.setAttribute("aria-expanded", "false"); return; }
    insts.forEach(function (n) { if (n.search.indexOf(q) >= 0) found.push({ kind: "i", idx: n.i, label: n.label, type: n.type, first: n.label.toLowerCase().indexOf(q) === 0 }); });
    reviews.forEach(function (r) { if (r.title.toLowerCase().indexOf(q) >= 0) found.push({ kind: "r", idx: r.i, label: r.title, type: "Review", first: r.title.toLowerCase().indexOf(q) === 0 }); });
    found.sort(function (a, b) { return (b.first - a.first) || (a.kind === b.kind ? 0 : a.kind === "i" ? -1 : 1); });
    found = found.slice(0, 15);
    if (!found.length) results.appendChild(el("li", "No match"));
    found.forEach(function (f, k) {
      var li = el("li");
      li.id = "kg-result-" + k;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      if (f.kind === "i") li.appendChild(swatch(f.type));
      li.appendChild(el("span", f.label));
      li.appendChild(el("span", f.type, "kg-type"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
      results.appendChild(li);
    });
    results.hidden = false;
    search.setAttribute("aria-expanded", "true");
  }
  function setActive(k) {
    if (!found.length) return;
    active = (k + found.length) % found.length;
    results.querySelectorAll("li").forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
    search.setAttribute("aria-activedescendant", "kg-result-" + active);
    var li = document.getElementById("kg-result-" + active);
    if (li && li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
  }
  function choose(k) {
    var f = found[k];
    if (!f) return;
    results.hidden = true;
    search.setAttribute("aria-expanded", "false");
    reveal(f.kind, f.idx);
  }
  /* Bring a review or an instrument into view wherever the user is. */
  function reveal(kind, idx) {
    if (kind === "i") {
      var n = insts[idx];
      if (!shownInst(n)) {
        state.off[n.type] = false;
        if (n.refs.length < minRefs()) { state.scope = "all"; document.querySelector('input[name="kg-scope"][value="all"]').checked = true; }
        if (state.review >= 0 && n.refs.indexOf(state.review) < 0) { state.review = -1; reviewSelect.value = ""; }
        update();
      }
      var rows = matrixRows();
      state.rowPage = Math.floor(rows.indexOf(n) / ROWS_PER_PAGE);
      state.timeline = idx;
      if (state.tab === "matrix") drawMatrix();
      showInstrument(idx, search);
      if (state.tab === "graph") highlight({ kind: "i", idx: idx }, true);
    } else {
      if (state.review >= 0 && state.review !== idx) { state.review = -1; reviewSelect.value = ""; update(); }
      var cols = shownReviews();
      state.colPage = Math.floor(cols.indexOf(reviews[idx]) / colsPerPage());
      if (state.tab === "matrix") drawMatrix();
      showReview(idx, search);
      if (state.tab === "graph") highlight({ kind: "r", idx: idx }, true);
    }
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); if (results.hidden) runSearch(); setActive(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
    else if (ev.key === "Enter") { ev.preventDefault(); if (!found.length) runSearch(); choose(active >= 0 ? active : 0); }
    else if (ev.key === "Escape") {
      if (!results.hidden) { ev.stopPropagation(); results.hidden = true; search.setAttribute("aria-expanded", "false"); }
      else if (search.value) { ev.stopPropagation(); search.value = ""; runSearch(); }
    }
  });
  search.addEventListener("blur", function () { results.hidden = true; search.setAttribute("aria-expanded", "false"); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    if (closeDetails()) return;
    if (dimmed) { highlight(null); status("Selection cleared"); }
  });

  /* --- exports ------------------------------------------------------------------- */
  function download(name, blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function csvCell(value) {
    var text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return '"' + text.replace(/"/g, '""') + '"';
  }
  function matrixCsv() {
    var rows = matrixRows(), cols = shownReviews();
    var lines = [["instrument", "type", "referenced in (reviews)", "commissioned under (reviews)"].concat(
      cols.map(function (r) { return r.title + (r.date ? " (" + r.date + ")" : ""); }))];
    rows.forEach(function (n) {
      lines.push([n.label, n.type, n.refs.length, n.under.length].concat(cols.map(function (r) {
        var c = cites[pairKey(n.i, r.i)];
        return c ? c.length : n.under.indexOf(r.i) >= 0 ? "commissioned under" : "";
      })));
    });
    if (state.scope !== "all") {
      lines.push(["(instruments referenced in one review only)", "", "", ""].concat(cols.map(function (r) {
        var k = singlesOf(r).length; return k || "";
      })));
    }
    return lines.map(function (l) { return l.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }
  document.getElementById("kg-csv").addEventListener("click", function () {
    download("instruments-by-review.csv", new Blob(["\ufeff" + matrixCsv()], { type: "text/csv;charset=utf-8" }));
  });
  function canvasPng(canvas, name) {
    canvas.toBlob(function (blob) { download(name, blob); view.lastPng = { width: canvas.width, height: canvas.height, bytes: blob.size }; }, "image/png");
  }
  function matrixCanvas() {
    var v = matrixView();
    var rowH = 26, colW = 30, headH = 190, labelW = 300, countW = 50;
    var rows = v.pageRows.length + (state.scope !== "all" ? 1 : 0);
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(560, labelW + countW + v.pageCols.length * colW + 20);
    canvas.height = headH + rows * rowH + 20;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.textBaseline = "middle";
    ctx.font = "bold 13px " + FONT; ctx.fillStyle = "#1d2b33";
    ctx.fillText(table.querySelector("caption").textContent, 6, 14);
    ctx.font = "12px " + FONT;
    ctx.fillText(document.getElementById("kg-summary").textContent, 6, 32);
    v.pageCols.forEach(function (r, c) {
      ctx.save(); ctx.translate(labelW + countW + c * colW + colW / 2, headH - 8); ctx.rotate(-Math.PI / 2);
      ctx.fillStyle = "#1d2b33"; ctx.fillText(truncate(r.title, 30), 0, 0); ctx.restore();
    });
    ctx.fillStyle = "#1d2b33"; ctx.fillText("reviews", labelW + 4, headH - 8);
    v.pageRows.forEach(function (n, k) {
      var y = headH + k * rowH + rowH / 2;
      ctx.fillStyle = colours[n.type]; ctx.fillRect(6, y - 6, 12, 12);
      ctx.fillStyle = "#1d2b33"; ctx.fillText(truncate(n.label, 44), 24, y);
      ctx.fillText(String(n.refs.length), labelW + 8, y);
      v.pageCols.forEach(function (r, c) {
        var cx = labelW + countW + c * colW + colW / 2;
        var found = cites[pairKey(n.i, r.i)];
        ctx.strokeStyle = colours[n.type]; ctx.fillStyle = colours[n.type]; ctx.lineWidth = 2;
        if (found) ctx.fillRect(cx - 9, y - 8, 18, 16);
        else if (n.under.indexOf(r.i) >= 0) { ctx.beginPath(); ctx.arc(cx, y, 7, 0, 2 * Math.PI); ctx.stroke(); }
      });
    });
    if (state.scope !== "all") {
      var y = headH + v.pageRows.length * rowH + rowH / 2;
      ctx.fillStyle = "#1d2b33"; ctx.fillText("Referenced in one review only", 24, y);
      v.pageCols.forEach(function (r, c) {
        var k = singlesOf(r).length;
        if (k) ctx.fillText(String(k), labelW + countW + c * colW + 8, y);
      });
    }
    return canvas;
  }
  document.getElementById("kg-png").addEventListener("click", function () {
    if (state.tab === "graph" && network) {
      var source = graphBox.querySelector("canvas");
      var canvas = document.createElement("canvas");
      canvas.width = source.width; canvas.height = source.height;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(source, 0, 0);
      canvasPng(canvas, "graph.png");
    } else if (state.tab === "timeline" && timeline.querySelector("svg")) {
      var s = timeline.querySelector("svg");
      var img = new Image();
      img.onload = function () {
        var canvas = document.createElement("canvas"), head = 56;
        canvas.width = Number(s.getAttribute("width")); canvas.height = Number(s.getAttribute("height")) + head;
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.textBaseline = "middle"; ctx.fillStyle = "#1d2b33";
        ctx.font = "bold 14px " + FONT; ctx.fillText(timeline.querySelector("h3").textContent, 8, 16);
        ctx.font = "12px " + FONT; ctx.fillText(timeline.querySelector(".kg-note").textContent, 8, 38);
        ctx.drawImage(img, 0, head);
        canvasPng(canvas, "timeline.png");
      };
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(s));
    } else {
      canvasPng(matrixCanvas(), "matrix.png");
    }
  });

  /* --- everything reacts to every filter ----------------------------------------- */
  function update() {
    summarise();
    drawLegend();
    if (state.tab === "matrix") drawMatrix();
    if (state.tab === "timeline") drawTimeline();
    graphFilter();
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (state.tab === "matrix") drawMatrix(); }, 150);
  });

  var view = {
    data: D, ready: false, graphReady: false, lastPng: null,
    selectTab: selectTab, reveal: reveal, showPair: showPair,
    get network() { return network; },
    recurringRows: function () {
      return insts.filter(function (n) { return n.refs.length >= 2; }).map(function (n) { return [n.label, n.type, n.refs.length]; });
    },
    matrixRowLabels: function () { return matrixRows().map(function (n) { return [n.label, n.type, n.refs.length]; }); },
    shownNodeIds: function () { return graphNodes.filter(function (g) { return nodeShown[g.id]; }).map(function (g) { return g.id; }); },
    readablePx: READABLE,
    /* Shown node id → its label's height on screen in px at the current zoom. */
    labelPx: function () {
      var out = {};
      if (!network) return out;
      var scale = network.getScale();
      graphNodes.forEach(function (g) { if (nodeShown[g.id]) out[g.id] = g.font.size * scale; });
      return out;
    },
    /* Boxes (shape and label, in page pixels) of the shown nodes; drawn: its label is drawn. */
    nodeBoxes: function () {
      if (!network) return [];
      network.redraw();
      var scale = network.getScale();
      var rect = graphBox.getBoundingClientRect();
      return graphNodes.filter(function (g) { return nodeShown[g.id]; }).map(function (g) {
        var b = network.getBoundingBox(g.id);
        var p1 = network.canvasToDOM({ x: b.left, y: b.top }), p2 = network.canvasToDOM({ x: b.right, y: b.bottom });
        return { id: g.id, drawn: g.font.size * scale >= 6, left: rect.left + p1.x, top: rect.top + p1.y,
          right: rect.left + p2.x, bottom: rect.top + p2.y };
      });
    },
    /* Shown node id → whether it is faded (a selection keeps a node and its neighbours). */
    nodeFaded: function () {
      var out = {};
      if (!network) return out;
      if (onlySelected) {
        graphNodes.forEach(function (g) { if (nodeShown[g.id]) out[g.id] = !!overlay && !overlay.keep[g.id]; });
        return out;
      }
      gNodes.get().forEach(function (n) { if (nodeShown[n.id]) out[n.id] = n.opacity < 1; });
      return out;
    },
    /* How many links are drawn, and how many of them stand out (the selection's). */
    linksShown: function () {
      if (!network) return [0, 0];
      if (onlySelected) return [overlay ? overlay.edges.length : 0, overlay ? overlay.edges.length : 0];
      var shown = graphEdges.filter(function (e) { return edgeShown[e.id]; });
      var focus = dimmed ? focusKey : null;
      return [shown.length, focus ? shown.filter(function (e) { return e.from === focus || e.to === focus; }).length : 0];
    },
    /* The shown instrument dots in page pixels, with the colour they are filled with. */
    nodeMarks: function () {
      if (!network) return [];
      var scale = network.getScale(), rect = graphBox.getBoundingClientRect();
      return graphNodes.filter(function (g) { return nodeShown[g.id] && g.id[0] === "i"; }).map(function (g) {
        var p = network.canvasToDOM(network.getPosition(g.id));
        return { id: g.id, x: rect.left + p.x, y: rect.top + p.y, radius: g.size * scale, colour: g.color.background };
      });
    },
    /* The edge (instrument, review) drawn under a page point, or null. */
    edgeAtPoint: function (x, y) {
      var rect = graphBox.getBoundingClientRect();
      var at = { x: x - rect.left, y: y - rect.top };
      if (network.getNodeAt(at) !== undefined) return null;  /* a click there selects the node */
      if (onlySelected) { var o = overlayEdgeAt(at); return o ? [o.i, o.r] : null; }
      var id = network.getEdgeAt(at);
      var e = id === undefined ? null : gEdges.get(id);
      return e ? [e.i, e.r] : null;
    },
    /* A page point on the edge (instrument i, review r), a share t of the way from the review. */
    edgePoint: function (i, r, t) {
      var a = network.canvasToDOM(network.getPosition("r" + r)), b = network.canvasToDOM(network.getPosition("i" + i));
      var rect = graphBox.getBoundingClientRect(), k = t === undefined ? 0.5 : t;
      return [rect.left + a.x + (b.x - a.x) * k, rect.top + a.y + (b.y - a.y) * k];
    }
  };
  window.kgView = view;
  if (window.matchMedia && window.matchMedia("(max-width: 760px)").matches) document.getElementById("kg-filters").open = false;
  summarise();
  drawLegend();
  drawMatrix();
  view.ready = true;
})();
