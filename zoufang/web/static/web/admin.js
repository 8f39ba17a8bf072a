/* 走访管理后台 on a phone: each filter of a change list folds to its title unless it is in use, so the list
   (after the filters there, web/admin.css) is in reach. Django's filters.js, run before this, keeps what the
   clerk opened or folded in this tab; a filter that was never touched starts folded. */
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 767px)").matches) {
    return;
  }
  var touched = JSON.parse(sessionStorage.getItem("django.admin.filtersState") || "{}");
  document.querySelectorAll("#changelist-filter details[data-filter-title]").forEach(function (filter) {
    var choices = filter.querySelectorAll("li");
    var chosen = filter.querySelector("li.selected");
    var inUse = chosen !== null && chosen !== choices[0];
    if (inUse) {
      filter.open = true;
    } else if (!(filter.dataset.filterTitle in touched)) {
      filter.open = false;
    }
  });
})();
