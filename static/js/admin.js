// Django's admin: names the search-as-you-type pickers (select2) after their fields. select2 draws
// a combobox named only by the choice it shows, so an empty one has no name at all (WCAG 4.1.2).
function nameSearchPickers(root) {
  root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = select.getAttribute("aria-label")
      || document.querySelector(`label[for="${select.id}"]`)?.textContent.trim().replace(/:$/, "");
    const picker = select.nextElementSibling;
    const combobox = picker?.querySelector('[role="combobox"]');
    if (!label || !combobox) return;
    combobox.removeAttribute("aria-labelledby");
    combobox.setAttribute("aria-label", label);
    // The choice shown inside is read as the combobox's content, not as a text box of its own.
    const shown = picker.querySelector(".select2-selection__rendered");
    shown?.removeAttribute("role");
    shown?.removeAttribute("aria-readonly");
  });
}

// Django draws the pickers when jQuery is ready, which may be after the page's load event, and
// again for each row added to an inline: name them whenever select2 has drawn one.
new MutationObserver((changes) => {
  const drawn = changes.some((change) => [...change.addedNodes].some(
    (node) => node.classList?.contains("select2-container"),
  ));
  if (drawn) nameSearchPickers(document);
}).observe(document.body, { childList: true, subtree: true });
nameSearchPickers(document);
