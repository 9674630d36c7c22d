// Every shopper page with a language picker, and the live order page on top of htmx (no eval, no
// inline script: the CSP forbids both).
// - The language picker changes the language as soon as one is picked (without JavaScript, its
//   button does).
// - Each panel sends the ETag it was rendered with, so an unchanged panel costs a 304.
// - Timed polls are skipped while the tab is hidden or while the push stream (SSE) is open;
//   the stream already says when something changed.
// - When a hidden tab becomes visible again without a stream, every panel checks for news once.
(function () {
  "use strict";
  var streamOpen = false;

  document.querySelectorAll("form.lang-switch").forEach(function (form) {
    form.classList.add("lang-switch--auto");
    form.querySelector("select").addEventListener("change", function () { form.submit(); });
  });

  document.addEventListener("htmx:sseOpen", function () { streamOpen = true; });
  document.addEventListener("htmx:sseError", function () { streamOpen = false; });
  document.addEventListener("htmx:sseClose", function () { streamOpen = false; });

  document.addEventListener("htmx:configRequest", function (evt) {
    var panel = evt.detail.elt;
    if (!panel || !panel.hasAttribute || !panel.hasAttribute("data-etag")) return;
    var timedPoll = !evt.detail.triggeringEvent;
    if (timedPoll && (streamOpen || document.visibilityState !== "visible")) {
      evt.preventDefault();
      return;
    }
    evt.detail.headers["If-None-Match"] = panel.getAttribute("data-etag");
  });

  // A reconnecting stream should only report what happened after the version we now show.
  document.addEventListener("htmx:sseMessage", function (evt) {
    var version = evt.detail && evt.detail.lastEventId;
    var source = evt.target.closest && evt.target.closest("[sse-connect]");
    if (!source || !/^\d+$/.test(version || "")) return;
    source.setAttribute("sse-connect", source.getAttribute("sse-connect").replace(/([?&]v=)\d+/, "$1" + version));
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || streamOpen || !window.htmx) return;
    document.querySelectorAll("[data-etag]").forEach(function (panel) {
      htmx.trigger(panel, "portal:refresh");
    });
  });
})();
