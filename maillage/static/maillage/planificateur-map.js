/* Map of a planner result: the communes' outlines (the observatory's contours, cached by
 * the browser), the existing lieux of the category (blue dots) and the proposed sites as
 * numbered markers in the order of choice; for a bus numérique, its closed tour. */
(function () {
  "use strict";

  var element = document.getElementById("plan-map");
  if (!element || typeof L === "undefined") return;
  var data = JSON.parse(document.getElementById(element.dataset.plan).textContent);
  while (element.firstChild) element.removeChild(element.firstChild);

  // Tooltips and markers are nodes holding text: a lieu's name is never read as HTML.
  function text(value, className) {
    var node = document.createElement("span");
    if (className) node.className = className;
    node.textContent = value;
    return node;
  }
  var map = L.map(element, { scrollWheelZoom: false });
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution || "",
      maxZoom: 18,
    }).addTo(map);
  }
  var numberFormat = new Intl.NumberFormat("fr-FR");
  var bounds = L.latLngBounds([]);
  // Outlines go in a pane under the markers, on a canvas: thousands of polygons stay light.
  map.createPane("communes").style.zIndex = 350;

  if (element.dataset.contoursUrl) {
    fetch(element.dataset.contoursUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (contours) {
        var outlines = L.geoJSON(contours, {
          pane: "communes",
          renderer: L.canvas({ pane: "communes" }),
          style: { color: "#666666", weight: 0.5, fillColor: "#ffffff", fillOpacity: 0.05 },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindTooltip(text(feature.properties.nom), { sticky: true });
          },
        }).addTo(map);
        element.dataset.communes = String(outlines.getLayers().length);
      })
      .catch(function () {
        // The sites and lieux stay on the map; only the outlines are missing.
        element.dataset.communes = "0";
      });
  }

  data.lieux.forEach(function (lieu) {
    var point = [lieu.latitude, lieu.longitude];
    L.circleMarker(point, {
      radius: 5, color: "#ffffff", weight: 1, fillColor: "#000091", fillOpacity: 0.9,
    }).bindTooltip(text(lieu.nom)).addTo(map);
    bounds.extend(point);
  });

  if (data.tournee.length > 1) {
    L.polyline(data.tournee.concat([data.tournee[0]]), {
      color: "#ce0500", weight: 3, dashArray: "6 6",
    }).addTo(map);
  }

  data.sites.forEach(function (site) {
    var point = [site.latitude, site.longitude];
    var label = site.rang + ". " + site.nom + " : +" +
      numberFormat.format(site.population_gagnee) + " habitants";
    L.marker(point, {
      title: label,
      alt: label,
      keyboard: true,
      icon: L.divIcon({
        className: "obs-site",
        html: (function () {
          var marker = text(String(site.rang), "obs-site-marker");
          marker.dataset.rang = String(site.rang);
          return marker;
        })(),
        iconSize: [28, 28],
        iconAnchor: [14, 14],
      }),
    }).bindTooltip(text(label)).addTo(map);
    bounds.extend(point);
  });

  if (element.dataset.bbox) {
    var b = element.dataset.bbox.split(",").map(Number);
    map.fitBounds(L.latLngBounds([b[1], b[0]], [b[3], b[2]]));
  } else if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.2));
  } else {
    map.fitBounds(L.latLngBounds([41.3, -5.2], [51.1, 9.6]));
  }
  element.dataset.sites = String(data.sites.length);
})();
