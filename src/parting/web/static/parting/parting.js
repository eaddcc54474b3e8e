// Behaviour the pages used to carry in inline attributes, kept here so the Content-Security-Policy
// can refuse every inline script. A <select data-autosubmit> sends its form as soon as it changes.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
})();
