/* Runs inside a framed portal page (templates/embed.html). Tells the storefront how tall the content
   is so embed.js can size the iframe to fit. It talks only to the storefront origin the server checked
   against the merchant's allowed list (data-parent-origin), and listens to nobody else. */
(function () {
  "use strict";
  var script = document.currentScript;
  var parentOrigin = script && script.getAttribute("data-parent-origin");
  if (!parentOrigin || window.parent === window) return;
  var root = document.documentElement;
  var lastHeight = 0;

  function post(force, focused) {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === lastHeight && !force) return;
    lastHeight = height;
    window.parent.postMessage(
      { type: "portal-embed:size", height: height, title: document.title, focused: !!focused },
      parentOrigin
    );
  }

  // The storefront may ask for the size again (e.g. after it re-laid itself out).
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    if (event.data && event.data.type === "portal-embed:measure") post(true);
  });

  // A page reached from inside the frame (after a lookup) moves focus to what changed: the error,
  // or the page heading. On the first load the storefront keeps its focus.
  var focused = false;
  if (document.hasFocus()) {
    var target = document.querySelector("[role=alert]") || document.querySelector("main h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
      focused = true;
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(function () { post(false); }).observe(root);
  }
  window.addEventListener("resize", function () { post(false); });
  window.addEventListener("load", function () { post(false); });
  post(true, focused);
})();
