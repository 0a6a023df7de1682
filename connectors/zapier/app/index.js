'use strict';
// The hub's Zapier integration: API-key auth, instant triggers on ticket
// events, actions and searches on tickets. See README.md.
const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./authentication');
const { addApiKey, explainErrors } = require('./lib/hub');
const triggers = require('./triggers/hook');
const creates = [...require('./creates/tickets'), ...require('./creates/customer_message')];
const searches = require('./searches/search');

const byKey = (list) => Object.fromEntries(list.map((x) => [x.key, x]));

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [explainErrors],
  triggers: byKey(triggers),
  creates: byKey(creates),
  searches: byKey(searches),
  searchOrCreates: {
    find_ticket: {
      key: 'find_ticket',
      display: {
        label: 'Find or Create Ticket',
        description: 'Finds a ticket by number, customer email or order number, and creates one if none matches.',
      },
      search: 'find_ticket',
      create: 'create_ticket',
    },
  },
};
