// The field page of one proposal (/field/proposals/{id}): the map with the proposal's
// boundary, validation findings, survey findings and what waits in the outbox, with the
// controls of every sijie map (locate me among them); a finding at my position, at a tapped
// point or drawn as a line or area, with a note and a camera photo, put in the outbox
// (field-queue.js) and sent when there is a connection; the department's opinion, through
// the same outbox.
(function () {
  "use strict";
  var api = window.sijieApi;
  var msg = api.msg;
  var field = window.sijieField;
  var outbox = field.outbox;
  var data = field.data;
  var state = Object.assign(field.state, { sheet: null, draft: null, mode: null, fromCache: false,
                                           photoUrls: [], fitted: false });
  var $ = field.$;
  var el = field.el;
  var status = field.status;
  var when = field.when;
  var kindOf = field.kindOf;
  var SEVERITY_CLASS = { error: "fail", warning: "warn", info: "muted" };
  var SURVEY_STYLE = { color: "#7b1fa2", weight: 3, fillOpacity: 0.15 };
  var DRAFT_STYLE = { color: "#e65100", weight: 3, dashArray: "6 4", fillOpacity: 0.1 };
  var QUEUED_STYLE = { color: "#546e7a", weight: 3, dashArray: "2 6", fillOpacity: 0.1 };
  var PHOTO_MAX_DIM = 2048;
  var PLACE_WORDS = { point: "js_field_place_point", line: "js_field_place_line",
                      area: "js_field_place_area" };

  function geoLayer(geojson, style, popup) {
    return L.geoJSON(geojson, {
      style: function () { return style; },
      pointToLayer: function (f, at) {
        return L.circleMarker(at, { radius: 8, color: style.color, weight: 2, fillColor: style.color,
                                    fillOpacity: 0.6 });
      },
      onEachFeature: function (f, layer) { if (popup) { layer.bindPopup(function () { return popup(f); }); } }
    });
  }

  function popupNode(title, lines) {
    var box = el("div", "field-popup");
    box.appendChild(el("strong", null, title));
    lines.forEach(function (line) { if (line) { box.appendChild(el("div", null, line)); } });
    return box;
  }

  function makeMap() {
    var map = L.map("map", { attributionControl: false, zoomControl: true });
    map.setView([35, 105], 4);  // China, until the proposal is drawn and framed
    map.pm.setLang(api.lang === "en" ? "en" : "zh");
    state.map = map;
    field.map = map;
    state.layers = {
      town: L.featureGroup().addTo(map),
      boundary: L.featureGroup().addTo(map),
      validation: L.featureGroup().addTo(map),
      survey: L.featureGroup().addTo(map),
      queued: L.featureGroup().addTo(map),
      draft: L.featureGroup().addTo(map)
    };
    // the controls of every sijie map: base maps, measuring, locate me (the blue dot), scale
    field.controls = sijie.controls(map, data.controls);
    map.on("click", function (e) {
      if (state.mode !== "tap") { return; }
      setMode(null);
      var at = asWgs84(e.latlng);
      chooseDraft({ type: "Point", coordinates: [at.lng, at.lat] });
    });
    map.on("pm:create", function (e) {
      setMode(null);
      var geometry = wgs84Geometry(e.layer.toGeoJSON(false).geometry);
      map.removeLayer(e.layer);
      chooseDraft(geometry);
    });
  }

  // a place drawn or tapped over a GCJ-02 base map (AMap) is stored in WGS 84 like the rest
  function asWgs84(latlng) {
    return field.controls.datum === "gcj02" ? sijie.gcj02.toWgs(latlng) : latlng;
  }

  function wgs84Geometry(geometry) {
    if (field.controls.datum !== "gcj02") { return geometry; }
    function walk(c) {
      if (typeof c[0] === "number") { var w = asWgs84(L.latLng(c[1], c[0])); return [w.lng, w.lat]; }
      return c.map(walk);
    }
    return { type: geometry.type, coordinates: walk(geometry.coordinates) };
  }

  // my position: the map's own locate (its control draws the blue dot and accuracy circle)
  function locateOnce() {
    var map = state.map;
    return new Promise(function (resolve, reject) {
      function found(e) { off(); resolve({ lat: e.latlng.lat, lng: e.latlng.lng, accuracy: e.accuracy }); }
      function failed(e) { off(); reject(e); }
      function off() { map.off("locationfound", found); map.off("locationerror", failed); }
      map.on("locationfound", found);
      map.on("locationerror", failed);
      map.locate({ setView: true, maxZoom: 17, enableHighAccuracy: true, timeout: 15000 });
    });
  }

  function drawTown(townId) {
    var styles = { neighbours: { color: "#8d6e63", weight: 1, fill: false },
                   water: { color: "#4a90d9", weight: 2, fillOpacity: 0.3 },
                   roads: { color: "#9e9e9e", weight: 1.5 } };
    return Promise.all(field.TOWN_LAYERS.map(function (name) {
      return field.townLayer(townId, name).then(function (fc) {
        L.geoJSON(fc, { style: function () { return styles[name]; }, interactive: false })
          .addTo(state.layers.town);
      }).catch(function () { return null; });  // the background is a help, not a need
    }));
  }

  function drawQueued(items) {
    if (!state.layers) { return; }  // the outbox is shown before the map is made
    state.layers.queued.clearLayers();
    items.filter(function (item) { return item.proposal === data.proposal && item.geometry; }).forEach(function (item) {
      geoLayer({ type: "Feature", geometry: item.geometry, properties: {} }, QUEUED_STYLE,
               function () { return popupNode(msg("js_field_waiting"), [item.note]); })
        .addTo(state.layers.queued);
    });
  }

  function listItem(list, layer, className, title, lines) {
    var li = el("li", "field-item " + (className || ""));
    var button = el("button", "link field-item-title", title);
    button.type = "button";
    button.addEventListener("click", function () {
      var bounds = layer.getBounds ? layer.getBounds() : null;
      if (bounds && bounds.isValid()) { state.map.fitBounds(bounds, { maxZoom: 17, animate: false }); }
      var first = layer.getLayers ? layer.getLayers()[0] : layer;
      if (first && first.openPopup) { first.openPopup(); }
      $("map").scrollIntoView({ block: "nearest" });
    });
    li.appendChild(button);
    lines.forEach(function (line) { if (line) { li.appendChild(el("div", null, line)); } });
    list.appendChild(li);
    return li;
  }

  function showPhoto(li, url, note) {
    api.request("GET", url, undefined, { raw: true, noRedirect: true }).then(function (r) {
      return r.blob();
    }).then(function (blob) {
      var src = URL.createObjectURL(blob);
      state.photoUrls.push(src);
      var img = el("img", "field-photo");
      img.alt = msg("js_field_photo_alt", { note: note });
      img.src = src;
      li.appendChild(img);
    }).catch(function () { li.appendChild(el("div", "muted", msg("js_field_photo_missing"))); });
  }

  function renderSheet(sheet) {
    var props = sheet.proposal.properties;
    $("title").textContent = props.name;
    $("state").textContent = sheet.state_label + " · " + msg("js_field_version", { version: props.version })
      + (state.fromCache ? " · " + msg("js_field_from_cache") : "");
    $("department").textContent = sheet.rights.department || "—";
    var L_ = state.layers;
    Object.keys(L_).forEach(function (k) { if (k !== "town" && k !== "queued" && k !== "draft") { L_[k].clearLayers(); } });
    state.photoUrls.forEach(function (u) { URL.revokeObjectURL(u); });
    state.photoUrls = [];
    var boundary = L.geoJSON(sheet.proposal, { style: function () {
      return { color: "#0b5cad", weight: 3, fillOpacity: 0.06 }; }, interactive: false }).addTo(L_.boundary);
    if (!state.fitted) {
      state.map.fitBounds(boundary.getBounds(), { padding: [10, 10], animate: false });
      state.fitted = true;
    }
    // validation findings
    var vlist = $("validation-list");
    vlist.textContent = "";
    var vfeatures = sheet.validation.features;
    $("validation-summary").textContent = vfeatures.length ? msg("js_field_validation_count", { count: vfeatures.length })
      : msg("js_field_validation_ok");
    vfeatures.forEach(function (f) {
      var p = f.properties;
      var color = p.severity === "error" ? "#c62828" : p.severity === "warning" ? "#ef6c00" : "#607d8b";
      var layer = f.geometry ? geoLayer(f, { color: color, weight: 4, fillOpacity: 0.2 }, function () {
        return popupNode(p.rule + " · " + p.message, [p.clause]);
      }).addTo(L_.validation) : L.featureGroup();
      var li = listItem(vlist, layer, SEVERITY_CLASS[p.severity], p.rule + " · " + p.message, [p.clause]);
      li.dataset.rule = p.rule;
      li.dataset.severity = p.severity;
    });
    // survey findings
    var slist = $("survey-list");
    slist.textContent = "";
    if (!sheet.survey_findings.features.length) { slist.appendChild(el("li", "muted", msg("js_field_no_findings"))); }
    sheet.survey_findings.features.forEach(function (f) {
      var p = f.properties;
      var byline = [p.department, p.author, when(p.created_at), msg("js_field_version", { version: p.version })]
        .filter(Boolean).join(" · ");
      var layer = geoLayer(f, SURVEY_STYLE, function () { return popupNode(p.note, [byline]); }).addTo(L_.survey);
      var li = listItem(slist, layer, "survey", p.note, [byline]);
      li.dataset.id = f.id;
      if (p.photo) { showPhoto(li, p.photo, p.note); }
    });
    renderRights(sheet);
    renderOpinions(sheet);
  }

  function renderRights(sheet) {
    var closed = !sheet.rights.can_record;
    $("add-modes").hidden = closed;
    $("add-closed").hidden = !closed;
    $("add-closed").textContent = closed ? msg("js_field_survey_closed") : "";
    if (closed) { cancelDraft(); }
  }

  function renderOpinions(sheet) {
    var list = $("opinion-list");
    list.textContent = "";
    sheet.opinions.forEach(function (o) {
      var li = el("li", "field-item");
      li.appendChild(el("div", "field-item-title", o.department + " · " + (sheet.verdicts[o.verdict] || o.verdict)));
      li.appendChild(el("div", null, o.text));
      o.conditions.forEach(function (c) { li.appendChild(el("div", "muted", "· " + c.text)); });
      li.appendChild(el("div", "muted", [o.author, when(o.created_at), msg("js_field_version", { version: o.version })].join(" · ")));
      list.appendChild(li);
    });
    var form = $("opinion-form");
    var closed = $("opinion-closed");
    form.hidden = !sheet.rights.can_opine;
    closed.hidden = sheet.rights.can_opine;
    closed.textContent = sheet.rights.can_opine ? "" : msg(sheet.rights.roster_entry || !sheet.rights.department
      ? "js_field_opinion_closed" : "js_field_not_on_roster");
    var box = $("verdicts");
    if (!box.childElementCount) {
      Object.keys(sheet.verdicts).forEach(function (verdict, i) {
        var label = el("label", "radio");
        var input = el("input");
        input.type = "radio";
        input.name = "verdict";
        input.value = verdict;
        input.checked = i === 0;
        input.addEventListener("change", function () { $("conditions-box").hidden = verdict !== "agree_with_conditions"; });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + sheet.verdicts[verdict]));
        box.appendChild(label);
      });
    }
  }

  function loadSheet() {
    return api.request("GET", "/survey/proposals/" + data.proposal, undefined, { withHeaders: true })
      .then(function (answer) {
        state.fromCache = !navigator.onLine;
        state.sheet = answer.body;
        renderSheet(answer.body);
        return answer.body;
      });
  }

  // ---- adding a finding ----
  function setMode(mode) {
    state.mode = mode;
    ["tap", "draw-line", "draw-area"].forEach(function (id) {
      $(id).setAttribute("aria-pressed", String(mode === id));
    });
    state.map.pm.disableDraw();
    // drawn where the finger goes: no snapping to the roads and villages underneath
    var drawing = { templineStyle: DRAFT_STYLE, snappable: false };
    if (mode === "draw-line") { state.map.pm.enableDraw("Line", drawing); }
    if (mode === "draw-area") { state.map.pm.enableDraw("Polygon", drawing); }
    if (mode === "tap") { status(msg("js_field_tap_hint")); }
    if (mode === "draw-line" || mode === "draw-area") { status(msg("js_field_draw_hint")); }
  }

  function cancelDraft() {
    state.draft = null;
    state.layers.draft.clearLayers();
    $("finding-form").hidden = true;
    if (state.mode) { setMode(null); }
  }

  function chooseDraft(geometry) {
    state.draft = geometry;
    state.layers.draft.clearLayers();
    geoLayer({ type: "Feature", geometry: geometry, properties: {} }, DRAFT_STYLE).addTo(state.layers.draft);
    $("place").textContent = msg(PLACE_WORDS[kindOf(geometry)]);
    $("finding-form").hidden = false;
    status("");
    $("note").focus({ preventScroll: true });
    $("finding-form").scrollIntoView({ block: "nearest" });
  }

  function atMe() {
    status(msg("js_field_locating"));
    return locateOnce().then(function (fix) {
      status(msg("js_field_located", { accuracy: Math.round(fix.accuracy || 0) }));
      chooseDraft({ type: "Point", coordinates: [fix.lng, fix.lat] });
    }).catch(function (error) {
      status(msg("js_field_locate_failed", { reason: error.message || error.code }), true);
    });
  }

  // a camera photo within the service's limit, as JPEG or PNG: larger ones, or other formats,
  // are drawn again as JPEG at most PHOTO_MAX_DIM pixels across
  function preparePhoto(file) {
    var limit = (state.sheet ? state.sheet.photo_max_mb : 10) * 1024 * 1024;
    if (!file) { return Promise.resolve(null); }
    if ((file.type === "image/jpeg" || file.type === "image/png") && file.size <= limit) {
      return Promise.resolve({ blob: file, name: file.name || "photo.jpg" });
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_MAX_DIM / Math.max(bitmap.width, bitmap.height));
      function encode(s, quality) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * s));
        canvas.height = Math.max(1, Math.round(bitmap.height * s));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); })
          .then(function (blob) {
            if (blob && blob.size > limit && s > 0.1) { return encode(s * 0.7, 0.8); }
            return blob;
          });
      }
      return encode(scale, 0.85);
    }).then(function (blob) {
      if (!blob) { throw new Error("photo"); }
      return { blob: blob, name: "photo.jpg" };
    });
  }

  function saveFinding(event) {
    event.preventDefault();
    var note = $("note").value.trim();
    if (!state.draft) { status(msg("js_field_place_needed"), true); return; }
    if (!note) { status(msg("js_field_note_needed"), true); return; }
    var button = $("save-finding");
    button.disabled = true;
    preparePhoto($("photo").files[0]).then(function (photo) {
      return outbox.add({
        user: state.user.username, proposal: data.proposal, version: state.sheet.proposal.properties.version,
        name: state.sheet.proposal.properties.name, geometry: state.draft, note: note,
        photo: photo ? photo.blob : null, photoName: photo ? photo.name : null
      });
    }).then(function () {
      $("note").value = "";
      $("photo").value = "";
      cancelDraft();
      status(msg(navigator.onLine ? "js_field_sending" : "js_field_saved_offline"));
      return field.send();
    }).catch(function () {
      status(msg("js_field_photo_unreadable"), true);
    }).then(function () { button.disabled = false; });
  }

  // the opinion goes through the outbox like a finding: kept on the phone under its key, sent
  // now with a connection or when it returns, after this user's findings
  function submitOpinion(event) {
    event.preventDefault();
    var verdict = (document.querySelector("input[name=verdict]:checked") || {}).value;
    var conditions = verdict === "agree_with_conditions"
      ? $("conditions").value.split("\n").map(function (c) { return c.trim(); }).filter(Boolean) : [];
    var button = $("submit-opinion");
    button.disabled = true;
    outbox.add({
      kind: "opinion", user: state.user.username, proposal: data.proposal,
      name: state.sheet.proposal.properties.name, verdict: verdict,
      verdictLabel: state.sheet.verdicts[verdict] || verdict,
      text: $("opinion-text").value.trim(), conditions: conditions
    }).then(function () {
      $("opinion-text").value = "";
      $("conditions").value = "";
      status(msg(navigator.onLine ? "js_field_sending" : "js_field_saved_offline"));
      return field.send();
    }).then(function (result) {
      if (result && result.sent && !result.refused) { status(msg("js_field_opinion_sent")); }
    }).catch(function (e) { status(e && e.message || String(e), true); })
      .then(function () { button.disabled = false; });
  }

  function wireProposal() {
    $("at-me").addEventListener("click", atMe);
    $("tap").addEventListener("click", function () { setMode(state.mode === "tap" ? null : "tap"); });
    $("draw-line").addEventListener("click", function () { setMode(state.mode === "draw-line" ? null : "draw-line"); });
    $("draw-area").addEventListener("click", function () { setMode(state.mode === "draw-area" ? null : "draw-area"); });
    $("cancel-finding").addEventListener("click", cancelDraft);
    $("finding-form").addEventListener("submit", saveFinding);
    $("opinion-form").addEventListener("submit", submitOpinion);
  }

  function openProposal() {
    makeMap();
    wireProposal();
    return loadSheet().then(function (sheet) {
      return drawTown(sheet.proposal.properties.town_id);
    }).catch(function (e) {
      status(e && e.status ? e.message : msg("js_field_no_data"), true);
    }).then(function () { return outbox.all().then(field.renderOutbox); });
  }

  Object.assign(field, { openProposal: openProposal, loadSheet: loadSheet, drawQueued: drawQueued });
}());
