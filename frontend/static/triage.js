// Keyboard triage. Progressive enhancement only: every action is a plain link or form that
// works without this file; the keys move the focus and press the same buttons.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function focusKey(key) {
    var el = document.querySelector('[data-key="' + key + '"]');
    if (!el) return false;
    if (el.tagName === "BUTTON") { el.click(); } else { el.focus(); }
    return true;
  }

  // A saved rationale picked from the library fills the rationale field.
  document.querySelectorAll("select[data-fills]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var target = document.getElementById(sel.getAttribute("data-fills"));
      if (target && sel.value) { target.value = sel.value; }
    });
  });

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.opinion-row"));
  var current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("current", j === current); });
    var link = rows[current].querySelector("a.opinion-link");
    if (link) { link.focus(); }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var handled = true;
    if (rows.length) {
      // The inbox.
      switch (e.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "x":
          if (current >= 0) {
            var box = rows[current].querySelector("input[type=checkbox]");
            if (box) { box.checked = !box.checked; }
          }
          break;
        case "Enter":
          if (current >= 0 && document.activeElement === document.body) {
            window.location.href = rows[current].getAttribute("data-href");
          } else { handled = false; }
          break;
        case "a": handled = focusKey("a"); break;
        case "d": handled = focusKey("d"); break;
        case "A": handled = focusKey("A"); break;
        default: handled = false;
      }
    } else {
      // One opinion.
      switch (e.key) {
        case "j": var n = document.getElementById("next-opinion"); if (n) { n.click(); } else { handled = false; } break;
        case "k": var p = document.getElementById("prev-opinion"); if (p) { p.click(); } else { handled = false; } break;
        case "a": handled = focusKey("a"); break;
        case "d": handled = focusKey("d"); break;
        case "A": handled = focusKey("A"); break;
        default: handled = false;
      }
    }
    if (handled) { e.preventDefault(); }
  });
})();
