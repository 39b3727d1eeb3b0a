// SERP cards: a sensitive result stays blurred until the rater chooses to see it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-reveal]");
    if (!button) return;
    const result = button.closest(".serp-result");
    result.classList.add("revealed");
    button.remove();
    result.dispatchEvent(new CustomEvent("serp:revealed", { bubbles: true, detail: { doc: result.dataset.doc } }));
  });
})();
