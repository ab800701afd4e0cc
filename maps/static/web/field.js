// The field reviewer's pages, phone first: what both pages share — the service worker that
// keeps them for use without signal, the connection and the outbox (field-queue.js) with its
// count, sending what waits, the list of proposals open for the survey or the joint review
// (/field) — and their start. The proposal page's map and forms are field-proposal.js.
(function () {
  "use strict";
  var api = window.sijieApi;
  var msg = api.msg;
  var outbox = window.sijieOutbox;
  var data = api.pageData();
  var TOWN_LAYERS = ["neighbours", "water", "roads"];  // the map's background, from the town
  var KIND_WORDS = { point: "js_field_kind_point", line: "js_field_kind_line", area: "js_field_kind_area" };

  var state = { user: null, kept: 0 };
  var field = (window.sijieField = { state: state, outbox: outbox, data: data });

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function status(text, isError) {
    var box = $("status");
    box.textContent = text || "";
    box.className = "notice" + (isError ? " error" : "");
    box.hidden = !text;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString(api.lang === "en" ? "en" : "zh-CN",
                                             { dateStyle: "short", timeStyle: "short" }) : "";
  }

  function kindOf(geometry) {
    var type = geometry && geometry.type || "";
    return type.indexOf("Point") >= 0 ? "point" : type.indexOf("Line") >= 0 ? "line" : "area";
  }

  // ---- service worker, connection, outbox ----
  function startWorker() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    var claimed = navigator.serviceWorker.controller ? Promise.resolve() : new Promise(function (resolve) {
      navigator.serviceWorker.addEventListener("controllerchange", resolve);
      setTimeout(resolve, 4000);  // never wait longer for the first install
    });
    return navigator.serviceWorker.register(data.worker, { scope: data.scope })
      .then(function () { return claimed; })
      .then(function () {
        // the page as first opened (before the worker ran) is kept for the next time
        if (navigator.onLine) { return fetch(location.href).catch(function () { return null; }); }
        return null;
      })
      .catch(function () { return null; });
  }

  function showConnection() {
    var net = $("net");
    net.dataset.online = String(navigator.onLine);
    net.textContent = msg(navigator.onLine ? "js_field_online" : "js_field_offline");
  }

  function renderOutbox(items) {
    $("queue-count").textContent = String(items.length);
    $("outbox").hidden = items.length === 0;
    var list = $("outbox-list");
    list.textContent = "";
    items.forEach(function (item) {
      var li = el("li", "field-item" + (item.error ? " refused" : ""));
      li.dataset.key = item.key;
      var opinion = item.kind === "opinion";
      li.dataset.kind = opinion ? "opinion" : "finding";
      li.appendChild(el("div", "field-item-title", item.name + " · " + (opinion
        ? msg("js_field_kind_opinion") + " · " + item.verdictLabel
        : msg(KIND_WORDS[kindOf(item.geometry)]))));
      li.appendChild(el("div", null, opinion ? item.text : item.note));
      (opinion ? item.conditions : []).forEach(function (c) { li.appendChild(el("div", "muted", "· " + c)); });
      var note = item.error ? msg("js_field_refused", { reason: item.error })
        : state.user && item.user !== state.user.username ? msg("js_field_waiting_user", { user: item.user })
          : msg("js_field_waiting");
      li.appendChild(el("div", item.error ? "fail" : "muted", note));
      if (item.error) {
        var discard = el("button", "secondary", msg("js_field_discard"));
        discard.type = "button";
        discard.addEventListener("click", function () { outbox.remove(item.key); });
        li.appendChild(discard);
      }
      list.appendChild(li);
    });
    if (field.drawQueued) { field.drawQueued(items); }
  }

  function send() {
    if (!state.user || !navigator.onLine) { return Promise.resolve(null); }
    return outbox.flush(state.user.username).then(function (result) {
      if (result.stopped === "signin") {
        return outbox.all().then(function (items) {
          status(msg("js_field_sign_in", { count: items.length }), true);
          return result;
        });
      }
      if (result.sent) {
        status(msg("js_field_sent", { count: result.sent }));
        return reload().then(function () { return result; });
      }
      if (result.refused) { status(msg("js_field_refused_some", { count: result.refused }), true); }
      return result;
    });
  }

  function connect() {
    showConnection();
    outbox.onChange(renderOutbox);
    window.addEventListener("online", function () { showConnection(); send(); });
    window.addEventListener("offline", showConnection);
    $("send-now").addEventListener("click", function () { send(); });
    $("logout").addEventListener("click", function () {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget-data" });
      }
      api.signOut();
    });
    return outbox.all().then(renderOutbox);
  }

  // ---- the list of proposals ----
  function renderList(doc) {
    var list = $("proposals");
    list.textContent = "";
    if (!doc.proposals.length) { list.appendChild(el("li", "muted", msg("js_field_none"))); }
    doc.proposals.forEach(function (p) {
      var li = el("li", "field-card");
      li.dataset.state = p.state;
      var link = el("a", "field-card-title", p.name);
      link.href = data.scope + "/proposals/" + p.id;
      li.appendChild(link);
      li.appendChild(el("div", "muted", p.state_label + " · " + msg("js_field_version", { version: p.version })));
      li.appendChild(el("div", null, msg("js_field_counts", { findings: p.findings, own: p.own_findings })));
      if (p.opinion_given) { li.appendChild(el("div", "ok", msg("js_field_opinion_given"))); }
      list.appendChild(li);
    });
  }

  function townLayer(town, name) {
    return api.request("GET", "/towns/" + town + "/layers/" + name, undefined, { noRedirect: true });
  }

  // with a connection, every proposal listed is fetched once through the service worker
  // (its page, survey sheet, photos and its town's background), so that each opens in the
  // field with no signal, not only those already opened; one after another, quietly
  function keepOffline(proposals) {
    if (!navigator.onLine || !navigator.serviceWorker || !navigator.serviceWorker.controller) {
      return Promise.resolve(0);
    }
    var towns = {};
    state.kept = 0;
    return proposals.reduce(function (chain, p) {
      return chain.then(function () {
        towns[p.town_id] = true;
        return Promise.all([
          fetch(data.scope + "/proposals/" + p.id),
          api.request("GET", "/survey/proposals/" + p.id, undefined, { noRedirect: true }).then(function (sheet) {
            return Promise.all(sheet.survey_findings.features.filter(function (f) { return f.properties.photo; })
              .map(function (f) { return api.request("GET", f.properties.photo, undefined, { raw: true, noRedirect: true }); }));
          })
        ]).then(function () { state.kept += 1; }, function () { return null; });
      });
    }, Promise.resolve()).then(function () {
      return Promise.all(Object.keys(towns).map(function (town) {
        return Promise.all(TOWN_LAYERS.map(function (name) { return townLayer(town, name); }));
      })).catch(function () { return null; });
    }).then(function () {
      if (state.kept) { $("kept").textContent = msg("js_field_kept", { count: state.kept }); }
      return state.kept;
    });
  }

  function loadList() {
    return api.request("GET", "/survey/proposals").then(function (doc) {
      renderList(doc);
      field.kept = keepOffline(doc.proposals);
    }).catch(function (e) {
      status(e.status ? e.message : msg("js_field_no_data"), true);
    });
  }

  function reload() {
    return data.proposal ? field.loadSheet().catch(function () { return null; }) : loadList();
  }

  function start() {
    return api.me().then(function (user) {
      state.user = user;
      var who = $("who");
      if (who) { who.textContent = msg("js_signed_in_as", { user: user.display_name || user.username }); }
      return startWorker();
    }).then(connect).then(function () {
      return data.proposal ? field.openProposal() : loadList();
    }).then(function () { return send(); }).then(function () { return true; });
  }

  Object.assign(field, { $: $, el: el, status: status, when: when, kindOf: kindOf, send: send,
                         reload: reload, renderOutbox: renderOutbox, townLayer: townLayer,
                         TOWN_LAYERS: TOWN_LAYERS, kept: Promise.resolve(0) });
  // every script of the page has run by then (field-proposal.js adds the proposal's part)
  field.ready = new Promise(function (resolve) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { resolve(start()); });
    } else {
      resolve(start());
    }
  });
}());
