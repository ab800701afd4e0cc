// The proposal editor: draw and edit with snapping to roads, rivers, ridges and village edges
// (Leaflet-Geoman), compose from road-bounded blocks, upload a file, suggest a boundary, live
// findings from the service's validation, save as a new version with If-Match, and for a
// saved proposal its history, runs, workflow actions and package.
(function () {
  "use strict";
  var api = window.sijieApi;
  var msg = api.msg;
  var data = api.pageData();
  // after the last change, before the findings are asked for: a map edit fires a burst of
  // events (vertex drag end, edit) gathered in a short wait; typing and block clicks wait longer
  var DEBOUNCE_MS = 250;
  var EDIT_DEBOUNCE_MS = 40;
  var SEVERITY_CLASS = { error: "fail", warning: "warn", info: "muted" };

  var map = L.map("map", { attributionControl: false });
  map.setView([29.95, 121.6], 14);
  sijie.pageControls(map, { editing: true });  // base maps in the data's datum only
  map.pm.setLang(api.lang === "en" ? "en" : "zh");
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 20, allowSelfIntersection: false,
                            templineStyle: { color: "#0b5cad" }, hintlineStyle: { color: "#0b5cad", dashArray: "4 4" } });

  var state = {
    proposal: data.proposal, town: data.town, version: null, etag: null, user: null,
    boundary: null, validations: 0, report: null, pending: null, timer: null, seq: 0,
    fit: false, fitted: null, dragging: false, canEdit: false,
    blocks: null, chosen: {}, suggestion: null, theirs: null, dirty: false
  };
  var findingsLayer = L.featureGroup().addTo(map);
  var historyLayer = L.featureGroup().addTo(map);
  var theirsLayer = L.featureGroup().addTo(map);
  var snapLayers = {};
  var BOUNDARY_STYLE = { color: "#0b5cad", weight: 3, fillOpacity: 0.12 };

  function $(id) { return document.getElementById(id); }

  function status(text, isError) {
    var el = $("status");
    el.textContent = text;
    el.className = "notice" + (isError ? " error" : "");
    el.hidden = !text;
  }

  // ---- the boundary ----
  function boundaryGeometry() {
    if (!state.boundary) { return null; }
    var gj = state.boundary.toGeoJSON(false);  // full precision: 1e-6° would move edges ~0.1 m
    return gj.type === "FeatureCollection" ? (gj.features[0] || {}).geometry : gj.geometry;
  }

  // a map edit is fitted to the village edges, roads and rivers within the snap tolerance
  // before it is validated (unless the user turned that off); the fitted boundary replaces it
  function edited() {
    state.fit = true;
    schedule(EDIT_DEBOUNCE_MS);
  }

  function watch(layer) {
    layer.on("pm:edit pm:markerdragend pm:vertexadded pm:vertexremoved", edited);
    layer.on("pm:markerdragstart", function () { state.dragging = true; });
    layer.on("pm:markerdragend", function () { state.dragging = false; });
  }

  function setBoundary(geometry, options) {
    if (state.boundary) { map.removeLayer(state.boundary); }
    state.boundary = null;
    if (!geometry) { return; }
    var group = L.geoJSON(geometry, { style: BOUNDARY_STYLE, snapIgnore: true });
    var layer = group.getLayers()[0];
    layer.setStyle(BOUNDARY_STYLE);
    layer.options.snapIgnore = true;
    layer.addTo(map);
    state.boundary = layer;
    watch(layer);
    if (options && options.fit) { map.fitBounds(layer.getBounds(), { padding: [30, 30] }); }
    if (!options || options.validate !== false) { schedule(); }
  }

  map.on("pm:create", function (e) {
    if (state.boundary) { map.removeLayer(state.boundary); }
    e.layer.setStyle(BOUNDARY_STYLE);
    e.layer.options.snapIgnore = true;
    state.boundary = e.layer;
    watch(e.layer);
    edited();
  });
  map.on("pm:remove", function (e) {
    if (e.layer === state.boundary) { state.boundary = null; renderReport(null); }
  });

  // ---- live validation ----
  function feature() {
    return { type: "Feature", geometry: boundaryGeometry(),
             properties: { name: $("name").value || msg("js_unnamed"), type: $("type").value } };
  }

  // state.dirty: an edit whose findings are not shown yet (waiting for the debounce or reply)
  function schedule(wait) {
    clearTimeout(state.timer);
    state.dirty = true;
    state.timer = setTimeout(function () { state.timer = null; validateNow(); },
                             typeof wait === "number" ? wait : DEBOUNCE_MS);
  }

  function validateNow() {
    if (!state.boundary || !state.town || !state.canEdit) { return Promise.resolve(null); }
    var seq = ++state.seq;
    var fit = state.fit && $("fit-edges").checked;
    state.fit = false;
    $("summary").textContent = msg("js_checking");
    var started = performance.now();
    var path = "/towns/" + state.town + "/sketch/validation" + (fit ? "?fit=true" : "");
    state.pending = api.request("POST", path, feature())
      .then(function (doc) {
        if (seq !== state.seq) { return null; }  // a newer edit is being checked
        state.validations += 1;
        state.dirty = state.timer !== null;
        state.lastMs = performance.now() - started;
        if (fit) { showFitted(doc.fitted); }
        renderReport(doc);
        return doc;
      }).catch(function (e) {
        if (seq === state.seq) {
          state.dirty = state.timer !== null;
          $("summary").textContent = e.message;
          $("summary").className = "summary fail";
        }
      });
    return state.pending;
  }

  // the boundary as the service fitted it (what was validated and what is saved)
  function showFitted(fitted) {
    var note = $("fit-note");
    note.hidden = !fitted;
    state.fitted = fitted || null;
    if (!fitted) { note.textContent = ""; return; }
    note.textContent = msg("js_fitted", {
      moved: fitted.moved, max: api.number(fitted.max_move_m, 1), tolerance: api.number(fitted.tolerance_m),
      joined: api.number(fitted.joined_m2), returned: api.number(fitted.returned_m2) });
    if (state.dragging) { return; }  // a vertex is being moved: its own edit is fitted next
    var editing = state.boundary && state.boundary.pm.enabled();
    setBoundary(fitted.geometry, { validate: false });
    if (editing) { state.boundary.pm.enable({ snappable: true, snapDistance: 20, allowSelfIntersection: false }); }
  }

  function renderReport(doc) {
    state.report = doc;
    findingsLayer.clearLayers();
    var list = $("findings");
    var metrics = $("metrics");
    list.textContent = "";
    metrics.textContent = "";
    if (!doc) { $("summary").textContent = msg("js_no_boundary"); $("summary").className = "summary"; return; }
    var report = doc.report;
    var errors = doc.features.filter(function (f) { return f.properties.severity === "error"; }).length;
    $("summary").textContent = report.ok ? msg("js_passes") : msg("js_has_errors", { count: errors });
    $("summary").className = "summary " + (report.ok ? "ok" : "fail");
    [["js_edge_share", api.number((report.metrics.edge_share || 0) * 100, 1) + "%"],
     ["js_area", api.number((report.metrics.area_m2 || 0) / 10000, 2) + " ha"],
     ["js_employees", api.number(report.metrics.employees)]].forEach(function (pair) {
      var dt = document.createElement("dt");
      dt.textContent = msg(pair[0]);
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      dd.dataset.metric = pair[0];
      metrics.appendChild(dt);
      metrics.appendChild(dd);
    });
    doc.features.forEach(function (f, i) {
      var p = f.properties;
      var li = document.createElement("li");
      li.className = "finding " + (SEVERITY_CLASS[p.severity] || "");
      li.dataset.rule = p.rule;
      li.dataset.severity = p.severity;
      var head = document.createElement("strong");
      head.textContent = p.rule + " · " + p.clause + " ";
      li.appendChild(head);
      li.appendChild(document.createTextNode(p.message));
      if (f.geometry) {
        var shape = L.geoJSON(f, {
          pmIgnore: true, snapIgnore: true,
          style: { color: p.severity === "error" ? "#b42318" : "#8a5a00", weight: 5, dashArray: "6 4", fillOpacity: 0.25 },
          pointToLayer: function (_, ll) { return L.circleMarker(ll, { radius: 7, pmIgnore: true, snapIgnore: true }); }
        });
        shape.bindTooltip(p.rule + " · " + p.message);
        findingsLayer.addLayer(shape);
        var go = document.createElement("button");
        go.type = "button";
        go.className = "link";
        go.textContent = msg("js_show_on_map");
        go.addEventListener("click", function () { map.fitBounds(shape.getBounds(), { maxZoom: 17, padding: [40, 40] }); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(go);
      }
      li.id = "finding-" + i;
      list.appendChild(li);
    });
    if (state.blocks && map.hasLayer(state.blocks)) { state.blocks.bringToFront(); }  // clickable
  }

  // ---- snapping layers ----
  var SNAP_STYLES = {
    roads: { color: "#9a6700", weight: 2, opacity: 0.8 },
    water: { color: "#0969da", weight: 1, fillColor: "#54aeff", fillOpacity: 0.3 },
    terrain: { color: "#6e7781", weight: 2, dashArray: "2 4" },
    neighbours: { color: "#8250df", weight: 1, fill: false, dashArray: "6 3" }
  };
  function loadSnapLayers() {
    var names = Object.keys(SNAP_STYLES);
    return Promise.all(names.map(function (name) {
      return api.request("GET", "/towns/" + state.town + "/layers/" + name).then(function (fc) {
        // not edited, but snapped to (snapIgnore false overrides pmIgnore for snapping)
        var layer = L.geoJSON(fc, { style: SNAP_STYLES[name], interactive: false, pmIgnore: true, snapIgnore: false });
        layer.addTo(map);
        layer.bringToBack();
        snapLayers[name] = layer;
        return layer;
      });
    }));
  }

  // ---- modes ----
  function pressed(id) {
    ["mode-draw", "mode-edit", "mode-blocks"].forEach(function (b) { $(b).setAttribute("aria-pressed", String(b === id)); });
  }
  $("mode-draw").addEventListener("click", function () {
    leaveBlocks();
    map.pm.disableGlobalEditMode();
    map.pm.enableDraw("Polygon", { snappable: true, snapDistance: 20 });
    pressed("mode-draw");
  });
  $("mode-edit").addEventListener("click", function () {
    leaveBlocks();
    map.pm.disableDraw();
    if (state.boundary) { state.boundary.pm.enable({ snappable: true, snapDistance: 20, allowSelfIntersection: false }); }
    pressed("mode-edit");
  });

  // compose from blocks: click blocks to add or remove them; the boundary is their union
  function blockStyle(id) {
    return state.chosen[id] ? { color: "#1a7f37", weight: 1, fillColor: "#2da44e", fillOpacity: 0.45 }
                            : { color: "#57606a", weight: 1, fillColor: "#ffffff", fillOpacity: 0.05 };
  }
  function leaveBlocks() {
    if (state.blocks && map.hasLayer(state.blocks)) { map.removeLayer(state.blocks); }
    $("mode-blocks").setAttribute("aria-pressed", "false");
  }
  function composeNow() {
    var ids = Object.keys(state.chosen).map(Number);
    if (!ids.length) { setBoundary(null); renderReport(null); return Promise.resolve(null); }
    return api.request("POST", "/towns/" + state.town + "/blocks/union", { blocks: ids })
      .then(function (f) {
        setBoundary(f.geometry, { validate: false });
        if (map.hasLayer(state.blocks)) { state.blocks.bringToFront(); }  // blocks stay clickable
        return validateNow();
      });
  }
  $("mode-blocks").addEventListener("click", function () {
    map.pm.disableDraw();
    if (state.boundary) { state.boundary.pm.disable(); }
    pressed("mode-blocks");
    var ready = state.blocks ? Promise.resolve(state.blocks) :
      api.request("GET", "/towns/" + state.town + "/blocks").then(function (fc) {
        state.blocks = L.geoJSON(fc, {
          pmIgnore: true, snapIgnore: true,
          style: function (f) { return blockStyle(f.id); },
          onEachFeature: function (f, layer) {
            layer.on("click", function () {
              if (state.chosen[f.id]) { delete state.chosen[f.id]; } else { state.chosen[f.id] = true; }
              layer.setStyle(blockStyle(f.id));
              state.dirty = true;
              clearTimeout(state.composeTimer);
              state.composeTimer = setTimeout(composeNow, DEBOUNCE_MS);
            });
          }
        });
        return state.blocks;
      });
    ready.then(function (layer) { layer.addTo(map); layer.bringToFront(); });
  });

  // ---- upload ----
  $("upload-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = new FormData($("upload-form"));
    api.request("POST", "/towns/" + state.town + "/sketch/upload", form).then(function (f) {
      $("name").value = f.properties.name || $("name").value;
      if (f.properties.type) { $("type").value = f.properties.type; }
      setBoundary(f.geometry, { fit: true });
      status(msg("js_uploaded"));
    }).catch(function (e) { status(e.message, true); });
  });

  // ---- suggestion, side by side ----
  var suggestMap = null;
  $("suggest").addEventListener("click", function () {
    if (!state.boundary) { status(msg("js_draw_first"), true); return; }
    status(msg("js_suggesting"));
    api.request("POST", "/towns/" + state.town + "/sketch/suggestion", feature()).then(function (doc) {
      status("");
      state.suggestion = doc;
      $("suggestion").hidden = false;
      if (!suggestMap) { suggestMap = L.map("suggest-map", { attributionControl: false, zoomControl: false }); }
      suggestMap.eachLayer(function (l) { suggestMap.removeLayer(l); });
      if (snapLayers.roads) { L.geoJSON(snapLayers.roads.toGeoJSON(), { style: SNAP_STYLES.roads, interactive: false }).addTo(suggestMap); }
      L.geoJSON(doc.original, { style: { color: "#57606a", weight: 2, dashArray: "5 5", fill: false } }).addTo(suggestMap);
      L.geoJSON(doc.added, { style: { color: "#0969da", weight: 1, fillOpacity: 0.4 } }).addTo(suggestMap);
      L.geoJSON(doc.removed, { style: { color: "#cf222e", weight: 1, fillOpacity: 0.4 } }).addTo(suggestMap);
      var suggested = L.geoJSON(doc.suggested, { style: { color: "#1a7f37", weight: 3, fill: false } }).addTo(suggestMap);
      suggestMap.invalidateSize();
      suggestMap.fitBounds(suggested.getBounds(), { padding: [10, 10] });
      map.invalidateSize();
      var passes = Object.keys(doc.passes).map(function (r) { return r + (doc.passes[r] ? " ✓" : " ✗"); }).join(" ");
      $("suggestion-summary").textContent = msg("js_suggestion_summary", {
        iou: api.number(doc.overlap_iou * 100, 1), area: api.number(doc.area_m2 / 10000, 2),
        added: api.number(doc.added_m2 / 10000, 2), removed: api.number(doc.removed_m2 / 10000, 2), passes: passes });
    }).catch(function (e) { status(e.message, true); });
  });
  $("accept-suggestion").addEventListener("click", function () {
    if (!state.suggestion) { return; }
    setBoundary(state.suggestion.suggested, { validate: false });
    $("suggestion").hidden = true;
    map.invalidateSize();
    validateNow();
  });
  $("close-suggestion").addEventListener("click", function () { $("suggestion").hidden = true; map.invalidateSize(); });

  // ---- save, If-Match, conflict ----
  function body() {
    return { type: "Feature", geometry: boundaryGeometry(), town_id: state.town,
             reason: $("reason").value,
             properties: { name: $("name").value, type: $("type").value, reason: $("reason").value } };
  }
  function save(etag) {
    if (!state.boundary) { status(msg("js_draw_first"), true); return Promise.resolve(null); }
    if (!$("name").value.trim()) { status(msg("js_name_needed"), true); $("name").focus(); return Promise.resolve(null); }
    status(msg("js_saving"));
    if (!state.proposal) {
      return api.request("POST", "/proposals", body(), { withHeaders: true }).then(function (r) {
        location.href = "/workspace/proposals/" + r.body.id;
      }).catch(function (e) { status(e.message, true); });
    }
    return api.request("PUT", "/proposals/" + state.proposal, body(),
                       { withHeaders: true, headers: { "If-Match": etag || state.etag } })
      .then(function (r) {
        loaded(r.body, r.headers.get("ETag"));
        $("conflict").hidden = true;
        status(msg("js_saved", { version: r.body.properties.version }));
        return loadAfterSave();
      }).catch(function (e) {
        if (e.status === 412) { return conflict(); }
        status(e.message, true);
      });
  }
  function conflict() {
    status("");
    return api.request("GET", "/proposals/" + state.proposal, undefined, { withHeaders: true }).then(function (r) {
      state.theirs = { feature: r.body, etag: r.headers.get("ETag") };
      $("conflict-text").textContent = msg("js_conflict", {
        author: r.body.properties.author || "?", version: r.body.properties.version });
      $("conflict").hidden = false;
    });
  }
  $("save").addEventListener("click", function () { save(); });
  $("show-theirs").addEventListener("click", function () {
    if (!state.theirs) { return; }
    theirsLayer.clearLayers();
    var shape = L.geoJSON(state.theirs.feature, { pmIgnore: true, snapIgnore: true,
      style: { color: "#bc4c00", weight: 3, dashArray: "8 6", fill: false } });
    shape.bindTooltip(msg("js_their_version", { version: state.theirs.feature.properties.version,
                                                 name: state.theirs.feature.properties.name }));
    theirsLayer.addLayer(shape);
    map.fitBounds(shape.getBounds(), { padding: [30, 30] });
  });
  $("save-anyway").addEventListener("click", function () {
    if (state.theirs) { save(state.theirs.etag); }
  });

  // ---- a saved proposal: history, runs, workflow, package ----
  function loaded(f, etag) {
    state.version = f.properties.version;
    state.etag = etag;
    state.town = f.properties.town_id;
    $("proposal-title").textContent = f.properties.name + " · v" + f.properties.version;
  }
  function loadAfterSave() {
    $("after-save").hidden = false;
    return Promise.all([loadWorkflow(), loadVersions()]);
  }
  function loadWorkflow() {
    return api.request("GET", "/proposals/" + state.proposal + "/events").then(function (doc) {
      $("state").textContent = msg("js_state", { state: doc.state_label });
      $("state").dataset.state = doc.state;
      var box = $("actions");
      box.textContent = "";
      var facts = $("facts");
      facts.textContent = "";
      doc.next_actions.filter(function (a) { return a.roles.indexOf(state.user.role) >= 0; }).forEach(function (a) {
        (FACTS[a.action] || []).forEach(function (name) {
          if (document.getElementById("fact-" + name)) { return; }
          var label = document.createElement("label");
          label.htmlFor = "fact-" + name;
          label.textContent = msg("js_fact_" + name);
          var input = document.createElement("input");
          input.id = "fact-" + name;
          input.type = /_on$/.test(name) ? "date" : "text";
          facts.appendChild(label);
          facts.appendChild(input);
        });
        var b = document.createElement("button");
        b.type = "button";
        b.dataset.action = a.action;
        b.textContent = msg("js_action_" + a.action);
        b.addEventListener("click", function () { takeStep(a.action); });
        box.appendChild(b);
      });
    });
  }
  // the facts a step records beside its reason (api.services.step_guards.FACTS)
  var FACTS = {
    committee_review: ["convened_by", "meeting_on", "minutes"],
    approval: ["approval_number", "approved_on"],
    registration: ["decision_number", "certificate_number", "credit_code", "registered_on"]
  };
  function takeStep(action) {
    var reason = $("step-reason").value.trim();
    if (!reason) { status(msg("js_reason_needed"), true); $("step-reason").focus(); return null; }
    var payload = { action: action, reason: reason };
    (FACTS[action] || []).forEach(function (name) {
      var value = $("fact-" + name).value.trim();
      if (value) { payload[name] = value; }
    });
    if (action === "application" && !$("confirm-errors").checked) {
      // the stored version's own validation (what the service judges the application by)
      var base = "/proposals/" + state.proposal + "/versions/" + state.version;
      return api.request("POST", base + "/validation").then(function (report) {
        var rules = [];
        report.findings.forEach(function (f) {
          if (f.severity === "error" && rules.indexOf(f.rule) < 0) { rules.push(f.rule); }
        });
        if (rules.length) {
          $("confirm-text").textContent = msg("js_confirm_needed", { rules: rules.join(", ") });
          $("confirm-box").hidden = false;
          $("confirm-errors").focus();
          return null;
        }
        return send(action, payload);
      }).catch(function (e) { status(e.message, true); });
    }
    if (action === "application") { payload.confirm_errors = true; }
    return send(action, payload);
  }
  function send(action, payload) {
    return api.request("POST", "/proposals/" + state.proposal + "/events", payload)
      .then(function () {
        $("confirm-box").hidden = true;
        $("confirm-errors").checked = false;
        status(msg("js_action_done"));
        return loadWorkflow();
      }).catch(function (e) {
        if (e.problem && e.problem.code === "errors_unconfirmed") {
          $("confirm-text").textContent = e.message;
          $("confirm-box").hidden = false;
        }
        status(e.message, true);
      });
  }
  function loadVersions() {
    return api.request("GET", "/proposals/" + state.proposal + "/versions").then(function (fc) {
      var list = $("versions");
      list.textContent = "";
      fc.features.forEach(function (f) {
        var p = f.properties;
        var li = document.createElement("li");
        li.textContent = "v" + p.version + " · " + (p.author || "") + " · " + (p.created_at || "").slice(0, 16).replace("T", " ") + " · " + api.number(p.area_m2 / 10000, 2) + " ha ";
        if (p.version !== state.version) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = msg("js_compare");
          b.addEventListener("click", function () { compare(p.version); });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
    });
  }
  function compare(version) {
    return api.request("GET", "/proposals/" + state.proposal + "/diff?from=" + version + "&to=" + state.version).then(function (fc) {
      historyLayer.clearLayers();
      var colours = { added: "#1a7f37", removed: "#cf222e" };
      var shapes = L.geoJSON(fc, { pmIgnore: true, snapIgnore: true, style: function (f) {
        return { color: colours[f.properties.change] || "#57606a", weight: 1, fillOpacity: 0.5 };
      }, onEachFeature: function (f, l) {
        l.bindTooltip(msg("js_change_" + f.properties.change, { area: api.number(f.properties.area_m2 / 10000, 2), version: version }));
      } });
      historyLayer.addLayer(shapes);
      status(msg("js_comparing", { from: version, to: state.version }));
      if (shapes.getBounds().isValid()) { map.fitBounds(shapes.getBounds(), { padding: [30, 30] }); }
    });
  }
  function runAndShow(kind, mapKind, title) {
    var base = "/proposals/" + state.proposal + "/versions/" + state.version;
    status(msg("js_running"));
    return api.request("POST", base + "/" + kind).then(function () {
      return api.request("GET", base + "/map?kind=" + mapKind, undefined, { raw: true });
    }).then(function (r) { return r.text(); }).then(function (html) {
      status("");
      $("run-title").textContent = title;
      $("run-frame").srcdoc = html;
      $("run-dialog").showModal();
    }).catch(function (e) { status(e.message, true); });
  }
  $("run-grids").addEventListener("click", function () { runAndShow("grids", "grid", msg("js_grids_map")); });
  $("run-facility").addEventListener("click", function () { runAndShow("facility", "facility", msg("js_facility_map")); });
  $("download-package").addEventListener("click", function () {
    var base = "/proposals/" + state.proposal + "/versions/" + state.version + "/package";
    status(msg("js_running"));
    api.request("POST", base).then(function () {
      return api.request("GET", base, undefined, { raw: true });
    }).then(function (r) { return r.blob(); }).then(function (blob) {
      status("");
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "proposal" + state.proposal + "_v" + state.version + "_package.zip";
      document.body.appendChild(a);
      a.click();
      a.remove();
    }).catch(function (e) { status(e.message, true); });
  });

  $("name").addEventListener("input", schedule);
  $("type").addEventListener("change", schedule);

  // ---- start ----
  // a role that does not edit proposals sees the boundary and takes its workflow steps only
  function readOnly() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-editors-only]"), function (el) { el.hidden = true; });
    ["name", "type", "reason"].forEach(function (id) { $(id).disabled = true; });
    $("summary").textContent = msg("js_read_only");
  }

  var start = api.me().then(function (user) {
    state.user = user;
    state.canEdit = (data.editors || []).indexOf(user.role) >= 0;
    if (!state.canEdit) { readOnly(); }
    $("who").textContent = msg("js_signed_in_as", { user: user.display_name || user.username });
    if (!state.proposal) { return null; }
    return api.request("GET", "/proposals/" + state.proposal, undefined, { withHeaders: true }).then(function (r) {
      loaded(r.body, r.headers.get("ETag"));
      $("name").value = r.body.properties.name;
      $("type").value = r.body.properties.type;
      return r.body;
    });
  }).then(function (f) {
    return loadSnapLayers().then(function () {
      if (f) {
        setBoundary(f.geometry, { fit: true });
        return loadAfterSave();
      }
      var town = snapLayers.neighbours && snapLayers.neighbours.getBounds();
      if (town && town.isValid()) { map.fitBounds(town); }
      return null;
    });
  }).catch(function (e) { if (e.status !== 401) { status(e.message, true); } });

  window.sijieWorkspace = {
    map: map, state: state, ready: start, snapLayers: snapLayers, findings: findingsLayer, history: historyLayer,
    boundary: boundaryGeometry, validateNow: validateNow, save: save, compose: composeNow
  };
}());
