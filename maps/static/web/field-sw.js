// The field pages' service worker (served at /field/sw.js, which puts SIJIE_FIELD above this:
// the files' version, the scope and the files to keep). It keeps
// - the shipped files, versioned by content: kept on install, answered from the cache first;
// - the pages under /field and the survey data they read (the survey sheet and list, the
//   town's roads, rivers and villages, the signed-in user, the findings' photos): asked from
//   the network first, the answer kept, the kept answer given when there is no connection.
// Writes (findings, opinions) are never answered here: the page's outbox sends them.
/* global SIJIE_FIELD */
(function () {
  "use strict";
  var config = self.SIJIE_FIELD;
  var ASSETS = "sijie-field-assets-" + config.version;
  var PAGES = "sijie-field-pages";
  var DATA = "sijie-field-data";
  var NETWORK_WAIT_MS = 8000;  // a weak signal answers slowly: use what is kept instead
  var DATA_PATHS = [/^\/survey\//, /^\/users\/me$/, /^\/towns\/\d+\/layers\/[a-z]+$/,
                    /^\/proposals\/\d+\/versions\/\d+\/findings\/\d+\/photo$/];

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(ASSETS).then(function (cache) {
      return cache.addAll(config.assets.map(function (url) {
        return new Request(url, { cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("sijie-field-assets-") === 0 && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); }));
  });

  // the page signs out: forget the survey data kept for the one signed in
  self.addEventListener("message", function (event) {
    if (event.data && event.data.type === "forget-data") {
      event.waitUntil(caches.delete(DATA));
    }
  });

  function withinWait(promise) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, NETWORK_WAIT_MS);
      promise.then(function (r) { clearTimeout(timer); resolve(r); },
                   function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function cacheFirst(request) {
    return caches.open(ASSETS).then(function (cache) {
      return cache.match(request).then(function (kept) {
        return kept || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    });
  }

  function networkFirst(request, name, fallback) {
    return caches.open(name).then(function (cache) {
      return withinWait(fetch(request)).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      }).catch(function (error) {
        return cache.match(request, { ignoreVary: true }).then(function (kept) {
          if (kept) { return kept; }
          if (fallback) { return fallback(cache); }
          throw error;
        });
      });
    });
  }

  // a page never opened with a connection: the list of proposals if it is kept
  function anyPage(cache) {
    return cache.match(config.scope, { ignoreSearch: true, ignoreVary: true }).then(function (kept) {
      return kept || Response.error();
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    var url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
    if (url.pathname.indexOf("/static/") === 0) {
      event.respondWith(cacheFirst(request));
    } else if (url.pathname === config.scope ||
               url.pathname.indexOf(config.scope + "/proposals/") === 0) {
      event.respondWith(networkFirst(request, PAGES, anyPage));
    } else if (DATA_PATHS.some(function (re) { return re.test(url.pathname); })) {
      event.respondWith(networkFirst(request, DATA));
    }
  });
}());
