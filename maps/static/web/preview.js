// The map preview of OGC API items: the features of the page on a plain background
// (no tiles: the service works without internet).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("features").textContent);
  var map = L.map("map", { attributionControl: false });
  var layer = L.geoJSON(data, {
    style: function () { return { color: "#0b5cad", weight: 2, fillOpacity: 0.15 }; },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 5 }); },
    onEachFeature: function (f, l) {
      if (f.id !== undefined) { l.bindTooltip(String((f.properties && f.properties.name) || f.id)); }
    }
  }).addTo(map);
  sijie.pageControls(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); } else { map.setView([30, 121], 10); }
  window.sijiePreview = { map: map, layer: layer };
}());
