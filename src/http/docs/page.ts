import type { DocsAssetNames } from './assets.js';

/**
 * Swagger UI's settings: the document of this server only (no `?url=` from
 * the address bar, which would render anyone's document on our origin), no
 * call to the public validator service, and no remote configuration.
 */
const viewerOptions = {
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  queryConfigEnabled: false,
  validatorUrl: null,
  tryItOutEnabled: false,
};

/** The HTML of /docs: the viewer's files, and one inline script that carries this answer's nonce. */
export function docsPage(assets: DocsAssetNames, nonce: string): string {
  const options = JSON.stringify(viewerOptions);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API</title>
<link rel="icon" type="image/png" href="${assets.icon}">
<link rel="stylesheet" href="${assets.stylesheet}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets.script}" nonce="${nonce}"></script>
<script nonce="${nonce}">window.ui = SwaggerUIBundle(${options});</script>
</body>
</html>
`;
}
