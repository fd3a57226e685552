// The form's media fields (templates/console/_media_field.html): drop, paste or pick a file,
// which goes to the API address as an ephemeral upload (app/web/pages/media.py) and comes back
// as the field holding its runway:// URI; or a previous task's output (its URL or saved copy).
// The field's kinds and size limit are checked here first, with the server's sentences, so a
// wrong file is never sent.
(function () {
  "use strict";
  var $ = consolePage.$;
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
  // A file, or a previous task's saved copy (`task`), goes to the field's route with the form's
  // address; the field comes back holding its runway:// URI, or saying why not.
  function post(field, url, body, name) {
    var address = $("#baseUrl");
    body.append("baseUrl", address ? address.value.trim() : "");
    field.classList.add("uploading");
    var drop = $(".media-drop span:not(.drop-icon)", field);
    if (drop) drop.textContent = tr("Uploading {name}…", { name: name });
    fetch(url, { method: "POST", body: body, headers: consolePage.postHeaders() })
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
  function send(field, file) {
    if (!fits(field, file)) { fieldError(field, field.dataset.wrongKind); return; }
    if (file.size > parseInt(field.dataset.maxBytes || "0", 10)) { fieldError(field, field.dataset.tooLarge); return; }
    var body = new FormData();
    body.append("file", file);
    post(field, field.dataset.uploadUrl, body, file.name);
  }
  // An output whose link works from the form's address goes in as it is; another's saved copy
  // is sent up (app/web/handoff.py decided which when it listed them).
  function pickOutput(field, pick) {
    if (pick.dataset.taskId) {
      var body = new FormData();
      body.append("task", pick.dataset.taskId);
      post(field, field.dataset.outputUrl, body, pick.textContent.split(" · ")[0]);
      return;
    }
    var input = $(".media-uri", field);
    input.value = pick.dataset.mediaValue;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    setTag(field, pick.dataset.mediaKind);
    $(".media-outputs", field).open = false;
    input.focus();
  }
  function choose(field) { var input = $(".media-file", field); if (input) input.click(); }
  document.addEventListener("click", function (evt) {
    var zone = evt.target.closest ? evt.target.closest(".media-drop") : null;
    if (zone) { choose(fieldOf(zone)); return; }
    var pick = evt.target.closest ? evt.target.closest(".media-output") : null;
    var field = fieldOf(pick);
    if (field) pickOutput(field, pick);
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
