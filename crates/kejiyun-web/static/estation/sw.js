// 科普e站 service worker (scope /estation/): the screen keeps playing while its network is
// down. The player page, its script and style, and the program are fetched from the network
// first and kept; the program's files (/files/<id>, immutable) are answered from the Cache
// first. A <video> asks for byte ranges, which a Cache cannot hold (it refuses a 206): the
// whole file is kept and each range is cut from it here.
"use strict";

var CACHE = "kejiyun-estation-v1";
// A network that accepts and never answers: after this long a kept copy is answered instead
// (the network's answer, when it comes, still refreshes the Cache).
var NETWORK_WAIT_MS = 8000;
var PROGRAM = "/api/v1/estation/program";

self.addEventListener("install", function (event) {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("kejiyun-estation-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  var path = url.pathname;
  // A key without the #token=… the player was opened with: the secret stays out of the Cache.
  url.hash = "";
  if (path.indexOf("/files/") === 0) {
    event.respondWith(file(event, url.href));
  } else if (path === PROGRAM) {
    event.respondWith(programKey(req).then(function (key) {
      return networkFirst(event, key, false);
    }));
  } else if (path.indexOf("/static/") === 0 ||
      (path.indexOf("/estation/") === 0 && path !== "/estation/sw.js")) {
    event.respondWith(networkFirst(event, url.href, true));
  }
});

// The program is kept per token (under a hash of it, never the token itself): a screen given
// another token never plays the previous one's program from the Cache.
function programKey(req) {
  var token = req.headers.get("X-Estation-Token") || "";
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)).then(function (buf) {
    var hex = Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return new URL(PROGRAM + "?screen=" + hex.slice(0, 32), self.location.origin).href;
  });
}

function kept(key, anySearch) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreVary: true }).then(function (hit) {
      // A page or script kept under another ?v= is still better than a blank screen.
      return hit || (anySearch ? cache.match(key, { ignoreVary: true, ignoreSearch: true }) : undefined);
    });
  });
}

function keep(event, key, response) {
  if (response.status !== 200 || response.type !== "basic") { return; }
  var copy = response.clone();
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.put(key, copy);
  }).catch(function () { /* a full disk: the network still answers */ }));
}

function networkFirst(event, key, anySearch) {
  var network = fetch(event.request).then(function (r) {
    keep(event, key, r);
    return r;
  });
  return new Promise(function (resolve) {
    var done = false;
    var answer = function (r) {
      if (!done && r) {
        done = true;
        resolve(r);
      }
    };
    var timer = setTimeout(function () {
      kept(key, anySearch).then(answer, function () {});
    }, NETWORK_WAIT_MS);
    network.then(function (r) {
      clearTimeout(timer);
      // A proxy in front of a stopped server answers 502/503/504: the kept copy is better.
      if (r.status >= 500) {
        return kept(key, anySearch).then(function (hit) { answer(hit || r); }, function () { answer(r); });
      }
      answer(r);
    }, function () {
      clearTimeout(timer);
      return kept(key, anySearch).then(function (hit) {
        answer(hit || Response.error());
      }, function () { answer(Response.error()); });
    });
  });
}

// Whole files being fetched for the Cache, so a video's many range requests start one
// download, not one each.
var loading = {};

function fetchWhole(cache, key) {
  if (!loading[key]) {
    loading[key] = fetch(key, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 200 && r.type === "basic") { return cache.put(key, r); }
    }).catch(function () {}).then(function () {
      delete loading[key];
    });
  }
  return loading[key];
}

function file(event, key) {
  var req = event.request;
  var range = req.headers.get("Range");
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key, { ignoreVary: true }).then(function (hit) {
      if (hit) { return range ? ranged(hit, range) : hit; }
      if (range) {
        // The player starts from the network at once; the whole file follows into the Cache.
        event.waitUntil(fetchWhole(cache, key));
        return fetch(req);
      }
      return fetch(req).then(function (r) {
        keep(event, key, r);
        return r;
      });
    });
  }, function () {
    // No Cache to be had (storage switched off): the network alone.
    return fetch(req);
  });
}

// The 206 a server would send for `header` (one range: `bytes=a-b`, `bytes=a-`, `bytes=-n`),
// cut from the kept whole file.
function ranged(whole, header) {
  return whole.blob().then(function (blob) {
    var total = blob.size;
    var type = whole.headers.get("Content-Type") || "application/octet-stream";
    var m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    if (!m || (m[1] === "" && m[2] === "")) {
      // Several ranges, or none understood: the whole file, as a server may answer.
      return new Response(blob, { status: 200, headers: { "Content-Type": type, "Content-Length": String(total), "Accept-Ranges": "bytes" } });
    }
    var start;
    var end;
    if (m[1] === "") {
      start = Math.max(0, total - parseInt(m[2], 10));
      end = total - 1;
    } else {
      start = parseInt(m[1], 10);
      end = m[2] === "" ? total - 1 : Math.min(parseInt(m[2], 10), total - 1);
    }
    if (start >= total || start > end) {
      return new Response(null, { status: 416, statusText: "Range Not Satisfiable", headers: { "Content-Range": "bytes */" + total } });
    }
    return new Response(blob.slice(start, end + 1), {
      status: 206,
      statusText: "Partial Content",
      headers: {
        "Content-Type": type,
        "Content-Length": String(end - start + 1),
        "Content-Range": "bytes " + start + "-" + end + "/" + total,
        "Accept-Ranges": "bytes"
      }
    });
  });
}
