/* Directory maps: clustered markers for search results, kept in sync with the list
 * (a marker leads to its card, "Voir sur la carte" leads to the marker), and the single
 * point of a lieu page. Tiles are optional; markers never depend on them. */
(function () {
  "use strict";

  // A popup's content is built as nodes: the lieu's name is text, never HTML.
  function popupLink(item) {
    var content = document.createElement(item.url && item.url.charAt(0) === "/" ? "a" : "span");
    if (content.tagName === "A") content.href = item.url;
    content.textContent = item.nom;
    return content;
  }

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        attribution: element.dataset.tileAttribution || "",
        maxZoom: 18,
      }).addTo(map);
    }
    return map;
  }

  function resultsMap(element) {
    var markers = JSON.parse(document.getElementById("directory-markers").textContent);
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = baseMap(element);
    var cluster = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    var byService = {};
    markers.forEach(function (item) {
      var marker = L.marker([item.lat, item.lon], { title: item.nom, alt: item.nom });
      marker.bindPopup(popupLink(item));
      marker.on("click", function () {
        var card = document.getElementById("service-" + item.service);
        if (card) {
          document.querySelectorAll(".directory-result--active").forEach(function (el) {
            el.classList.remove("directory-result--active");
          });
          card.classList.add("directory-result--active");
          card.scrollIntoView({ block: "nearest", behavior: "smooth" });
        }
      });
      (byService[item.service] = byService[item.service] || []).push(marker);
      cluster.addLayer(marker);
    });
    map.addLayer(cluster);
    if (markers.length) {
      map.fitBounds(cluster.getBounds().pad(0.1), { maxZoom: 14 });
    } else if (element.dataset.centre) {
      map.setView(element.dataset.centre.split(",").map(Number), 11);
    } else {
      map.fitBounds(L.latLngBounds([41.3, -5.2], [51.1, 9.6]));
    }
    element.dataset.markers = String(markers.length);
    if (status) status.textContent = markers.length + " lieux sur la carte.";
    document.querySelectorAll("[data-show-on-map]").forEach(function (button) {
      var list = byService[button.dataset.showOnMap];
      if (!list) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var marker = list[0];
        if (cluster.zoomToShowLayer) {
          cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
        } else {
          map.setView(marker.getLatLng(), 15);
          marker.openPopup();
        }
        element.scrollIntoView({ block: "nearest" });
      });
    });
  }

  function pointMap(element) {
    var point = element.dataset.point.split(",").map(Number);
    var map = baseMap(element);
    map.setView(point, 15);
    L.marker(point, { title: "Lieu", alt: "Lieu" }).addTo(map);
  }

  function init() {
    if (typeof L === "undefined") return;
    var results = document.getElementById("directory-map");
    if (results) resultsMap(results);
    var lieu = document.getElementById("lieu-map");
    if (lieu) pointMap(lieu);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
