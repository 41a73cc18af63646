// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Filters apply as soon as a choice changes (the Apply button stays for typing and no-JS).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.tagName === "SELECT") {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });

  // Back, Forward or Reload to a list restores the choices the browser last saw in its form
  // (those of the page left), not the ones its results were filtered by; another Apply would
  // then combine filters nobody chose. The form goes back to what the server wrote.
  window.addEventListener("pageshow", function (event) {
    var entry = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : null;
    if (!event.persisted && !(entry && entry.type !== "navigate")) { return; }
    document.querySelectorAll("form[method=get]").forEach(function (form) { form.reset(); });
  });

  // "/" focuses the search box, as on many sites.
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    var typing = active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    if (event.key === "/" && !typing) {
      var box = document.getElementById("q") || document.getElementById("quick-q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  // Show each time in the reader's own zone too, when that is not Eastern.
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone && zone !== "America/New_York") {
    var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var value = el.getAttribute("datetime");
      if (!value) { return; }
      var moment = new Date(value);
      if (!isNaN(moment.getTime())) { el.title = format.format(moment) + " (your time)"; }
    });
  }
  // A video card becomes the player only when the reader clicks "Play here": until then nothing
  // loads from YouTube.
  document.querySelectorAll(".video-card[data-youtube-id]").forEach(function (card) {
    var id = card.getAttribute("data-youtube-id");
    if (!/^[A-Za-z0-9_-]{6,20}$/.test(id || "")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Play here";
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
      frame.title = card.getAttribute("data-title") || "Video of the meeting";
      frame.allow = "autoplay; encrypted-media; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      var holder = document.createElement("div");
      holder.className = "video";
      holder.appendChild(frame);
      card.replaceWith(holder);
    });
    card.appendChild(button);
  });
})();
