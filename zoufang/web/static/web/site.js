/* 走访 — the little the pages need beyond HTML: file names in Chinese, no double submissions, print
   buttons (no inline handlers: the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.querySelectorAll("[data-file-pick]").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    var name = box.querySelector("[data-file-name]");
    function update() {
      name.textContent = input.files && input.files.length ? input.files[0].name : name.getAttribute("data-empty");
    }
    input.addEventListener("change", update);
    update();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  /* 退出: the visit forms typed on this phone and not sent (我的走访's drafts) are forgotten; unsent records stay in
     their cadre's outbox until sent under the same login (visits.js) */
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(localStorage).filter(function (k) { return k.indexOf("zoufang.draft.") === 0; })
          .forEach(function (k) { localStorage.removeItem(k); });
      } catch (e) { /* storage refused (private mode): nothing was kept */ }
    });
  });
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        if (button.hasAttribute("data-busy")) { button.textContent = button.getAttribute("data-busy"); }
      });
    });
  });
})();
