// The town dashboard: every community on the map coloured by its workflow state, and a table
// with name, state, class, employees, area and last change.
(function () {
  "use strict";
  var api = window.sijieApi;
  var COLOURS = {
    draft: "#6e7781", applied: "#0969da", initially_reviewed: "#8250df", surveyed: "#bf8700",
    jointly_reviewed: "#d4a72c", approved: "#1a7f37", registered: "#116329",
    committee_pending: "#a475f9", rejected: "#cf222e", postponed: "#bc4c00", withdrawn: "#afb8c1"
  };
  var map = L.map("dashboard-map", { attributionControl: false, preferCanvas: true });
  map.setView([29.95, 121.6], 13);
  sijie.pageControls(map);
  var town = api.pageData().town;
  window.sijieDashboard = { map: map, ready: false };

  function row(p, states) {
    var tr = document.createElement("tr");
    var link = document.createElement("a");
    link.href = "/workspace/proposals/" + p.id;
    link.textContent = p.name;
    var cells = [link, states[p.state] || p.state, p["class"] || "—", api.number(p.employees),
                 api.number(p.area_m2 / 10000, 2) + " ha", (p.changed_at || "").slice(0, 16).replace("T", " ")];
    cells.forEach(function (value, i) {
      var td = document.createElement("td");
      if (i === 3 || i === 4) { td.className = "num"; }
      if (value instanceof Node) { td.appendChild(value); } else { td.textContent = value; }
      tr.appendChild(td);
    });
    tr.dataset.state = p.state;
    return tr;
  }

  api.me().then(function (user) {
    document.getElementById("who").textContent = api.msg("js_signed_in_as", { user: user.display_name || user.username });
    return Promise.all([
      api.request("GET", "/towns/" + town + "/dashboard"),
      api.request("GET", "/towns/" + town + "/layers/neighbours")
    ]);
  }).then(function (results) {
    var doc = results[0];
    L.geoJSON(results[1], { style: { color: "#8c959f", weight: 1, fill: false }, interactive: false }).addTo(map);
    var features = doc.proposals.map(function (p) {
      return { type: "Feature", id: p.id, geometry: p.geometry, properties: p };
    });
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        var c = COLOURS[f.properties.state] || "#57606a";
        return { color: c, weight: 2, fillColor: c, fillOpacity: 0.35 };
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(f.properties.name + " · " + (doc.states[f.properties.state] || f.properties.state));
        l.on("click", function () { location.href = "/workspace/proposals/" + f.id; });
      }
    }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [20, 20] }); }
    var body = document.querySelector("#proposals tbody");
    doc.proposals.forEach(function (p) { body.appendChild(row(p, doc.states)); });
    var legend = document.getElementById("legend");
    Object.keys(doc.states).forEach(function (state) {
      var item = document.createElement("span");
      item.className = "legend-item";
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLOURS[state];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(doc.states[state]));
      legend.appendChild(item);
    });
    window.sijieDashboard = { map: map, layer: layer, proposals: doc.proposals, ready: true, grids: null };
    // the grids after the communities: the table and the map are usable meanwhile
    return api.request("GET", "/towns/" + town + "/dashboard/grids").then(function (fc) {
      var grids = L.geoJSON(fc, { style: { color: "#24292f", weight: 0.6, fill: false }, interactive: false });
      grids.addTo(map);
      window.sijieDashboard.grids = grids;
    });
  }).catch(function (e) {
    if (e.status !== 401) { document.getElementById("legend").textContent = e.message; }
  });
  document.getElementById("logout").addEventListener("click", api.signOut);
}());
