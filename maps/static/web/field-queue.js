// The field pages' outbox: a survey finding made on the phone (with its photo) or the
// department's opinion is kept in IndexedDB under a key made here (crypto.randomUUID), then
// sent when the connection allows — on page load, when the browser comes online, or on
// request — with that key as its Idempotency-Key, so one sent twice (an answer lost on the
// way) is still stored once. Findings go first, then opinions, each in the order made, so a
// department's opinion follows the findings it made on that proposal. One the service
// refuses stays in the outbox with the reason until it is discarded.
(function () {
  "use strict";
  var DB = "sijie-field";
  var STORE = "outbox";
  var api = window.sijieApi;
  var listeners = [];
  var flushing = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // run fn(store) in one transaction; the promise of its request's result
  function withStore(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function changed() {
    return all().then(function (items) {
      listeners.forEach(function (fn) { fn(items); });
      return items;
    });
  }

  // everything waiting on this phone, oldest first
  function all() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.created - b.created; });
    });
  }

  // keep something to send: a finding {user, proposal, version, name, geometry, note, photo
  // (Blob)} or, with kind "opinion", {user, proposal, name, verdict, text, conditions}
  function add(entry) {
    var item = Object.assign({ kind: "finding", key: crypto.randomUUID(), created: Date.now(),
                               error: null }, entry);
    return withStore("readwrite", function (store) { return store.add(item); })
      .then(changed).then(function () { return item; });
  }

  function remove(key) {
    return withStore("readwrite", function (store) { return store.delete(key); }).then(changed);
  }

  function put(item) {
    return withStore("readwrite", function (store) { return store.put(item); });
  }

  function isOpinion(item) { return item.kind === "opinion"; }

  function send(item) {
    var headers = { headers: { "Idempotency-Key": item.key }, noRedirect: true };
    if (isOpinion(item)) {
      return api.request("POST", "/proposals/" + item.proposal + "/opinions",
                         { verdict: item.verdict, text: item.text, conditions: item.conditions },
                         headers);
    }
    var form = new FormData();
    form.append("geometry", JSON.stringify(item.geometry));
    form.append("note", item.note);
    if (item.photo) { form.append("photo", item.photo, item.photoName || "photo.jpg"); }
    var url = "/proposals/" + item.proposal + "/versions/" + item.version + "/findings";
    return api.request("POST", url, form, headers);
  }

  // send what waits for ``user``, findings then opinions, oldest first, each once; stops at
  // the first one the connection or the sign-in cannot carry. Resolves {sent, refused,
  // stopped}: stopped is null (all tried), "offline" or "signin".
  function flush(user) {
    if (flushing) { return flushing; }
    var result = { sent: 0, refused: 0, stopped: null };
    flushing = all().then(function (items) {
      var mine = items.filter(function (item) { return item.user === user && !item.error; });
      mine = mine.filter(function (item) { return !isOpinion(item); }).concat(mine.filter(isOpinion));
      return mine.reduce(function (chain, item) {
        return chain.then(function () {
          if (result.stopped) { return null; }
          if (!navigator.onLine) { result.stopped = "offline"; return null; }
          return send(item).then(function () {
            result.sent += 1;
            return remove(item.key);
          }, function (error) {
            var status = error && error.status;
            if (status === 401) { result.stopped = "signin"; return null; }
            var pending = status === 409 && error.problem.code === "idempotency_key_pending";
            if (!status || status >= 500 || status === 408 || status === 429 || pending) {
              result.stopped = "offline";  // not through: try again later
              return null;
            }
            result.refused += 1;
            item.error = error.message || String(status);
            return put(item).then(changed);
          });
        });
      }, Promise.resolve());
    }).then(function () { return result; }, function (error) {
      result.stopped = "offline";
      result.error = error;
      return result;
    }).then(function (done) {
      flushing = null;
      return changed().then(function () { return done; });
    });
    return flushing;
  }

  function onChange(fn) { listeners.push(fn); }

  window.sijieOutbox = { add: add, all: all, remove: remove, flush: flush, onChange: onChange };
}());
