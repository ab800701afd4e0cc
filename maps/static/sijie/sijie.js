/* sijie map helpers: GeoJSON layers whose popups, tooltips and labels are plain text.
 *
 * Every name, note and message arrives as JSON data and reaches the page only through
 * textContent, so a name that looks like markup or a template literal shows as written.
 * Layers are registered by id in sijie.layers so pages and tests can find them by name.
 */
(function () {
  'use strict';

  var sijie = (window.sijie = window.sijie || {});
  sijie.layers = sijie.layers || {};
  sijie.labels = sijie.labels || {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function popupNode(popup) {
    var box = el('div', 'sijie-popup');
    if (popup.title) box.appendChild(el('div', 'sijie-popup-title', popup.title));
    if (popup.rows && popup.rows.length) {
      var table = el('table', 'sijie-popup-table');
      popup.rows.forEach(function (row) {
        var tr = el('tr');
        tr.appendChild(el('th', null, row[0]));
        tr.appendChild(el('td', null, row[1]));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    if (popup.note) box.appendChild(el('div', 'sijie-popup-note', popup.note));
    return box;
  }

  function merge(a, b) {
    var out = {};
    Object.keys(a || {}).forEach(function (k) { out[k] = a[k]; });
    Object.keys(b || {}).forEach(function (k) { out[k] = b[k]; });
    return out;
  }

  function pointStyle(style) {
    return merge({radius: 7, weight: 2, fillOpacity: 0.9}, style);
  }

  function bindLabel(layer, text, spec) {
    layer.bindTooltip(el('span', null, text), {
      permanent: true, direction: spec.labelDirection || 'center', interactive: false,
      className: 'sijie-label ' + (spec.labelClass || '')
    });
  }

  function boundsOf(layer) {
    return layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]);
  }

  /* Labels of the features in view only, and only from spec.labelMinZoom on: thousands of
   * labels at once would bury the map and slow it down. */
  function viewLabels(map, geo, spec) {
    function update() {
      var on = map.hasLayer(geo) && map.getZoom() >= spec.labelMinZoom;
      var view = map.getBounds();
      geo.eachLayer(function (layer) {
        var text = layer.feature.properties.label;
        if (!text) return;
        var want = on && view.intersects(boundsOf(layer));
        if (want && !layer.getTooltip()) bindLabel(layer, text, spec);
        else if (!want && layer.getTooltip()) layer.unbindTooltip();
      });
    }
    map.on('moveend', update);
    geo.on('add', function () { setTimeout(update, 0); });
  }

  /* A GeoJSON layer. spec: {id, label, data, style, popupMaxWidth, labelClass,
   * labelDirection, labelMinZoom, minZoom}. Each feature's properties may hold popup {title, rows, note},
   * tooltip (text), label (text, shown permanently) and style (overrides). */
  sijie.geojson = function (map, spec) {
    sijie.map = map;
    var geo = L.geoJSON(spec.data, {
      style: function (feature) { return merge(spec.style, feature.properties.style); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, pointStyle(merge(spec.style, feature.properties.style)));
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        if (p.popup) layer.bindPopup(function () { return popupNode(p.popup); },
                                     {maxWidth: spec.popupMaxWidth || 360});
        if (p.label) {
          if (!spec.labelMinZoom) bindLabel(layer, p.label, spec);
        } else if (p.tooltip) {
          layer.bindTooltip(el('span', null, p.tooltip), {sticky: true, className: 'sijie-tip'});
        }
      }
    });
    if (spec.labelMinZoom) viewLabels(map, geo, spec);
    var layer = geo;
    if (spec.minZoom) {
      // shown only when zoomed in, and only while its entry in the layer control is ticked
      layer = L.layerGroup();
      var sync = function () {
        var want = map.hasLayer(layer) && map.getZoom() >= spec.minZoom;
        if (want && !layer.hasLayer(geo)) layer.addLayer(geo);
        if (!want && layer.hasLayer(geo)) layer.removeLayer(geo);
      };
      map.on('zoomend', sync);
      layer.on('add', function () { setTimeout(sync, 0); });
    }
    sijie.layers[spec.id] = layer;
    sijie.labels[spec.id] = spec.label;
    layer.sijieFeatures = geo;
    return layer;
  };

  /* Place names drawn on the map: villages and communities, roads along their course, rivers.
   * spec: {id, label, data: points with properties {label, kind, angle, minZoom}}. A name
   * shows from its minZoom on; names are text, never HTML, and take no clicks. */
  sijie.places = function (map, spec) {
    sijie.map = sijie.map || map;
    var group = L.layerGroup(), all = L.layerGroup();
    (spec.data.features || []).forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      var text = el('span', 'sijie-place-text', p.label);
      if (p.angle) text.style.transform = 'translate(-50%, -50%) rotate(' + (-p.angle) + 'deg)';
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({className: 'sijie-place sijie-place-' + (p.kind || 'place'), html: text,
                         iconSize: null}),
        interactive: false, keyboard: false, sijieMinZoom: p.minZoom || 0
      });
      marker.feature = f;
      all.addLayer(marker);
    });
    var sync = function () {
      var on = map.hasLayer(group), z = map.getZoom();
      all.eachLayer(function (m) {
        var want = on && z >= m.options.sijieMinZoom;
        if (want && !group.hasLayer(m)) group.addLayer(m);
        if (!want && group.hasLayer(m)) group.removeLayer(m);
      });
    };
    map.on('zoomend', sync);
    group.on('add', function () { setTimeout(sync, 0); });
    group.sijieFeatures = all;
    sijie.layers[spec.id] = group;
    sijie.labels[spec.id] = spec.label;
    return group;
  };

  /* The feature of a registered layer whose properties.key is `key`. */
  sijie.feature = function (layerId, key) {
    var layer = sijie.layers[layerId];
    var found = null;
    if (!layer) return null;
    layer.sijieFeatures.eachLayer(function (f) {
      if (f.feature && f.feature.properties.key === key) found = f;
    });
    return found;
  };

  /* Zoom to a feature and open its popup. */
  sijie.open = function (map, layerId, key) {
    var feature = sijie.feature(layerId, key);
    if (!feature) return false;
    if (!map.hasLayer(sijie.layers[layerId])) map.addLayer(sijie.layers[layerId]);
    var bounds = boundsOf(feature);
    map.fitBounds(bounds, {maxZoom: 17, padding: [40, 40], animate: false});
    feature.openPopup(bounds.getCenter());
    return true;
  };

  function narrowScreen() {
    return !!(window.matchMedia && window.matchMedia('(max-width: 600px)').matches);
  }

  /* A control box. With `collapsible` (its title), the title is a button that folds the
   * box's body away; on a narrow screen the box starts folded so the map stays usable. */
  function control(map, position, className, build, collapsible) {
    var Ctl = L.Control.extend({
      onAdd: function () {
        var box = el('div', 'sijie-control ' + className);
        var body = box;
        if (collapsible) {
          var toggle = el('button', 'sijie-collapse sijie-control-title', collapsible);
          toggle.type = 'button';
          body = el('div', 'sijie-body');
          body.id = 'sijie-body-' + (++bodies);
          toggle.setAttribute('aria-controls', body.id);
          var set = function (open) {
            toggle.setAttribute('aria-expanded', String(open));
            box.classList.toggle('sijie-collapsed', !open);
          };
          toggle.addEventListener('click', function () {
            set(box.classList.contains('sijie-collapsed'));
          });
          set(!narrowScreen());
          box.appendChild(toggle);
          box.appendChild(body);
        }
        build(body);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    var ctl = new Ctl({position: position});
    ctl.addTo(map);
    return ctl;
  }
  var bodies = 0;

  var SVG = 'http://www.w3.org/2000/svg';

  /* A legend symbol drawn with the very style of the layer it explains: stroke colour, width
   * and dashes, fill colour and opacity. */
  function swatch(spec) {
    var kind = spec.kind || 'fill';
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'sijie-swatch sijie-swatch-' + kind);
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '16');
    svg.setAttribute('viewBox', '0 0 28 16');
    svg.setAttribute('aria-hidden', 'true');
    var weight = Math.min(spec.weight === undefined ? 2 : spec.weight, 6);
    var shape;
    if (kind === 'line') {
      shape = document.createElementNS(SVG, 'line');
      shape.setAttribute('x1', '1'); shape.setAttribute('y1', '8');
      shape.setAttribute('x2', '27'); shape.setAttribute('y2', '8');
    } else if (kind === 'point') {
      shape = document.createElementNS(SVG, 'circle');
      shape.setAttribute('cx', '14'); shape.setAttribute('cy', '8'); shape.setAttribute('r', '6');
    } else {
      shape = document.createElementNS(SVG, 'rect');
      shape.setAttribute('x', '2'); shape.setAttribute('y', '2');
      shape.setAttribute('width', '24'); shape.setAttribute('height', '12');
    }
    var stroke = spec.stroke === false ? 'none' : (spec.color || 'none');
    shape.setAttribute('stroke', stroke);
    shape.setAttribute('stroke-width', String(weight));
    if (spec.opacity !== undefined) shape.setAttribute('stroke-opacity', String(spec.opacity));
    if (spec.dashArray) shape.setAttribute('stroke-dasharray', spec.dashArray);
    if (kind !== 'line') {
      shape.setAttribute('fill', spec.fill === false ? 'none' : (spec.fillColor || spec.color || 'none'));
      shape.setAttribute('fill-opacity', String(spec.fillOpacity === undefined ? 0.2 : spec.fillOpacity));
    }
    svg.appendChild(shape);
    return svg;
  }
  sijie.swatch = swatch;

  /* A legend: {title, sections: [{title, items: [{label, swatch, layer, match, empty}]}]}.
   * Each item's swatch is its layer's style; `match` names the style keys that set this item
   * apart within its layer (sijie.legends keeps every item for checking). */
  sijie.legends = sijie.legends || [];
  sijie.legend = function (map, spec) {
    return control(map, spec.position || 'bottomleft', 'sijie-legend', function (box) {
      spec.sections.forEach(function (section, s) {
        if (section.title) box.appendChild(el('div', 'sijie-legend-section', section.title));
        section.items.forEach(function (item) {
          var row = el('div', 'sijie-legend-item');
          row.appendChild(swatch(item.swatch || {}));
          row.appendChild(el('span', null, item.label));
          box.appendChild(row);
          sijie.legends.push({section: s, label: item.label, swatch: item.swatch || {},
                              layer: item.layer || null, match: item.match || null,
                              empty: !!item.empty, node: row});
        });
      });
    }, spec.title);
  };

  /* A list beside the map: {title, summary, items: [{text, detail, badge, className, layer, key}]};
   * an item with a layer and key opens that feature's popup when clicked. */
  sijie.panel = function (map, spec) {
    return control(map, spec.position || 'topright', 'sijie-panel', function (box) {
      if (spec.summary) box.appendChild(el('div', 'sijie-panel-summary ' + (spec.summaryClass || ''),
                                           spec.summary));
      var list = el('ol', 'sijie-panel-list');
      spec.items.forEach(function (item) {
        var li = el('li', 'sijie-panel-item ' + (item.className || ''));
        if (item.badge) li.appendChild(el('span', 'sijie-badge', item.badge));
        li.appendChild(el('span', 'sijie-panel-text', item.text));
        if (item.detail) li.appendChild(el('div', 'sijie-panel-detail', item.detail));
        if (item.layer && item.key) {
          li.setAttribute('data-key', item.key);
          li.classList.add('sijie-clickable');
          li.tabIndex = 0;
          li.addEventListener('click', function () { sijie.open(map, item.layer, item.key); });
          li.addEventListener('keydown', function (e) {
            if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sijie.open(map, item.layer, item.key); }
          });
        }
        list.appendChild(li);
      });
      box.appendChild(list);
    }, spec.title);
  };

  /* Frame the map on its content at once (no zoom animation while the page opens):
   * {bounds: [[south, west], [north, east]], padding: [x, y]} */
  sijie.fit = function (map, spec) {
    map.fitBounds(spec.bounds, {padding: spec.padding, animate: false});
  };

  /* A title box: {text, subtitle, big} */
  sijie.title = function (map, spec) {
    return control(map, spec.position || 'topleft',
                   'sijie-title' + (spec.big ? ' sijie-title-big' : ''), function (box) {
      box.appendChild(el('div', 'sijie-title-text', spec.text));
      if (spec.subtitle) box.appendChild(el('div', 'sijie-title-sub', spec.subtitle));
    });
  };
})();
