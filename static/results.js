// What comes back in the results column: it comes into view, its statuses are heard, errors the
// server could not render become a card, opened panels stay open across polls, elapsed times
// tick between polls.
(function () {
  "use strict";
  var $ = consolePage.$, $$ = consolePage.$$;
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
    if (changes.length === 1) consolePage.announce(tr("Task {status}", { status: changes[0] }));
    else if (changes.length) consolePage.announce(tr("Tasks: {statuses}", { statuses: changes.join(", ") }));
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
  document.addEventListener("htmx:afterSettle", announceStatuses);
})();
