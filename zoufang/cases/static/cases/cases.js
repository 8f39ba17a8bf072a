/* The case page's 交办 form: a box that narrows the 协办单位 rows by name, the 承办单位 taken out of them, and each
   group's summary naming what is ticked in it. The server checks the same (cases/forms.py); this only saves taps. */
(function () {
  "use strict";
  document.querySelectorAll("[data-co-handlers]").forEach(function (box) {
    var form = box.closest("form");
    var main = form.querySelector("select[name$='-unit']");
    var groups = Array.prototype.slice.call(box.querySelectorAll(".unit-group"));
    var filter = box.querySelector("[data-unit-filter]");
    var search = filter.querySelector("input");
    var none = filter.querySelector("[data-unit-none]");
    var opened = null;  // the groups open before a search, to fold back to when it is cleared

    function rows(group) { return Array.prototype.slice.call(group.querySelectorAll("label.option")); }

    function summarise() {
      groups.forEach(function (group) {
        var names = rows(group).filter(function (row) { return row.querySelector("input").checked; })
          .map(function (row) { return row.querySelector("span").firstChild.textContent.trim(); });
        group.querySelector("[data-chosen]").textContent =
          names.length ? box.getAttribute("data-chosen-label") + " " + names.join("、") : "";
      });
    }

    function markMain() {
      groups.forEach(function (group) {
        rows(group).forEach(function (row) {
          var input = row.querySelector("input");
          var isMain = main && main.value !== "" && input.value === main.value;
          var note = row.querySelector(".main-note");
          if (isMain) { input.checked = false; }
          input.disabled = isMain;
          row.classList.toggle("is-main", isMain);
          if (isMain && !note) {
            note = document.createElement("span");
            note.className = "main-note small muted";
            note.textContent = box.getAttribute("data-main-label");
            row.querySelector("span").appendChild(note);
          } else if (!isMain && note) {
            note.remove();
          }
        });
      });
      summarise();
    }

    function narrow() {
      var words = search.value.trim();
      if (words && opened === null) { opened = groups.map(function (group) { return group.open; }); }
      var shown = 0;
      groups.forEach(function (group, i) {
        var inGroup = 0;
        rows(group).forEach(function (row) {
          var hit = !words || row.textContent.indexOf(words) !== -1;
          row.hidden = !hit;
          if (hit) { inGroup += 1; }
        });
        shown += inGroup;
        group.hidden = words !== "" && inGroup === 0;
        if (words) {
          group.open = inGroup > 0;
        } else if (opened !== null) {  // back as before, but a group where something was just ticked stays open
          group.open = opened[i] || group.querySelector("input:checked") !== null;
        }
      });
      if (!words) { opened = null; }
      none.hidden = !words || shown > 0;
    }

    filter.hidden = false;
    search.addEventListener("input", narrow);
    // Enter in the box narrows; it does not send the form half filled.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    box.addEventListener("change", summarise);
    if (main) { main.addEventListener("change", markMain); }
    markMain();
  });
})();
