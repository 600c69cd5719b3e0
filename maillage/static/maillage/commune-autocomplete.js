/* Commune autocomplete: turns the plain search form into an ARIA 1.2 combobox.
 * Also enhances a commune field inside a larger form: a container (not a form) marked
 * data-commune-autocomplete around an input marked data-commune-input; choosing a commune
 * then fills "Nom (code INSEE)" instead of submitting.
 * Keyboard: Down/Up move in the list, Enter opens the highlighted commune,
 * Escape closes the list. Without JavaScript the form still submits to the search page. */
(function () {
  "use strict";

  function setup(form) {
    if (form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    var isForm = form.tagName === "FORM";
    var input = form.querySelector("[data-commune-input]") || form.querySelector("input[name=q]");
    var listbox = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-status]");
    var codeField = form.querySelector("input[name=code]");
    var apiUrl = form.dataset.apiUrl;
    if (!isForm) {
      // Show the list right under the field it completes.
      input.parentNode.classList.add("commune-search__field");
      input.insertAdjacentElement("afterend", listbox);
    }
    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var controller = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var commune = items[index];
      if (!commune) return;
      close();
      if (!isForm) {
        input.value = commune.nom + " (" + commune.code + ")";
        return;
      }
      input.value = commune.nom;
      codeField.disabled = false;
      codeField.value = commune.code;
      form.submit();
    }

    function render(results) {
      items = results;
      while (listbox.firstChild) listbox.removeChild(listbox.firstChild);
      results.forEach(function (commune, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "commune-search__option";
        var name = document.createElement("span");
        name.className = "commune-search__name";
        name.textContent = commune.nom;
        var detail = document.createElement("span");
        detail.className = "commune-search__detail";
        detail.textContent = [commune.codes_postaux.join(", "), commune.departement_nom]
          .filter(Boolean).join(" · ");
        option.appendChild(name);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(detail);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        listbox.appendChild(option);
      });
      if (results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = results.length + (results.length > 1 ? " communes proposées" : " commune proposée") +
          ", utilisez les flèches pour parcourir la liste.";
      } else {
        close();
        status.textContent = "Aucune commune ne correspond.";
      }
      highlight(-1);
    }

    function search() {
      var query = input.value.trim();
      if (codeField) codeField.disabled = true;
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 2) {
        render([]);
        status.textContent = "";
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(apiUrl + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) { render(data.results); })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          close();
          status.textContent = "La recherche est momentanément indisponible ; validez pour chercher.";
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (listbox.hidden && items.length) {
          listbox.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    document.querySelectorAll("[data-commune-autocomplete]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
