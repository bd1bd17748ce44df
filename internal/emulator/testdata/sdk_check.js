// Drives the emulator with the official Genesys Cloud JavaScript SDK
// (purecloud-platform-client-v2): gateway login with the client-credentials
// grant, then pages of users in every state with expands, per-user queues,
// one user, a users search, routing queues, an over-limit page size, then
// the people data: groups, locations, stations, a utilization, the people
// expands and development activities.
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
  await people(out, users, routing, first);
  console.log(JSON.stringify(out));
}

// people reads the people data (issue 18) through the SDK: groups,
// locations and stations listings, a utilization, development activities,
// and the people expands of every active user.
async function people(out, users, routing, first) {
  const groupsApi = new platformClient.GroupsApi();
  const locationsApi = new platformClient.LocationsApi();
  const stationsApi = new platformClient.StationsApi();
  const pageAll = async (fetch) => {
    const all = [];
    for (let page = 1; ; page++) {
      const res = await fetch(page);
      all.push(...res.entities);
      if (!res.nextUri || res.entities.length === 0) return all;
    }
  };
  const groups = await pageAll((pageNumber) => groupsApi.getGroups({ pageSize: 100, pageNumber }));
  out.groups = groups.length;
  out.group_members = groups.reduce((n, g) => n + (g.memberCount || 0), 0);
  const locations = await pageAll((pageNumber) => locationsApi.getLocations({ pageSize: 100, pageNumber }));
  out.locations = locations.length;
  out.locations_with_address = locations.filter((l) => l.address && l.address.city).length;
  const stations = await pageAll((pageNumber) => stationsApi.getStations({ pageSize: 100, pageNumber }));
  out.stations = stations.length;
  out.stations_associated = stations.filter((s) => s.status === 'ASSOCIATED' && s.userId).length;
  const util = await routing.getRoutingUserUtilization(first.id);
  out.utilization_level = util.level;
  out.utilization_types = Object.keys(util.utilization || {}).length;

  const expand = ['outOfOffice', 'presence', 'routingStatus', 'team', 'certifications'];
  out.people = { users: 0, on_queue: 0, routing_on_queue: 0, ooo_periods: 0, teams: 0, certifications: 0, offline: 0 };
  const active = [];
  for (let page = 1; ; page++) {
    const res = await users.getUsers({ pageSize: 100, pageNumber: page, expand, state: 'active' });
    for (const u of res.entities) {
      const p = out.people;
      p.users++;
      active.push(u.id);
      const sys = u.presence && u.presence.presenceDefinition && u.presence.presenceDefinition.systemPresence;
      if (sys === 'On Queue') p.on_queue++;
      if (sys === 'Offline') p.offline++;
      if (u.routingStatus && u.routingStatus.status !== 'OFF_QUEUE') p.routing_on_queue++;
      if (u.outOfOffice && u.outOfOffice.startDate) p.ooo_periods++;
      if (u.team && u.team.id) p.teams++;
      p.certifications += (u.certifications || []).length;
    }
    if (!res.nextUri || res.entities.length === 0) break;
  }
  // The development activities of the last 100 active users (by name, id),
  // any relationship, deduplicated by id; then the 400 over 100 ids.
  const batch = active.slice(-100);
  const seen = new Set();
  for (let page = 1; ; page++) {
    const res = await users.getUsersDevelopmentActivities({ userId: batch, pageSize: 100, pageNumber: page });
    for (const a of res.entities) seen.add(a.id);
    if (!res.nextUri || res.entities.length === 0) break;
  }
  out.activities = seen.size;
  try {
    await users.getUsersDevelopmentActivities({ userId: active.slice(0, 101), pageSize: 100 });
    out.activities_over_limit_status = 200;
  } catch (e) {
    out.activities_over_limit_status = e.status;
  }
}

main().catch((e) => {
  console.error('sdk check failed:', e && (e.message || JSON.stringify(e.body || e)));
  process.exit(1);
});
