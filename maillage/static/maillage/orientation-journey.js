/* Guided orientation journey, progressive enhancement only (every step works without it):
 * - step 1: the "personne accompagnée" question shows only when "professionnel" is chosen;
 * - step 3: while the person types, suggests categories from the engine
 *   (POST /api/v1/orientations/categories, the text in the JSON body), as buttons that tick the category in the list;
 * - fiche: the "Imprimer" button calls window.print(). */
(function () {
  "use strict";

  function profileToggle() {
    var block = document.querySelector("[data-profil-accompagne]");
    if (!block) return;
    var radios = document.querySelectorAll("input[name=profil]");
    function update() {
      var checked = document.querySelector("input[name=profil]:checked");
      var pro = checked && checked.value === "professionnel";
      var hasError = block.querySelector(".fr-fieldset--error");
      block.hidden = !(pro || hasError);
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function suggestions() {
    var form = document.querySelector("form[data-suggest-url]");
    if (!form) return;
    var textarea = form.querySelector("textarea[name=besoin]");
    var panel = form.querySelector("[data-suggestions]");
    var list = form.querySelector("[data-suggestions-list]");
    var status = form.querySelector("[data-suggestions-status]");
    var timer = null;
    var controller = null;
    var last = null;

    function checkbox(code) {
      return document.getElementById("categorie-" + code);
    }

    // A suggestion is a toggle button: pressed when its category is ticked in the list.
    // It keeps the focus when pressed (never disabled), so keyboard users stay in place.
    function render(categories) {
      while (list.firstChild) list.removeChild(list.firstChild);
      categories.forEach(function (categorie) {
        var box = checkbox(categorie.code);
        if (!box) return;
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fr-btn fr-btn--sm fr-btn--secondary orientation-suggestion";
        button.textContent = categorie.libelle;
        button.setAttribute("aria-label", "Catégorie suggérée : " + categorie.libelle);
        button.setAttribute("aria-pressed", box.checked ? "true" : "false");
        button.addEventListener("click", function () {
          box.checked = !box.checked;
          button.setAttribute("aria-pressed", box.checked ? "true" : "false");
          status.textContent = "Catégorie « " + categorie.libelle + " » " +
            (box.checked ? "cochée" : "décochée") + " dans la liste.";
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      var shown = list.children.length;
      panel.hidden = shown === 0;
      status.textContent = shown
        ? shown + (shown > 1 ? " catégories suggérées : " : " catégorie suggérée : ") +
          categories.map(function (c) { return c.libelle; }).join(", ") +
          ". Les boutons sous le champ cochent la catégorie."
        : "";
    }

    function suggest() {
      var text = textarea.value.trim();
      if (text === last) return;
      last = text;
      if (text.length < 3) { render([]); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      // POST with a JSON body: what the person types never lands in a URL (nor access logs).
      var body = JSON.stringify({
        besoin: text.slice(0, 2000),
        profil: form.dataset.profil || "particulier",
        limit: 3,
      });
      fetch(form.dataset.suggestUrl, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: body,
        signal: controller.signal,
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(render)
        .catch(function (error) { if (error.name !== "AbortError") render([]); });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 400);
    });
  }

  function printButton() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function init() {
    profileToggle();
    suggestions();
    printButton();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
