// Knowledge-base editor: put an uploaded file's Markdown (on a line of its own) or a link
// to another article at the cursor, then refresh the preview.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert]");
  if (!button) return;
  const source = document.querySelector("textarea[name=body_md]");
  if (!source) return;
  const start = source.selectionStart ?? source.value.length;
  const end = source.selectionEnd ?? start;
  let text = button.dataset.insert;
  if (button.hasAttribute("data-block")) {
    const before = source.value.slice(0, start);
    const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    text = gap + text + "\n";
  }
  source.setRangeText(text, start, end, "end");
  source.focus();
  source.dispatchEvent(new Event("kb:insert"));
});

// Enter in the link search looks articles up; it must not save the article.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches("#link-q")) event.preventDefault();
});
