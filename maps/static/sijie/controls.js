/* sijie map controls for any Leaflet map: base-map switcher (with the GCJ-02 shift of AMap),
 * measuring distance and area, locate me, a metric scale bar, a north arrow, collapsible
 * panels on narrow screens and printing.
 *
 *   sijie.controls(map, spec)
 *
 * spec: {texts: {...}, basemap: 'plain', datum: 'wgs84' | 'gcj02' (of the drawn data),
 *        basemaps: [{id, name, gcj02, tiles: [{url, subdomains, maxZoom}] | null, missing}],
 *        overlays: [layer ids of sijie.layers to list], measure, locate, scale, north: true}
 *
 * Nothing here loads anything until the user picks a base map with tiles; tiles that cannot
 * load (no network) are reported once in the switcher, quietly. Every text comes from spec.texts
 * and reaches the page through textContent.
 */
(function () {
  'use strict';

  var sijie = (window.sijie = window.sijie || {});

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* ---------- GCJ-02, as geo/crs/gcj02.py computes it ---------- */
  var GCJ_A = 6378245.0, GCJ_EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function gcjOffset(lng, lat) {
    var x = lng - 105.0, y = lat - 35.0, PI = Math.PI;
    var common = 20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI);
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += common * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLng += common * 2.0 / 3.0;
    dLng += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dLng += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * PI;
    var magic = 1.0 - GCJ_EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = dLat * 180.0 / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtMagic) * PI);
    dLng = dLng * 180.0 / (GCJ_A / sqrtMagic * Math.cos(radLat) * PI);
    if (outOfChina(lng, lat)) return [0, 0];
    return [dLng, dLat];
  }

  sijie.gcj02 = {
    /* WGS 84 / CGCS2000 -> GCJ-02 (a Leaflet LatLng in, a LatLng out) */
    fromWgs: function (ll) {
      var d = gcjOffset(ll.lng, ll.lat);
      return L.latLng(ll.lat + d[1], ll.lng + d[0]);
    },
    /* GCJ-02 -> WGS 84, iterated to within a millimetre */
    toWgs: function (ll) {
      var lng = ll.lng, lat = ll.lat;
      for (var i = 0; i < 30; i++) {
        var d = gcjOffset(lng, lat);
        var eLng = ll.lng - (lng + d[0]), eLat = ll.lat - (lat + d[1]);
        lng += eLng; lat += eLat;
        if (111320 * Math.sqrt(Math.pow(eLng * Math.cos(ll.lat * Math.PI / 180), 2) +
                               eLat * eLat) < 0.001) break;
      }
      return outOfChina(ll.lng, ll.lat) ? L.latLng(ll.lat, ll.lng) : L.latLng(lat, lng);
    }
  };

  /* ---------- lengths and areas on the ellipsoid (CGCS2000 = GRS 80 ≈ WGS 84) ---------- */
  var ELL_A = 6378137.0, ELL_F = 1 / 298.257222101, ELL_E2 = ELL_F * (2 - ELL_F);
  var RAD = Math.PI / 180;

  /* Vincenty's inverse formula: metres between two LatLngs along the ellipsoid. */
  function distance(p, q) {
    var b = ELL_A * (1 - ELL_F);
    var L1 = (q.lng - p.lng) * RAD;
    var U1 = Math.atan((1 - ELL_F) * Math.tan(p.lat * RAD));
    var U2 = Math.atan((1 - ELL_F) * Math.tan(q.lat * RAD));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L1, lambdaP, iter = 100, sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM;
    do {
      var sinLambda = Math.sin(lambda), cosLambda = Math.cos(lambda);
      sinSigma = Math.sqrt(Math.pow(cosU2 * sinLambda, 2) +
                           Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosLambda, 2));
      if (sinSigma === 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
      sigma = Math.atan2(sinSigma, cosSigma);
      var sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
      cosSqAlpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cosSqAlpha ? cosSigma - 2 * sinU1 * sinU2 / cosSqAlpha : 0;
      var C = ELL_F / 16 * cosSqAlpha * (4 + ELL_F * (4 - 3 * cosSqAlpha));
      lambdaP = lambda;
      lambda = L1 + (1 - C) * ELL_F * sinAlpha *
        (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    } while (Math.abs(lambda - lambdaP) > 1e-12 && --iter > 0);
    var uSq = cosSqAlpha * (ELL_A * ELL_A - b * b) / (b * b);
    var A = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
    var B = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
    var deltaSigma = B * sinSigma * (cos2SigmaM + B / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
      B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return b * A * (sigma - deltaSigma);
  }

  /* The meridian arc from the equator to latitude phi (radians), in metres. */
  function meridianArc(phi) {
    var e2 = ELL_E2, e4 = e2 * e2, e6 = e4 * e2;
    return ELL_A * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi -
                    (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * Math.sin(2 * phi) +
                    (15 * e4 / 256 + 45 * e6 / 1024) * Math.sin(4 * phi) -
                    (35 * e6 / 3072) * Math.sin(6 * phi));
  }

  /* Square metres inside a ring of LatLngs: the shoelace formula on the ellipsoidal sinusoidal
   * projection, which is equal-area. */
  function area(ring) {
    if (ring.length < 3) return 0;
    var lng0 = ring[0].lng, xy = ring.map(function (ll) {
      var phi = ll.lat * RAD, s = Math.sin(phi);
      var nu = ELL_A / Math.sqrt(1 - ELL_E2 * s * s);
      return [nu * Math.cos(phi) * (ll.lng - lng0) * RAD, meridianArc(phi)];
    });
    var sum = 0;
    for (var i = 0; i < xy.length; i++) {
      var a = xy[i], b = xy[(i + 1) % xy.length];
      sum += a[0] * b[1] - b[0] * a[1];
    }
    return Math.abs(sum) / 2;
  }

  sijie.geodesy = {distance: distance, area: area, length: function (points) {
    var total = 0;
    for (var i = 1; i < points.length; i++) total += distance(points[i - 1], points[i]);
    return total;
  }};

  function fmt(value, digits) {
    return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  /* ---------- base maps and the GCJ-02 shift of everything drawn ---------- */
  function deepMap(latlngs, f) {
    return latlngs.map(function (x) { return Array.isArray(x) ? deepMap(x, f) : f(x); });
  }

  function shiftable(layer) {
    return !layer.sijieFixed && (layer instanceof L.Polyline || layer instanceof L.CircleMarker || layer instanceof L.Marker);
  }

  /* Put one drawn layer in `datum`, from the coordinates it was made with. */
  function shiftLayer(layer, datum, origin) {
    if (!shiftable(layer) || layer.sijieDatum === datum) return;
    if (!layer.sijieOrigin) {
      layer.sijieOrigin = {datum: layer.sijieDatumOf || origin,
                           at: layer.getLatLngs ? deepMap(layer.getLatLngs(), L.latLng)
                                                : L.latLng(layer.getLatLng())};
    }
    var o = layer.sijieOrigin, f;
    if (o.datum === datum) f = function (ll) { return L.latLng(ll.lat, ll.lng); };
    else if (datum === 'gcj02') f = sijie.gcj02.fromWgs;
    else f = sijie.gcj02.toWgs;
    if (layer.setLatLngs) layer.setLatLngs(deepMap(o.at, f));
    else layer.setLatLng(f(o.at));
    layer.sijieDatum = datum;
    if (layer.getTooltip && layer.getTooltip() && layer.isTooltipOpen()) {
      layer.closeTooltip();
      layer.openTooltip();
    }
  }

  function basemapSwitcher(map, spec, state, notice) {
    var bases = {}, byId = {};
    spec.basemaps.forEach(function (b) {
      var layer;
      if (b.tiles && b.tiles.length) {
        var tiles = b.tiles.map(function (t) {
          var tl = L.tileLayer(t.url, {subdomains: t.subdomains || 'abc', maxZoom: t.maxZoom || 18,
                                      maxNativeZoom: t.maxZoom || 18, attribution: b.attribution || ''});
          var failed = 0;
          tl.on('tileerror', function () {
            failed += 1;
            if (failed === 3) notice(spec.texts.tiles_unreachable);
          });
          return tl;
        });
        layer = L.layerGroup(tiles);
      } else {
        layer = L.layerGroup();
        if (b.missing) layer.on('add', function () { notice(b.missing); });
      }
      layer.sijieBasemap = b;
      bases[b.name] = layer;
      byId[b.id] = layer;
    });
    var overlays = {};
    (spec.overlays || []).forEach(function (id) {
      if (sijie.layers && sijie.layers[id]) overlays[sijie.labels[id] || id] = sijie.layers[id];
    });
    var initial = byId[spec.basemap] || byId.plain;
    initial.addTo(map);
    state.basemap = initial.sijieBasemap.id;
    var narrow = window.matchMedia && window.matchMedia('(max-width: 600px)').matches;
    var ctl = L.control.layers(bases, overlays, {collapsed: !!narrow, position: 'bottomright'}).addTo(map);
    var link = ctl.getContainer().querySelector('.leaflet-control-layers-toggle');
    if (link) { link.title = spec.texts.layers; link.setAttribute('aria-label', spec.texts.layers); }
    var title = el('div', 'sijie-control-title', spec.texts.basemap);
    var base = ctl.getContainer().querySelector('.leaflet-control-layers-base');
    if (base) base.parentNode.insertBefore(title, base);
    map.on('baselayerchange', function (e) {
      var b = e.layer.sijieBasemap;
      if (!b) return;
      state.basemap = b.id;
      notice(null);
      if (b.missing) notice(b.missing);
      sijie.setDatum(map, b.gcj02 ? 'gcj02' : 'wgs84');
    });
    state.switcher = ctl;
    state.select = function (id) {
      var target = byId[id];
      if (!target || map.hasLayer(target)) return;
      Object.keys(byId).forEach(function (k) { if (map.hasLayer(byId[k])) map.removeLayer(byId[k]); });
      target.addTo(map);
      map.fire('baselayerchange', {layer: target, name: target.sijieBasemap.name});
      ctl._update();
    };
    return ctl;
  }

  /* Shift every vector layer on the map to `datum` ('wgs84' or 'gcj02'), and back. */
  sijie.setDatum = function (map, datum) {
    var state = map.sijieControls;
    if (!state || state.datum === datum) return;
    state.datum = datum;
    map.closePopup();
    map.eachLayer(function (layer) { shiftLayer(layer, datum, state.origin); });
    Object.keys(sijie.layers || {}).forEach(function (id) {  // layers not on the map now too
      var group = sijie.layers[id];
      var features = group.sijieFeatures || group;
      if (features.eachLayer) features.eachLayer(function (l) { shiftLayer(l, datum, state.origin); });
    });
  };

  /* ---------- small button bar: measure and locate ---------- */
  function toolbar(map, spec, state, notice) {
    var Bar = L.Control.extend({
      onAdd: function () {
        var box = el('div', 'sijie-control sijie-tools leaflet-bar');
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        this.box = box;
        return box;
      }
    });
    var bar = new Bar({position: 'topleft'});
    bar.addTo(map);
    var box = bar.box;
    var out = el('div', 'sijie-tools-out');
    out.setAttribute('role', 'status');
    out.setAttribute('aria-live', 'polite');

    function button(text, name) {
      var b = el('button', 'sijie-tool sijie-tool-' + name, text);
      b.type = 'button';
      b.setAttribute('aria-pressed', 'false');
      box.appendChild(b);
      return b;
    }

    if (spec.measure !== false) {
      var drawn = L.layerGroup().addTo(map), mode = null, points = [];
      var lineBtn = button(spec.texts.measure_distance, 'distance');
      var areaBtn = button(spec.texts.measure_area, 'area');
      var clearBtn = button(spec.texts.measure_clear, 'clear');
      var measure = sijie.measure = {points: points, length: 0, area: 0, mode: null};
      var wgs = function (ll) { return state.datum === 'gcj02' ? sijie.gcj02.toWgs(ll) : L.latLng(ll); };
      var redraw = function () {
        drawn.clearLayers();
        var shown = points.map(function (p) {
          return state.datum === 'gcj02' ? sijie.gcj02.fromWgs(p) : p;
        });
        var style = {color: '#d81b60', weight: 3, dashArray: '6 4', interactive: false};
        var add = function (l) { l.sijieFixed = true; drawn.addLayer(l); };  // drawn as shown
        if (mode === 'area' && shown.length > 2) add(L.polygon(shown, L.extend({fillOpacity: 0.15}, style)));
        else if (shown.length > 1) add(L.polyline(shown, style));
        shown.forEach(function (p) {
          add(L.circleMarker(p, {radius: 4, color: '#d81b60', fillColor: '#fff',
                                 fillOpacity: 1, weight: 2, interactive: false}));
        });
        measure.length = sijie.geodesy.length(points);
        measure.area = mode === 'area' ? area(points) : 0;
        if (!points.length) { out.textContent = mode ? spec.texts.measure_hint : ''; return; }
        if (mode === 'area') {
          out.textContent = spec.texts.area_label + ' ' + fmt(measure.area, 0) + ' ㎡ · ' +
            fmt(measure.area / 10000, 2) + ' ' + spec.texts.hectares;
        } else {
          out.textContent = spec.texts.length_label + ' ' + fmt(measure.length, 1) + ' ' + spec.texts.metres;
        }
      };
      var setMode = function (next) {
        mode = mode === next ? null : next;
        measure.mode = mode;
        points.length = 0;
        lineBtn.setAttribute('aria-pressed', String(mode === 'distance'));
        areaBtn.setAttribute('aria-pressed', String(mode === 'area'));
        map.getContainer().classList.toggle('sijie-measuring', !!mode);
        if (mode) map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
        redraw();
      };
      lineBtn.addEventListener('click', function () { setMode('distance'); });
      areaBtn.addEventListener('click', function () { setMode('area'); });
      clearBtn.addEventListener('click', function () { points.length = 0; redraw(); });
      map.on('click', function (e) {
        if (!mode) return;
        points.push(wgs(e.latlng));
        redraw();
      });
      map.on('sijiedatum', redraw);
    }

    if (spec.locate !== false) {
      var locBtn = button(spec.texts.locate, 'locate');
      var here = L.layerGroup().addTo(map);
      locBtn.addEventListener('click', function () {
        notice(null);
        out.textContent = spec.texts.locating;
        map.locate({setView: true, maxZoom: 17, enableHighAccuracy: true, timeout: 15000});
      });
      map.on('locationfound', function (e) {
        here.clearLayers();
        var dot = L.circleMarker(e.latlng, {radius: 8, color: '#fff', weight: 3, fillColor: '#1a73e8',
                                            fillOpacity: 1, interactive: false, className: 'sijie-here'});
        var ring = L.circle(e.latlng, {radius: e.accuracy || 0, color: '#1a73e8', weight: 1,
                                       fillOpacity: 0.1, interactive: false});
        // geolocation gives WGS 84: shift the dot with the overlays over a GCJ-02 base map
        [ring, dot].forEach(function (l) { l.sijieDatumOf = 'wgs84'; here.addLayer(l); });
        sijie.located = {lat: e.latlng.lat, lng: e.latlng.lng, accuracy: e.accuracy};
        out.textContent = spec.texts.located + ' ±' + fmt(e.accuracy || 0, 0) + ' ' + spec.texts.metres;
      });
      map.on('locationerror', function () {
        out.textContent = '';
        notice(spec.texts.locate_failed);
      });
    }
    box.appendChild(out);
    return bar;
  }

  /* ---------- north arrow ---------- */
  function northArrow(map, spec) {
    var North = L.Control.extend({
      onAdd: function () {
        var box = el('div', 'sijie-control sijie-north');
        box.setAttribute('role', 'img');
        box.setAttribute('aria-label', spec.texts.north);
        var ns = 'http://www.w3.org/2000/svg';
        var svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 24 36');
        svg.setAttribute('width', '24');
        svg.setAttribute('height', '36');
        svg.setAttribute('aria-hidden', 'true');
        var arrow = document.createElementNS(ns, 'path');
        arrow.setAttribute('d', 'M12 12 L20 34 L12 28 L4 34 Z');
        arrow.setAttribute('fill', '#222');
        var n = document.createElementNS(ns, 'text');
        n.setAttribute('x', '12');
        n.setAttribute('y', '10');
        n.setAttribute('text-anchor', 'middle');
        n.setAttribute('font-size', '10');
        n.setAttribute('font-weight', 'bold');
        n.textContent = 'N';
        svg.appendChild(n);
        svg.appendChild(arrow);
        box.appendChild(svg);
        return box;
      }
    });
    return new North({position: 'topright'}).addTo(map);
  }

  /* ---------- printing: the map fills the page, framed on what it was showing ---------- */
  function printing(map) {
    var before = null;
    var start = function () {
      if (before) return;
      before = map.getBounds();
      map.invalidateSize({animate: false});
      map.fitBounds(before, {animate: false});
    };
    var end = function () {
      if (!before) return;
      map.invalidateSize({animate: false});
      before = null;
    };
    window.addEventListener('beforeprint', start);
    window.addEventListener('afterprint', end);
    if (window.matchMedia) {
      var mq = window.matchMedia('print');
      var on = function (e) { if (e.matches) start(); else end(); };
      if (mq.addEventListener) mq.addEventListener('change', on);
    }
  }

  /* The controls of a server-rendered page whose spec is in <script id="map-controls">.
   * A page that edits or records geometry passes {editing: true}: its base maps are those
   * in the data's own datum only (no AMap), so what is drawn is never stored shifted. */
  sijie.pageControls = function (map, options) {
    var node = document.getElementById('map-controls');
    if (!node) return null;
    var spec = JSON.parse(node.textContent);
    if (options && options.editing) {
      spec.basemaps = spec.basemaps.filter(function (b) { return !b.gcj02; });
      if (!spec.basemaps.some(function (b) { return b.id === spec.basemap; })) spec.basemap = 'plain';
      spec.datum = 'wgs84';
    }
    return sijie.controls(map, spec);
  };

  /* A point shown on the map as the data has it (WGS 84 / CGCS2000), whatever the base map. */
  sijie.toData = function (map, latlng) {
    var state = map.sijieControls;
    return state && state.datum === 'gcj02' ? sijie.gcj02.toWgs(latlng) : L.latLng(latlng);
  };

  /* Every control of a sijie map page. Returns the controls' state (also map.sijieControls). */
  sijie.controls = function (map, spec) {
    var state = map.sijieControls = {datum: spec.datum || 'wgs84', origin: spec.datum || 'wgs84',
                                     basemap: spec.basemap || 'plain'};
    sijie.map = sijie.map || map;
    var box = null;
    var notice = function (text) {
      if (!box) return;
      box.textContent = text || '';
      box.hidden = !text;
    };
    if (spec.scale !== false) {
      L.control.scale({metric: true, imperial: false, position: 'bottomright', maxWidth: 160}).addTo(map);
    }
    if (spec.north !== false) northArrow(map, spec);
    if (spec.basemaps && spec.basemaps.length) basemapSwitcher(map, spec, state, notice);
    toolbar(map, spec, state, notice);
    var Notice = L.Control.extend({
      onAdd: function () {
        box = el('div', 'sijie-control sijie-notice');
        box.setAttribute('role', 'status');
        box.hidden = true;
        return box;
      }
    });
    new Notice({position: 'bottomleft'}).addTo(map);
    // anything drawn later (a layer shown on zoom, the located dot) follows the base map's datum
    map.on('layeradd', function (e) {
      var l = e.layer, now = l.sijieDatum || l.sijieDatumOf || state.origin;
      if (now !== state.datum) shiftLayer(l, state.datum, state.origin);
    });
    map.on('baselayerchange', function () { map.fire('sijiedatum'); });
    printing(map);
    return state;
  };
})();
