// Groups and minimal OIDC apps through the Node SDK: group CRUD, q/search/filter, members
// (assign, paged list, unassign), app creation, group/user assignment, group apps, errors.
'use strict';
const crypto = require('crypto');
const { client, check, eq, ok, fails, all, run } = require('./common.cjs');

const TAG = crypto.randomBytes(4).toString('hex');

run(async () => {
  const c = client();
  const g = c.groupApi;

  const ops = await ok(g.createGroup({ group: { profile: { name: `Ops-${TAG}`, description: 'Operations' } } }), 'create group');
  const opx = await ok(g.createGroup({ group: { profile: { name: `Opx-${TAG}`, description: 'Other' } } }), 'create group 2');
  eq(ops.type, 'OKTA_GROUP', 'created group type');
  eq((await ok(g.getGroup({ groupId: ops.id }), 'get group')).profile.name, `Ops-${TAG}`, 'get group');
  const rep = await ok(g.replaceGroup({ groupId: opx.id, group: { profile: { name: `Opx-${TAG}`, description: 'Replaced' } } }), 'replace');
  eq(rep.profile.description, 'Replaced', 'replace group');
  await fails(g.getGroup({ groupId: '00gDOESNOTEXIST000000' }), 404, 'E0000007', 'get unknown group');

  const byQ = await all(g.listGroups({ q: `Op` }), 'groups q');
  check([ops.id, opx.id].every((id) => byQ.some((x) => x.id === id)), 'q prefix finds both groups');
  const bySearch = await all(g.listGroups({ search: `profile.description eq "replaced" and profile.name co "${TAG}"` }), 'groups search');
  eq(bySearch.map((x) => x.id), [opx.id], 'search is case-insensitive on values');
  const byFilter = await all(g.listGroups({ filter: `id eq "${ops.id}"` }), 'groups filter');
  eq(byFilter.map((x) => x.id), [ops.id], 'filter id eq');

  const members = [];
  for (let i = 0; i < 5; i++) {
    const login = `nm${i}.${TAG}@example.com`;
    const user = await ok(
      c.userApi.createUser({ body: { profile: { firstName: `N${i}`, lastName: 'Member', email: login, login } }, activate: false }),
      'create member',
    );
    members.push(user.id);
    await ok(g.assignUserToGroup({ groupId: ops.id, userId: user.id }), 'assign member');
  }
  const listed = await all(g.listGroupUsers({ groupId: ops.id, limit: 2 }), 'members');
  eq(listed.map((x) => x.id).sort(), [...members].sort(), 'members paged by 2, each once');
  await ok(g.unassignUserFromGroup({ groupId: ops.id, userId: members[0] }), 'unassign');
  eq((await all(g.listGroupUsers({ groupId: ops.id }), 'members')).length, 4, 'members after unassign');
  await fails(g.assignUserToGroup({ groupId: ops.id, userId: '00uDOESNOTEXIST000000' }), 404, 'E0000007', 'assign unknown user');

  const app = await ok(
    c.applicationApi.createApplication({
      application: {
        name: 'oidc_client',
        label: `NodeApp-${TAG}`,
        signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: {
          oauthClient: {
            redirect_uris: ['https://example.com/cb'],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            application_type: 'web',
          },
        },
      },
    }),
    'create OIDC app',
  );
  eq([app.signOnMode, app.status], ['OPENID_CONNECT', 'ACTIVE'], 'app mode and status');
  eq((await ok(c.applicationApi.getApplication({ appId: app.id }), 'get app')).label, `NodeApp-${TAG}`, 'get app');
  const apps = await all(c.applicationApi.listApplications({}), 'list apps');
  check(apps.some((a) => a.id === app.id), 'app listed');
  await ok(c.applicationApi.assignGroupToApplication({ appId: app.id, groupId: ops.id }), 'assign group to app');
  eq((await all(g.listAssignedApplicationsForGroup({ groupId: ops.id }), 'group apps')).map((a) => a.id), [app.id], 'group apps');
  const au = await ok(c.applicationApi.assignUserToApplication({ appId: app.id, appUser: { id: members[1] } }), 'assign user to app');
  eq(au.id, members[1], 'app user id');

  await ok(g.deleteGroup({ groupId: opx.id }), 'delete group');
  await fails(g.getGroup({ groupId: opx.id }), 404, 'E0000007', 'deleted group is gone');
});
