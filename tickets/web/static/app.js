// hub dashboard: progressive touches only. Every page works without this.
(function () {
  "use strict";

  // Live list: new tickets arrive over server-sent events as rendered rows.
  var list = document.getElementById("tickets");
  if (list && window.EventSource) {
    var es = new EventSource("/events?since=" + encodeURIComponent(list.dataset.since || ""));
    es.addEventListener("ticket", function (ev) {
      if (list.dataset.live === "prepend") {
        var tmp = document.createElement("ul");
        tmp.innerHTML = ev.data;
        var row = tmp.firstElementChild;
        if (!row || list.querySelector('[data-ref="' + row.dataset.ref + '"]')) return;
        row.classList.add("fresh");
        var empty = list.querySelector(".empty");
        if (empty) empty.remove();
        list.insertBefore(row, list.firstChild);
      } else {
        var banner = document.querySelector(".live-banner");
        if (banner) banner.hidden = false;
      }
    });
  }

  // Keyboard: j/k move through the list, Enter or o opens, / searches,
  // r and n jump to the reply and note boxes on a ticket.
  var selected = -1;
  function rows() { return list ? list.querySelectorAll(".ticket") : []; }
  function select(i) {
    var r = rows();
    if (!r.length) return;
    selected = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (el) { el.classList.remove("selected"); });
    r[selected].classList.add("selected");
    r[selected].scrollIntoView({ block: "nearest" });
    var a = r[selected].querySelector("a");
    if (a) a.focus({ preventScroll: true });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) {
      if (e.key === "Escape") t.blur();
      return;
    }
    var focus = function (id) { var el = document.getElementById(id); if (el) { e.preventDefault(); el.focus(); } };
    switch (e.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "o": case "Enter":
        if (selected >= 0) { var a = rows()[selected].querySelector("a"); if (a) { e.preventDefault(); location.href = a.href; } }
        break;
      case "/": focus("q"); break;
      case "r": focus("reply-body"); break;
      case "n": focus("note-body"); break;
    }
  });
})();
