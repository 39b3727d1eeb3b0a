// Guideline editor: live preview of the SOP and of the schema as raters will see it.
// The server renders the preview (the same templates the console uses), so what the
// author sees is what raters get; this file only sends the form and swaps the HTML in.
(function () {
  "use strict";
  const form = document.getElementById("version-form");
  const preview = document.getElementById("preview");
  const status = document.getElementById("preview-status");
  if (!form || !preview) return;

  let timer = null;
  let inFlight = null;

  async function refresh() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        signal: inFlight.signal,
        credentials: "same-origin",
      });
      if (!response.ok) return;
      // The fragment is rendered and escaped by Django; nothing typed here runs.
      preview.innerHTML = await response.text();
      preview.dataset.state = "fresh";
      // A short announcement instead of re-reading the whole preview to screen readers.
      const problems = preview.querySelectorAll("[data-testid=schema-problems] li").length;
      if (status) status.textContent = problems ? `Preview updated: ${problems} problem${problems === 1 ? "" : "s"} in the schema.` : "Preview updated.";
    } catch (error) {
      if (error.name !== "AbortError") preview.dataset.state = "stale";
    }
  }

  form.addEventListener("input", function () {
    preview.dataset.state = "pending";
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (!window.confirm(confirmForm.dataset.confirm)) event.preventDefault();
    });
  });
})();
