// The department reply form, enhanced: a search box over each clause list, and a button that
// adds an opinion block in place (without JavaScript the same button asks the server for one
// more block, keeping what was typed).
(function () {
  "use strict";

  function picker(fieldset) {
    var search = fieldset.querySelector(".clause-search");
    var input = search && search.querySelector("input");
    var none = fieldset.querySelector(".clause-none");
    if (!input) {
      return;
    }
    search.hidden = false;
    function filter() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      fieldset.querySelectorAll(".clause-list li").forEach(function (li) {
        var box = li.querySelector("input");
        var hit = !q || li.textContent.toLowerCase().indexOf(q) !== -1 || (box && box.checked);
        li.hidden = !hit;
        if (hit) {
          shown += 1;
        }
      });
      if (none) {
        none.hidden = shown > 0;
      }
    }
    input.addEventListener("input", filter);
    // Enter in the search box filters; it does not send the form.
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
      }
    });
    filter();
  }

  function renumber(block, from, to) {
    var suffix = new RegExp("_" + from + "$");
    block.querySelectorAll("[id],[name],[for],[aria-controls]").forEach(function (el) {
      ["id", "name", "for", "aria-controls"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v && suffix.test(v)) {
          el.setAttribute(attr, v.replace(suffix, "_" + to));
        }
      });
    });
    block.setAttribute("data-n", String(to));
  }

  function addBlock(list) {
    var blocks = list.querySelectorAll(".opinion-row");
    var last = blocks[blocks.length - 1];
    if (!last) {
      return;
    }
    var n = blocks.length;
    var block = last.cloneNode(true);
    renumber(block, last.getAttribute("data-n"), n);
    block.querySelector("legend").textContent = (list.getAttribute("data-legend") || "{n}").replace(
      "{n}",
      String(n + 1)
    );
    block.querySelectorAll("textarea").forEach(function (t) {
      t.value = "";
    });
    block.querySelectorAll("input[type=checkbox]").forEach(function (c) {
      c.checked = false;
    });
    block.querySelectorAll("input[type=search]").forEach(function (s) {
      s.value = "";
    });
    list.appendChild(block);
    block.querySelectorAll(".clause-picker").forEach(picker);
    var body = block.querySelector("textarea");
    if (body) {
      body.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".clause-picker").forEach(picker);
    var list = document.querySelector(".opinion-rows");
    var add = document.querySelector("button.add-opinion");
    if (list && add) {
      add.addEventListener("click", function (e) {
        e.preventDefault();
        addBlock(list);
      });
    }
  });
})();
