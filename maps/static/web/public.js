// The public briefing map: the town, its approved communities with grids and service centres,
// villages, roads and rivers with their names; every control of sijie's maps. The data is the
// page's own (#briefing), drawn with sijie.js, so nothing else is fetched.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("briefing").textContent);
  var map = L.map("map", { maxZoom: 19, zoomSnap: 0.25 });
  sijie.map = map;
  map.attributionControl.setPrefix(false);
  map.fitBounds(data.bounds, { animate: false, padding: [12, 12] });
  data.layers.forEach(function (spec) {
    var layer = spec.kind === "places" ? sijie.places(map, spec) : sijie.geojson(map, spec);
    layer.addTo(map);
  });
  sijie.legend(map, data.legend);
  if (L.control.fullscreen) {
    L.control.fullscreen({ position: "topleft", title: data.fullscreen.title,
                           titleCancel: data.fullscreen.titleCancel }).addTo(map);
  }
  sijie.controls(map, data.controls);
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  window.sijieBriefing = { map: map, data: data, ready: true };
}());
