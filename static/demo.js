// The demo page (/demo). No inline script (CSP script-src 'self'): every behaviour is bound
// here, by delegation on the document, so parts swapped in by htmx need no re-binding.
// Strings come translated from data attributes on <body>.
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var message = function (name) { return document.body.dataset["msg" + name] || ""; };

  function csrfToken() {
    var meta = $("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // --- choosing the picture: a sample, or the customer's own image ---------------------------
  var previewSrc = null;  // the chosen picture, to go back to when a new attempt starts
  function showPreview(src) {
    var stage = $("#stage");
    if (!stage) return;
    previewSrc = src;
    if (stage.dataset.phase !== "idle") {
      var fresh = document.createElement("section");
      fresh.id = "stage";
      fresh.className = "stage";
      fresh.dataset.phase = "idle";
      fresh.setAttribute("aria-label", stage.getAttribute("aria-label") || "");
      fresh.innerHTML = '<figure class="frame preview"><img id="preview" alt=""></figure>';
      stage.replaceWith(fresh);
      $("#preview").alt = document.body.dataset.altPreview || "";
    }
    $("#preview").src = src;
  }
  function pressSample(button) {
    $$(".sample").forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
  }
  var promptTouched = false;
  document.addEventListener("input", function (evt) {
    if (evt.target.id === "prompt") promptTouched = true;
  });
  document.addEventListener("click", function (evt) {
    var sample = evt.target.closest(".sample");
    if (!sample) return;
    pressSample(sample);
    $("#f-sample").value = sample.dataset.sample;
    $("#f-frame").value = "";
    if (!promptTouched) $("#prompt").value = sample.dataset.prompt;
    setStatus("");
    showPreview(sample.dataset.src);
  });

  function setStatus(text, isError) {
    var status = $("#own-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }
  function useOwnImage(file) {
    if (!file || !/^image\//.test(file.type || "image/")) return;
    setStatus(message("Preparing"));
    var body = new FormData();
    body.append("file", file);
    fetch("/demo/frame", { method: "POST", body: body, headers: { "X-CSRF-Token": csrfToken() } })
      .then(function (response) {
        if (!response.ok) throw new Error(message("Failed"));
        return response.json();
      })
      .then(function (answer) {
        if (answer.error) throw new Error(answer.error);
        pressSample(null);
        $("#f-sample").value = "";
        // The sample's prompt described the sample; the customer's picture gets the general one.
        var prompt = $("#prompt");
        if (!promptTouched) prompt.value = prompt.dataset.defaultPrompt || "";
        $("#f-frame").value = answer.frame;
        showPreview(URL.createObjectURL(file));
        setStatus(message("Ready"));
      })
      .catch(function (err) { setStatus(err.message || message("Failed"), true); });
  }
  document.addEventListener("change", function (evt) {
    if (evt.target.id === "own-file" && evt.target.files.length) useOwnImage(evt.target.files[0]);
  });
  document.addEventListener("dragover", function (evt) {
    evt.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (evt) {
    if (!evt.relatedTarget) document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", function (evt) {
    evt.preventDefault();
    document.body.classList.remove("dragging");
    var files = evt.dataTransfer && evt.dataTransfer.files;
    if (files && files.length) useOwnImage(files[0]);
  });
  document.addEventListener("paste", function (evt) {
    var items = (evt.clipboardData && evt.clipboardData.items) || [];
    for (var i = 0; i < items.length; i++) {
      if (items[i].kind === "file" && /^image\//.test(items[i].type)) {
        evt.preventDefault();
        useOwnImage(items[i].getAsFile());
        return;
      }
    }
  });

  // --- Animate: a fresh start each time ------------------------------------------------------
  // The last attempt's notice goes, and so does its outcome on the stage (a failure's overlay,
  // a video): a refusal now shows beside the chosen picture, not beside an older failure.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.target.id !== "demo-form") return;
    var notice = $("#notice");
    if (notice) notice.textContent = "";
    var stage = $("#stage"), preview = $("#preview");
    if (previewSrc === null && preview) previewSrc = preview.src;
    if (stage && stage.dataset.phase !== "idle" && previewSrc) showPreview(previewSrc);
  });

  // --- the progress view's clock: counts between the server's once-a-second updates ----------
  setInterval(function () {
    $$(".tick[data-elapsed]").forEach(function (tick) {
      var seconds = parseInt(tick.dataset.elapsed, 10) + 1;
      tick.dataset.elapsed = String(seconds);
      tick.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    });
  }, 1000);

  // --- the player: plays by itself, before/after, full screen, copy the link -----------------
  document.addEventListener("htmx:afterSwap", function () {
    var video = $("#stage video");
    if (video && video.paused) {
      video.muted = true;
      var started = video.play();
      if (started && started.catch) started.catch(function () {});
    }
  });
  document.addEventListener("click", function (evt) {
    var compare = evt.target.closest("[data-compare]");
    if (compare) {
      var on = compare.getAttribute("aria-pressed") !== "true";
      compare.setAttribute("aria-pressed", on ? "true" : "false");
      $$("#player .before, #player .after-label").forEach(function (el) { el.hidden = !on; });
      $("#player .compare").classList.toggle("comparing", on);
      return;
    }
    if (evt.target.closest("[data-fullscreen]")) {
      var player = $("#player");
      if (document.fullscreenElement) { document.exitFullscreen(); } else if (player && player.requestFullscreen) { player.requestFullscreen(); }
      return;
    }
    var copy = evt.target.closest("[data-copy]");
    if (copy) {
      var field = $(copy.dataset.copy);
      if (!field) return;
      field.select();
      var done = function () { copy.textContent = message("Copied"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });
})();
