// Progressive enhancement for the overview: a changed choice redraws the page at once.
// Without JavaScript the "Show" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.ex-controls");
  if (!form) { return; }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.tagName === "SELECT") {
      if (target.name === "indikator") {
        var goal = form.querySelector("select[name=mal]");
        if (goal) { goal.value = ""; }
        var period = form.querySelector("select[name=periode]");
        if (period) { period.disabled = true; }
      }
      if (target.name === "mal") {
        var per = form.querySelector("select[name=periode]");
        if (per) { per.disabled = true; }
      }
      form.submit();
    }
  });
}());
