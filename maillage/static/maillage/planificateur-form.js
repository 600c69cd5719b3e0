/* Planner form: the list of candidate communes only matters when « Les communes que vous
 * indiquez » is chosen. With JavaScript, its field shows only then (and takes the focus when
 * chosen); without, it is always there and the server says when it is ignored. */
(function () {
  "use strict";

  var select = document.getElementById("id_candidats");
  var field = document.getElementById("id_liste_candidats");
  if (!select || !field) return;
  var group = field.closest(".fr-fieldset__element") || field.parentNode;

  function sync(focus) {
    var listed = select.value === "liste";
    // A list already typed stays visible, so nothing the person wrote is hidden from them.
    group.hidden = !listed && !field.value.trim();
    if (listed && focus) field.focus();
  }

  select.addEventListener("change", function () { sync(true); });
  sync(false);
})();
