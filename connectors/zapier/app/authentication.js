'use strict';
const { url, hubUrl } = require('./lib/hub');

// API-key authentication: the hub's base URL and a key made with
// `hub apikey create --name zapier`. The test call answers 401 for a bad key.
module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'hub_url',
      label: 'Hub URL',
      required: true,
      type: 'string',
      helpText: "Your hub's public base URL, e.g. `https://support-hub.example.com` (HUB_PUBLIC_URL).",
    },
    {
      key: 'api_key',
      label: 'API Key',
      required: true,
      type: 'password',
      helpText: 'Create one on the hub with `hub apikey create --name zapier`; it is shown once.',
    },
  ],
  test: (z, bundle) =>
    z.request({ url: url(bundle, '/api/v1/me') }).then((response) => response.data),
  connectionLabel: (z, bundle) => {
    let host = hubUrl(bundle);
    try {
      host = new URL(host).host;
    } catch (e) {
      // keep it as typed
    }
    return `${bundle.inputData.name} @ ${host}`;
  },
};
