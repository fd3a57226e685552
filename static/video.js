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
  // A seek inside the window is an echo only when it lands where we sent the video: a person's
  // seek just after a Pause or Play (which also opens the window) still moves the group.
  var QUIET_MS = 400;
  function quietly(video, action, seekTo) {
    video.dataset.syncQuietUntil = String(Date.now() + QUIET_MS);
    if (seekTo === undefined) delete video.dataset.syncSeekTo;
    else video.dataset.syncSeekTo = String(seekTo);
    action(video);
  }
  function isEcho(video, type) {
    if (Number(video.dataset.syncQuietUntil || 0) <= Date.now()) return false;
    if (type !== "seeked") return true;
    var to = video.dataset.syncSeekTo;
    return to !== undefined && Math.abs(video.currentTime - Number(to)) < 0.1;
  }
  function follow(source, type) {
    groupVideos(source).forEach(function (other) {
      if (other === source) return;
      if (type === "seeked") {
        var to = Math.min(source.currentTime, other.duration || source.currentTime);
        quietly(other, function (v) { v.currentTime = to; }, to);
      } else if (type === "play") {
        var at = source.currentTime;
        quietly(other, function (v) { v.muted = true; v.currentTime = at; v.play().catch(function () {}); }, at);
      } else if (type === "pause") {
        quietly(other, function (v) { v.pause(); });
      }
    });
  }
  ["play", "pause", "seeked"].forEach(function (type) {
    document.addEventListener(type, function (evt) {
      var video = evt.target;
      if (!video.matches || !video.matches(".group[data-sync] video")) return;
      if (isEcho(video, type)) return;
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
      }, action === "restart" ? 0 : undefined);
    });
  });
  // Keep playing groups within a frame or two of their first video.
  setInterval(function () {
    document.querySelectorAll(".group[data-sync]").forEach(function (group) {
      var videos = group.querySelectorAll("video");
      if (videos.length < 2 || videos[0].paused) return;
      for (var i = 1; i < videos.length; i++) {
        if (!videos[i].paused && Math.abs(videos[i].currentTime - videos[0].currentTime) > 0.15) {
          var lead = videos[0].currentTime;
          quietly(videos[i], function (v) { v.currentTime = lead; }, lead);
        }
      }
    });
  }, 1000);
})();
