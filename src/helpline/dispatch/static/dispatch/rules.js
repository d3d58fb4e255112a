/* The rule form's builder: add and remove rows, offer the operators that fit the field,
   show the inputs the chosen action uses. Our own code; the form works without it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-rule-form]");
  if (!form) return;

  function kindOf(row) {
    var select = row.querySelector("[data-field-select]");
    var option = select.options[select.selectedIndex];
    return option ? option.dataset.kind || "text" : "text";
  }

  function syncCondition(row) {
    var kind = kindOf(row);
    var ops = row.querySelector("[data-op-select]");
    var selectedFits = false;
    Array.prototype.forEach.call(ops.options, function (option) {
      var fits = option.dataset.kinds.split(" ").indexOf(kind) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && option.selected) selectedFits = true;
    });
    if (!selectedFits) {
      var first = Array.prototype.find.call(ops.options, function (o) { return !o.disabled; });
      if (first) first.selected = true;
    }
    var noValue = ops.value === "is_set" || ops.value === "is_not_set";
    row.querySelector("[data-value]").hidden = noValue;
    syncCustomKey(row);
  }

  function syncCustomKey(row) {
    var select = row.querySelector("[data-field-select]");
    var key = row.querySelector("[data-custom-key]");
    if (select && key) key.hidden = select.value.slice(-1) !== "*";
  }

  function syncAction(row) {
    var select = row.querySelector("[data-action-select]");
    var params = select.options[select.selectedIndex].dataset.params.split(" ");
    row.querySelectorAll("[data-param]").forEach(function (span) {
      span.hidden = params.indexOf(span.dataset.param) === -1;
    });
    syncCustomKey(row);
  }

  function sync(row) {
    if (row.hasAttribute("data-condition-row")) syncCondition(row);
    else if (row.hasAttribute("data-action-row")) syncAction(row);
  }

  form.addEventListener("change", function (e) {
    var row = e.target.closest("[data-row]");
    if (row) sync(row);
  });

  form.addEventListener("click", function (e) {
    var remove = e.target.closest("[data-remove-row]");
    if (remove) {
      remove.closest("[data-row]").remove();
      return;
    }
    var add = e.target.closest("[data-add-row]");
    if (add) {
      var kind = add.dataset.addRow;
      var template = document.getElementById(kind + "-template");
      var list = form.querySelector('[data-rows="' + kind + '"]');
      var row = template.content.firstElementChild.cloneNode(true);
      list.appendChild(row);
      sync(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
    }
  });

  form.querySelectorAll("[data-row]").forEach(sync);
})();
