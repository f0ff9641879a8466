// Loaded as a module, so only browsers that GOV.UK Frontend supports run it. Setting the body
// classes here (not in an inline script) keeps the Content Security Policy free of 'unsafe-inline'.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
