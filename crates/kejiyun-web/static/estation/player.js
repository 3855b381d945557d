// 科普e站 player: a screen in a village square or a township hall loops the popular-science
// resources of its program, full-screen, with no one at the keyboard. It is opened once with
// `#token=<secret>` (kept in localStorage afterwards), fetches its program, plays the
// emergency override or else the first playlist whose windows hold the Beijing time, reports
// a heartbeat with the plays it finished, and keeps playing through network outages: the
// program is kept here and by the service worker (sw.js), every file of it is in the Cache.
// The texts it shows come from the page (data-t-*), in the page's language.
(function () {
  "use strict";
  var stage = document.getElementById("estation-stage");
  if (!stage) { return; }
  var message = document.getElementById("estation-message");
  var data = stage.dataset;

  var TOKEN_KEY = "kejiyun-estation-token";
  var PLAYS_KEY = "kejiyun-estation-plays";
  var PROGRAM_KEY = "kejiyun-estation-program";
  var CACHE = "kejiyun-estation-v1";
  var MAX_QUEUED = 5000;
  var MAX_PER_HEARTBEAT = 500;
  var HEARTBEAT_MS = 20000;
  var REFRESH_MS = 30000;
  // A program that failed to load at start (no copy kept) is asked for again this often.
  var RETRY_MS = 10000;
  // With nothing to play now (no playlist's window holds the time), look again this often.
  var IDLE_MS = 15000;
  // An item that cannot play is skipped after this pause, so a broken file never spins.
  var SKIP_MS = 3000;
  // A file that neither loads nor fails within this long is skipped (a stalled network).
  var LOAD_TIMEOUT_MS = 30000;
  var FETCH_TIMEOUT_MS = 15000;
  var DEFAULT_SECONDS = 15;

  var token = "";
  var program = null;
  var pending = null;
  var current = null;
  var position = { list: null, index: -1 };
  var stopped = false;
  var played = 0;
  var queue = [];
  var beating = false;
  var idle = 0;
  // Server time minus this screen's clock: village boxes often have no clock battery, and a
  // play "from the future" is refused, a window on a wrong clock plays the wrong list.
  var skew = 0;

  function now() { return Date.now() + skew; }

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
      return true;
    } catch (e) { return false; }
  }
  function parse(s) {
    try { return JSON.parse(s || "null"); } catch (e) { return null; }
  }

  function say(text, fatal) {
    if (!message) { return; }
    message.textContent = text || "";
    message.hidden = !text;
    message.classList.toggle("fatal", !!fatal);
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function card(text) {
    var box = element("div", "estation-card");
    box.appendChild(element("p", "estation-card-title", text));
    return box;
  }

  function clearStage() {
    while (stage.firstChild) { stage.removeChild(stage.firstChild); }
  }

  // fetch with a deadline: a network that accepts and never answers must not hold the
  // heartbeat (or the first program) for ever.
  function send(url, options) {
    var ctl = window.AbortController ? new AbortController() : null;
    var opts = options || {};
    if (ctl) { opts.signal = ctl.signal; }
    var t = window.setTimeout(function () { if (ctl) { ctl.abort(); } }, FETCH_TIMEOUT_MS);
    return window.fetch(url, opts).then(function (r) {
      window.clearTimeout(t);
      return r;
    }, function (e) {
      window.clearTimeout(t);
      throw e;
    });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    // randomUUID needs a secure context; a screen on a plain-HTTP intranet still has this.
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- The token -------------------------------------------------------------------------

  function takeToken() {
    var fromHash = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token");
    if (fromHash) {
      if (fromHash !== read(TOKEN_KEY)) { write(PROGRAM_KEY, null); }
      write(TOKEN_KEY, fromHash);
      // The secret leaves the address bar (and the history), so it is not read off the screen.
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      return fromHash;
    }
    return read(TOKEN_KEY) || "";
  }

  // A revoked token's program must not play again from the service worker's Cache when the
  // screen restarts without a network.
  function forgetPrograms() {
    if (!window.caches) { return; }
    var path = new URL(data.program, window.location.href).pathname;
    window.caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (r) {
          return new URL(r.url).pathname === path;
        }).map(function (r) { return cache.delete(r); }));
      });
    }).catch(function () {});
  }

  function badToken(body) {
    stopped = true;
    window.clearTimeout(idle);
    if (current) { finish(current); current = null; }
    clearStage();
    delete stage.dataset.resourceId;
    delete stage.dataset.kind;
    program = null;
    pending = null;
    write(PROGRAM_KEY, null);
    forgetPrograms();
    var detail = body && body.error && body.error.message;
    say((data.tBadToken || "") + (detail ? "\n" + detail : ""), true);
  }

  // --- Plays -----------------------------------------------------------------------------

  function saveQueue() {
    if (queue.length > MAX_QUEUED) { queue = queue.slice(queue.length - MAX_QUEUED); }
    stage.dataset.queued = String(queue.length);
    // A full storage quota: keep the newer half rather than lose every play of a long outage.
    while (!write(PLAYS_KEY, JSON.stringify(queue)) && queue.length > 1) {
      queue = queue.slice(Math.floor(queue.length / 2));
      stage.dataset.queued = String(queue.length);
    }
  }

  function record(run) {
    var seconds = Math.max(0, (now() - run.shownAt) / 1000);
    queue.push({
      id: newId(),
      resource_id: run.item.resource_id,
      started_at: new Date(run.shownAt).toISOString(),
      seconds: Math.round(seconds * 10) / 10
    });
    saveQueue();
    played += 1;
    stage.dataset.played = String(played);
  }

  // --- The program -----------------------------------------------------------------------

  function minutes(hm) {
    var m = /^(\d{1,2})[:：](\d{2})$/.exec(String(hm || "").trim());
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }

  function beijingMinute(ms) {
    return Math.floor(ms / 60000 + 8 * 60) % (24 * 60);
  }

  function inWindow(w, minute) {
    var a = minutes(w && w.start);
    var b = minutes(w && w.end);
    if (a === null || b === null) { return false; }
    if (a < b) { return a <= minute && minute < b; }
    return minute >= a || minute < b;
  }

  function activeEmergency(p, at) {
    var e = p && p.emergency;
    if (!e || !e.item) { return null; }
    if (e.until && !(Date.parse(e.until) > at)) { return null; }
    return e;
  }

  // The first playlist, in the program's priority order, whose windows hold `minute`. One
  // with no items is passed over: the screen plays the next list rather than stay dark.
  function activePlaylist(p, minute) {
    var lists = (p && p.playlists) || [];
    for (var i = 0; i < lists.length; i += 1) {
      var pl = lists[i];
      var windows = Array.isArray(pl.windows) ? pl.windows : [];
      var open = !windows.length || windows.some(function (w) { return inWindow(w, minute); });
      if (open && pl.items && pl.items.length) { return pl; }
    }
    return null;
  }

  function emergencyKey(e) {
    return "emergency:" + e.item.resource_id + ":" + (e.until || "");
  }

  // In a new version of the program the list goes on after the item just played, wherever
  // that item is now (an edit elsewhere must not send the screen back to the list's start).
  function resume() {
    var id = /^playlist:(.*)$/.exec(position.list || "");
    if (!id) { return; }
    var pl = (program.playlists || []).filter(function (p) { return String(p.id) === id[1]; })[0];
    var items = (pl && pl.items) || [];
    var same = function (it) { return it && it.resource_id === position.resource; };
    if (same(items[position.index])) { return; }
    position.index = -1;
    for (var i = 0; i < items.length; i += 1) {
      if (same(items[i])) { position.index = i; return; }
    }
    // The item is gone: the list starts again.
    position.list = null;
  }

  function nextItem() {
    var at = now();
    var e = activeEmergency(program, at);
    if (e) { return { list: emergencyKey(e), index: 0, item: e.item }; }
    var pl = activePlaylist(program, beijingMinute(at));
    if (!pl) { return null; }
    var key = "playlist:" + pl.id;
    var index = position.list === key ? (position.index + 1) % pl.items.length : 0;
    return { list: key, index: index, item: pl.items[index] };
  }

  function programUrls(p) {
    var urls = [];
    var add = function (u) {
      if (typeof u === "string" && u.charAt(0) === "/" && urls.indexOf(u) < 0) { urls.push(u); }
    };
    var items = [];
    if (p.emergency && p.emergency.item) { items.push(p.emergency.item); }
    (p.playlists || []).forEach(function (pl) { items = items.concat(pl.items || []); });
    items.forEach(function (it) {
      // A document shows its cover: its PDF is never fetched.
      if (it.kind !== "document") { add(it.url); }
      add(it.poster);
      if (it.html && window.DOMParser) {
        // Parsed inert (no image loads), only to find the pictures an article shows.
        var doc = new DOMParser().parseFromString(it.html, "text/html");
        Array.prototype.forEach.call(doc.querySelectorAll("img[src]"), function (img) {
          add(img.getAttribute("src"));
        });
      }
    });
    return urls;
  }

  var caching = Promise.resolve();

  // Every file the program names goes into the Cache (the service worker answers from it
  // offline), and so do this page and its script and style; files no longer in the program
  // leave it, so months of programs do not fill the box's disk.
  function cacheProgram(p) {
    if (!window.caches) { return; }
    var files = programUrls(p);
    var page = [window.location.pathname + window.location.search];
    Array.prototype.forEach.call(document.querySelectorAll("script[src], link[rel=stylesheet][href]"), function (el) {
      var u = el.getAttribute("src") || el.getAttribute("href");
      if (u && u.charAt(0) === "/" && u.charAt(1) !== "/") { page.push(u); }
    });
    caching = caching.then(function () {
      return window.caches.open(CACHE);
    }).then(function (cache) {
      var keep = {};
      files.forEach(function (u) { keep[new URL(u, window.location.href).href] = true; });
      var prune = cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (r) {
          return new URL(r.url).pathname.indexOf("/files/") === 0 && !keep[r.url];
        }).map(function (r) { return cache.delete(r); }));
      });
      var fill = files.concat(page).reduce(function (chain, u) {
        // One at a time: the village's line is also playing the video.
        return chain.then(function () {
          return cache.match(u).then(function (hit) { return hit || cache.add(u); }).catch(function () {});
        });
      }, Promise.resolve());
      return Promise.all([prune, fill]);
    }).catch(function () { /* the network answers what the Cache cannot */ });
  }

  function valid(p) {
    return p && typeof p === "object" && Array.isArray(p.playlists);
  }

  function take(p) {
    if (!program) {
      program = p;
      advance();
      return;
    }
    if (p.version === (pending || program).version) { return; }
    pending = p;
    var e = activeEmergency(p, now());
    var playingIt = current && e && position.list === emergencyKey(e);
    if (e && !playingIt) {
      // An emergency does not wait for the item on the screen to end.
      if (current) { finish(current); current = null; }
      advance();
    } else if (!current) {
      advance();
    }
  }

  function loadProgram() {
    if (stopped) { return Promise.resolve(); }
    return send(data.program, { headers: { "X-Estation-Token": token }, cache: "no-cache" })
      .then(function (r) {
        if (r.status === 401) {
          return r.json().catch(function () { return null; }).then(function (body) {
            badToken(body);
            return null;
          });
        }
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (p) {
        if (stopped || p === null) { return; }
        if (!valid(p)) { throw new Error("program"); }
        var changed = !program || p.version !== (pending || program).version;
        write(PROGRAM_KEY, JSON.stringify(p));
        take(p);
        if (changed) { cacheProgram(p); }
      })
      .catch(function () {
        if (stopped || program) { return; }
        // The server is away at start: the copy this screen kept, else try again soon.
        var kept = parse(read(PROGRAM_KEY));
        if (valid(kept)) {
          take(kept);
        } else {
          window.setTimeout(loadProgram, RETRY_MS);
        }
      });
  }

  // --- Heartbeat -------------------------------------------------------------------------

  function online(yes) {
    stage.dataset.online = yes ? "1" : "0";
    if (!stopped) { say(yes ? "" : data.tOffline, false); }
  }

  function heartbeat() {
    if (stopped || beating) { return; }
    beating = true;
    var batch = queue.slice(0, MAX_PER_HEARTBEAT);
    var body = JSON.stringify({
      now_playing: current ? current.item.resource_id : null,
      plays: batch
    });
    send(data.heartbeat, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Estation-Token": token },
      body: body
    }).then(function (r) {
      if (r.status === 401) {
        return r.json().catch(function () { return null; }).then(badToken);
      }
      var date = Date.parse(r.headers.get("Date") || "");
      if (!isNaN(date)) {
        var off = date - Date.now();
        // The Date header counts whole seconds: only a clock that is clearly off is corrected.
        skew = Math.abs(off) > 30000 ? off : 0;
      }
      online(r.ok);
      if (!r.ok) { return null; }
      var sent = {};
      batch.forEach(function (p) { sent[p.id] = true; });
      queue = queue.filter(function (p) { return !sent[p.id]; });
      saveQueue();
      return r.json().catch(function () { return null; }).then(function (b) {
        if (b && b.version && program && b.version !== (pending || program).version) { loadProgram(); }
        // A long outage's backlog goes out in turns, without waiting for the next beat.
        if (queue.length && batch.length === MAX_PER_HEARTBEAT) { window.setTimeout(heartbeat, 1000); }
      });
    }).catch(function () {
      online(false);
    }).then(function () {
      beating = false;
    });
  }

  // --- Playing ---------------------------------------------------------------------------

  function finish(run) {
    if (run.done) { return; }
    run.done = true;
    run.timers.forEach(function (id) { window.clearTimeout(id); });
    if (run.media) {
      run.media.pause();
      // Dropping the source ends its download now, not when the element is collected.
      run.media.removeAttribute("src");
      try { run.media.load(); } catch (e) { /* nothing left to release */ }
    }
    if (run.shownAt) { record(run); }
  }

  function showEmpty() {
    clearStage();
    delete stage.dataset.resourceId;
    delete stage.dataset.kind;
    stage.appendChild(card(data.tEmpty || ""));
  }

  function advance() {
    if (stopped) { return; }
    window.clearTimeout(idle);
    if (pending) {
      program = pending;
      pending = null;
      resume();
    }
    var next = nextItem();
    if (!next) {
      current = null;
      position = { list: null, index: -1 };
      showEmpty();
      idle = window.setTimeout(advance, IDLE_MS);
      return;
    }
    position = { list: next.list, index: next.index, resource: next.item.resource_id };
    play(next.item);
  }

  function seconds(item) {
    var s = Number(item.seconds);
    return isFinite(s) && s > 0 ? s : DEFAULT_SECONDS;
  }

  function play(item) {
    clearStage();
    var run = { item: item, shownAt: 0, timers: [], media: null, done: false };
    current = run;
    stage.dataset.resourceId = String(item.resource_id);
    stage.dataset.kind = String(item.kind);
    var at = function (fn, ms) {
      run.timers.push(window.setTimeout(function () { if (current === run) { fn(); } }, ms));
    };
    var end = function () {
      if (current !== run) { return; }
      finish(run);
      current = null;
      advance();
    };
    var fail = function () {
      if (current !== run || run.failed) { return; }
      run.failed = true;
      at(end, SKIP_MS);
    };
    var shown = function () {
      if (!run.shownAt) { run.shownAt = now(); }
    };
    var stall = function () { if (!run.shownAt) { fail(); } };
    at(stall, LOAD_TIMEOUT_MS);

    switch (item.kind) {
      case "image": {
        var img = element("img", "estation-media");
        img.alt = item.title || "";
        img.addEventListener("load", function () {
          if (run.shownAt) { return; }
          shown();
          at(end, seconds(item) * 1000);
        });
        img.addEventListener("error", fail);
        stage.appendChild(img);
        stage.appendChild(element("p", "estation-caption", item.title));
        if (item.url) { img.src = item.url; } else { fail(); }
        break;
      }
      case "video":
      case "audio": {
        var video = item.kind === "video";
        var media = document.createElement(video ? "video" : "audio");
        run.media = media;
        if (video) {
          media.className = "estation-media";
          // Muted, or the browser refuses to start it without a tap.
          media.muted = true;
          media.defaultMuted = true;
          media.setAttribute("muted", "");
          media.playsInline = true;
          media.setAttribute("playsinline", "");
          if (item.poster) { media.poster = item.poster; }
        }
        media.preload = "auto";
        media.autoplay = true;
        media.addEventListener("playing", function () {
          if (run.shownAt) { return; }
          shown();
          if (item.seconds) { at(end, Number(item.seconds) * 1000); }
        });
        media.addEventListener("loadedmetadata", function () {
          // Playing to the end: a stall mid-file must not hold the screen past its length.
          if (!item.seconds && isFinite(media.duration) && media.duration > 0) {
            at(end, (media.duration * 1000) + LOAD_TIMEOUT_MS);
          }
        });
        media.addEventListener("ended", end);
        media.addEventListener("error", fail);
        if (video) {
          stage.appendChild(media);
          stage.appendChild(element("p", "estation-caption", item.title));
        } else {
          stage.appendChild(cover(item));
          media.hidden = true;
          stage.appendChild(media);
        }
        if (!item.url) { fail(); break; }
        media.src = item.url;
        var started = media.play();
        if (started && started.catch) { started.catch(fail); }
        break;
      }
      case "article": {
        var box = element("article", "estation-article");
        box.appendChild(element("h1", "estation-article-title", item.title));
        var body = element("div", "estation-article-body");
        body.innerHTML = item.html || "";
        box.appendChild(body);
        stage.appendChild(box);
        shown();
        scroll(run, box, seconds(item) * 1000);
        at(end, seconds(item) * 1000);
        break;
      }
      default: {
        // A document (PDF): its cover, or its title on a card, for its time.
        stage.appendChild(cover(item));
        shown();
        at(end, seconds(item) * 1000);
      }
    }
  }

  // The cover image of an audio or a document, with the title under it; without one (or
  // when it fails), the title alone on a card.
  function cover(item) {
    if (!item.poster) { return card(item.title); }
    var box = element("div", "estation-cover");
    var img = element("img", "estation-cover-image");
    img.alt = "";
    img.addEventListener("error", function () {
      if (box.parentNode) { box.parentNode.replaceChild(card(item.title), box); }
    });
    img.src = item.poster;
    box.appendChild(img);
    box.appendChild(element("p", "estation-cover-title", item.title));
    return box;
  }

  // A long article scrolls slowly through its time, holding still at the top and bottom
  // for a while so the first and last lines can be read.
  function scroll(run, box, ms) {
    var hold = Math.min(4000, ms * 0.2);
    var t0 = 0;
    var step = function (t) {
      if (current !== run) { return; }
      if (!t0) { t0 = t; }
      var room = box.scrollHeight - box.clientHeight;
      if (room > 0) {
        var f = Math.max(0, Math.min(1, (t - t0 - hold) / Math.max(1, ms - 2 * hold)));
        box.scrollTop = Math.round(room * f);
      }
      if (t - t0 < ms) { window.requestAnimationFrame(step); }
    };
    window.requestAnimationFrame(step);
  }

  // --- Screen ----------------------------------------------------------------------------

  // A tap (or a key on the remote) puts the player full-screen: browsers allow it only then.
  function fullScreen() {
    var root = document.documentElement;
    if (!document.fullscreenElement && root.requestFullscreen) {
      root.requestFullscreen().catch(function () {});
    }
  }

  var lock = null;
  function keepAwake() {
    if (!navigator.wakeLock || lock || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (l) {
      lock = l;
      l.addEventListener("release", function () { lock = null; });
    }).catch(function () {});
  }

  function start() {
    if ("serviceWorker" in navigator && data.sw) {
      navigator.serviceWorker.register(data.sw, { scope: "/estation/" }).catch(function () {});
    }
    document.addEventListener("click", fullScreen);
    document.addEventListener("keydown", fullScreen);
    document.addEventListener("visibilitychange", keepAwake);
    keepAwake();
    // A new link opened on a screen already playing (only the #token part changed).
    window.addEventListener("hashchange", function () {
      if (/token=/.test(window.location.hash)) {
        takeToken();
        window.location.reload();
      }
    });

    queue = parse(read(PLAYS_KEY)) || [];
    if (!Array.isArray(queue)) { queue = []; }
    stage.dataset.played = "0";
    saveQueue();

    token = takeToken();
    if (!token) {
      say(data.tNoToken || "", true);
      return;
    }
    stage.appendChild(card(data.tLoading || ""));
    loadProgram();
    heartbeat();
    window.setInterval(function () { if (!stopped) { loadProgram(); } }, REFRESH_MS);
    window.setInterval(heartbeat, HEARTBEAT_MS);
  }

  start();
}());
