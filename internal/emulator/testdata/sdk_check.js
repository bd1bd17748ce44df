// Drives the emulator with the official Genesys Cloud JavaScript SDK
// (purecloud-platform-client-v2): gateway login with the client-credentials
// grant, then pages of users in every state with expands, per-user queues,
// one user, a users search, routing queues, and an over-limit page size.
// Prints one JSON line with what it saw; exits 1 on any unexpected error.
//
// Environment: GENESYS_BASE_URL, GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET,
// NODE_PATH pointing at a node_modules holding the SDK.
'use strict';
const platformClient = require('purecloud-platform-client-v2');

async function main() {
  const base = new URL(process.env.GENESYS_BASE_URL);
  const client = platformClient.ApiClient.instance;
  client.config.setGateway({
    protocol: base.protocol.replace(':', ''),
    host: base.hostname,
    port: base.port ? parseInt(base.port, 10) : -1,
  });
  const auth = await client.loginClientCredentialsGrant(process.env.GENESYS_CLIENT_ID, process.env.GENESYS_CLIENT_SECRET);
  const out = { login: !!auth.accessToken, users: {}, skills: 0, languages: 0, pages: 0, queues_joined: 0, queues_checked: 0 };
  const users = new platformClient.UsersApi();
  const routing = new platformClient.RoutingApi();
  let first;
  for (const state of ['active', 'inactive', 'deleted']) {
    out.users[state] = 0;
    for (let page = 1; ; page++) {
      const res = await users.getUsers({ pageSize: 100, pageNumber: page, expand: ['skills', 'languages'], state });
      out.pages++;
      for (const u of res.entities) {
        if (u.state !== state) throw new Error(`user ${u.id} has state ${u.state} in the ${state} listing`);
        out.users[state]++;
        out.skills += (u.skills || []).length;
        out.languages += (u.languages || []).length;
        if (!first) first = u;
      }
      if (!res.nextUri || res.entities.length === 0) break;
    }
  }
  const sample = await users.getUsers({ pageSize: 20, pageNumber: 1 });
  for (const u of sample.entities) {
    const q = await users.getUserQueues(u.id, { pageSize: 100, pageNumber: 1, joined: true });
    out.queues_checked++;
    out.queues_joined += q.entities.length;
  }
  const one = await users.getUser(first.id, { expand: ['employerInfo'] });
  out.get_user = one.id === first.id && !!(one.employerInfo && one.employerInfo.employeeId);
  const search = await users.postUsersSearch({
    pageSize: 25,
    query: [{ type: 'EXACT', fields: ['email'], value: first.email.toUpperCase() }],
  });
  out.search_total = search.total;
  const queues = await routing.getRoutingQueues({ pageSize: 100 });
  out.routing_queues = queues.total;
  try {
    await users.getUsers({ pageSize: 501 });
    out.over_limit_status = 200;
  } catch (e) {
    out.over_limit_status = e.status;
    out.over_limit_code = e.code || (e.body && e.body.code);
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error('sdk check failed:', e && (e.message || JSON.stringify(e.body || e)));
  process.exit(1);
});
