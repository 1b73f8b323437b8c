// Plan analysis progress: poll the job's .json twin and move the progress bar; go to the
// report when it is done. Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("plan-job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("plan-progress");
  var pct = document.getElementById("plan-percent");
  var stageText = document.getElementById("plan-stage-text");
  var state = document.getElementById("plan-state");
  var texts = document.getElementById("plan-stage-texts");

  function label(selector, fallback) {
    var el = texts && texts.content ? texts.content.querySelector(selector) : null;
    return el ? el.textContent : fallback;
  }

  function show(job) {
    if (bar) { bar.value = job.percent; bar.textContent = job.percent + " %"; }
    if (pct) { pct.textContent = job.percent + "\u00a0%"; }
    if (stageText) {
      stageText.textContent = label('[data-stage="' + job.stage + '"]', job.stage)
        .replace("{done}", String(job.done)).replace("{total}", String(job.total));
    }
    if (state && job.state === "running") {
      state.firstElementChild.textContent = label('[data-state="running"]', "");
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var job = body.data;
        if (!job || !job.state) { window.location.reload(); return; }
        show(job);
        if (job.state === "done" && job.report_url) {
          window.location.assign(job.report_url + "?lang=" + encodeURIComponent(body.lang || "nb"));
        } else if (job.state === "failed") {
          window.location.reload();  // the server renders the error with its hint
        } else {
          window.setTimeout(poll, 700);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }

  window.setTimeout(poll, 300);
}());
