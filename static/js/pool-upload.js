// Pool upload: send the file to the API, then follow the import job with a progress bar.
// When the job ends, the page reloads with ?job=ID so the server renders the outcome
// (counts, or every problem with its line) as escaped HTML.
(function () {
  "use strict";
  const form = document.getElementById("pool-upload");
  const panel = document.getElementById("import-job");
  if (!panel) return;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showProgress(status, fraction) {
    let bar = panel.querySelector("progress");
    if (!bar) {
      panel.innerHTML = '<div class="job" data-testid="import-job"><label for="job-progress"></label>' +
        '<progress id="job-progress" max="1" value="0"></progress></div>';
      bar = panel.querySelector("progress");
    }
    bar.value = fraction;
    bar.textContent = Math.round(fraction * 100) + "%";
    panel.querySelector("label").textContent = "Import " + status + " (" + Math.round(fraction * 100) + "%)";
  }

  function finish(jobId) {
    const url = new URL(window.location.href);
    url.searchParams.set("job", jobId);
    window.location.assign(url.toString());
  }

  async function follow(jobId) {
    const url = form.dataset.jobApi.replace(/0\/$/, jobId + "/");
    for (;;) {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return finish(jobId);
      const job = await response.json();
      showProgress(job.status, job.progress);
      if (job.status === "succeeded" || job.status === "failed") return finish(jobId);
      await new Promise(function (resolve) { setTimeout(resolve, 500); });
    }
  }

  if (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      showProgress("uploading", 0);
      try {
        const response = await fetch(form.dataset.api, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        });
        const body = await response.json();
        if (response.status !== 202) {
          const messages = Object.values(body).flat().join(" ");
          panel.innerHTML = '<p class="error" role="alert"></p>';
          panel.firstChild.textContent = messages || "The upload was refused.";
          button.disabled = false;
          return;
        }
        await follow(body.id);
      } catch (error) {
        panel.innerHTML = '<p class="error" role="alert">The connection dropped; check the project page for the import.</p>';
        button.disabled = false;
      }
    });
  }

  // Opened on a job that is still running (no-script upload, or a reload): keep following it.
  const status = panel.dataset.status;
  if (form && panel.dataset.job && (status === "queued" || status === "running")) follow(panel.dataset.job);
})();
