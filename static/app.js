// Runway Console page behaviour. No inline script anywhere (CSP script-src 'self'):
// everything is bound here, and re-bound after each htmx swap.

// The page's language: the server puts this script's strings, translated, on <body>.
var trCatalog = null;
function tr(text, values) {
  if (trCatalog === null) {
    try { trCatalog = JSON.parse(document.body.dataset.i18n || "{}"); } catch (e) { trCatalog = {}; }
  }
  var out = trCatalog[text] || text;
  Object.keys(values || {}).forEach(function (name) { out = out.split("{" + name + "}").join(values[name]); });
  return out;
}
(function () {
  "use strict";
  var KEY_STORE = "runway-console.key";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  // --- the key and the address: browser only, the key sent per request in a header ---------
  // Both are restored as soon as this (deferred) script runs, before htmx starts: the page's
  // first requests (history, account, a `?task=` card) must already carry them.
  var ADDRESS_STORE = "runway-console.address";
  function keyField() { return $("#api-key"); }
  function currentKey() { var f = keyField(); return f ? f.value.trim() : ""; }
  var addressRestored = false;
  function loadConnection() {
    var f = keyField(); if (!f) return;
    var remembered = localStorage.getItem(KEY_STORE);
    f.value = remembered || sessionStorage.getItem(KEY_STORE) || "";
    var address = $("#baseUrl"), kept = localStorage.getItem(ADDRESS_STORE) || sessionStorage.getItem(ADDRESS_STORE);
    if (address && kept && kept !== address.value) { address.value = kept; addressRestored = true; }
    $("#key-remember").checked = !!(remembered || localStorage.getItem(ADDRESS_STORE));
  }
  function keep(name, value) {
    if (value) { sessionStorage.setItem(name, value); } else { sessionStorage.removeItem(name); }
    if ($("#key-remember").checked && value) { localStorage.setItem(name, value); } else { localStorage.removeItem(name); }
  }
  // The key field's hint follows the address: the simulator needs no key, anything else does.
  function updateKeyPlaceholder() {
    var f = keyField(), address = $("#baseUrl");
    if (!f || !address || !f.dataset.placeholderOther) return;
    var value = address.value.trim().toLowerCase();
    var simulator = value === "" || value === "simulator";
    f.placeholder = simulator ? f.dataset.placeholderSimulator : f.dataset.placeholderOther;
  }
  function saveAddress() { var address = $("#baseUrl"); if (address) keep(ADDRESS_STORE, address.value.trim()); }
  var keyTimer = null;
  function saveKey() {
    keep(KEY_STORE, currentKey());
    saveAddress();
    clearTimeout(keyTimer);
    keyTimer = setTimeout(function () { htmx.trigger(document.body, "keyChanged"); }, 400);
  }
  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    var key = currentKey();
    if (key) evt.detail.headers["X-Runway-Key"] = key;
    evt.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // --- compare: the second address has its own key (or none); the first never goes there ---
  // The field has no name, so no form or hx-include carries it: it goes in a header with the
  // Generate that starts the comparison, and the second task's card is read with it.
  function compareKey() { var f = $("#compare_key"); return f ? f.value.trim() : ""; }
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.closest && elt.closest("[data-second-key]")) {
      delete evt.detail.headers["X-Runway-Key"];
      if (compareKey()) evt.detail.headers["X-Runway-Key"] = compareKey();
    } else if (elt && elt.id === "gen-form" && compareKey()) {
      evt.detail.headers["X-Runway-Compare-Key"] = compareKey();
    }
  });

  // --- frames: drop, paste or pick; uploaded at once, stored by hash ------------------------
  function uploadFrame(file, position) {
    var slot = $("#slot-" + position);
    if (!slot || !file) return;
    // The server's limit and its sentence, on the slot: a file over it is not sent at all.
    var limit = parseInt(slot.dataset.maxBytes || "0", 10);
    if (limit && file.size > limit) { slotError(slot, slot.dataset.tooLarge); return; }
    var body = new FormData();
    body.append("file", file);
    slot.classList.add("uploading");
    var head = $(".slot-head", slot), heading = head ? head.cloneNode(true) : null;
    if (head) head.textContent = tr("Uploading {name}…", { name: file.name });
    // The key too, as htmx requests send it: a frame belongs to the key that added it.
    var headers = { "HX-Request": "true", "X-CSRF-Token": csrfToken() };
    if (currentKey()) headers["X-Runway-Key"] = currentKey();
    fetch("/frames?position=" + position, { method: "POST", body: body, headers: headers })
      .then(function (response) {
        if (response.status === 413) throw new Error(slot.dataset.tooLarge);
        if (!response.ok) throw new Error(tr("Upload failed: HTTP {status}", { status: response.status }));
        return response.text();
      })
      .then(function (html) { replaceSlot(slot, html); })
      .catch(function (err) {
        if (head && heading) head.replaceWith(heading);
        slotError(slot, err.message);
      });
  }
  // A slot shows one error, its current one, where the server puts its own (under the slot).
  function slotError(slot, message) {
    var position = slot.dataset.position;
    slot.classList.remove("uploading");
    slot.classList.add("has-error");
    $$(".error-text[data-error-for='" + position + "']", slot).forEach(function (el) { el.remove(); });
    var error = document.createElement("p");
    error.className = "error-text";
    error.id = "error-" + position;
    error.dataset.errorFor = position;
    error.setAttribute("role", "alert");
    error.tabIndex = -1;
    error.textContent = message;
    slot.appendChild(error);
    var drop = $(".drop", slot);
    if (drop) drop.setAttribute("aria-describedby", error.id);
    focusNewError();
  }
  function replaceSlot(slot, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    slot.replaceWith(fresh);
    htmx.process(fresh);
    checkRatios();
    clearFilledSlots();
    if (!focusNewError()) {
      var remove = $("button", fresh), meta = $(".meta", fresh);
      if (remove) remove.focus();
      if (meta) announce(tr("Frame added: {details}", { details: meta.textContent }));
    }
  }
  // The drop zone is the slot's one keyboard stop (its file input sits outside it, out of the
  // Tab order): a click, Enter or Space opens the file chooser.
  function chooseFile(zone) {
    var input = $(".file-input[data-position=" + zone.dataset.drop + "]");
    if (input) input.click();
  }
  document.addEventListener("keydown", function (evt) {
    var zone = evt.target.classList && evt.target.classList.contains("drop") ? evt.target : null;
    if (!zone || (evt.key !== "Enter" && evt.key !== " ")) return;
    evt.preventDefault();
    chooseFile(zone);
  });
  document.addEventListener("click", function (evt) {
    var zone = evt.target.closest ? evt.target.closest(".drop") : null;
    if (zone) chooseFile(zone);
  });
  function emptySlotFor() {
    var first = $("#slot-first"), last = $("#slot-last");
    if (first && $(".drop", first)) return "first";
    if (last && $(".drop", last)) return "last";
    return first ? "first" : null;
  }
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (input.classList && input.classList.contains("file-input") && input.files.length) {
      uploadFrame(input.files[0], input.dataset.position);
    }
  });
  document.addEventListener("dragover", function (evt) {
    var zone = evt.target.closest && evt.target.closest(".drop");
    if (zone) { evt.preventDefault(); zone.classList.add("dragover"); }
  });
  document.addEventListener("dragleave", function (evt) {
    var zone = evt.target.closest && evt.target.closest(".drop");
    if (zone) zone.classList.remove("dragover");
  });
  document.addEventListener("drop", function (evt) {
    var zone = evt.target.closest && evt.target.closest(".drop");
    if (!zone) return;
    evt.preventDefault();
    var file = evt.dataTransfer && evt.dataTransfer.files[0];
    if (file) uploadFrame(file, zone.dataset.drop);
  });
  document.addEventListener("paste", function (evt) {
    var items = (evt.clipboardData && evt.clipboardData.files) || [];
    if (!items.length || !/^image\//.test(items[0].type)) return;
    var position = emptySlotFor();
    if (position) { evt.preventDefault(); uploadFrame(items[0], position); }
  });

  // --- what a screen reader hears, and where focus goes after an error -------------------------
  function announce(text) {
    var region = $("#announcer");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 60);
  }
  // A new error (the form's banner, a frame slot's message) takes focus and is scrolled into
  // view; each is handled once, so later swaps elsewhere do not pull focus back to it.
  function focusNewError() {
    var error = $(".form-alert:not([data-focused]), .slot .error-text:not([data-focused])");
    if (!error) return false;
    error.dataset.focused = "true";
    error.focus({ preventScroll: true });
    error.scrollIntoView({ block: "center" });
    return true;
  }
  // Task statuses are announced when they change (the card itself is replaced on every poll,
  // so it cannot be a live region of its own).
  var announcedStatus = {};
  function announceStatuses() {
    var changes = [];
    $$("#result .task-card[data-task-id]").forEach(function (card) {
      var badge = $(".badge[data-status]", card), id = card.dataset.taskId;
      if (!badge || announcedStatus[id] === badge.dataset.status) return;
      announcedStatus[id] = badge.dataset.status;
      changes.push(badge.dataset.status);
    });
    if (changes.length === 1) announce(tr("Task {status}", { status: changes[0] }));
    else if (changes.length) announce(tr("Tasks: {statuses}", { statuses: changes.join(", ") }));
  }

  // A field the person changes is taken as fixed: its message goes, and so does its name in
  // the banner; the banner goes with the last one.
  function clearFieldError(name) {
    if (!name) return;
    $$("[data-error-for='" + name + "']").forEach(function (el) { el.remove(); });
    // Escaped: a schema field's name is a path (`s.productImages.0.uri`), no plain CSS id.
    var id = CSS.escape(name);
    $$("[name='" + name + "'][aria-invalid], #" + id + "[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var slot = $("#slot-" + id);
    if (slot && (name === "first" || name === "last")) slot.classList.remove("has-error");
    var banner = $(".form-alert");
    if (!banner) return;
    $$(".alert-field[data-field='" + name + "']", banner).forEach(function (el) { el.remove(); });
    if (!$(".alert-field", banner)) banner.remove();
  }
  function clearFilledSlots() {
    $$(".slot[data-position]").forEach(function (slot) {
      if ($(".thumb, .url-frame", slot)) clearFieldError(slot.dataset.position);
    });
  }
  function fieldName(el) {
    if (!el || !el.closest || !el.closest("#gen-form, #baseUrl")) return "";
    if (el.classList.contains("file-input") || /_url$/.test(el.id || "")) return "";
    // A schema field (`s.keyframes.0.uri`) answers for the error of its top field (`keyframes`).
    if (/^s\./.test(el.name || "")) return el.name.slice(2).split(".")[0];
    return el.name || el.id || "";
  }
  document.addEventListener("input", function (evt) { clearFieldError(fieldName(evt.target)); });
  document.addEventListener("change", function (evt) { clearFieldError(fieldName(evt.target)); });

  // --- form helpers ---------------------------------------------------------------------------
  function updateCounter() {
    var area = $("#promptText"), counter = $("#prompt-counter");
    if (!area || !counter) return;
    var limit = parseInt(area.dataset.limit || "1000", 10);
    counter.textContent = area.value.length + " / " + limit;
    counter.classList.toggle("over", area.value.length > limit);
  }
  // An address kind that has retired the chosen model (the official API, gen3a_turbo) moves
  // the picker to a model it serves; a model it serves stays as the person chose it.
  function fitModel(served) {
    var model = $("#model"), chosen = model && model.selectedOptions[0];
    if (!served || !chosen || chosen.dataset.relayOnly === undefined) return;
    model.value = served;
    model.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function checkRatios() {
    var checked = $("input[name=ratio]:checked");
    if (!checked) return;
    var parts = checked.value.split(":"), want = parts[0] / parts[1];
    $$(".slot[data-aspect]").forEach(function (slot) {
      var have = parseFloat(slot.dataset.aspect), warn = $(".ratio-warn", slot);
      if (warn) warn.hidden = Math.abs(have / want - 1) < 0.06;
    });
  }
  // The cost of pressing Generate: the catalog's credits per second × duration × runs, at the
  // catalog's USD_PER_CREDIT (the page carries both, so the server decides the price).
  function updateCost() {
    var out = $("#cost-estimate"), chosen = $("input[name=duration]:checked");
    if (!out || !chosen) return;
    var runs = parseInt(($("#runs") || {}).value || "1", 10) || 1;
    var credits = parseInt(chosen.dataset.credits, 10) * runs;
    var usd = (credits * parseFloat(out.dataset.usdPerCredit)).toFixed(2);
    out.textContent = runs > 1
      ? tr("Estimate: {credits} credits ≈ ${usd} for {runs} runs", { credits: credits, usd: usd, runs: runs })
      : tr("Estimate: {credits} credits ≈ ${usd}", { credits: credits, usd: usd });
    if (chosen.dataset.estimate === "yes") out.textContent += " " + tr("(price not confirmed)");
  }
  document.addEventListener("input", function (evt) {
    if (evt.target.id === "promptText") updateCounter();
    if (evt.target.id === "runs") updateCost();
    if (evt.target.id === "api-key") saveKey();
    if (evt.target.id === "baseUrl") { saveAddress(); updateKeyPlaceholder(); }
  });
  document.addEventListener("change", function (evt) {
    if (evt.target.name === "ratio") checkRatios();
    if (evt.target.name === "duration") updateCost();
    if (evt.target.id === "key-remember") saveKey();
    // The panels that depend on the address or the model follow them (the fields themselves
    // may be swapped, so the news goes out from the body).
    if (evt.target.id === "baseUrl") htmx.trigger(document.body, "addressChanged");
    if (evt.target.id === "model") htmx.trigger(document.body, "modelChanged");
  });
  document.addEventListener("click", function (evt) {
    var target = evt.target.closest ? evt.target.closest("button") : null;
    if (!target) return;
    if (target.id === "dice") {  // over the range catalog/models.py's SEED_MAX gives the field
      var seed = new Uint32Array(1), field = $("#seed");
      crypto.getRandomValues(seed);
      field.value = String(seed[0] % (parseInt(field.dataset.max, 10) + 1));
    } else if (target.id === "key-toggle") {
      var f = keyField(), show = f.type === "password";
      f.type = show ? "text" : "password";
      target.textContent = show ? tr("Hide") : tr("Show");
      target.setAttribute("aria-pressed", String(show));
    } else if (target.dataset.preset) {
      var address = $("#baseUrl");
      address.value = target.dataset.preset;
      address.dispatchEvent(new Event("input", { bubbles: true }));
      address.dispatchEvent(new Event("change", { bubbles: true }));
      fitModel(target.dataset.presetModel);
    } else if (target.dataset.samplePrompt) {
      // A sample comes with a prompt that fits it, unless the person wrote their own.
      var prompt = $("#promptText");
      if (prompt && !prompt.value.trim()) {
        prompt.value = target.dataset.samplePrompt;
        prompt.dispatchEvent(new Event("input", { bubbles: true }));
      }
    } else if (target.dataset.copy !== undefined) {
      copyText(target.dataset.copy, target);
    } else if (target.dataset.codeUrl) {
      showCode(target);
    } else if (target.dataset.copyCode !== undefined) {
      var pane = target.closest(".code-pane");
      if (pane && pane.codeText) copyText(pane.codeText, target);
    }
  });
  // A new key mode shows the chosen language again, in that mode.
  document.addEventListener("change", function (evt) {
    var pane = evt.target.closest ? evt.target.closest(".code-pane") : null;
    var chosen = pane ? $("[data-code-url][aria-pressed=true]", pane) : null;
    if (chosen && evt.target.matches("input[type=radio]")) showCode(chosen);
  });
  // Code snippets carry whole data URIs, so they are fetched when asked for, not kept in the page.
  // The code is shown before it is copied; the server shortens data URIs for the view
  // (core/transcript.py, the inspector's sizes), the copy is whole.
  function showCode(button) {
    var pane = button.closest(".code-pane"), preview = $(".code-preview", pane), view = $(".code-text", pane);
    var mode = $("input[name='" + button.dataset.keyModeName + "']:checked");
    var url = button.dataset.codeUrl + "?key=" + (mode ? mode.value : "env");
    var headers = { Accept: "application/json" };
    if (currentKey()) headers["X-Runway-Key"] = currentKey();
    $$("[data-code-url]", pane).forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    pane.codeText = "";
    fetch(url, { headers: headers }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (code) {
      pane.codeText = code.code;
      view.textContent = code.shown;
      preview.hidden = false;
    }, function (err) {
      view.textContent = String(err.message || err);
      preview.hidden = false;
    });
  }
  function flash(button, word) {
    var label = button.textContent;
    button.textContent = word; button.classList.add("copied");
    setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1200);
  }
  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = tr("Copied"); button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove(); done();
    }
  }

  // --- live elapsed time between polls ----------------------------------------------------------
  // render.py's _ago step by step, with its words from the server's catalog (tr); the browser
  // test test_server_rules.py holds the two to the same text.
  function formatElapsed(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var two = function (n) { return String(n).padStart(2, "0"); };
    if (seconds < 60) return tr("{s}s", { s: seconds });
    if (seconds < 3600) return tr("{m}m {s}s", { m: Math.floor(seconds / 60), s: two(seconds % 60) });
    if (seconds < 86400) return tr("{h}h {m}m", { h: Math.floor(seconds / 3600), m: two(Math.floor(seconds % 3600 / 60)) });
    return tr("{d}d", { d: Math.floor(seconds / 86400) });
  }
  setInterval(function () {
    $$(".elapsed[data-started]:not([data-final])").forEach(function (el) {
      el.textContent = formatElapsed(Date.now() / 1000 - parseFloat(el.dataset.started));
    });
  }, 1000);

  // --- what Generate (or any action answered in the results) did comes into view -------------
  // On a desktop the button is below the fold and the results column starts at the top, so the
  // new card or refusal would appear out of sight; on a phone it is below the form.
  function revealResult() {
    var shown = $("#result > *");
    if (!shown) return;
    var top = shown.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 80) shown.scrollIntoView({ block: "start" });
  }
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "result") revealResult();
  });
  // Chromium may leave a muted autoplay video that arrived while out of sight paused at 0:00.
  document.addEventListener("htmx:load", function (evt) {
    var root = evt.detail.elt;
    var videos = root.querySelectorAll ? $$("video[autoplay]", root) : [];
    videos.forEach(function (video) {
      if (video.paused) video.play().catch(function () {});
    });
  });

  // --- errors the server could not render as a fragment ------------------------------------------
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    if (evt.detail.elt && evt.detail.elt.id === "task-card") return;  // a poll; the next one retries
    var result = $("#result");
    if (!result) return;
    var card = document.createElement("div");
    card.className = "card upstream-error"; card.setAttribute("role", "alert");
    var title = document.createElement("h2");
    title.textContent = tr("The console answered HTTP {status}", { status: status });
    var text = document.createElement("p");
    text.textContent = (evt.detail.xhr.responseText || "").slice(0, 500);
    card.append(title, text);
    result.replaceChildren(card);
    revealResult();
  });
  document.addEventListener("htmx:sendError", function (evt) {
    if (evt.detail.elt && evt.detail.elt.id === "task-card") return;
    var result = $("#result");
    if (!result) return;
    result.textContent = tr("The console could not be reached. Is it still running?");
    result.scrollIntoView({ block: "start" });
  });

  // Polling replaces the card every 2 s; panels the person opened stay open. What is open is
  // learnt from toggle events (which do not bubble, hence capture) and re-applied to new content.
  var keptOpen = {};
  function panelKey(d) {
    if (d.hasAttribute("data-keep-open")) return d.id;
    var parent = d.parentElement && d.parentElement.closest("details[data-keep-open]");
    var li = d.closest("li");
    if (!parent || !li) return null;
    return parent.id + ":" + Array.prototype.indexOf.call(li.parentNode.children, li);
  }
  document.addEventListener("toggle", function (evt) {
    var d = evt.target;
    if (!d.matches || !d.matches("details")) return;
    var key = panelKey(d);
    if (!key) return;
    if (d.open) { keptOpen[key] = true; } else { delete keptOpen[key]; }
  }, true);
  document.addEventListener("htmx:load", function (evt) {
    var root = evt.detail.elt;
    var panels = $$("details", root);
    if (root.matches && root.matches("details")) panels.push(root);
    panels.forEach(function (d) {
      var key = panelKey(d);
      if (key && keptOpen[key]) d.open = true;
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    updateCounter(); checkRatios(); updateCost(); clearFilledSlots(); focusNewError(); announceStatuses();
  });
  loadConnection();
  updateKeyPlaceholder();
  document.addEventListener("DOMContentLoaded", function () {
    updateCounter(); checkRatios(); updateCost();
    if (addressRestored) {
      htmx.ajax("GET", "/form/url-preview", { target: "#url-preview", swap: "outerHTML", values: { baseUrl: $("#baseUrl").value, endpoint: ($("[name=endpoint]:checked") || {}).value || "" } });
    }
  });
})();

// Downloads that need the key (exports): fetched with the header, then saved from a blob.
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("a[data-keyed-download]") : null;
    if (!link) return;
    evt.preventDefault();
    var field = document.querySelector("#api-key"), headers = {};
    if (field && field.value.trim()) headers["X-Runway-Key"] = field.value.trim();
    var label = link.textContent;
    link.textContent = tr("Preparing…");
    fetch(link.getAttribute("href"), { headers: headers })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
        return response.blob().then(function (blob) { return [blob, name ? name[1] : "export.zip"]; });
      })
      .then(function (pair) {
        var url = URL.createObjectURL(pair[0]), a = document.createElement("a");
        a.href = url; a.download = pair[1]; document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        link.textContent = label;
      })
      .catch(function (err) { link.textContent = tr("{label} failed ({error})", { label: label, error: err.message }); });
  });
})();

// The player (or an image card's picture) moves to the console's own copy once it is saved: the
// upstream's URL expires, and an http relay's never loads under the page's CSP (https: only).
(function () {
  "use strict";
  function follow(state) {
    var card = state.closest(".task-card"), src = state.dataset.videoSrc;
    var image = card ? card.querySelector("img.output-image") : null;
    if (image && src && image.getAttribute("src") !== src) image.src = src;  // an image card
    var video = card ? card.querySelector("video.player") : null;
    if (!video || !src || video.getAttribute("src") === src) return;
    var at = video.currentTime || 0, playing = !video.paused || video.autoplay;
    video.src = src;
    video.addEventListener("loadedmetadata", function () {
      if (at) video.currentTime = at;
      if (playing) video.play().catch(function () {});
    }, { once: true });
  }
  document.addEventListener("htmx:load", function (evt) {
    var root = evt.detail.elt;
    var states = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-video-src]")) : [];
    if (root.matches && root.matches("[data-video-src]")) states.push(root);
    states.forEach(follow);
  });
})();

// Side by side: the videos of a group play, pause and seek together.
(function () {
  "use strict";
  function groupVideos(el) {
    var group = el.closest && el.closest(".group[data-sync]");
    return group ? Array.prototype.slice.call(group.querySelectorAll("video")) : [];
  }
  // Changes we make ourselves fire events on that video; those must not echo back to the rest
  // of the group. A short quiet window, not a count of expected events: a count left over by an
  // event that never came (an autoplay already under way) swallowed the person's next seek.
  var QUIET_MS = 400;
  function quietly(video, action) {
    video.dataset.syncQuietUntil = String(Date.now() + QUIET_MS);
    action(video);
  }
  function follow(source, type) {
    groupVideos(source).forEach(function (other) {
      if (other === source) return;
      if (type === "seeked") {
        quietly(other, function (v) { v.currentTime = Math.min(source.currentTime, v.duration || source.currentTime); });
      } else if (type === "play") {
        quietly(other, function (v) { v.muted = true; v.currentTime = source.currentTime; v.play().catch(function () {}); });
      } else if (type === "pause") {
        quietly(other, function (v) { v.pause(); });
      }
    });
  }
  ["play", "pause", "seeked"].forEach(function (type) {
    document.addEventListener(type, function (evt) {
      var video = evt.target;
      if (!video.matches || !video.matches(".group[data-sync] video")) return;
      if (Number(video.dataset.syncQuietUntil || 0) > Date.now()) return;
      follow(video, type);
    }, true);
  });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("[data-sync-action]") : null;
    if (!button) return;
    var videos = groupVideos(button), action = button.dataset.syncAction;
    videos.forEach(function (v) {
      quietly(v, function (video) {
        if (action === "pause") { video.pause(); return; }
        video.muted = true;
        if (action === "restart") video.currentTime = 0;
        video.play().catch(function () {});
      });
    });
  });
  // Keep playing groups within a frame or two of their first video.
  setInterval(function () {
    document.querySelectorAll(".group[data-sync]").forEach(function (group) {
      var videos = group.querySelectorAll("video");
      if (videos.length < 2 || videos[0].paused) return;
      for (var i = 1; i < videos.length; i++) {
        if (!videos[i].paused && Math.abs(videos[i].currentTime - videos[0].currentTime) > 0.15) {
          quietly(videos[i], function (v) { v.currentTime = videos[0].currentTime; });
        }
      }
    });
  }, 1000);
})();

// The form's media fields (templates/console/_media_field.html): drop, paste or pick a file,
// which goes to the API address as an ephemeral upload (app/web/pages/media.py) and comes back
// as the field holding its runway:// URI; or a previous task's output. The field's kinds and
// size limit are checked here first, with the server's sentences, so a wrong file is never sent.
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  function fieldOf(el) { return el && el.closest ? el.closest(".media-field") : null; }
  function fieldError(field, message) {
    var input = $(".media-uri", field), id = input.id + "-error";
    field.classList.remove("uploading");
    field.classList.add("has-error");
    var old = document.getElementById(id);
    if (old) old.remove();
    var error = document.createElement("p");
    error.className = "error-text"; error.id = id; error.dataset.errorFor = field.dataset.top;
    error.setAttribute("role", "alert"); error.tabIndex = -1; error.textContent = message;
    field.appendChild(error);
    input.setAttribute("aria-invalid", "true");
    $(".media-drop", field).setAttribute("aria-describedby", input.id + "-how " + id);
    error.focus({ preventScroll: true });
  }
  function fits(field, file) {
    var accept = (field.dataset.accept || "").split(","), name = (file.name || "").toLowerCase();
    return accept.some(function (item) {
      return item && (item === file.type || (item.charAt(0) === "." && name.slice(-item.length) === item));
    });
  }
  // A union's `type` beside the URI (Act-Two's character: image or video) follows what was put in.
  function setTag(field, kind) {
    var parent = field.dataset.path.split(".").slice(0, -1).join(".");
    var tag = parent && kind ? document.querySelector("select[name='s." + parent + ".type']") : null;
    if (tag && tag.querySelector("option[value='" + kind + "']")) tag.value = kind;
  }
  function send(field, file) {
    if (!fits(field, file)) { fieldError(field, field.dataset.wrongKind); return; }
    if (file.size > parseInt(field.dataset.maxBytes || "0", 10)) { fieldError(field, field.dataset.tooLarge); return; }
    var body = new FormData(), address = $("#baseUrl");
    body.append("file", file);
    body.append("baseUrl", address ? address.value.trim() : "");
    field.classList.add("uploading");
    var drop = $(".media-drop span:not(.drop-icon)", field);
    if (drop) drop.textContent = tr("Uploading {name}…", { name: file.name });
    var meta = document.querySelector("meta[name=csrf-token]"), key = $("#api-key");
    var headers = { "HX-Request": "true", "X-CSRF-Token": meta ? meta.content : "" };
    if (key && key.value.trim()) headers["X-Runway-Key"] = key.value.trim();
    fetch(field.dataset.uploadUrl, { method: "POST", body: body, headers: headers })
      .then(function (response) {
        if (response.status === 413) throw new Error(field.dataset.tooLarge);
        if (!response.ok) throw new Error(tr("Upload failed: HTTP {status}", { status: response.status }));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.firstElementChild;
        field.replaceWith(fresh);
        htmx.process(fresh);
        setTag(fresh, fresh.dataset.filledKind);
        var error = $(".error-text", fresh);
        (error || $(".media-uri", fresh)).focus();
      })
      .catch(function (err) { fieldError(field, field.dataset.path + ": " + err.message); });
  }
  function choose(field) { var input = $(".media-file", field); if (input) input.click(); }
  document.addEventListener("click", function (evt) {
    var zone = evt.target.closest ? evt.target.closest(".media-drop") : null;
    if (zone) { choose(fieldOf(zone)); return; }
    var pick = evt.target.closest ? evt.target.closest(".media-output") : null;
    var field = fieldOf(pick);
    if (!field) return;
    var input = $(".media-uri", field);
    input.value = pick.dataset.mediaValue;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    setTag(field, pick.dataset.mediaKind);
    $(".media-outputs", field).open = false;
    input.focus();
  });
  document.addEventListener("keydown", function (evt) {
    var zone = evt.target.classList && evt.target.classList.contains("media-drop") ? evt.target : null;
    if (!zone || (evt.key !== "Enter" && evt.key !== " ")) return;
    evt.preventDefault();
    choose(fieldOf(zone));
  });
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (input.classList && input.classList.contains("media-file") && input.files.length) {
      send(fieldOf(input), input.files[0]);
    }
  });
  document.addEventListener("dragover", function (evt) {
    var field = fieldOf(evt.target);
    if (field) { evt.preventDefault(); field.classList.add("dragover"); }
  });
  document.addEventListener("dragleave", function (evt) {
    var field = fieldOf(evt.target);
    if (field) field.classList.remove("dragover");
  });
  document.addEventListener("drop", function (evt) {
    var field = fieldOf(evt.target);
    if (!field) return;
    evt.preventDefault();
    field.classList.remove("dragover");
    var file = evt.dataTransfer && evt.dataTransfer.files[0];
    if (file) send(field, file);
  });
  // A file pasted while a media field has focus goes into that field (text pastes as text).
  document.addEventListener("paste", function (evt) {
    var field = fieldOf(document.activeElement), files = evt.clipboardData && evt.clipboardData.files;
    if (!field || !files || !files.length) return;
    evt.preventDefault();
    send(field, files[0]);
  });
})();
