// Runway Console page behaviour: the key and address, the form's fields and their errors. No
// inline script anywhere (CSP script-src 'self'): everything is bound here and in the scripts
// templates/base.html loads after this one (render.CONSOLE_SCRIPTS), re-bound after each swap.

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
// What this script shares with the others (frames.js, media.js, code.js, results.js).
var consolePage = {};
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
  // A script's own fetch sends what htmx requests send (below): the key, and for a POST the
  // CSRF token with HX-Request (the answer is a fragment).
  function keyHeaders(headers) {
    if (currentKey()) headers["X-Runway-Key"] = currentKey();
    return headers;
  }
  function postHeaders() { return keyHeaders({ "HX-Request": "true", "X-CSRF-Token": csrfToken() }); }
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
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    updateCounter(); checkRatios(); updateCost(); clearFilledSlots(); focusNewError();
  });
  consolePage.$ = $;
  consolePage.$$ = $$;
  consolePage.keyHeaders = keyHeaders;
  consolePage.postHeaders = postHeaders;
  consolePage.announce = announce;
  consolePage.focusNewError = focusNewError;
  consolePage.slotsChanged = function () { checkRatios(); clearFilledSlots(); };
  loadConnection();
  updateKeyPlaceholder();
  document.addEventListener("DOMContentLoaded", function () {
    updateCounter(); checkRatios(); updateCost();
    if (addressRestored) {
      htmx.ajax("GET", "/form/url-preview", { target: "#url-preview", swap: "outerHTML", values: { baseUrl: $("#baseUrl").value, endpoint: ($("[name=endpoint]:checked") || {}).value || "" } });
    }
  });
})();
