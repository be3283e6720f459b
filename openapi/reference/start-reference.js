// Starts Swagger UI on /openapi.json for the /docs page; everything it loads or calls is the gateway that served the page.
/* global SwaggerUIBundle */
'use strict';

(() => {
  const root = document.getElementById('swagger-ui');
  // The gateway's base: the folder of /docs, so the page also works behind a path prefix.
  const base = new URL('.', window.location.href);

  const showFailure = (message) => {
    const note = document.createElement('p');
    note.className = 'enlace-docs-failure';
    note.textContent = `The API reference could not start: ${message} The document itself is at `;
    const link = document.createElement('a');
    link.href = new URL('openapi.json', base).href;
    link.textContent = 'openapi.json';
    note.append(link, '.');
    root.replaceChildren(note);
  };

  fetch(new URL('openapi.json', base), { headers: { Accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`GET openapi.json answered ${response.status}.`);
      return response.json();
    })
    .then((spec) => {
      // Why: the page may reach its own origin only (connect-src 'self'), so Try it out calls the
      // gateway that served it, whatever address the document's `servers` names.
      spec.servers = [{ url: base.href.replace(/\/$/, ''), description: 'This gateway' }];
      window.ui = SwaggerUIBundle({
        spec,
        domNode: root,
        layout: 'BaseLayout',
        deepLinking: true,
        displayOperationId: true,
        filter: true,
        // Why: the default validator is a remote service whose badge the page would load.
        validatorUrl: null,
        // Why: an access token kept in localStorage would outlive the tab; memory only.
        persistAuthorization: false,
      });
    })
    .catch((error) => {
      showFailure(error instanceof Error ? error.message : String(error));
    });
})();
