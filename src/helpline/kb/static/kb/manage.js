// Knowledge-base editor: put an uploaded file's Markdown at the cursor (on a line of its
// own), then refresh the preview.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const source = document.querySelector("textarea[name=body_md]");
  if (!source) return;
  const start = source.selectionStart ?? source.value.length;
  const end = source.selectionEnd ?? start;
  const before = source.value.slice(0, start);
  const text = (before === "" || before.endsWith("\n") ? "" : "\n\n") + button.dataset.insert + "\n";
  source.setRangeText(text, start, end, "end");
  source.focus();
  source.dispatchEvent(new Event("kb:insert"));
});
