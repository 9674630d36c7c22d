/* Order-tracking widget for any storefront. Hand-written, no dependencies, no build step; the
   test suite keeps it under 5 KB.
     <script src="https://PORTAL/static/embed.js" async></script>
     <div data-order-tracking data-shop="SLUG"></div>
   The iframe shows /embed/SLUG/track (or the order from ?order=TOKEN in the storefront's URL) in
   the storefront's language, and grows to fit its content. Size messages are accepted only from
   the portal's origin and only from our own iframes. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll("script[src*='/static/embed.js']");
    script = found[found.length - 1];
  }
  if (!script || !window.URL || !window.URLSearchParams) return;
  var src = new URL(script.src, location.href);
  var portal = src.origin;
  var root = src.href.split("/static/embed.js")[0];
  var frames = [];

  function mount(box) {
    if (box.getAttribute("data-mounted")) return;
    box.setAttribute("data-mounted", "1");
    var shop = box.getAttribute("data-shop") || "-";
    var order = new URLSearchParams(location.search).get("order") || "";
    var query = new URLSearchParams({ origin: location.origin });
    var lang = document.documentElement.lang;
    if (lang) query.set("lang", lang);
    var path = "/embed/" + encodeURIComponent(shop) +
      (/^[\w.-]{1,120}$/.test(order) ? "/orders/" + encodeURIComponent(order) : "/track");

    var frame = document.createElement("iframe");
    frame.src = root + path + "?" + query.toString();
    // Replaced by the framed page's own (translated) title as soon as it reports in.
    frame.title = box.getAttribute("data-title") || "Order tracking";
    // No allow-top-navigation: the framed page can never navigate the storefront away.
    frame.setAttribute("sandbox",
      "allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "480px";
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ type: "portal-embed:measure" }, portal);
    });
    var fallback = box.querySelector("noscript");
    if (fallback) box.removeChild(fallback);
    box.appendChild(frame);
    frames.push(frame);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== portal || !data || data.type !== "portal-embed:size") return;
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (event.source !== frame.contentWindow) continue;
      var height = Number(data.height);
      if (height > 0 && height < 50000) frame.style.height = Math.ceil(height) + "px";
      if (typeof data.title === "string" && data.title) frame.title = data.title.slice(0, 200);
      // After a lookup inside the frame, bring the new page's top into view.
      if (data.focused && frame.getBoundingClientRect().top < 0) frame.scrollIntoView();
    }
  });

  function start() {
    var boxes = document.querySelectorAll("[data-order-tracking]");
    for (var i = 0; i < boxes.length; i++) mount(boxes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
