// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Mark the document so styles can tell that scripts run.
  document.documentElement.classList.add("js");

  // A live count of the characters in a text box with a limit (nothing is cut: the server
  // says so when a comment is too long).
  function counter(box) {
    var max = parseInt(box.getAttribute("data-max"), 10);
    var out = document.getElementById(box.id + "-count");
    if (!max || !out) {
      return;
    }
    var last = -1;
    function update() {
      var n = Array.from(box.value.trim()).length;
      if (n === last) {
        return;
      }
      last = n;
      var over = n - max;
      var text = (over > 0 ? out.getAttribute("data-over") : out.getAttribute("data-text")) || "";
      out.textContent = text
        .replace("{n}", String(n))
        .replace("{max}", String(max))
        .replace("{over}", String(over));
      out.classList.toggle("over", over > 0);
      out.hidden = false;
    }
    box.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-max]").forEach(counter);
  });
})();
