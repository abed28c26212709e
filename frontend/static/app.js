// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Mark the document so styles can tell that scripts run.
  document.documentElement.classList.add("js");
})();
