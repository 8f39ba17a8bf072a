/* 我的走访: the visit form built from the questionnaires' data, and an outbox in localStorage that sends
   each record (with its client UUID) until the server has it — safe to retry, safe to close the tab. */
(function () {
  "use strict";
  var dataEl = document.getElementById("visit-data");
  if (!dataEl) { return; }
  var DATA = JSON.parse(dataEl.textContent);
  /* one outbox per cadre: on a shared phone, one cadre's unsent records are never sent under another's login */
  var KEY = "zoufang.outbox.v1." + (DATA.cadre || "preview");
  /* the form being typed, per cadre and target, until it is sent: the back button, a reload or a lost login never
     loses it (site.js forgets every draft when the cadre logs out) */
  var DRAFT = "zoufang.draft.v1." + (DATA.cadre || "preview") + ".";
  var section = document.getElementById("visit-form");
  var outboxEl = document.getElementById("outbox");
  var listEl = document.getElementById("mylist");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  /* the cookie's token at each send: after logging in again in another tab, this page's own token is stale */
  function token() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? decodeURIComponent(m[1]) : csrf; }
  var loadedAt = Date.now();
  var flushing = false;
  var OFFSET = DATA.now.slice(-6);
  var T = DATA.texts;  /* the words shown, through gettext (visits/form_texts.py) */
  var KINDS = T.kinds;
  function fmt(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; }); }

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (attrs[k] !== null && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (kids || []).forEach(function (kid) { if (kid) { node.appendChild(kid); } });
    return node;
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) { h.push((b[i] + 256).toString(16).slice(1)); if (i === 3 || i === 5 || i === 7 || i === 9) { h.push("-"); } }
    return h.join("");
  }
  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function nowLocal() {
    var sign = OFFSET[0] === "-" ? -1 : 1, mins = sign * (parseInt(OFFSET.slice(1, 3), 10) * 60 + parseInt(OFFSET.slice(4), 10));
    var t = new Date(new Date(DATA.now).getTime() + Date.now() - loadedAt + mins * 60000);
    return t.toISOString().slice(0, 16);
  }

  /* relevant: the tree parsed on the server (zoufang/forms/expressions.py), evaluated the same way */
  function picked(v) { return Array.isArray(v) ? v.map(String) : String(v == null ? "" : v).split(" ").filter(Boolean); }
  function num(v) { var n = parseFloat(v); return isNaN(n) ? v : n; }
  function ev(node, ctx, own) {
    if (!node) { return true; }
    var h = node[0], a, b;
    if (h === "ref") { return ctx[node[1]]; }
    if (h === "self") { return own; }
    if (h === "lit") { return node[1]; }
    if (h === "and") { return !!ev(node[1], ctx, own) && !!ev(node[2], ctx, own); }
    if (h === "or") { return !!ev(node[1], ctx, own) || !!ev(node[2], ctx, own); }
    if (h === "call") {
      a = ev(node[2], ctx, own);
      if (node[1] === "selected") { return picked(a).indexOf(String(ev(node[3], ctx, own))) >= 0; }
      if (node[1] === "count-selected") { return picked(a).length; }
      return !a;
    }
    a = ev(node[1], ctx, own); b = ev(node[2], ctx, own);
    if (h === "=" || h === "!=") { var same = String(a == null ? "" : a) === String(b == null ? "" : b) || (a != null && num(a) === num(b)); return h === "=" ? same : !same; }
    a = num(a); b = num(b);
    if (typeof a !== "number" || typeof b !== "number") { return false; }
    return h === ">" ? a > b : h === ">=" ? a >= b : h === "<" ? a < b : a <= b;
  }

  function question(node, key, choices, reg) {
    var id = "q-" + key + "-" + node.name + "-" + Math.random().toString(36).slice(2, 7);
    var wrap = el("div", {"class": "q", "data-q": key + "." + node.name});
    var label = el("label", {"for": id, text: node.label});
    if (node.required) { label.appendChild(el("span", {"class": "req", text: " *"})); }
    wrap.appendChild(label);
    if (node.hint) { wrap.appendChild(el("div", {"class": "hint", text: node.hint})); }
    var get;
    if (node.type === "note") {
      get = function () { return null; };
    } else if (node.type === "select_one" || node.type === "select_multiple") {
      var multi = node.type === "select_multiple", box = el("div", {"class": "choices", id: id, role: multi ? "group" : "radiogroup"});
      (choices[node.list] || []).forEach(function (c) {
        box.appendChild(el("label", {"class": "choice"}, [el("input", {type: multi ? "checkbox" : "radio", name: id, value: c[0]}), el("span", {text: c[1]})]));
      });
      wrap.appendChild(box);
      get = function () {
        var v = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
        return multi ? v : (v[0] || "");
      };
    } else {
      var input = node.type === "text" ? el("textarea", {id: id, rows: "2"})
        : el("input", {id: id, type: node.type === "date" ? "date" : "number", step: node.type === "decimal" ? "any" : "1", inputmode: node.type === "date" ? null : "decimal"});
      wrap.appendChild(input);
      get = function () { return input.value.trim(); };
    }
    wrap.appendChild(el("div", {"class": "q-error", role: "alert"}));
    reg.items.push({node: node, wrap: wrap, get: get});
    return wrap;
  }
  function render(items, parent, key, choices, reg) {
    items.forEach(function (node) {
      if (node.kind === "question") { parent.appendChild(question(node, key, choices, reg)); return; }
      var box = el("fieldset", {"class": node.kind, "data-q": key + "." + node.name}, [el("legend", {text: node.label})]);
      parent.appendChild(box);
      if (node.kind === "group") { reg.items.push({node: node, wrap: box}); render(node.children, box, key, choices, reg); return; }
      var rows = el("div", {"class": "rows"}), rep = {node: node, wrap: box, rows: []};
      var add = el("button", {type: "button", "class": "btn btn-plain btn-small", text: T.add_row});
      add.addEventListener("click", function () {
        var row = {reg: {items: [], repeats: []}, el: el("div", {"class": "repeat-row"})};
        var drop = el("button", {type: "button", "class": "link", text: T.drop_row});
        drop.addEventListener("click", function () { rep.rows.splice(rep.rows.indexOf(row), 1); row.el.remove(); });
        render(node.children, row.el, key, choices, row.reg);
        row.el.appendChild(drop);
        rep.rows.push(row); rows.appendChild(row.el);
      });
      box.appendChild(rows); box.appendChild(add);
      reg.repeats.push(rep);
    });
  }
  function values(reg) {
    var out = {};
    reg.items.forEach(function (it) { if (it.get && !it.wrap.closest("[hidden]")) { var v = it.get(); if (v !== "" && v !== null && !(Array.isArray(v) && !v.length)) { out[it.node.name] = v; } } });
    reg.repeats.forEach(function (rep) { if (!rep.wrap.closest("[hidden]")) { out[rep.node.name] = rep.rows.map(function (r) { return values(r.reg); }); } });
    return out;
  }
  function refresh(reg, ctx) {
    reg.items.concat(reg.repeats).forEach(function (it) { if (it.node.relevant) { it.wrap.hidden = !ev(it.node.relevant, ctx); } });
    reg.repeats.forEach(function (rep) { rep.rows.forEach(function (r) { refresh(r.reg, Object.assign({}, ctx, values(r.reg))); }); });
  }
  function check(reg) {
    var ok = true;
    reg.items.forEach(function (it) {
      if (!it.get) { return; }
      var msg = it.wrap.querySelector(".q-error"), v = it.get();
      var empty = v === "" || (Array.isArray(v) && !v.length);
      var bad = !it.wrap.closest("[hidden]") && it.node.required && empty ? T.required : "";
      if (!bad && !empty && it.node.constraint && !it.wrap.closest("[hidden]") && !ev(it.node.constraint, {}, num(v))) { bad = it.node.constraint_message || T.constraint; }
      msg.textContent = bad; if (bad) { ok = false; }
    });
    reg.repeats.forEach(function (rep) { rep.rows.forEach(function (r) { if (!check(r.reg)) { ok = false; } }); });
    return ok;
  }

  function field(label, input, extra) { return el("div", {"class": "field"}, [el("label", {"for": input.id, text: label}), input, extra || null]); }
  function opinionRow(box, campaign) {
    var cats = DATA.categories[campaign] || [];
    var kind = el("select", {"data-o": "kind"}), cat = el("select", {"data-o": "category"}), text = el("textarea", {"data-o": "description", rows: "2", placeholder: T.opinion_placeholder});
    KINDS.forEach(function (k) { kind.appendChild(el("option", {value: k[0], text: k[1]})); });
    cat.appendChild(el("option", {value: "", text: T.category}));
    cats.forEach(function (c) { cat.appendChild(el("option", {value: c[0], text: c[0] + " " + (c[1].length > 26 ? c[1].slice(0, 26) + "…" : c[1])})); });
    var spot = el("input", {type: "checkbox", "data-o": "settled_on_spot"});
    var drop = el("button", {type: "button", "class": "link", text: T.drop});
    /* 当场解决 and 删除 at the two ends of one line: a tap meant for the box never deletes the row */
    var row = el("div", {"class": "opinion"}, [el("div", {"class": "opinion-head"}, [kind, cat]), text,
      el("div", {"class": "opinion-foot"}, [el("label", {"class": "check"}, [spot, el("span", {text: T.on_spot})]), drop])]);
    drop.addEventListener("click", function () { row.remove(); });
    box.appendChild(row);
  }

  /* A draft is every control's value in the form's order, with how many rows each repeat and the opinions had, and
     the questionnaires' versions it was typed against (another version: the draft no longer fits and is dropped). */
  function formsOf(t) { return t.forms.map(function (k) { return k + "@" + DATA.forms[k].version; }).join(","); }
  function controls(form) { return form.querySelectorAll("input, select, textarea"); }
  function rowBoxes(form) { return form.querySelectorAll(".rows, .opinions"); }
  function keepDraft(form, targetId, t) {
    localStorage.setItem(DRAFT + targetId, JSON.stringify({forms: formsOf(t),
      rows: Array.prototype.map.call(rowBoxes(form), function (box) { return box.children.length; }),
      values: Array.prototype.map.call(controls(form), function (c) { return c.type === "checkbox" || c.type === "radio" ? c.checked : c.value; })}));
  }
  function restoreDraft(form, targetId, t) {
    var draft;
    try { draft = JSON.parse(localStorage.getItem(DRAFT + targetId)); } catch (e) { draft = null; }
    if (!draft || draft.forms !== formsOf(t)) { return false; }
    for (var i = 0; i < draft.rows.length; i++) {  /* nested repeats appear as their rows are added: count afresh */
      var box = rowBoxes(form)[i];
      if (!box) { return false; }
      while (box.children.length < draft.rows[i]) { box.nextElementSibling.click(); }
    }
    var all = controls(form);
    if (all.length !== draft.values.length) { return false; }
    Array.prototype.forEach.call(all, function (c, n) {
      if (c.type === "checkbox" || c.type === "radio") { c.checked = !!draft.values[n]; } else { c.value = draft.values[n]; }
    });
    form.querySelectorAll(".questionnaire").forEach(function (q) { q.dispatchEvent(new Event("change", {bubbles: true})); });
    return true;
  }
  function dropDraft(targetId) { localStorage.removeItem(DRAFT + targetId); }

  function open(targetId) {
    var t = DATA.targets[targetId];
    if (!DATA.preview && window.location.hash !== "#record-" + targetId) {
      /* the phone's back button closes the form, as 返回列表 does, and stays on 我的走访 */
      window.history.pushState({record: targetId}, "", "#record-" + targetId);
    }
    openTarget = targetId;
    listScroll = window.scrollY;
    section.innerHTML = "";
    var back = el("button", {type: "button", "class": "btn btn-plain btn-small", text: T.back});
    back.addEventListener("click", function () { close(false); });
    section.appendChild(el("div", {"class": "panel-head"}, [el("h2", {text: fmt(T.record_title, {name: t.name})}), el("span", {"class": "aside", text: t.kind_label}), back]));
    var form = el("form", {novalidate: "novalidate", "class": "visit-form"});
    var when = el("input", {id: "v-when", type: "datetime-local", value: nowLocal(), max: nowLocal(), required: "required"});
    var mode = el("select", {id: "v-mode"});
    t.modes.forEach(function (m) { mode.appendChild(el("option", {value: m[0], text: m[1]})); });
    var co = el("input", {id: "v-co", type: "text", placeholder: T.co_placeholder});
    var summary = el("textarea", {id: "v-summary", rows: "3", placeholder: T.summary_placeholder});
    var spot = el("input", {id: "v-spot", type: "checkbox"});
    var where = el("button", {type: "button", "class": "btn btn-plain btn-small", id: "v-where", text: T.locate});
    var whereText = el("span", {"class": "muted small", text: ""}), loc = {};
    where.addEventListener("click", function () {
      if (!navigator.geolocation) { whereText.textContent = T.no_geolocation; return; }
      whereText.textContent = T.locating;
      navigator.geolocation.getCurrentPosition(function (p) {
        loc = {latitude: p.coords.latitude, longitude: p.coords.longitude, location_accuracy: p.coords.accuracy};
        whereText.textContent = fmt(T.located, {metres: Math.round(p.coords.accuracy)});
      }, function () { whereText.textContent = T.not_located; }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
    });
    form.appendChild(el("div", {"class": "form-grid"}, [field(T.visited_at, when), field(T.mode, mode)]));
    form.appendChild(field(T.co_visitors, co));
    form.appendChild(el("div", {"class": "field"}, [el("span", {"class": "label", text: T.place}), where, whereText]));
    form.appendChild(field(T.summary, summary));
    /* with the visit's own account, far from 保存并发送 (the questionnaires and opinions between): a thumb aiming
       at one never hits the other */
    form.appendChild(el("label", {"class": "check settled"}, [spot, el("span", {text: T.settled})]));
    var regs = {};
    var optional = {};
    t.forms.forEach(function (key) {
      var f = DATA.forms[key], reg = {items: [], repeats: []}, box = el("fieldset", {"class": "questionnaire", "data-form": key}, [el("legend", {text: f.title})]);
      render(f.spec.items, box, key, f.spec.choices, reg);
      box.addEventListener("input", function () { refresh(reg, values(reg)); });
      box.addEventListener("change", function () { refresh(reg, values(reg)); });
      refresh(reg, {});
      regs[key] = reg;
      if (f.one_per === "village") {
        /* filled once per village: offered, not required on every household visit */
        var wrap = el("details", {"class": "once-per-village"}, [el("summary", {text: fmt(T.once_per_village, {title: f.title})}), box]);
        optional[key] = wrap; form.appendChild(wrap);
      } else { form.appendChild(box); }
    });
    function used(key) { return !optional[key] || optional[key].open; }
    var opinions = el("div", {"class": "opinions"});
    var addOpinion = el("button", {type: "button", "class": "btn btn-plain btn-small", id: "v-add-opinion", text: T.add_opinion});
    addOpinion.addEventListener("click", function () { opinionRow(opinions, t.campaign); });
    form.appendChild(el("fieldset", {"class": "opinions-box"}, [el("legend", {text: T.opinions}), opinions, addOpinion]));
    var problem = el("div", {"class": "notice notice-bad", role: "alert", hidden: "hidden"});
    form.appendChild(problem);
    form.appendChild(el("div", {"class": "buttons"}, [el("button", {type: "submit", "class": "btn", text: T.save})]));
    if (!DATA.preview) {
      form.addEventListener("input", function () { keepDraft(form, targetId, t); });
      form.addEventListener("change", function () { keepDraft(form, targetId, t); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      problem.textContent = "";
      var ok = Object.keys(regs).filter(used).map(function (k) { return check(regs[k]); }).every(Boolean);
      if (!when.value || when.value > nowLocal()) { ok = false; problem.textContent = T.bad_time; }
      var ops = Array.prototype.map.call(opinions.querySelectorAll(".opinion"), function (row) {
        return {kind: row.querySelector("[data-o=kind]").value, category: row.querySelector("[data-o=category]").value,
          description: row.querySelector("[data-o=description]").value.trim(), settled_on_spot: row.querySelector("[data-o=settled_on_spot]").checked};
      }).filter(function (o) { return o.description; });
      if (!ok) { problem.hidden = false; problem.textContent = problem.textContent || T.incomplete; return; }
      var answers = {};
      Object.keys(regs).filter(used).forEach(function (k) { answers[k] = values(regs[k]); });
      if (DATA.preview) { problem.hidden = false; problem.className = "notice notice-good"; problem.textContent = T.preview_ok; section.setAttribute("data-answers", JSON.stringify(answers)); return; }
      var payload = Object.assign({client_uuid: uuid4(), target_id: targetId, campaign: t.campaign, visited_at: when.value + ":00" + OFFSET,
        mode: mode.value, summary: summary.value.trim(), co_visitors: co.value.trim(), settled_on_spot: spot.checked, answers: answers, opinions: ops}, loc);
      var items = load();
      items.push({payload: payload, name: t.name, when: when.value.replace("T", " "), status: "pending"});
      save(items);
      dropDraft(targetId);
      close(true);  /* at the top, where the outbox and 已发送 say what became of it */
      showOutbox();
      flush();
    });
    section.appendChild(form);
    listEl.hidden = true; section.hidden = false; window.scrollTo(0, 0);  /* shown first: hidden questions read as unasked */
    if (!DATA.preview && restoreDraft(form, targetId, t)) {
      var restored = el("div", {"class": "notice notice-info draft-note", role: "status"}, [el("span", {text: T.draft_restored + " "})]);
      var anew = el("button", {type: "button", "class": "link", text: T.draft_discard});
      anew.addEventListener("click", function () { dropDraft(targetId); hide(); open(targetId); });
      restored.appendChild(anew);
      form.insertBefore(restored, form.firstChild);
    }
  }
  var openTarget = null, listScroll = 0;
  /* the page keeps its own scroll: back to the card the form was opened from, or to the top after sending */
  if ("scrollRestoration" in window.history) { window.history.scrollRestoration = "manual"; }
  function hide(atTop) {
    openTarget = null; section.hidden = true; section.innerHTML = ""; listEl.hidden = false;
    window.scrollTo(0, atTop ? 0 : listScroll);
  }
  function close(atTop) {
    if (DATA.preview) { window.history.back(); return; }
    hide(atTop);
    if (window.history.state && window.history.state.record) { window.history.back(); return; }  /* the entry open() added */
    if (window.location.hash) { window.history.replaceState(null, "", window.location.pathname + window.location.search); }
  }
  window.addEventListener("popstate", function () {
    var asked = window.location.hash.indexOf("#record-") === 0 ? window.location.hash.slice(8) : "";
    if (asked === (openTarget || "")) { return; }
    if (asked && DATA.targets[asked]) { hide(); open(asked); } else { hide(); }
  });

  var STATUS = T.status;
  function showOutbox() {
    var items = load();
    outboxEl.innerHTML = "";
    outboxEl.hidden = !items.length;
    if (!items.length) { return; }
    var pending = items.filter(function (i) { return i.status === "pending"; }).length;
    outboxEl.appendChild(el("div", {"class": "panel-head"}, [el("h2", {text: fmt(T.outbox_title, {n: items.length})}),
      el("span", {"class": "aside", text: navigator.onLine ? (pending ? T.sending : "") : T.offline})]));
    var list = el("ul", {"class": "outbox-list"});
    items.forEach(function (item, index) {
      var li = el("li", {"data-status": item.status}, [el("strong", {text: item.name}), el("span", {"class": "muted", text: " " + item.when + " "}),
        el("span", {"class": "badge" + (item.status === "pending" ? "" : " badge-bad"), text: STATUS[item.status] || item.status})]);
      if (item.message) { li.appendChild(el("div", {"class": "small", text: item.message})); }
      if (item.status === "login") { li.appendChild(el("a", {href: section.getAttribute("data-login"), text: T.login_again})); }
      if (item.status === "refused" || item.status === "conflict") {
        var drop = el("button", {type: "button", "class": "link", text: T.drop_item});
        drop.addEventListener("click", function () { var all = load(); all.splice(index, 1); save(all); showOutbox(); });
        li.appendChild(drop);
      }
      list.appendChild(li);
    });
    outboxEl.appendChild(list);
  }
  function markVisited(targetId) {
    var card = document.querySelector('[data-target="' + targetId + '"] .state');
    if (card) { card.textContent = T.visited; card.className = "state badge badge-now"; }
  }
  function tellSent(item) {
    var sent = document.getElementById("sent");
    sent.textContent = fmt(T.sent, {name: item.name, when: item.when});
    sent.hidden = false;
  }
  function settle(item, status, message) {
    var all = load(), uuid = item.payload.client_uuid;
    all = all.map(function (i) { if (i.payload.client_uuid === uuid) { i.status = status; i.message = message || ""; } return i; })
      .filter(function (i) { return i.status !== "sent"; });
    save(all);
  }
  function flush() {
    if (flushing) { return; }
    var next = load().filter(function (i) { return i.status === "pending" || i.status === "login"; })[0];
    // The browser knows it has no network: keep the record and wait for the "online" event (or the next tick).
    if (!next || !navigator.onLine) { showOutbox(); return; }
    flushing = true;
    fetch(section.getAttribute("data-submit-url"), {method: "POST", credentials: "same-origin", redirect: "manual",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token()}, body: JSON.stringify(next.payload)})
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (!json) { settle(next, "login", T.login_expired); return "stop"; }
        return r.json().then(function (body) {
          if (r.status === 200 || r.status === 201) { settle(next, "sent"); markVisited(next.payload.target_id); tellSent(next); return "next"; }
          if (r.status === 409) { settle(next, "conflict", T.conflict_text); return "next"; }
          settle(next, "refused", Object.keys(body.errors || {}).map(function (k) { return body.errors[k]; }).join(T.list_separator) || body.detail);
          return "next";
        });
      }, function () { return "stop"; })
      .then(function (how) { flushing = false; showOutbox(); if (how === "next") { flush(); } });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-record]");
    if (button) { open(button.getAttribute("data-record")); }
  });
  var search = document.getElementById("my-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim();
      document.querySelectorAll("[data-target]").forEach(function (card) { card.hidden = q && card.getAttribute("data-search").indexOf(q) < 0; });
      document.querySelectorAll(".my-group, .my-village").forEach(function (box) { box.hidden = !box.querySelector("[data-target]:not([hidden])"); });
    });
  }
  if (DATA.preview) { open(DATA.preview); return; }
  /* from a target's page (走访对象 → 记录走访): its form opened at once, when the target is on this list */
  var asked = window.location.hash.indexOf("#record-") === 0 ? window.location.hash.slice(8) : "";
  if (asked && DATA.targets[asked]) { open(asked); }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showOutbox);
  setInterval(flush, 15000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  showOutbox();
  flush();
  if ("serviceWorker" in navigator && section.getAttribute("data-sw")) {
    var link = el("link", {rel: "manifest", href: section.getAttribute("data-manifest")});
    document.head.appendChild(link);
    navigator.serviceWorker.register(section.getAttribute("data-sw"), {scope: section.getAttribute("data-scope")}).catch(function () {});
  }
})();
