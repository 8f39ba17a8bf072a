/* 我的走访: the visit form built from the questionnaires' data, and an outbox in localStorage that sends
   each record (with its client UUID) until the server has it — safe to retry, safe to close the tab. */
(function () {
  "use strict";
  var dataEl = document.getElementById("visit-data");
  if (!dataEl) { return; }
  var DATA = JSON.parse(dataEl.textContent);
  /* the names the server gives this script and site.js alike (visits/on_phone.py; none for a form's preview, which
     keeps nothing): one outbox per cadre, so on a shared phone one cadre's unsent records are never sent under
     another's login; and the form being typed, per cadre and target, until it is sent, so the back button, a reload
     or a lost login never loses it (site.js forgets every draft when the cadre logs out) */
  var stored = document.getElementById("phone-storage");
  var NAMES = stored ? JSON.parse(stored.textContent) : {};
  var KEY = NAMES.outbox, DRAFT = NAMES.draft;
  var section = document.getElementById("visit-form");
  var outboxEl = document.getElementById("outbox");
  var listEl = document.getElementById("mylist");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  /* the cookie's token at each send: after logging in again in another tab, this page's own token is stale */
  function token() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? decodeURIComponent(m[1]) : csrf; }
  /* how far the product's clock (the server's, a pinned day included) stands from the phone's: measured on every
     page from the network and kept, so that the copy the service worker serves offline, rendered hours or days
     before, still tells the time by the phone's clock now, not by the moment of its render */
  var CLOCK_KEY = NAMES.clock;
  var copyNote = document.getElementById("offline-copy");
  var fromCopy = !!copyNote && copyNote.getAttribute("data-served") === "copy";
  var skew = new Date(DATA.now).getTime() - Date.now();
  try {
    if (CLOCK_KEY && fromCopy) {
      var kept = parseFloat(localStorage.getItem(CLOCK_KEY));
      if (!isNaN(kept)) { skew = kept; }
    } else if (CLOCK_KEY && !DATA.preview) {
      localStorage.setItem(CLOCK_KEY, String(skew));
    }
  } catch (e) { /* storage refused: a copy counts from its render's moment, as the page does */ }
  var flushing = false;
  var inFlight = null;  /* the client UUID being sent */
  var waiters = {};  /* client UUID → what to do once its sending ends, whatever the answer */
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
    var t = new Date(Date.now() + skew + mins * 60000);
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
  /* every question failing its check marked in red; `bad` collects them in the form's order, each with its label */
  function check(reg, bad) {
    reg.items.forEach(function (it) {
      if (!it.get) { return; }
      var msg = it.wrap.querySelector(".q-error"), v = it.get();
      var empty = v === "" || (Array.isArray(v) && !v.length);
      var rule = !it.wrap.closest("[hidden]") && it.node.required && empty ? T.required : "";
      if (!rule && !empty && it.node.constraint && !it.wrap.closest("[hidden]") && !ev(it.node.constraint, {}, num(v))) { rule = it.node.constraint_message || T.constraint; }
      msg.textContent = rule;
      if (rule) { bad.push({wrap: it.wrap, label: it.node.label, rule: rule}); }
    });
    reg.repeats.forEach(function (rep) { rep.rows.forEach(function (r) { check(r.reg, bad); }); });
    return bad;
  }
  /* a long form refused: the cadre is taken to its first bad field, named in the message under the form */
  function showFirstBad(problem, bad) {
    var first = bad[0];
    problem.hidden = false;
    problem.textContent = first.message || fmt(T.first_bad, {field: first.label, rule: first.rule}) +
      (bad.length > 1 ? fmt(T.more_bad, {n: bad.length}) : "");
    first.wrap.scrollIntoView({block: "center"});
    var control = first.wrap.querySelector("input, select, textarea");
    if (control) { control.focus({preventScroll: true}); }
  }

  function field(label, input, extra) { return el("div", {"class": "field"}, [el("label", {"for": input.id, text: label}), input, extra || null]); }
  function opinionRow(box, campaign) {
    var cats = DATA.categories[campaign] || [];
    var kind = el("select", {"data-o": "kind", "aria-label": T.opinion_kind}), cat = el("select", {"data-o": "category", "aria-label": T.opinion_category}), text = el("textarea", {"data-o": "description", rows: "2", placeholder: T.opinion_placeholder});
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
  function snapshot(form, t) {
    return {forms: formsOf(t),
      rows: Array.prototype.map.call(rowBoxes(form), function (box) { return box.children.length; }),
      values: Array.prototype.map.call(controls(form), function (c) { return c.type === "checkbox" || c.type === "radio" ? c.checked : c.value; })};
  }
  function keepDraft(form, targetId, t) { localStorage.setItem(DRAFT + targetId, JSON.stringify(snapshot(form, t))); }
  function readDraft(targetId) { try { return JSON.parse(localStorage.getItem(DRAFT + targetId)); } catch (e) { return null; } }
  function restoreDraft(form, t, draft) {
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

  /* the record of this target still in the outbox (not yet stored, or refused): opening the target again offers it
     to be changed, not a second visit recorded beside it (a target is visited once; a real second visit is rare) */
  function waitingFor(targetId) {
    return load().filter(function (i) { return i.payload.target_id === targetId; })[0] || null;
  }
  function mayEdit(item) { return !!item.draft && item.status !== "conflict" && inFlight !== item.payload.client_uuid; }
  function offerWaiting(targetId, t, item) {
    var note = el("div", {"class": "notice notice-info waiting-note", role: "status"},
      [el("p", {text: fmt(T.waiting, {name: t.name, when: item.when, status: T.status[item.status] || item.status})})]);
    var buttons = el("div", {"class": "buttons"});
    if (mayEdit(item)) {
      var edit = el("button", {type: "button", "class": "btn", text: T.edit_waiting});
      edit.addEventListener("click", function () { hide(); open(targetId, {edit: item}); });
      buttons.appendChild(edit);
    }
    var again = el("button", {type: "button", "class": "btn btn-plain", text: T.record_again});
    again.addEventListener("click", function () { hide(); open(targetId, {again: true}); });
    buttons.appendChild(again);
    note.appendChild(buttons);
    section.appendChild(note);
  }

  function open(targetId, how) {
    var t = DATA.targets[targetId];
    how = how || {};
    var waiting = DATA.preview || how.edit || how.again ? null : waitingFor(targetId);
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
    if (waiting) { offerWaiting(targetId, t, waiting); listEl.hidden = true; section.hidden = false; window.scrollTo(0, 0); return; }
    var form = el("form", {novalidate: "novalidate", "class": "visit-form"});
    var when = el("input", {id: "v-when", type: "datetime-local", value: nowLocal(), max: nowLocal(), required: "required"});
    var mode = el("select", {id: "v-mode"});
    t.modes.forEach(function (m) { mode.appendChild(el("option", {value: m[0], text: m[1]})); });
    var co = el("input", {id: "v-co", type: "text", placeholder: T.co_placeholder});
    var summary = el("textarea", {id: "v-summary", rows: "3", placeholder: T.summary_placeholder});
    var spot = el("input", {id: "v-spot", type: "checkbox"});
    var where = el("button", {type: "button", "class": "btn btn-plain btn-small", id: "v-where", text: T.locate});
    var whereText = el("span", {"class": "muted small", text: ""}), loc = {};
    if (how.edit && how.edit.payload.latitude != null) {  /* the place found for the waiting record stays with it */
      loc = {latitude: how.edit.payload.latitude, longitude: how.edit.payload.longitude, location_accuracy: how.edit.payload.location_accuracy};
    }
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
    var send = el("button", {type: "submit", "class": "btn", text: T.save});
    form.appendChild(el("div", {"class": "buttons"}, [send]));
    if (!DATA.preview) {
      form.addEventListener("input", function () { keepDraft(form, targetId, t); });
      form.addEventListener("change", function () { keepDraft(form, targetId, t); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      problem.textContent = "";
      var bad = [];
      if (!when.value || when.value > nowLocal()) { bad.push({wrap: when.closest(".field"), message: T.bad_time}); }
      Object.keys(regs).filter(used).forEach(function (k) { check(regs[k], bad); });
      var ops = Array.prototype.map.call(opinions.querySelectorAll(".opinion"), function (row) {
        return {kind: row.querySelector("[data-o=kind]").value, category: row.querySelector("[data-o=category]").value,
          description: row.querySelector("[data-o=description]").value.trim(), settled_on_spot: row.querySelector("[data-o=settled_on_spot]").checked};
      }).filter(function (o) { return o.description; });
      if (bad.length) { showFirstBad(problem, bad); return; }
      var answers = {};
      Object.keys(regs).filter(used).forEach(function (k) { answers[k] = values(regs[k]); });
      if (DATA.preview) { problem.hidden = false; problem.className = "notice notice-good"; problem.textContent = T.preview_ok; section.setAttribute("data-answers", JSON.stringify(answers)); return; }
      /* a waiting record changed keeps its client UUID: had the first version reached the server after all, the
         change is answered as a conflict, never stored as a second visit */
      var payload = Object.assign({client_uuid: how.edit ? how.edit.payload.client_uuid : uuid4(), target_id: targetId, campaign: t.campaign, visited_at: when.value + ":00" + OFFSET,
        mode: mode.value, summary: summary.value.trim(), co_visitors: co.value.trim(), settled_on_spot: spot.checked, answers: answers, opinions: ops}, loc);
      var record = {payload: payload, name: t.name, when: when.value.replace("T", " "), status: "pending", draft: snapshot(form, t)};
      var items = load(), at = -1;
      items.forEach(function (i, n) { if (i.payload.client_uuid === payload.client_uuid) { at = n; } });
      if (at >= 0) { items[at] = record; } else { items.push(record); }
      save(items);
      dropDraft(targetId);
      /* the button says the record is on its way until the server answers (or at once without a network); then the
         list, at the top, where the outbox and 已发送 say what became of it */
      form.inert = true;
      send.disabled = true; send.setAttribute("aria-busy", "true"); send.textContent = T.sending;
      var finished = false;
      var done = function () {
        if (finished) { return; }
        finished = true;
        if (section.contains(form)) { close(true); }
        showOutbox();
      };
      if (!navigator.onLine) { done(); return; }
      waiters[payload.client_uuid] = done;
      setTimeout(done, 8000);  /* a weak network: the outbox goes on trying, the cadre goes on working */
      flush();
    });
    section.appendChild(form);
    listEl.hidden = true; section.hidden = false; window.scrollTo(0, 0);  /* shown first: hidden questions read as unasked */
    if (how.edit) {
      restoreDraft(form, t, how.edit.draft);
      form.insertBefore(el("div", {"class": "notice notice-info draft-note", role: "status", text: T.editing_waiting}), form.firstChild);
    } else if (!DATA.preview && !how.again && restoreDraft(form, t, readDraft(targetId))) {
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

  /* the copy the service worker kept, opened without a network, says so and of when (#offline-copy, the server's
     words): offline, records wait on the phone; back online (or a record went through), that its figures are still
     the copy's, with a reload */
  var reconnected = false;
  function showCopyNote() {
    if (!fromCopy) { return; }
    copyNote.hidden = false;
    copyNote.querySelector(".offline-now").hidden = reconnected;
    copyNote.querySelector(".online-again").hidden = !reconnected;
  }
  window.addEventListener("online", function () { reconnected = true; showCopyNote(); });
  window.addEventListener("offline", function () { reconnected = false; showCopyNote(); });

  var STATUS = T.status;
  function showOutbox() {
    var items = load();
    markWaiting(items);
    outboxEl.innerHTML = "";
    outboxEl.hidden = !items.length;
    if (!items.length) { return; }
    var pending = items.filter(function (i) { return i.status === "pending"; }).length;
    outboxEl.appendChild(el("div", {"class": "panel-head"}, [el("h2", {text: fmt(T.outbox_title, {n: items.length})}),
      el("span", {"class": "aside", text: navigator.onLine ? (pending ? T.sending : "") : (fromCopy ? "" : T.offline)})]));
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
  /* a card whose record waits in the outbox says 待发送 (and says what it said before once the record is gone) */
  function markWaiting(items) {
    var waiting = items.map(function (i) { return i.payload.target_id; });
    document.querySelectorAll("[data-target] .state").forEach(function (state) {
      var id = state.closest("[data-target]").getAttribute("data-target");
      if (waiting.indexOf(id) >= 0) {
        if (!state.hasAttribute("data-was")) { state.setAttribute("data-was", state.textContent); }
        state.textContent = T.status.pending;
      } else if (state.hasAttribute("data-was")) {
        state.textContent = state.getAttribute("data-was"); state.removeAttribute("data-was");
      }
    });
  }
  function markVisited(targetId) {
    var card = document.querySelector('[data-target="' + targetId + '"] .state');
    if (card) { card.textContent = T.visited; card.className = "state badge badge-now"; card.removeAttribute("data-was"); }
  }
  /* the server stored the visit: 已走访/分配 and 待走访 follow, as the page would show them reloaded (visited: by
     this cadre in the assignment's campaign, mylist.py) */
  function bump(key) {
    var figure = document.querySelector('[data-figure="' + key + '"]');
    if (!figure) { return; }
    var visited = parseInt(figure.getAttribute("data-visited"), 10) + 1;
    figure.setAttribute("data-visited", visited);
    figure.querySelector(".value").textContent = visited + "/" + figure.getAttribute("data-assigned");
  }
  function countVisit(targetId, body) {
    var t = DATA.targets[targetId];
    if (!t || t.visited || body.campaign !== t.campaign) { return; }
    t.visited = true;
    bump("all"); bump(t.kind);
    var due = document.getElementById("due");
    if (!due) { return; }
    var list = due.querySelector("ul");
    var gone = list.querySelector('[data-record="' + targetId + '"]');
    if (gone) { gone.closest("li").remove(); }
    var left = parseInt(due.getAttribute("data-due"), 10) - 1;
    due.setAttribute("data-due", left);
    var more = due.querySelector(".due-more");
    if (more) { more.textContent = fmt(T.due_more, {n: left}); }
    /* the next one left on the list below takes the place freed */
    var listed = Array.prototype.map.call(list.querySelectorAll("[data-record]"), function (b) { return b.getAttribute("data-record"); });
    var card = Array.prototype.filter.call(document.querySelectorAll("[data-target]"), function (c) {
      var id = c.getAttribute("data-target");
      return DATA.targets[id] && !DATA.targets[id].visited && listed.indexOf(id) < 0;
    })[0];
    if (gone && card) {
      var id = card.getAttribute("data-target"), village = card.closest(".my-village"), group = card.closest(".my-group");
      var where = (village ? village.querySelector("h2").textContent : "") + (group && group.querySelector("h3") ? group.querySelector("h3").textContent : "");
      list.appendChild(el("li", {}, [el("button", {type: "button", "class": "link", "data-record": id, text: DATA.targets[id].name}),
        document.createTextNode(" "), el("span", {"class": "muted small", text: where + " · " + DATA.targets[id].kind_label})]));
    }
    if (more && left <= list.children.length) { more.remove(); }
    due.hidden = !list.children.length;
  }
  /* 已走访/分配, 进度, 待走访 and the village tabs are the server's (the pace rules: oversight.pace, one definition;
     the targets due next, wherever their cards are): once records are stored the page asks for them again, rendered
     by the page's own templates (visits:my_summary), and puts them in place of its own, with the form data of any
     target due whose card this page does not list; only the latest question's answer is used */
  var summaryAsked = 0, summaryStale = false;
  function refreshSummary() {
    summaryStale = false;
    var asked = ++summaryAsked;
    fetch(section.getAttribute("data-summary-url") + window.location.search, {credentials: "same-origin", redirect: "manual"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (asked !== summaryAsked || !html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html"), more = doc.getElementById("due-data");
        if (more) {
          more = JSON.parse(more.textContent);
          Object.keys(more.forms).forEach(function (k) { if (!DATA.forms[k]) { DATA.forms[k] = more.forms[k]; } });
          Object.keys(more.targets).forEach(function (id) { if (!DATA.targets[id]) { DATA.targets[id] = more.targets[id]; } });
        }
        doc.querySelectorAll("[data-part]").forEach(function (part) {
          var shown = document.querySelector('[data-part="' + part.getAttribute("data-part") + '"]');
          if (shown) { shown.replaceWith(document.importNode(part, true)); }
        });
      }, function () { summaryStale = true; });  /* no network after all: asked again at the next flush */
  }
  function tellSent(item, body) {
    var sent = document.getElementById("sent");
    sent.textContent = fmt(T.sent, {name: item.name, when: item.when});
    if (body.photos_url) {  /* photos are added on the visit's own page, once it is stored */
      sent.appendChild(document.createTextNode(" "));
      sent.appendChild(el("a", {href: body.photos_url, text: T.add_photos}));
    }
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
    if (!next || !navigator.onLine) {
      if (summaryStale && navigator.onLine) { refreshSummary(); }
      showOutbox();
      return;
    }
    flushing = true;
    inFlight = next.payload.client_uuid;
    fetch(section.getAttribute("data-submit-url"), {method: "POST", credentials: "same-origin", redirect: "manual",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token()}, body: JSON.stringify(next.payload)})
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (!json) { settle(next, "login", T.login_expired); return "stop"; }
        return r.json().then(function (body) {
          if (r.status === 200 || r.status === 201) {
            if (fromCopy && !reconnected) { reconnected = true; showCopyNote(); }  /* the network was back after all */
            settle(next, "sent"); markVisited(next.payload.target_id); countVisit(next.payload.target_id, body); tellSent(next, body);
            summaryStale = true;
            return "next";
          }
          if (r.status === 409) { settle(next, "conflict", T.conflict_text); return "next"; }
          settle(next, "refused", Object.keys(body.errors || {}).map(function (k) { return body.errors[k]; }).join(T.list_separator) || body.detail);
          return "next";
        });
      }, function () { return "stop"; })
      .then(function (how) {
        var waiter = waiters[inFlight];
        delete waiters[inFlight];
        flushing = false; inFlight = null;
        showOutbox();
        if (waiter) { waiter(); }
        if (how === "next") { flush(); }
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-record]");
    if (button) { open(button.getAttribute("data-record")); }
  });
  var search = document.getElementById("my-search");
  /* a dot between two Chinese characters typed as • ・ . … is the standard's ·, as names are stored (core/names.py) */
  var NAME_DOT = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\s*[\u00b7\u2022\u30fb\u2027\u2219\u22c5\uff0e.\u3002\uff65\ufe52\u0387]+\s*(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim(), name = q.replace(NAME_DOT, "$1\u00b7");
      document.querySelectorAll("[data-target]").forEach(function (card) {
        var text = card.getAttribute("data-search");
        card.hidden = q && text.indexOf(q) < 0 && text.indexOf(name) < 0;
      });
      document.querySelectorAll(".my-group, .my-village").forEach(function (box) { box.hidden = !box.querySelector("[data-target]:not([hidden])"); });
    });
  }
  if (DATA.preview) { open(DATA.preview); return; }
  /* another cadre's 我的走访 on this phone before: its copies kept for offline use go (site.js drops them on 退出) */
  try {
    if (localStorage.getItem("zoufang.me.cadre") !== DATA.cadre) {
      if (window.zoufangForgetOfflineCopies) { window.zoufangForgetOfflineCopies(); }
      localStorage.setItem("zoufang.me.cadre", DATA.cadre);
    }
  } catch (e) { /* storage refused: nothing was kept */ }
  /* from a target's page (走访对象 → 记录走访): its form opened at once, when the target is on this list */
  var asked = window.location.hash.indexOf("#record-") === 0 ? window.location.hash.slice(8) : "";
  if (asked && DATA.targets[asked]) { open(asked); }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showOutbox);
  setInterval(flush, 15000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  showCopyNote();
  showOutbox();
  flush();
  if ("serviceWorker" in navigator && section.getAttribute("data-sw")) {
    var link = el("link", {rel: "manifest", href: section.getAttribute("data-manifest")});
    document.head.appendChild(link);
    navigator.serviceWorker.register(section.getAttribute("data-sw"), {scope: section.getAttribute("data-scope")}).catch(function () {});
  }
})();
