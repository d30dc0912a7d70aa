// Through the Node SDK: group rules (create, list, activate, membership
// evaluated, deactivate, replace, delete), factors (sms enrolled and activated with the code
// read from the emulator's admin API, question, list, verify, push verification polled through
// the factor transaction, unenroll), user types (CRUD), linked objects (definition, primary and
// associated values, delete), and a user's grants, clients and refresh tokens (list, get,
// revoke) and sessions (get, refresh, revoke, revokeUserSessions with oauthTokens).
'use strict';
const crypto = require('crypto');
const { client, check, eq, ok, fails, all, run, ORG_URL, TOKEN } = require('./common.cjs');

const TAG = crypto.randomBytes(4).toString('hex');
const PASSWORD = 'Tr0ub4dor&3-long';

// Raw HTTP for the emulator's admin API and the calls the SDK can't make.
async function raw(method, path, body, { token = TOKEN, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token) h.Authorization = `SSWS ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const resp = await fetch(ORG_URL + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await resp.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (e) {
    parsed = text;
  }
  return { status: resp.status, body: parsed };
}

async function newUser(c, name, profile = {}) {
  const login = `${name}.${TAG}@example.com`;
  return ok(
    c.userApi.createUser({
      body: { profile: { firstName: name, lastName: TAG, email: login, login, ...profile }, credentials: { password: { value: PASSWORD } } },
      activate: true,
    }),
    `create ${name}`,
  );
}

async function adminView(uid) {
  const r = await raw('GET', `/__emulator/users/${uid}`, undefined, { token: null });
  eq(r.status, 200, 'admin user view');
  return r.body;
}

async function groupRules(c) {
  const group = await ok(c.groupApi.createGroup({ group: { profile: { name: `Eng-${TAG}` } } }), 'rule target group');
  const eng = await newUser(c, 'eng', { department: `Engineering-${TAG}` });
  const other = await newUser(c, 'sales', { department: 'Sales' });
  const body = {
    type: 'group_rule',
    name: `Engineering ${TAG}`,
    conditions: { expression: { value: `user.department=="Engineering-${TAG}"`, type: 'urn:okta:expression:1.0' } },
    actions: { assignUserToGroups: { groupIds: [group.id] } },
  };
  const rule = await ok(c.groupApi.createGroupRule({ groupRule: body }), 'createGroupRule');
  check(rule.id.startsWith('0pr'), `rule id shape: ${rule.id}`);
  eq(rule.status, 'INACTIVE', 'a new rule is INACTIVE');
  const rules = await all(c.groupApi.listGroupRules({ search: TAG }), 'listGroupRules');
  eq(rules.map((r) => r.id), [rule.id], 'search finds the rule');
  await ok(c.groupApi.activateGroupRule({ ruleId: rule.id }), 'activateGroupRule');
  eq((await ok(c.groupApi.getGroupRule({ ruleId: rule.id }), 'getGroupRule')).status, 'ACTIVE', 'status after activate');
  let members = [];
  for (let i = 0; i < 50; i++) {
    members = (await all(c.groupApi.listGroupUsers({ groupId: group.id }), 'members')).map((u) => u.id);
    if (members.includes(eng.id)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  eq(members, [eng.id], 'the rule assigned the matching user only');
  check(!members.includes(other.id), 'the other department is not assigned');
  await fails(c.groupApi.replaceGroupRule({ ruleId: rule.id, groupRule: body }), 400, 'E0000001', 'replace an ACTIVE rule');
  await ok(c.groupApi.deactivateGroupRule({ ruleId: rule.id }), 'deactivateGroupRule');
  const replaced = await ok(
    c.groupApi.replaceGroupRule({ ruleId: rule.id, groupRule: { ...body, name: `Renamed ${TAG}` } }),
    'replaceGroupRule',
  );
  eq(replaced.name, `Renamed ${TAG}`, 'replaced name');
  await ok(c.groupApi.deleteGroupRule({ ruleId: rule.id, removeUsers: true }), 'deleteGroupRule');
  await fails(c.groupApi.getGroupRule({ ruleId: rule.id }), 404, 'E0000007', 'get a deleted rule');
  members = (await all(c.groupApi.listGroupUsers({ groupId: group.id }), 'members after delete')).map((u) => u.id);
  eq(members, [], 'removeUsers=true removed the rule-added member');
}

async function factors(c) {
  const f = c.userFactorApi;
  const user = await newUser(c, 'factors');
  const sms = await ok(
    f.enrollFactor({ userId: user.id, body: { factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15554151337' } } }),
    'enrollFactor sms',
  );
  eq(sms.status, 'PENDING_ACTIVATION', 'sms status after enroll');
  const code = await raw('GET', `/__emulator/users/${user.id}/factors/${sms.id}/code`, undefined, { token: null });
  eq(code.status, 200, 'admin API code lookup');
  await fails(
    f.activateFactor({ userId: user.id, factorId: sms.id, body: { passCode: code.body.code === '000000' ? '111111' : '000000' } }),
    403,
    'E0000068',
    'activate with a wrong code',
  );
  const active = await ok(f.activateFactor({ userId: user.id, factorId: sms.id, body: { passCode: code.body.code } }), 'activateFactor');
  eq(active.status, 'ACTIVE', 'sms status after activate');
  eq((await ok(f.getFactor({ userId: user.id, factorId: sms.id }), 'getFactor')).status, 'ACTIVE', 'getFactor');

  const q = await ok(
    f.enrollFactor({ userId: user.id, body: { factorType: 'question', provider: 'OKTA', profile: { question: 'favorite_art_piece', answer: 'Starry Night' } } }),
    'enrollFactor question',
  );
  eq(q.status, 'ACTIVE', 'question factor status');
  const listed = await all(f.listFactors({ userId: user.id }), 'listFactors');
  eq(listed.map((x) => x.factorType).sort(), ['question', 'sms'], 'enrolled factor types');
  const right = await ok(f.verifyFactor({ userId: user.id, factorId: q.id, body: { answer: 'Starry Night' } }), 'verifyFactor question');
  eq(right.factorResult, 'SUCCESS', 'verify with the right answer');
  await fails(f.verifyFactor({ userId: user.id, factorId: q.id, body: { answer: 'wrong' } }), 403, 'E0000068', 'verify with a wrong answer');
  const questions = await all(f.listSupportedSecurityQuestions({ userId: user.id }), 'listSupportedSecurityQuestions');
  check(questions.length > 0 && questions.every((x) => x.question), 'security questions are listed');
  const catalog = await all(f.listSupportedFactors({ userId: user.id }), 'listSupportedFactors');
  check(catalog.some((x) => x.factorType === 'push'), 'the catalog offers push');

  // push: activation and verification wait for the answer given through the admin API
  const push = await ok(f.enrollFactor({ userId: user.id, body: { factorType: 'push', provider: 'OKTA' } }), 'enrollFactor push');
  eq(push.status, 'PENDING_ACTIVATION', 'push status after enroll');
  // raw HTTP: the SDK reads every activateFactor answer as a UserFactor, so the WAITING push
  // activation result (`factorResult`, `_links.poll`) is lost in its model
  const waiting = await raw('POST', `/api/v1/users/${user.id}/factors/${push.id}/lifecycle/activate`);
  eq([waiting.status, waiting.body.factorResult], [200, 'WAITING'], 'push activation waits');
  eq((await raw('POST', `/__emulator/users/${user.id}/push`, { approve: true }, { token: null })).status, 200, 'admin approves');
  const activated = await ok(f.activateFactor({ userId: user.id, factorId: push.id }), 'activateFactor push (approved)');
  eq(activated.status, 'ACTIVE', 'push active after approval');
  const challenge = await ok(f.verifyFactor({ userId: user.id, factorId: push.id, userAgent: 'spindle-conformance' }), 'verifyFactor push');
  eq(challenge.factorResult, 'WAITING', 'push verification waits');
  const poll = challenge._links && challenge._links.poll ? challenge._links.poll.href : '';
  const tx = poll.split('/').pop();
  check(poll.includes(`/factors/${push.id}/transactions/`) && tx, `poll link names the transaction: ${poll}`);
  const before = await ok(f.getFactorTransactionStatus({ userId: user.id, factorId: push.id, transactionId: tx }), 'getFactorTransactionStatus');
  eq(before.factorResult, 'WAITING', 'transaction waits');
  const ans = await raw('POST', `/__emulator/users/${user.id}/push`, { approve: false, transactionId: tx }, { token: null });
  eq([ans.status, ans.body.transactionId], [200, tx], 'admin rejects the push');
  const after = await ok(f.getFactorTransactionStatus({ userId: user.id, factorId: push.id, transactionId: tx }), 'transaction after answer');
  eq(after.factorResult, 'REJECTED', 'transaction outcome');

  await ok(f.unenrollFactor({ userId: user.id, factorId: sms.id }), 'unenrollFactor');
  await fails(f.getFactor({ userId: user.id, factorId: sms.id }), 404, 'E0000007', 'get an unenrolled factor');
  eq((await all(f.listFactors({ userId: user.id }), 'listFactors after unenroll')).map((x) => x.factorType).sort(), ['push', 'question'], 'factors after unenroll');
}

async function userTypes(c) {
  const t = c.userTypeApi;
  const name = `contractor_${TAG}`;
  const created = await ok(t.createUserType({ userType: { name, displayName: 'Contractor', description: 'c' } }), 'createUserType');
  check(created.id.startsWith('oty'), `type id shape: ${created.id}`);
  eq((await ok(t.getUserType({ typeId: created.id }), 'getUserType')).name, name, 'type name');
  eq((await ok(t.updateUserType({ typeId: created.id, userType: { displayName: 'Contractors' } }), 'updateUserType')).displayName, 'Contractors', 'updated');
  const replaced = await ok(t.replaceUserType({ typeId: created.id, userType: { name, displayName: 'Vendors', description: 'v' } }), 'replaceUserType');
  eq(replaced.displayName, 'Vendors', 'replaced');
  const types = await all(t.listUserTypes(), 'listUserTypes');
  check(types.some((x) => x.id === created.id), 'the new type is listed');
  // the SDK model names the `default` property `_default`
  eq([types[0].name, types[0]._default], ['user', true], 'the default type comes first');
  await fails(t.createUserType({ userType: { name, displayName: 'Again' } }), 400, 'E0000001', 'a duplicate name');
  await ok(t.deleteUserType({ typeId: created.id }), 'deleteUserType');
  await fails(t.getUserType({ typeId: created.id }), 404, 'E0000007', 'get a deleted type');
}

async function linkedObjects(c) {
  const primary = `manager_${TAG}`;
  const associated = `subordinate_${TAG}`;
  const def = await ok(
    c.linkedObjectApi.createLinkedObjectDefinition({
      linkedObject: { primary: { name: primary, title: 'Manager', type: 'USER' }, associated: { name: associated, title: 'Subordinate', type: 'USER' } },
    }),
    'createLinkedObjectDefinition',
  );
  eq(def.primary.name, primary, 'definition primary name');
  const boss = await newUser(c, 'boss');
  const report = await newUser(c, 'report');
  await ok(c.userApi.setLinkedObjectForUser({ associatedUserId: report.id, primaryRelationshipName: primary, primaryUserId: boss.id }), 'setLinkedObjectForUser');
  const up = await all(c.userApi.listLinkedObjectsForUser({ userId: report.id, relationshipName: primary }), 'list primary');
  eq(up.length, 1, 'one primary link');
  const href = up[0]._links && up[0]._links.self ? up[0]._links.self.href : '';
  check(href.endsWith(`/api/v1/users/${boss.id}`), `primary link points at the boss: ${href}`);
  const down = await all(c.userApi.listLinkedObjectsForUser({ userId: boss.id, relationshipName: associated }), 'list associated');
  eq(down.length, 1, 'one associated user');
  await ok(c.userApi.deleteLinkedObjectForUser({ userId: report.id, relationshipName: primary }), 'deleteLinkedObjectForUser');
  eq((await all(c.userApi.listLinkedObjectsForUser({ userId: report.id, relationshipName: primary }), 'after delete')).length, 0, 'no link after delete');
  await ok(c.linkedObjectApi.deleteLinkedObjectDefinition({ linkedObjectName: primary }), 'deleteLinkedObjectDefinition');
  await fails(c.linkedObjectApi.getLinkedObjectDefinition({ linkedObjectName: primary }), 404, 'E0000007', 'get a deleted definition');
}

async function newClient(c, label) {
  const app = await ok(
    c.applicationApi.createApplication({
      application: {
        name: 'oidc_client',
        label: `${label} ${TAG}`,
        signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: { oauthClient: { redirect_uris: ['https://example.com/cb'], response_types: ['code'], grant_types: ['authorization_code', 'refresh_token'], application_type: 'web' } },
      },
    }),
    `create client ${label}`,
  );
  return app.id;
}

// A user's consent and sign-in, stood in for by the admin API.
async function consent(uid, clientId, scopes) {
  const g = await raw('POST', `/__emulator/users/${uid}/grants`, { clientId, scopes }, { token: null });
  check(g.status === 200 || g.status === 201, `admin grants: ${g.status} ${JSON.stringify(g.body)}`);
  const t = await raw('POST', `/__emulator/users/${uid}/tokens`, { clientId, scopes: [...scopes, 'offline_access'] }, { token: null });
  check(t.status === 200 || t.status === 201, `admin tokens: ${t.status} ${JSON.stringify(t.body)}`);
  return t.body;
}

async function grantsAndTokens(c) {
  const u = c.userApi;
  const user = await newUser(c, 'grants');
  const one = await newClient(c, 'One');
  const two = await newClient(c, 'Two');
  const t1 = await consent(user.id, one, ['openid', 'profile']);
  await consent(user.id, two, ['openid']);

  const clients = await all(u.listUserClients({ userId: user.id }), 'listUserClients');
  eq(clients.map((x) => x.client_id).sort(), [one, two].sort(), 'the user\'s clients');
  const grants = await all(u.listUserGrants({ userId: user.id, expand: 'scope' }), 'listUserGrants');
  eq(grants.length, 3, 'three grants (two for One, one for Two)');
  const g0 = await ok(u.getUserGrant({ userId: user.id, grantId: grants[0].id }), 'getUserGrant');
  eq([g0.id, g0.userId], [grants[0].id, user.id], 'grant by id');
  const perClient = await all(u.listGrantsForUserAndClient({ userId: user.id, clientId: one }), 'listGrantsForUserAndClient');
  eq(perClient.map((g) => g.scopeId).sort(), ['openid', 'profile'], 'client One\'s scopes');

  const tokens = await all(u.listRefreshTokensForUserAndClient({ userId: user.id, clientId: one, expand: 'scope' }), 'listRefreshTokensForUserAndClient');
  eq(tokens.map((t) => t.id), [t1.refreshTokenId], 'client One\'s refresh token');
  eq(tokens[0].status, 'ACTIVE', 'refresh token status');
  const tok = await ok(u.getRefreshTokenForUserAndClient({ userId: user.id, clientId: one, tokenId: t1.refreshTokenId }), 'getRefreshTokenForUserAndClient');
  eq(tok.clientId, one, 'refresh token client');
  await ok(u.revokeTokenForUserAndClient({ userId: user.id, clientId: one, tokenId: t1.refreshTokenId }), 'revokeTokenForUserAndClient');
  await fails(u.getRefreshTokenForUserAndClient({ userId: user.id, clientId: one, tokenId: t1.refreshTokenId }), 404, 'E0000007', 'get a revoked token');
  await consent(user.id, two, ['email']);
  await ok(u.revokeTokensForUserAndClient({ userId: user.id, clientId: two }), 'revokeTokensForUserAndClient');
  eq((await all(u.listRefreshTokensForUserAndClient({ userId: user.id, clientId: two }), 'tokens of Two')).length, 0, 'no token left for Two');

  await ok(u.revokeUserGrant({ userId: user.id, grantId: g0.id }), 'revokeUserGrant');
  await fails(u.getUserGrant({ userId: user.id, grantId: g0.id }), 404, 'E0000007', 'get a revoked grant');
  await ok(u.revokeGrantsForUserAndClient({ userId: user.id, clientId: one }), 'revokeGrantsForUserAndClient');
  eq((await all(u.listGrantsForUserAndClient({ userId: user.id, clientId: one }), 'grants of One')).length, 0, 'no grant left for One');
  await ok(u.revokeUserGrants({ userId: user.id }), 'revokeUserGrants');
  eq((await all(u.listUserGrants({ userId: user.id }), 'grants after revoking all')).length, 0, 'no grant left');
}

async function signIn(login) {
  // raw HTTP: the Node SDK has no Authentication API and no createSession
  const authn = await raw('POST', '/api/v1/authn', { username: login, password: PASSWORD }, { token: null });
  eq([authn.status, authn.body.status], [200, 'SUCCESS'], 'authn');
  const s = await raw('POST', '/api/v1/sessions', { sessionToken: authn.body.sessionToken });
  eq(s.status, 200, `create session: ${JSON.stringify(s.body)}`);
  return s.body;
}

async function sessions(c) {
  const user = await newUser(c, 'session');
  const login = user.profile.login;
  const s = await signIn(login);
  const got = await ok(c.sessionApi.getSession({ sessionId: s.id }), 'getSession');
  eq([got.id, got.userId, got.status], [s.id, user.id, 'ACTIVE'], 'session as fetched');
  const refreshed = await ok(c.sessionApi.refreshSession({ sessionId: s.id }), 'refreshSession');
  check(new Date(refreshed.expiresAt) >= new Date(got.expiresAt), 'refresh does not shorten the session');
  await ok(c.sessionApi.revokeSession({ sessionId: s.id }), 'revokeSession');
  await fails(c.sessionApi.getSession({ sessionId: s.id }), 404, 'E0000007', 'get a revoked session');

  const s2 = await signIn(login);
  const app = await newClient(c, 'Sessions');
  const t = await consent(user.id, app, ['openid']);
  await ok(c.userApi.revokeUserSessions({ userId: user.id, oauthTokens: true }), 'revokeUserSessions(oauthTokens=true)');
  await fails(c.sessionApi.getSession({ sessionId: s2.id }), 404, 'E0000007', 'session after revokeUserSessions');
  eq((await all(c.userApi.listRefreshTokensForUserAndClient({ userId: user.id, clientId: app }), 'tokens')).length, 0, 'refresh tokens revoked');
  const bearer = await raw('GET', `/api/v1/users/${user.id}`, undefined, { token: null, headers: { Authorization: `Bearer ${t.access_token}` } });
  eq(bearer.status, 401, 'the access token is revoked');
  const view = await adminView(user.id);
  eq([view.sessionsRevoked, view.oauthTokensRevoked, view.sessions], [1, 1, 0], 'admin view after revocation');
}

run(async () => {
  const c = client();
  await groupRules(c);
  await factors(c);
  await userTypes(c);
  await linkedObjects(c);
  await grantsAndTokens(c);
  await sessions(c);
});
