/* Choropleth of the observatory page. The commune contours are fetched once (the territory's
 * communes.geojson, cached by the browser); each indicator's values and quantile classes come
 * from valeurs.json, computed on the server so map, legend, tables and downloads agree.
 * Switching indicator restyles the map and swaps the parts of the page that depend on the
 * indicator (title, legend, charts, the white zones of its category) without reloading. Without JavaScript the form reloads
 * the page and the tables carry the same figures. */
(function () {
  "use strict";

  var element = document.getElementById("observatoire-map");
  if (!element || typeof L === "undefined") return;
  var status = element.parentNode.querySelector("[data-map-status]");
  var select = document.getElementById("indicateur-select");
  var numberFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
  var layer = null;
  var current = null;

  while (element.firstChild) element.removeChild(element.firstChild);
  // Canvas: thousands of commune polygons draw and restyle several times faster than SVG.
  var map = L.map(element, { scrollWheelZoom: false, preferCanvas: true });
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution || "",
      maxZoom: 18,
    }).addTo(map);
  }
  if (element.dataset.bbox) {
    var b = element.dataset.bbox.split(",").map(Number);
    map.fitBounds(L.latLngBounds([b[1], b[0]], [b[3], b[2]]));
  } else {
    map.fitBounds(L.latLngBounds([41.3, -5.2], [51.1, 9.6]));
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  function valuesUrl(code) {
    return element.dataset.valuesUrl + "?indicateur=" + encodeURIComponent(code);
  }

  function styleFor(feature) {
    var entry = current && current.valeurs[feature.properties.code];
    var colour = entry ? current.classes[entry[1]].couleur : current.pas_de_donnee;
    return { color: "#3a3a3a", weight: 0.4, fillColor: colour, fillOpacity: 0.85 };
  }

  // Tooltips are nodes holding text: a commune's name is never read as HTML.
  function tooltipFor(props) {
    var entry = current && current.valeurs[props.code];
    var value = entry ? numberFormat.format(entry[0]) + (current.unite ? " " + current.unite : "")
      : "pas de donnée";
    var content = document.createElement("span");
    content.textContent = props.nom + " : " + value;
    return content;
  }

  function apply(values) {
    current = values;
    element.dataset.indicateur = values.code;
    if (!layer) return;
    layer.setStyle(styleFor);
    var fills = {};
    layer.eachLayer(function (featureLayer) {
      featureLayer.setTooltipContent(tooltipFor(featureLayer.feature.properties));
      var fill = featureLayer.options.fillColor;
      fills[fill] = (fills[fill] || 0) + 1;
    });
    // How many communes got each colour: read by the browser tests (the canvas has no DOM).
    element.dataset.fills = Object.keys(fills).sort().map(function (fill) {
      return fill + ":" + fills[fill];
    }).join(",");
    say("Carte : " + values.libelle + " (" + Object.keys(values.valeurs).length +
      " communes avec une valeur).");
  }

  function draw(contours) {
    var communeUrl = element.dataset.communeUrl;
    layer = L.geoJSON(contours, {
      style: styleFor,
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindTooltip(tooltipFor(feature.properties), { sticky: true });
        featureLayer.on("click", function () {
          window.location.href = communeUrl.replace("00000", feature.properties.code);
        });
      },
    }).addTo(map);
    element.dataset.loaded = String(layer.getLayers().length);
  }

  say("Chargement de la carte…");
  Promise.all([fetchJson(element.dataset.contoursUrl), fetchJson(valuesUrl(element.dataset.indicateur))])
    .then(function (results) {
      current = results[1];
      draw(results[0]);
      apply(results[1]);
    })
    .catch(function () {
      say("La carte n’a pas pu être chargée. Les tableaux ci-dessous donnent les mêmes chiffres.");
    });

  // The page's parts come from our own page, rendered (and escaped) by the server; they are
  // moved over as nodes, and nothing parsed by DOMParser ever runs a script.
  function swapParts(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-indicateur-part]").forEach(function (part) {
      var fresh = doc.querySelector('[data-indicateur-part="' + part.dataset.indicateurPart + '"]');
      if (!fresh) return;
      while (part.firstChild) part.removeChild(part.firstChild);
      while (fresh.firstChild) part.appendChild(document.adoptNode(fresh.firstChild));
    });
  }

  if (select) {
    select.addEventListener("change", function () {
      var code = select.value;
      var pageUrl = element.dataset.pageUrl + "?indicateur=" + encodeURIComponent(code);
      say("Chargement de l’indicateur…");
      Promise.all([
        fetchJson(valuesUrl(code)),
        fetch(pageUrl).then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        }),
      ])
        .then(function (results) {
          swapParts(results[1]);
          apply(results[0]);
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", pageUrl);
          }
        })
        .catch(function () {
          say("L’indicateur n’a pas pu être chargé : utilisez le bouton « Afficher l’indicateur ».");
        });
    });
  }
})();
