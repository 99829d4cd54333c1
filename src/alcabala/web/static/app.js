// alcabala console: countdowns to hit confirmation deadlines and copy-to-clipboard.
// A few lines of vanilla JavaScript; everything works without it.
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
})();
