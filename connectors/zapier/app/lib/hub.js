'use strict';
// Talking to the hub: its base URL comes from the connection (each
// workspace runs its own hub), the API key goes in every request, and the
// hub's error shape becomes a message the Zap's owner can act on.

const hubUrl = (bundle) => String(bundle.authData.hub_url || '').replace(/\/+$/, '');

const url = (bundle, path) => hubUrl(bundle) + path;

// beforeRequest: every request carries the API key.
const addApiKey = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.api_key) {
    request.headers = request.headers || {};
    request.headers['X-API-Key'] = bundle.authData.api_key;
  }
  return request;
};

// afterResponse: the hub answers {"error": {"code", "message", "field"}};
// show that message rather than a bare status. 429 never reaches here
// (core turns it into a ThrottledError that Zapier retries).
const explainErrors = (response, z) => {
  if (response.status < 400 || response.skipThrowForStatus) {
    return response;
  }
  let message = `The hub answered ${response.status}`;
  let code = String(response.status);
  try {
    const body = JSON.parse(response.content);
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      if (body.error.field) {
        message = `${body.error.field}: ${message}`;
      }
    }
  } catch (e) {
    // not JSON: keep the status
  }
  if (response.status === 401) {
    throw new z.errors.Error(`${message} (check the API key)`, 'AuthenticationError', response.status);
  }
  throw new z.errors.Error(message, code, response.status);
};

// Drops empty optional inputs: the hub's API refuses unknown fields and
// reads an empty string as a value.
const compact = (obj) => {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
      continue;
    }
    out[k] = v;
  }
  return out;
};

module.exports = { url, hubUrl, addApiKey, explainErrors, compact };
