/* Moves the focus to the error summary of a form sent back with errors, so keyboard and
 * screen-reader users hear what to correct first. */
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
