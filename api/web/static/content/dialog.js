// Modal dialogs (<dialog> with showModal): focus moves into the dialog and back to the control
// that opened it; Escape cancels.
import { $ } from "./common.js";

/** Open `dialog` modally; focus `first` (or the first field). Returns a function that closes it
 * and puts focus back where it was. */
export function openDialog(dialog, first) {
  const opener = document.activeElement;
  dialog.showModal();
  (first || dialog.querySelector("input, select, textarea, button"))?.focus();
  const restore = () => {
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
  };
  dialog.addEventListener("close", restore, { once: true });
  return () => { if (dialog.open) dialog.close(); };
}

/** Ask yes or no. Resolves true for yes. */
export function confirmDialog({ title = "Är du säker?", text, yes = "Ja", no = "Avbryt" }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-yes").textContent = yes;
  $("confirm-no").textContent = no;
  return new Promise((resolve) => {
    let answer = false;
    const yesBtn = $("confirm-yes"), noBtn = $("confirm-no");
    const onYes = () => { answer = true; dialog.close(); };
    const onNo = () => dialog.close();
    yesBtn.addEventListener("click", onYes);
    noBtn.addEventListener("click", onNo);
    dialog.addEventListener("close", () => {
      yesBtn.removeEventListener("click", onYes);
      noBtn.removeEventListener("click", onNo);
      resolve(answer);
    }, { once: true });
    openDialog(dialog, noBtn);  // the safe choice has focus first
  });
}
