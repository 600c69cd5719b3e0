/* Guided orientation journey, progressive enhancement only (every step works without it):
 * - step 1: the "personne accompagnée" question shows only when "professionnel" is chosen;
 * - step 3: while the person types, suggests categories from the engine
 *   (GET /api/v1/orientations/categories), as buttons that tick the category in the list;
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
    var box = form.querySelector("[data-suggestions]");
    var list = form.querySelector("[data-suggestions-list]");
    var status = form.querySelector("[data-suggestions-status]");
    var timer = null;
    var controller = null;
    var last = null;

    function tick(code, label) {
      var box = document.getElementById("categorie-" + code);
      if (!box) return;
      box.checked = true;
      status.textContent = "Catégorie « " + label + " » cochée dans la liste.";
    }

    function render(categories) {
      list.innerHTML = "";
      categories.forEach(function (categorie) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fr-btn fr-btn--sm fr-btn--secondary fr-icon-add-line fr-btn--icon-left";
        button.textContent = categorie.libelle;
        button.setAttribute("aria-label", "Cocher la catégorie " + categorie.libelle);
        button.addEventListener("click", function () {
          tick(categorie.code, categorie.libelle);
          button.disabled = true;
        });
        var already = document.getElementById("categorie-" + categorie.code);
        if (already && already.checked) button.disabled = true;
        item.appendChild(button);
        list.appendChild(item);
      });
      box.hidden = categories.length === 0;
      status.textContent = categories.length
        ? categories.length + (categories.length > 1 ? " catégories suggérées : " : " catégorie suggérée : ") +
          categories.map(function (c) { return c.libelle; }).join(", ") + "."
        : "";
    }

    function suggest() {
      var text = textarea.value.trim();
      if (text === last) return;
      last = text;
      if (text.length < 3) { render([]); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      var params = new URLSearchParams({ besoin: text.slice(0, 2000), profil: form.dataset.profil || "particulier", limit: "3" });
      fetch(form.dataset.suggestUrl + "?" + params.toString(), {
        headers: { Accept: "application/json" },
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
