// framewatch: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Dashboard filters apply as soon as a select changes.
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Relative times ("3 hours ago") refreshed from the ISO datetime attribute once a minute.
  function rel(iso) {
    var secs = Math.round((Date.now() - Date.parse(iso)) / 1000);
    var units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
    var future = secs < 0;
    secs = Math.abs(secs);
    for (var i = 0; i < units.length; i++) {
      if (secs >= units[i][1]) {
        var n = Math.floor(secs / units[i][1]);
        var t = n + " " + units[i][0] + (n === 1 ? "" : "s");
        return future ? "in " + t : t + " ago";
      }
    }
    return "just now";
  }
  function refresh() {
    document.querySelectorAll("time[datetime] .rel").forEach(function (el) {
      el.textContent = "(" + rel(el.parentNode.getAttribute("datetime")) + ")";
    });
  }
  setInterval(refresh, 60000);
});
