// The outbox: a submitted form that could not reach the server waits here (IndexedDB), with
// its submission token, until survey.js sends it again; the token makes the server store it
// once however often it is sent. One entry per form path: a later submit replaces it.
(function () {
  "use strict";
  var DB = "survey", STORE = "outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "path" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request && request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  window.SurveyOutbox = {
    // entry: {path, action, body (url-encoded), token, savedAt}
    put: function (entry) { return run("readwrite", function (s) { return s.put(entry); }); },
    get: function (path) { return run("readonly", function (s) { return s.get(path); }); },
    remove: function (path) { return run("readwrite", function (s) { return s.delete(path); }); }
  };
})();
