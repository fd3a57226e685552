// Copying: a value's copy button, "Copy as code" (fetched when asked for, shown, then copied
// whole), and downloads that need the key (exports).
(function () {
  "use strict";
  var $ = consolePage.$, $$ = consolePage.$$;
  document.addEventListener("click", function (evt) {
    var target = evt.target.closest ? evt.target.closest("button") : null;
    if (!target) return;
    if (target.dataset.copy !== undefined) {
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
    var headers = consolePage.keyHeaders({ Accept: "application/json" });
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

  // Downloads that need the key (exports): fetched with the header, then saved from a blob.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("a[data-keyed-download]") : null;
    if (!link) return;
    evt.preventDefault();
    var headers = consolePage.keyHeaders({}), label = link.textContent;
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
