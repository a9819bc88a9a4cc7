// Steward's own behaviour; third-party code comes from npm (steward/static/vendor).
document.addEventListener("htmx:responseError", function (event) {
  // Form validation answers 422 with the re-rendered form: show it instead of failing silently.
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
