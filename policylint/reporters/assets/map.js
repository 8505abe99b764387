// policylint map: vanilla JavaScript, no library, no network. Data: the JSON in #map-data.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("map-data").textContent);
  var MAX_CHIPS = 60, MAX_DRAWN = 300;
  var $ = function (id) { return document.getElementById(id); };
  var sizes = {}, boxes = {}, state = { ns: null, edge: null, line: null };
  D.namespaces.forEach(function (n) { sizes[n.name] = n.workloads.length; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // --- filters -----------------------------------------------------------------------------
  function connsMatch(p) {
    var port = $("port").value.trim(), proto = $("proto").value;
    var protos = proto ? [proto] : Object.keys(p);
    for (var i = 0; i < protos.length; i++) {
      var ranges = p[protos[i]] || [];
      if (!port && ranges.length) return true;
      var n = parseInt(port, 10);
      for (var j = 0; j < ranges.length; j++) if (ranges[j][0] <= n && n <= ranges[j][1]) return true;
    }
    return false;
  }
  function visibleEdges() {
    var out = [];
    D.edges.forEach(function (e, i) { if (connsMatch(e.p)) out.push(i); });
    return out;
  }

  // --- namespace boxes -----------------------------------------------------------------------
  function chips(box, ws, all) {
    box.querySelectorAll(".wl").forEach(function (c) { c.remove(); });
    var shown = all ? ws : ws.slice(0, MAX_CHIPS);
    shown.forEach(function (w) {
      var c = el("span", "wl", w.name);
      c.title = w.ref; c.dataset.ref = w.ref;
      box.appendChild(c);
    });
    if (shown.length < ws.length) {
      var more = el("span", "wl more", "+" + (ws.length - shown.length) + " more");
      more.addEventListener("click", function (ev) { ev.stopPropagation(); chips(box, ws, true); draw(); });
      box.appendChild(more);
    }
  }
  function buildBoxes() {
    var root = $("boxes");
    D.namespaces.concat([{ name: D.external, workloads: [] }]).forEach(function (n) {
      var box = el("div", "ns" + (n.name === D.external ? " external" : ""));
      box.dataset.ns = n.name;
      box.appendChild(el("h3", "", n.name + (n.workloads.length ? " (" + n.workloads.length + ")" : "")));
      chips(box, n.workloads, false);
      box.addEventListener("click", function () { selectNamespace(n.name); });
      boxes[n.name] = box;
      root.appendChild(box);
    });
  }

  // --- edges drawn between boxes -------------------------------------------------------------
  function centre(name) {
    var b = boxes[name], r = b.getBoundingClientRect(), o = $("map-view").getBoundingClientRect();
    return [r.left - o.left + $("map-view").scrollLeft + r.width / 2, r.top - o.top + $("map-view").scrollTop + r.height / 2];
  }
  function draw() {
    var svg = $("edges"), view = $("boxes");
    svg.setAttribute("width", view.scrollWidth); svg.setAttribute("height", view.scrollHeight);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var shown = visibleEdges().filter(function (i) {
      var e = D.edges[i];
      return state.ns ? (e.s === state.ns || e.d === state.ns) : true;
    });
    if (!state.ns && shown.length > MAX_DRAWN) { $("summary").textContent += " (click a namespace to draw its edges)"; return; }
    shown.forEach(function (i) {
      var e = D.edges[i];
      if (e.s === e.d) return;
      var a = centre(e.s), b = centre(e.d), mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2 - 30;
      var d = "M" + a[0] + "," + a[1] + " Q" + mx + "," + my + " " + b[0] + "," + b[1];
      ["", "pick"].forEach(function (cls) {
        var p = document.createElementNS("http://www.w3.org/2000/svg", "path");
        p.setAttribute("d", d);
        p.setAttribute("class", cls + (state.edge === i && !cls ? " hot" : ""));
        p.setAttribute("stroke-width", String(Math.min(6, 1 + Math.log(1 + e.pairs))));
        p.dataset.edge = i;
        if (cls) p.addEventListener("click", function () { selectEdge(i); });
        svg.appendChild(p);
      });
    });
  }

  // --- panel -----------------------------------------------------------------------------------
  function edgeRow(i) {
    var e = D.edges[i], row = el("div", "edge" + (state.edge === i ? " on" : ""));
    row.dataset.edge = i;
    row.appendChild(el("span", "", e.s + " -> " + e.d + " "));
    row.appendChild(el("span", "conns", e.pairs + " pair(s): " + e.c));
    row.addEventListener("click", function () { selectEdge(i); });
    return row;
  }
  function selectNamespace(name) {
    state.ns = state.ns === name ? null : name; state.edge = null;
    Object.keys(boxes).forEach(function (k) { boxes[k].classList.toggle("sel", k === state.ns); });
    $("panel-title").textContent = state.ns ? "Edges of namespace " + state.ns : "Every namespace edge";
    var list = $("edge-list"); list.textContent = "";
    visibleEdges().forEach(function (i) {
      var e = D.edges[i];
      if (!state.ns || e.s === state.ns || e.d === state.ns) list.appendChild(edgeRow(i));
    });
    $("line-list").textContent = ""; $("explanation").textContent = "";
    draw();
  }
  function highlight(refs) {
    document.querySelectorAll(".wl.hit").forEach(function (c) { c.classList.remove("hit"); });
    document.querySelectorAll(".wl").forEach(function (c) { if (refs[c.dataset.ref]) c.classList.add("hit"); });
  }
  function endRefs(end, refs) {
    if (end.w) refs[end.w] = true;
    if (end.g !== undefined) D.namespaces.forEach(function (n) {
      if (end.g === null || end.g === n.name) n.workloads.forEach(function (w) {
        if (end.x.indexOf(w.name + "[" + w.kind + "]") < 0) refs[w.ref] = true;
      });
    });
  }
  function selectEdge(i) {
    var e = D.edges[i];
    state.edge = i; state.line = null;
    $("panel-title").textContent = e.s + " -> " + e.d + ": " + e.pairs + " pair(s), " + e.c;
    var list = $("line-list"); list.textContent = "";
    var refs = {};
    e.lines.forEach(function (j) {
      var ln = D.lines[j];
      if (!connsMatch(ln.p)) return;
      endRefs(ln.s, refs); endRefs(ln.d, refs);
      var row = el("div", "line", ln.s.t + " -> " + ln.d.t + " : " + ln.c);
      row.dataset.line = j;
      row.addEventListener("click", function () { selectLine(j, row); });
      list.appendChild(row);
    });
    highlight(refs);
    $("explanation").textContent = "";
    document.querySelectorAll(".edge").forEach(function (r) { r.classList.toggle("on", +r.dataset.edge === i); });
    draw();
  }
  function selectLine(j, row) {
    state.line = j;
    document.querySelectorAll(".line").forEach(function (r) { r.classList.toggle("on", r === row); });
    var pre = $("explanation"); pre.textContent = "";
    D.lines[j].x.split(/(ALLOWED|BLOCKED)/).forEach(function (part) {
      if (part === "ALLOWED" || part === "BLOCKED") pre.appendChild(el("span", part, part));
      else pre.appendChild(document.createTextNode(part));
    });
    var refs = {}; endRefs(D.lines[j].s, refs); endRefs(D.lines[j].d, refs); highlight(refs);
  }

  // --- heat-map --------------------------------------------------------------------------------
  function openness(e) {
    var a = sizes[e.s] || 1, b = sizes[e.d] || 1;
    var most = e.s === D.external || e.d === D.external ? Math.max(a, b) : (e.s === e.d ? a * (a - 1) : a * b);
    return Math.min(1, e.pairs / Math.max(1, most));
  }
  function buildHeat() {
    var names = D.namespaces.map(function (n) { return n.name; }).concat([D.external]);
    var at = {};
    visibleEdges().forEach(function (i) { at[D.edges[i].s + "\u0000" + D.edges[i].d] = i; });
    var t = el("table"), head = el("tr");
    head.appendChild(el("th", "", "from \\ to"));
    names.forEach(function (n) { head.appendChild(el("th", "col", n)); });
    t.appendChild(head);
    names.forEach(function (s) {
      var tr = el("tr"); tr.appendChild(el("th", "", s));
      names.forEach(function (d) {
        var td = el("td"), i = at[s + "\u0000" + d];
        if (i !== undefined) {
          var o = openness(D.edges[i]);
          td.style.background = "rgb(" + Math.round(255 - 60 * o) + "," + Math.round(235 - 200 * o) + "," + Math.round(200 - 180 * o) + ")";
          td.title = s + " -> " + d + ": " + D.edges[i].pairs + " pair(s), " + Math.round(100 * o) + "% open, " + D.edges[i].c;
          td.dataset.edge = i;
          td.addEventListener("click", function () { selectEdge(i); });
        } else { td.style.background = "#f4f4f4"; td.title = s + " -> " + d + ": nothing allowed"; }
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    $("heat").textContent = ""; $("heat").appendChild(t);
  }

  // --- search, filters, tabs -------------------------------------------------------------------
  function search() {
    var q = $("search").value.trim().toLowerCase(), refs = {};
    D.namespaces.forEach(function (n) {
      var hit = !q || n.name.toLowerCase().indexOf(q) >= 0;
      n.workloads.forEach(function (w) { if (q && w.ref.toLowerCase().indexOf(q) >= 0) { refs[w.ref] = true; hit = true; } });
      boxes[n.name].classList.toggle("dim", !hit);
    });
    highlight(refs);
  }
  function refresh() {
    $("summary").textContent = D.namespaces.length + " namespaces, " + visibleEdges().length + " namespace edges, " + D.lines.length + " exact lines";
    selectNamespace(state.ns); if (!$("heat-view").hidden) buildHeat();
  }
  function tab(which) {
    $("map-view").hidden = which !== "map"; $("heat-view").hidden = which !== "heat";
    $("tab-map").classList.toggle("on", which === "map"); $("tab-heat").classList.toggle("on", which === "heat");
    if (which === "heat") buildHeat(); else draw();
  }
  buildBoxes();
  $("search").addEventListener("input", search);
  $("port").addEventListener("input", refresh);
  $("proto").addEventListener("change", refresh);
  $("tab-map").addEventListener("click", function () { tab("map"); });
  $("tab-heat").addEventListener("click", function () { tab("heat"); });
  window.addEventListener("resize", draw);
  refresh();
  document.body.dataset.ready = "1";
})();
