// Knowledge-base editor: put an uploaded file's Markdown at the cursor, then refresh the preview.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const source = document.querySelector("textarea[name=body_md]");
  if (!source) return;
  const text = button.dataset.insert;
  const start = source.selectionStart ?? source.value.length;
  const end = source.selectionEnd ?? start;
  source.setRangeText(text, start, end, "end");
  source.focus();
  source.dispatchEvent(new Event("kb:insert"));
});
