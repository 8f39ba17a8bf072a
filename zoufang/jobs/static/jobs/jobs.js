/* 我的下载: poll each unfinished job's status and move its progress bar; reload the page when one finishes,
   so its file link or its retry button appears. A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var DELAY = 1500;
  function unfinished() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-job]"), function (job) {
      var status = job.getAttribute("data-status");
      return status === "queued" || status === "running";
    });
  }
  function poll() {
    var jobs = unfinished();
    if (!jobs.length) { return; }
    Promise.all(jobs.map(function (job) {
      return fetch(job.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (s) {
          if (!s) { return false; }
          job.querySelector("[data-job-bar]").style.width = s.percent + "%";
          job.querySelector("[role=progressbar]").setAttribute("aria-valuenow", String(s.percent));
          job.querySelector("[data-job-percent]").textContent = s.percent + "%";
          job.querySelector("[data-job-label]").textContent = s.label;
          if (s.status !== job.getAttribute("data-status")) {
            job.setAttribute("data-status", s.status);
            return s.status !== "queued" && s.status !== "running";
          }
          return false;
        })
        .catch(function () { return false; });
    })).then(function (finished) {
      if (finished.some(Boolean)) { window.location.reload(); return; }
      window.setTimeout(poll, DELAY);
    });
  }
  window.setTimeout(poll, DELAY);
})();
