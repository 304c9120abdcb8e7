// Inspections: the tablet checklist, usable without a connection (docs/inspections.md → "Offline").
// Every answer and photo goes first into a queue on this device (IndexedDB, photos as Blobs), then
// to the server in the order it was made. What cannot be sent waits in the queue — through reloads
// and with the page itself kept by the service worker (templates/sw.js) — and goes when the
// connection is back. No duplicates: the server stores one answer per item (sending it again
// overwrites it with the same values) and a photo carries an id made here (a resend after a lost
// response returns the photo already stored). The queue belongs to the user who filled it in: a
// page of another user neither shows nor sends it. The answers sent are remembered too ("sent",
// stamped with the server's Date): a kept copy of the page older than them shows them again.
(function () {
  "use strict";
  var checklist = document.getElementById("checklist");
  if (!checklist || !checklist.querySelector(".answer-form")) { return; }
  var roundId = checklist.dataset.round;
  var owner = checklist.dataset.owner || "";
  var DB_NAME = "ducha-offline";
  var STORE = "queue";
  var SENT = "sent";
  var RETRY_MS = 15000;
  var inflight = null;  // the seq of the entry being sent
  var flushing = false;
  var again = false;
  var urls = {};  // photo entry seq → object URL shown while it waits

  // --- the queue (IndexedDB) -----------------------------------------------------------------

  var opening = null;
  function db() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
        var request = window.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
          request.result.createObjectStore(SENT, { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opening;
  }

  // Runs work(store) in one transaction; resolves with what work returned once it is committed.
  function transact(mode, work, name) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(name || STORE, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
        result = work(tx.objectStore(name || STORE));
      });
    });
  }

  // The last answer of each item the server confirmed, with the server's time of it (seconds).
  function rememberSent(item, values, date) {
    if (!date) { return Promise.resolve(); }
    return transact("readwrite", function (store) {
      store.put({ key: owner + ":" + roundId + ":" + item, owner: owner, round: roundId, item: item, values: values, date: date });
    }, SENT);
  }

  // This round's confirmed answers newer than the page (a kept copy); older ones are forgotten.
  function sentSincePage() {
    var rendered = Number(checklist.dataset.rendered || 0);
    return transact("readwrite", function (store) {
      var out = [];
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) { return; }
        var e = cursor.value;
        if (mine(e)) {
          if (e.date >= rendered) { out.push(e); } else { cursor.delete(); }
        }
        cursor.continue();
      };
      return out;
    }, SENT);
  }

  function mine(entry) { return entry.owner === owner && entry.round === roundId; }

  // This round's waiting entries of this user, oldest first.
  function waiting() {
    return transact("readonly", function (store) {
      var out = [];
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) { return; }
        if (mine(cursor.value)) { out.push(cursor.value); }
        cursor.continue();
      };
      return out;
    });
  }

  // An answer replaces the one of the same item still waiting (not the one being sent): the
  // server keeps the last one anyway, and the queue stays in the order the items were touched.
  function queueAnswer(item, url, values) {
    return transact("readwrite", function (store) {
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) {
          store.add({ owner: owner, round: roundId, kind: "answer", item: item, url: url, values: values, at: Date.now() });
          return;
        }
        var e = cursor.value;
        if (mine(e) && e.kind === "answer" && e.item === item && e.seq !== inflight) { cursor.delete(); }
        cursor.continue();
      };
    });
  }

  function queuePhoto(item, answer, url, file) {
    var blob = file.slice(0, file.size, file.type);
    return transact("readwrite", function (store) {
      store.add({
        owner: owner, round: roundId, kind: "photo", item: item, answer: answer, url: url,
        blob: blob, name: file.name || "photo.jpg", type: file.type, clientId: uuid(), at: Date.now()
      });
    });
  }

  function drop(seq) { return transact("readwrite", function (store) { store.delete(seq); }); }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- the page ------------------------------------------------------------------------------

  function formOf(item) { return checklist.querySelector(".answer-form[data-item='" + item + "']"); }

  function formValues(form) {
    var values = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") { values[key] = value; }
    });
    if (!("result" in values)) { values.result = ""; }
    return values;
  }

  function restore(form, values) {
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
        if (field.type === "radio") { field.checked = field.value === values[name]; }
        else { field.value = values[name]; }
      });
    });
    form.querySelectorAll("input[name=result]").forEach(function (radio) {
      if (!values.result) { radio.checked = false; }
    });
  }

  function status(form, text, cls) {
    var el = form && form.querySelector(".save-state");
    if (el) { el.textContent = text; el.className = "small mt-1 save-state " + (cls || ""); }
  }

  function paint(form) {
    var checked = form.querySelector("input[name=result]:checked");
    var card = form.closest(".item-card");
    if (!card) { return; }
    card.classList.toggle("item-fail", !!checked && checked.value === "fail");
    card.classList.toggle("item-pass", !!checked && checked.value === "pass");
  }

  function showCount(entries) {
    var el = document.getElementById("pending-count");
    if (!el) { return; }
    var n = entries.length;
    el.hidden = n === 0;
    el.textContent = n === 1 ? el.dataset.one : el.dataset.other.replace("%(n)s", String(n));
  }

  // The photos that wait, shown from the device under their item; those sent are taken away.
  function showPhotos(entries) {
    var seen = {};
    entries.forEach(function (e) {
      if (e.kind !== "photo") { return; }
      seen[e.seq] = true;
      if (urls[e.seq]) { return; }
      var box = document.getElementById("pending-photos-" + e.item);
      if (!box) { return; }
      urls[e.seq] = URL.createObjectURL(e.blob);
      var figure = document.createElement("figure");
      figure.className = "photo pending-photo mb-0";
      figure.dataset.seq = String(e.seq);
      var img = document.createElement("img");
      img.className = "attachment-thumb rounded";
      img.src = urls[e.seq];
      img.alt = e.name;
      var caption = document.createElement("figcaption");
      caption.className = "small text-warning-emphasis";
      caption.textContent = checklist.dataset.photoWaiting;
      figure.appendChild(img);
      figure.appendChild(caption);
      box.appendChild(figure);
    });
    Object.keys(urls).forEach(function (seq) {
      if (seen[seq]) { return; }
      var figure = checklist.querySelector(".pending-photo[data-seq='" + seq + "']");
      if (figure) { figure.remove(); }
      URL.revokeObjectURL(urls[seq]);
      delete urls[seq];
    });
  }

  function refresh() {
    return waiting().then(function (entries) { showCount(entries); showPhotos(entries); return entries; });
  }

  function markWaiting(entries) {
    entries.forEach(function (e) {
      if (e.kind === "answer") { status(formOf(e.item), checklist.dataset.offline, "text-warning fw-semibold"); }
    });
  }

  // --- sending -------------------------------------------------------------------------------

  function csrf() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }

  function swap(selector, html) {
    if (window.htmx && document.querySelector(selector)) {
      window.htmx.swap(selector, html, { swapStyle: "innerHTML" });
    }
  }

  // One entry to the server: "sent", "refused" (a 400/409 the page shows; sending it again would be
  // refused again) or "failed" (no connection, a server error, the session ended: it stays queued).
  function send(entry, newer) {
    var body = new FormData();
    if (entry.kind === "answer") {
      Object.keys(entry.values).forEach(function (k) { body.append(k, entry.values[k]); });
      status(formOf(entry.item), checklist.dataset.saving, "text-muted");
    } else {
      body.append("photo", entry.blob, entry.name);
      body.append("client_id", entry.clientId);
    }
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrf() }
    }).then(function (response) {
      var code = response.status;
      if (response.redirected || !(code === 200 || code === 400 || code === 409)) { return "failed"; }
      return response.text().then(function (html) {
        if (entry.kind === "photo") {
          swap("#photos-" + entry.answer, html);
        } else if (!newer) {  // a later answer of this item waits: the page already shows it
          swap("#saved-" + entry.item, html);
          var form = formOf(entry.item);
          if (form) {
            paint(form);
            // What the server now holds (its result buttons were just swapped in).
            if (code === 200) {
              var held = formValues(form);
              last[entry.item] = JSON.stringify(held);
              var date = Date.parse(response.headers.get("Date")) / 1000;
              return rememberSent(entry.item, held, date).then(function () { return "sent"; });
            }
          }
        }
        if (code !== 200 && entry.kind === "answer") { delete last[entry.item]; }
        return code === 200 ? "sent" : "refused";
      });
    }, function () { return "failed"; });
  }

  function sendAll() {
    return waiting().then(function (entries) {
      showCount(entries);
      var entry = entries[0];
      if (!entry) { return "done"; }
      if (navigator.onLine === false) { markWaiting(entries); return "failed"; }
      var newer = entries.some(function (e) { return e.kind === "answer" && e.item === entry.item && e.seq > entry.seq; });
      inflight = entry.seq;
      return send(entry, newer).then(function (outcome) {
        inflight = null;
        if (outcome === "failed") { markWaiting(entries); return "failed"; }
        return drop(entry.seq).then(refresh).then(function () { sentAny = true; return sendAll(); });
      });
    });
  }

  var sentAny = false;
  var keepTimer = null;

  // Sends what waits, one at a time in order; another tab of the same user waits for the lock.
  function flush() {
    if (flushing) { again = true; return; }
    flushing = true;
    var run = function () { return sendAll(); };
    var locked = navigator.locks && navigator.locks.request
      ? navigator.locks.request("ducha-queue-" + owner, run) : run();
    Promise.resolve(locked).catch(function () { return "failed"; }).then(function (outcome) {
      flushing = false;
      refresh();
      if (outcome === "done" && sentAny) { sentAny = false; keepPage(); }
      if (again) { again = false; flush(); }
    });
  }

  // Asks the service worker to keep an up-to-date copy of this page (what the server now holds),
  // so that a reload without a connection shows it; at most once every few seconds.
  function keepPage() {
    if (!("serviceWorker" in navigator) || keepTimer) { return; }
    keepTimer = window.setTimeout(function () {
      keepTimer = null;
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) { registration.active.postMessage({ type: "keep", url: window.location.pathname }); }
      });
    }, 1000);
  }

  // --- events --------------------------------------------------------------------------------

  // Without IndexedDB (a browser that refuses it) nothing can wait: sent at once, as before.
  function direct(entry) {
    return send(entry, false).then(function (outcome) {
      if (outcome === "failed" && entry.kind === "answer") { status(formOf(entry.item), checklist.dataset.offline, "text-warning fw-semibold"); }
    });
  }

  // The values last queued per item: leaving a note field unchanged (its change event on blur)
  // queues nothing.
  var last = {};

  function answered(form) {
    paint(form);
    var values = formValues(form);
    var key = JSON.stringify(values);
    if (last[form.dataset.item] === key) { return; }
    last[form.dataset.item] = key;
    status(form, checklist.dataset.saving, "text-muted");
    queueAnswer(form.dataset.item, form.action, values).then(refresh).then(flush, function () {
      direct({ kind: "answer", item: form.dataset.item, url: form.action, values: values });
    });
  }

  var typing = {};
  checklist.addEventListener("change", function (event) {
    var target = event.target;
    var photoForm = target.closest(".photo-form");
    if (photoForm && target.type === "file") {
      var files = Array.prototype.slice.call(target.files || []);
      target.value = "";
      files.reduce(function (chain, file) {
        return chain.then(function () {
          return queuePhoto(photoForm.dataset.item, photoForm.dataset.answer, photoForm.action, file).catch(function () {
            return direct({ kind: "photo", item: photoForm.dataset.item, answer: photoForm.dataset.answer, url: photoForm.action, blob: file, name: file.name, clientId: uuid() });
          });
        });
      }, Promise.resolve()).then(refresh).then(flush, flush);
      return;
    }
    var form = target.closest(".answer-form");
    if (form) { window.clearTimeout(typing[form.dataset.item]); answered(form); }
  });
  checklist.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    var form = event.target.closest(".answer-form");
    if (!form) { return; }
    window.clearTimeout(typing[form.dataset.item]);
    typing[form.dataset.item] = window.setTimeout(function () { answered(form); }, 800);
  });
  // Enter in a number field would post the form and leave the page: it saves in place instead.
  checklist.addEventListener("submit", function (event) {
    var form = event.target.closest(".answer-form");
    if (form) { event.preventDefault(); answered(form); }
  });

  // "n of m answered" after answers were shown again over a kept copy of the page.
  function recount() {
    var el = document.getElementById("round-progress");
    var forms = checklist.querySelectorAll(".answer-form");
    if (!el || !checklist.dataset.progress) { return; }
    var done = Array.prototype.filter.call(forms, function (f) { return !!f.querySelector("input[name=result]:checked"); }).length;
    el.textContent = checklist.dataset.progress.replace("%(done)s", String(done)).replace("%(total)s", String(forms.length));
  }

  // On opening: what the server confirmed after this copy of the page was made and what waits
  // are shown again (the answers over the page's, the photos from the device), answers kept by
  // the previous version of this page (localStorage) join the queue, and the queue is sent.
  function start() {
    var legacy = "ducha:inspections:" + roundId + ":";
    var moves = [];
    try {
      checklist.querySelectorAll(".answer-form").forEach(function (form) {
        var raw = window.localStorage.getItem(legacy + form.dataset.item);
        if (!raw) { return; }
        window.localStorage.removeItem(legacy + form.dataset.item);
        moves.push(queueAnswer(form.dataset.item, form.action, JSON.parse(raw).values));
      });
    } catch (e) { /* no localStorage or an unreadable entry: nothing to move */ }
    Promise.all(moves).then(sentSincePage).then(function (sent) {
      sent.forEach(function (e) {
        var form = formOf(e.item);
        if (!form) { return; }
        restore(form, e.values);
        paint(form);
        status(form, checklist.dataset.saved, "text-success");
      });
      return refresh().then(function (entries) {
        var latest = {};
        entries.forEach(function (e) { if (e.kind === "answer") { latest[e.item] = e; } });
        Object.keys(latest).forEach(function (item) {
          var form = formOf(item);
          if (!form) { return; }
          restore(form, latest[item].values);
          paint(form);
          status(form, checklist.dataset.offline, "text-warning fw-semibold");
        });
        if (sent.length || Object.keys(latest).length) { recount(); }
        checklist.querySelectorAll(".answer-form").forEach(function (form) {
          last[form.dataset.item] = JSON.stringify(formValues(form));
        });
      });
    }).then(flush, flush);
    // A first visit is not yet under the service worker: ask it to keep this page.
    if ("serviceWorker" in navigator && !navigator.serviceWorker.controller && navigator.onLine !== false) { keepPage(); }
  }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.setInterval(function () { if (navigator.onLine !== false) { flush(); } }, RETRY_MS);
  start();
})();
