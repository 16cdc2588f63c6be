// Progressive enhancement only: every page works without this file.
import { initAll } from './vendor/govuk-frontend-6.6.0/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// htmx sends the CSRF token with every request it makes (read from the page, never inline).
document.body.addEventListener('htmx:configRequest', (event) => {
  const token = document.querySelector('meta[name="csrf-token"]') || document.querySelector('input[name="csrf_token"]')
  if (token) event.detail.headers['X-CSRFToken'] = token.content || token.value
})
