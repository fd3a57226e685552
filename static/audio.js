// Audio outputs: the card's waveform is drawn from the file itself (decoded in the page, no
// network beyond the console), a click on it seeks, a line follows the playing position, and
// the length shows beside the player. The player follows the console's copy once it is saved,
// as the video player does (app.js); only a URL this page may fetch is ever read here.
(function () {
  "use strict";
  var COLUMNS = 240;
  function sameOrigin(src) {
    try { return new URL(src, location.href).origin === location.origin; } catch (e) { return false; }
  }
  function clock(seconds) {
    if (!isFinite(seconds)) return "–:–";
    var minutes = Math.floor(seconds / 60), rest = seconds - minutes * 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest.toFixed(1);
  }
  function peaks(buffer) {
    var data = buffer.getChannelData(0), step = Math.max(1, Math.floor(data.length / COLUMNS));
    var out = [], top = 0;
    for (var c = 0; c < COLUMNS; c++) {
      var most = 0;
      for (var i = c * step; i < Math.min(data.length, (c + 1) * step); i++) {
        var v = Math.abs(data[i]); if (v > most) most = v;
      }
      out.push(most); if (most > top) top = most;
    }
    return out.map(function (v) { return top ? v / top : 0; });
  }
  function draw(canvas) {
    var heights = canvas._peaks, audio = canvas._audio;
    if (!heights) return;
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    var style = getComputedStyle(canvas), played = audio && audio.duration ? audio.currentTime / audio.duration : 0;
    var accent = style.getPropertyValue("--accent").trim() || "#5b4cf0";
    var muted = style.getPropertyValue("--muted").trim() || "#5b6477";
    ctx.clearRect(0, 0, w, h);
    var bar = w / heights.length;
    heights.forEach(function (v, i) {
      var tall = Math.max(2, v * (h - 8));
      ctx.fillStyle = (i + 0.5) / heights.length <= played ? accent : muted;
      ctx.fillRect(i * bar + 1, (h - tall) / 2, Math.max(1, bar - 2), tall);
    });
  }
  function load(canvas, src) {
    if (!src || !sameOrigin(src) || canvas.dataset.drawnFrom === src) return;
    canvas.dataset.drawnFrom = src;
    fetch(src, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.arrayBuffer(); })
      .then(function (bytes) { return new OfflineAudioContext(1, 1, 44100).decodeAudioData(bytes); })
      .then(function (buffer) { canvas._peaks = peaks(buffer); canvas.dataset.peaks = String(canvas._peaks.length); draw(canvas); })
      .catch(function () { delete canvas.dataset.drawnFrom; });
  }
  function setUp(figure) {
    var audio = figure.querySelector("audio"), canvas = figure.querySelector("canvas.waveform");
    var length = figure.querySelector("[data-audio-duration]");
    if (!audio || !canvas || figure.dataset.ready) return;
    figure.dataset.ready = "1";
    canvas._audio = audio;
    function shown() { if (length) length.textContent = clock(audio.duration); }
    audio.addEventListener("loadedmetadata", function () { shown(); load(canvas, audio.currentSrc || audio.src); });
    audio.addEventListener("timeupdate", function () { draw(canvas); });
    audio.addEventListener("seeked", function () { draw(canvas); });
    canvas.addEventListener("click", function (evt) {
      if (!audio.duration) return;
      var box = canvas.getBoundingClientRect();
      audio.currentTime = Math.max(0, Math.min(1, (evt.clientX - box.left) / box.width)) * audio.duration;
    });
    if (audio.readyState >= 1) shown();
    if (audio.getAttribute("src")) load(canvas, audio.src);
  }
  function follow(state) {
    var card = state.closest(".task-card"), src = state.dataset.videoSrc;
    var audio = card ? card.querySelector("audio.audio-player") : null;
    if (!audio || !src || audio.getAttribute("src") === src) return;
    var at = audio.currentTime || 0, playing = !audio.paused;
    audio.src = src;
    audio.addEventListener("loadedmetadata", function () {
      if (at) audio.currentTime = at;
      if (playing) audio.play().catch(function () {});
    }, { once: true });
  }
  function scan(root) {
    if (!root.querySelectorAll) return;
    Array.prototype.forEach.call(root.querySelectorAll(".audio-output"), setUp);
    var states = Array.prototype.slice.call(root.querySelectorAll("[data-video-src]"));
    if (root.matches && root.matches("[data-video-src]")) states.push(root);
    states.forEach(follow);
  }
  document.addEventListener("htmx:load", function (evt) { scan(evt.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
})();
