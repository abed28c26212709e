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

  // The comment form's clause tree: the chosen clauses' words beside the text box, kept up to
  // date as boxes are ticked; and, for a long draft, a search that narrows the tree.
  function clauseTree(tree) {
    var panel = document.getElementById("chosen-clauses");
    var boxes = Array.from(tree.querySelectorAll("input[name=clause_ids]"));
    function show() {
      if (!panel) {
        return;
      }
      var list = panel.querySelector(".chosen-list");
      list.textContent = "";
      var seen = {};
      boxes.forEach(function (b) {
        if (!b.checked || seen[b.value]) {
          return;
        }
        seen[b.value] = true;
        var sec = document.createElement("section");
        var h = document.createElement("h3");
        h.textContent = b.getAttribute("data-label") || "";
        sec.appendChild(h);
        var words = b.getAttribute("data-excerpt");
        if (words) {
          var p = document.createElement("p");
          p.textContent = words;
          sec.appendChild(p);
        }
        list.appendChild(sec);
      });
      if (!list.firstChild) {
        var none = document.createElement("p");
        none.className = "hint";
        none.textContent = panel.getAttribute("data-none") || "";
        list.appendChild(none);
      }
    }
    boxes.forEach(function (b) {
      b.addEventListener("change", show);
    });
    var search = tree.querySelector(".clause-search");
    var min = search ? parseInt(search.getAttribute("data-min"), 10) : 0;
    if (search && boxes.length >= min) {
      search.hidden = false;
      var input = search.querySelector("input");
      input.addEventListener("input", function () {
        var q = input.value.trim();
        tree.querySelectorAll("details").forEach(function (d) {
          var any = false;
          d.querySelectorAll("li").forEach(function (li) {
            var hit = !q || li.textContent.indexOf(q) >= 0;
            li.hidden = !hit;
            any = any || hit;
          });
          d.hidden = !any;
          if (q && any) {
            d.open = true;
          }
        });
        tree.querySelectorAll(".clause-leaf").forEach(function (leaf) {
          leaf.hidden = !!q && leaf.textContent.indexOf(q) < 0;
        });
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-max]").forEach(counter);
    document.querySelectorAll(".clause-tree").forEach(clauseTree);
  });
})();
