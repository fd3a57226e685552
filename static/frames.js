// The image-to-video form's frame slots (templates/console/_frame_slot.html): a file dropped,
// pasted or picked is uploaded at once (app/web/pages/frames.py) and stored by hash; the slot
// comes back holding it, or saying why not.
(function () {
  "use strict";
  var $ = consolePage.$, $$ = consolePage.$$;
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
    fetch("/frames?position=" + position, { method: "POST", body: body, headers: consolePage.postHeaders() })
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
    consolePage.focusNewError();
  }
  function replaceSlot(slot, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    slot.replaceWith(fresh);
    htmx.process(fresh);
    consolePage.slotsChanged();
    if (!consolePage.focusNewError()) {
      var remove = $("button", fresh), meta = $(".meta", fresh);
      if (remove) remove.focus();
      if (meta) consolePage.announce(tr("Frame added: {details}", { details: meta.textContent }));
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

})();
