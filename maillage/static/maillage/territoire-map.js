/* Maps of communes with Leaflet, served locally. Contours come from Maillage itself, so
 * the map is drawn even when the tile server cannot be reached (tiles are decoration). */
(function () {
  "use strict";

  function bboxBounds(value) {
    if (!value) return null;
    var b = value.split(",").map(Number);
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  function drawMap(element) {
    if (element.dataset.ready) return;
    element.dataset.ready = "1";
    while (element.firstChild) element.removeChild(element.firstChild);
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = L.map(element, { preferCanvas: false, scrollWheelZoom: false });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        attribution: element.dataset.tileAttribution || "",
        maxZoom: 18,
      }).addTo(map);
    }
    var bounds = bboxBounds(element.dataset.bbox);
    map.fitBounds(bounds || L.latLngBounds([41.3, -5.2], [51.1, 9.6]));

    var style = { color: "#000091", weight: 1, fillColor: "#6a6af4", fillOpacity: 0.15 };
    var communeUrl = element.dataset.communeUrl;

    function addLayer(geojson) {
      var layer = L.geoJSON(geojson, {
        style: style,
        onEachFeature: function (feature, featureLayer) {
          var props = feature.properties || {};
          if (!props.nom) return;
          var text = props.nom + (props.population != null ?
            " — " + props.population.toLocaleString("fr-FR") + " hab." : "");
          // A node holding text: the commune's name is never read as HTML.
          var tooltip = document.createElement("span");
          tooltip.textContent = text;
          featureLayer.bindTooltip(tooltip, { sticky: true });
          if (communeUrl) {
            featureLayer.on("click", function () {
              window.location.href = communeUrl.replace("00000", props.code);
            });
          }
        },
      }).addTo(map);
      if (!bounds && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      element.dataset.loaded = String(layer.getLayers().length);
      if (status) {
        status.textContent = layer.getLayers().length + " communes affichées sur la carte.";
      }
    }

    if (element.dataset.geojsonInline) {
      var source = document.getElementById(element.dataset.geojsonInline);
      var geometry = JSON.parse(source.textContent);
      addLayer({ type: "Feature", properties: {}, geometry: geometry });
      if (element.dataset.marker) {
        var point = element.dataset.marker.split(",").map(Number);
        L.marker(point, { title: "Mairie", alt: "Mairie" }).addTo(map);
      }
    } else if (element.dataset.geojsonUrl) {
      fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(addLayer)
        .catch(function () {
          if (status) status.textContent = "Les contours des communes n’ont pas pu être chargés. Rechargez la page.";
        });
    }
  }

  function init() {
    if (typeof L === "undefined") return;
    document.querySelectorAll(".maillage-map").forEach(drawMap);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
