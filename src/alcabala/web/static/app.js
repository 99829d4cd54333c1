// alcabala console: countdowns to hit confirmation deadlines, copy-to-clipboard, printing, and
// the question before a destructive action. A few lines of vanilla JavaScript; everything works
// without it (the server asks for confirmation itself when `confirmed` is missing).
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var clock = el.querySelector(".clock");
      var left = Math.floor((Date.parse(el.getAttribute("data-deadline")) - Date.now()) / 1000);
      if (!clock || isNaN(left)) { return; }
      if (left <= 0) { clock.textContent = "00:00"; clock.classList.add("late"); return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      clock.textContent = (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    // After a refused form, put the cursor in the first field that needs fixing.
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
    setInterval(tick, 1000);
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.querySelector(button.getAttribute("data-copy"));
        if (!target) { return; }
        var text = target.textContent.trim();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text);
        } else {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        }
      });
    });
  });
  document.addEventListener("htmx:afterSwap", tick);
  // <button data-print>: print the page (a certificate prints on one A4 sheet).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) { window.print(); }
  });
  // <form data-confirm="question">: ask once; if the user agrees, tell the server so.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    var flag = form.querySelector("input[name=confirmed]");
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (flag) { flag.value = "1"; }
  }, true);
})();
