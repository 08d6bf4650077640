// The service worker: keeps each form page a participant opened, and the files it needs, so
// that the form can be reloaded and finished without a connection. Served by /sw.js, which
// fills in VERSION (a digest of the static files) and ASSETS.
//
// Form pages: network first (a fresh page while online), the kept copy when offline.
// Static files: the kept copy first; a deploy changes VERSION and so starts a new cache.
// Everything else (posts, the outbox's fetches, staff pages) goes to the network untouched.
"use strict";

var VERSION = "__VERSION__";
var ASSETS = "__ASSETS__";
var CACHE = "survey-" + VERSION;
var SCOPE = new URL(self.registration.scope).pathname;

function isFormPage(url) {
  var path = url.pathname.slice(SCOPE.length - 1);
  return /^\/(q|t)\/[^/]+$/.test(path);
}

function isAsset(url) {
  return ASSETS.indexOf(url.pathname) !== -1;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // The page that registered this worker was loaded before it: keep that one too.
      return cache.addAll(ASSETS).then(function () {
        return self.clients.matchAll({ type: "window", includeUncontrolled: true });
      }).then(function (clients) {
        return Promise.all(clients.map(function (client) {
          var url = new URL(client.url);
          return isFormPage(url) ? cache.add(url.pathname + url.search).catch(function () {}) : null;
        }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("survey-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function fromNetworkKeeping(request) {
  return fetch(request).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.ok && type.indexOf("text/html") === 0) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreVary: true }).then(function (kept) {
        return kept || cache.match(request.url, { ignoreVary: true, ignoreSearch: true });
      });
    }).then(function (kept) {
      return kept || Response.error();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isFormPage(url)) {
    event.respondWith(fromNetworkKeeping(request));
  } else if (isAsset(url)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});
