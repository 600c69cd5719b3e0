/* Map of the journey's results: one marker per result that has a lieu, numbered like the
 * list; a marker leads to its result. The list stays the primary content; tiles optional. */
(function () {
  "use strict";

  function init() {
    var element = document.getElementById("orientation-map");
    if (!element || typeof L === "undefined") return;
    var markers = JSON.parse(document.getElementById("orientation-markers").textContent);
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        attribution: element.dataset.tileAttribution || "",
        maxZoom: 18,
      }).addTo(map);
    }
    var group = L.featureGroup();
    markers.forEach(function (item) {
      var number = document.createElement("span");
      number.className = "orientation-marker";
      number.textContent = String(item.numero);
      var icon = L.divIcon({
        className: "",
        html: number,
        iconSize: [28, 28],
        iconAnchor: [14, 14],
      });
      var marker = L.marker([item.lat, item.lon], {
        icon: icon,
        title: item.numero + ". " + item.nom,
        alt: item.numero + ". " + item.nom,
        keyboard: false,
      });
      marker.on("click", function () {
        var target = document.getElementById(item.cible);
        if (!target) return;
        document.querySelectorAll(".orientation-result--active").forEach(function (el) {
          el.classList.remove("orientation-result--active");
        });
        target.classList.add("orientation-result--active");
        target.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
      group.addLayer(marker);
    });
    group.addTo(map);
    var centre = element.dataset.centre.split(",").map(Number);
    if (markers.length) {
      group.addLayer(L.circleMarker(centre, { radius: 5, color: "#000091" }));
      map.fitBounds(group.getBounds().pad(0.15), { maxZoom: 14 });
    } else {
      map.setView(centre, 11);
    }
    element.dataset.markers = String(markers.length);
    if (status) {
      status.textContent = markers.length
        ? markers.length + " lieu" + (markers.length > 1 ? "x" : "") + " sur la carte, numérotés comme la liste."
        : "Aucun lieu à placer sur la carte.";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
