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

// Forms never lose what the user types. A re-draw (say, the filter builder's rows after an operator
// was chosen) is answered for the values sent with the request; if the user typed on meanwhile — into
// the field still focused, or one already left — the new markup would put back the old value. So the
// values of the target's text fields are noted when the request leaves, and after the swap every field
// typed into since gets its text back (and the focus and cursor, if it had them). A field the user had
// already left fires its "change" again, so whatever it refreshes (a live count) follows the text.
var TYPED_FIELDS = "input:not([type]), input[type=text], input[type=search], input[type=email], " +
  "input[type=tel], input[type=number], input[type=url], textarea";

function typedValues(root) {
  var values = {};
  if (!root || !root.querySelectorAll) return values;
  root.querySelectorAll(TYPED_FIELDS).forEach(function (field) {
    if (field.name) values[field.name] = field.value;
  });
  return values;
}

document.addEventListener("htmx:beforeRequest", function (event) {
  event.detail.xhr.stewardSentValues = typedValues(event.detail.target);
});

document.addEventListener("htmx:beforeSwap", function (event) {
  var sent = event.detail.xhr.stewardSentValues;
  var target = event.detail.target;
  if (!sent || !target) return;
  var typedSince = [];
  target.querySelectorAll(TYPED_FIELDS).forEach(function (field) {
    if (field.name && field.name in sent && field.value !== sent[field.name]) {
      typedSince.push({
        name: field.name,
        value: field.value,
        focused: document.activeElement === field,
        start: field.selectionStart,
        end: field.selectionEnd,
      });
    }
  });
  event.detail.xhr.stewardTypedSince = typedSince;
});

document.addEventListener("htmx:afterSwap", function (event) {
  var typedSince = event.detail.xhr.stewardTypedSince;
  var target = event.detail.target;
  if (!typedSince || !typedSince.length || !target) return;
  typedSince.forEach(function (typed) {
    var field = target.querySelector('[name="' + CSS.escape(typed.name) + '"]');
    if (!field || field.value === typed.value) return;
    field.value = typed.value;
    if (typed.focused) {
      field.focus();
      try {
        field.setSelectionRange(typed.start, typed.end);
      } catch (error) {
        // (number and e-mail fields have no selection to restore)
      }
      // The browser compares with the value at focus time, which is now the restored text: leaving the
      // field would not count as a change, so the first blur without a change event sends one.
      var changed = false;
      var noteChange = function () { changed = true; };
      field.addEventListener("change", noteChange);
      field.addEventListener("blur", function onBlur() {
        field.removeEventListener("blur", onBlur);
        field.removeEventListener("change", noteChange);
        if (!changed) field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    } else {
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
});
