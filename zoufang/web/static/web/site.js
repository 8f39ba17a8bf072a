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
  /* Where 我的走访 keeps things on the phone, named by the server for this script, visits.js and sw.js alike
     (visits/on_phone.py): a cadre's outbox, the prefix of every typed form (draft) and of the offline copies. */
  var stored = document.getElementById("phone-storage");
  var NAMES = stored ? JSON.parse(stored.textContent) : {};
  /* 我的走访's copies for offline use (the service worker's Cache Storage: residents' names, masked numbers) are
     dropped on 退出, and on any page shown to no one logged in (the session ended some other way): the next person
     to pick up the phone finds none of them offline. The visit forms typed and not sent (drafts) are forgotten on
     退出 only; unsent records stay in their cadre's outbox until sent under the same login (visits.js). */
  function forgetOfflineCopies() {
    if (!window.caches || !NAMES.caches) { return Promise.resolve(); }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(NAMES.caches) === 0; })
        .map(function (n) { return caches.delete(n); }));
    }).catch(function () { /* storage refused: nothing was kept */ });
  }
  window.zoufangForgetOfflineCopies = forgetOfflineCopies;  /* visits.js: when another cadre opens 我的走访 */
  /* Records not yet sent stay in their cadre's outbox on the phone after 退出, unsent until that cadre logs in
     again: the cadre is told so, and may stay. */
  function mayLeave(form) {
    var unsent = 0;
    if (!NAMES.outbox) { return true; }
    try { unsent = (JSON.parse(localStorage.getItem(NAMES.outbox)) || []).length; } catch (e) { return true; }
    return !unsent || window.confirm(form.getAttribute("data-unsent").replace("%(n)s", unsent));
  }
  var logouts = document.querySelectorAll("form[data-logout]");
  if (!logouts.length) { forgetOfflineCopies(); }
  logouts.forEach(function (form) {
    var leaving = false;
    form.addEventListener("submit", function (event) {
      if (leaving) { return; }
      event.preventDefault();
      if (!mayLeave(form)) { return; }
      leaving = true;
      try {
        Object.keys(localStorage).filter(function (k) { return NAMES.drafts && k.indexOf(NAMES.drafts) === 0; })
          .forEach(function (k) { localStorage.removeItem(k); });
      } catch (e) { /* storage refused (private mode): nothing was kept */ }
      /* never held up by a slow disk: logged out within a second whatever the cache answers */
      Promise.race([forgetOfflineCopies(), new Promise(function (done) { setTimeout(done, 1000); })])
        .then(function () { form.submit(); });
    });
  });
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      /* A disabled button sends nothing: the button pressed (which of the form's actions) goes as a hidden field. */
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        var kept = document.createElement("input");
        kept.type = "hidden"; kept.name = pressed.name; kept.value = pressed.value;
        form.appendChild(kept);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        if (button.hasAttribute("data-busy")) { button.textContent = button.getAttribute("data-busy"); }
      });
    });
  });
  /* A table's head box ticks or clears every box of its column that belongs to the form it names (本页全部). */
  document.querySelectorAll("input[data-pick-all]").forEach(function (all) {
    var boxes = document.querySelectorAll("input[type=checkbox][form='" + all.getAttribute("data-pick-all") + "']");
    if (!boxes.length) { return; }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      boxes[0].dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
  /* A form's fields that only one kind takes (the 专报's subject and numbers): shown while that kind is chosen. Without
     script they stay shown, and the server ignores them for the other kinds. */
  document.querySelectorAll("[data-shown-for-kind]").forEach(function (field) {
    var kind = field.closest("form").querySelector("select[name=kind]");
    if (!kind) { return; }
    function toggle() { field.hidden = kind.value !== field.getAttribute("data-shown-for-kind"); }
    kind.addEventListener("change", toggle);
    toggle();
  });
  /* How many cases are picked for 问题办理's 专报 bar: the boxes ticked on this page and those carried from other pages
     or filters (data-carried, decision 0079), said beside its button. */
  document.querySelectorAll("[data-pick-count]").forEach(function (count) {
    var formId = count.getAttribute("data-pick-count");
    var carried = parseInt(count.getAttribute("data-carried") || "0", 10);
    var boxes = document.querySelectorAll("input[type=checkbox][form='" + formId + "']:not([data-pick-all])");
    function update() {
      var n = carried;
      boxes.forEach(function (box) { if (box.checked) { n += 1; } });
      count.textContent = count.getAttribute("data-counted").replace("%(n)s", n);
    }
    document.addEventListener("change", function (event) {
      if (event.target.getAttribute && event.target.getAttribute("form") === formId) { update(); }
    });
    update();
  });
  /* What leaves 问题办理 otherwise than by its form takes the picks made since the page was drawn (decision 0084): the
     rows' links to a case page carry them in their `list` (the way back to the list), and 以当前筛选结果生成专报, a form
     of its own, sends them for a refusal's way back. The form's own buttons (查询, the pages, a chip's ×) carry them
     without script. */
  function picksOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name === "pick" && (field.type === "hidden" || field.checked);
    }).map(function (field) { return field.value; });
  }
  function withPicks(query, picks) {
    var params = new URLSearchParams(query);
    params.delete("pick");
    picks.forEach(function (pick) { params.append("pick", pick); });
    return params;
  }
  document.querySelectorAll("a[data-list-link]").forEach(function (link) {
    var form = document.getElementById(link.getAttribute("data-list-link"));
    if (!form) { return; }
    function update() {
      var url = new URL(link.href);
      var place = withPicks(url.searchParams.get("list") || "", picksOf(form)).toString();
      if (place) { url.searchParams.set("list", place); } else { url.searchParams.delete("list"); }
      link.href = url.pathname + url.search;
    }
    document.addEventListener("change", function (event) {
      if (event.target.name === "pick" && event.target.form === form) { update(); }
    });
  });
  document.querySelectorAll("[data-filter-changed]").forEach(function (note) {
    var form = document.getElementById(note.getAttribute("data-filter-changed"));
    var sending = note.closest("form");
    if (!form || !sending) { return; }
    function changed(event) {
      if (event.target.name !== "pick" && event.target.form === form) { note.hidden = false; }
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    sending.addEventListener("submit", function () {
      sending.querySelectorAll("input[type=hidden][name=pick]").forEach(function (old) { old.remove(); });
      picksOf(form).forEach(function (pick) {
        var kept = document.createElement("input");
        kept.type = "hidden"; kept.name = "pick"; kept.value = pick;
        sending.appendChild(kept);
      });
    });
  });
})();
