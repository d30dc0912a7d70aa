// Users through the Node SDK: create variants, get by id/login, partial update, replace,
// lifecycle transitions and their wrong-state errors, credentials, queries, two-step delete.
'use strict';
const crypto = require('crypto');
const { client, check, eq, ok, fails, all, run } = require('./common.cjs');

const TAG = crypto.randomBytes(4).toString('hex');
const LAST = `Nd${TAG}`;
const PASSWORD = 'Sp1ndle-Passw0rd!';

function body(first, credentials) {
  const login = `${first.toLowerCase()}.${TAG}@example.com`;
  const b = { profile: { firstName: first, lastName: LAST, email: login, login } };
  if (credentials) b.credentials = credentials;
  return b;
}

run(async () => {
  const c = client();
  const u = c.userApi;

  // SSWS: a wrong token is 401 E0000011 (the SDK sends `SSWS <token>`)
  const wrong = client({ token: '00-wrong-token-0000000000000000000000000000' });
  const e = await fails(wrong.userApi.getUser({ userId: 'me' }), 401, 'E0000011', 'wrong token');
  eq(e.errorSummary, 'Invalid token provided', '401 errorSummary');

  const staged = await ok(u.createUser({ body: body('Staged'), activate: false }), 'create staged');
  eq(staged.status, 'STAGED', 'activate=false, no credentials');
  const active = await ok(u.createUser({ body: body('Active', { password: { value: PASSWORD } }) }), 'create active');
  eq(active.status, 'ACTIVE', 'password + default activate');
  const expired = await ok(
    u.createUser({ body: body('Expired', { password: { value: PASSWORD } }), activate: true, nextLogin: 'changePassword' }),
    'create nextLogin',
  );
  eq(expired.status, 'PASSWORD_EXPIRED', 'nextLogin=changePassword');
  await fails(u.createUser({ body: body('Active') }), 400, 'E0000001', 'duplicate login');

  eq((await ok(u.getUser({ userId: active.id }), 'get by id')).id, active.id, 'get by id');
  eq((await ok(u.getUser({ userId: active.profile.login }), 'get by login')).id, active.id, 'get by login');
  await fails(u.getUser({ userId: '00uDOESNOTEXIST000000' }), 404, 'E0000007', 'get unknown user');

  const upd = await ok(u.updateUser({ userId: active.id, user: { profile: { nickName: 'Nodey' } } }), 'partial update');
  eq([upd.profile.nickName, upd.profile.firstName], ['Nodey', 'Active'], 'partial update merges');
  const rep = await ok(
    u.replaceUser({ userId: active.id, user: { profile: { ...body('Active').profile, firstName: 'Replaced' } }, strict: true }),
    'replace',
  );
  eq([rep.profile.firstName, rep.profile.nickName ?? null], ['Replaced', null], 'replace drops unspecified fields');

  // lifecycle
  const tok = await ok(u.activateUser({ userId: staged.id, sendEmail: false }), 'activate staged');
  check(typeof tok.activationToken === 'string' && tok.activationToken.length > 0, `activation token: ${JSON.stringify(tok)}`);
  await fails(u.activateUser({ userId: active.id, sendEmail: false }), 403, 'E0000016', 'activate an ACTIVE user');
  await ok(u.suspendUser({ userId: active.id }), 'suspend');
  eq((await ok(u.getUser({ userId: active.id }), 'get')).status, 'SUSPENDED', 'after suspend');
  await fails(u.suspendUser({ userId: active.id }), 400, 'E0000001', 'suspend a SUSPENDED user');
  await ok(u.unsuspendUser({ userId: active.id }), 'unsuspend');
  eq((await ok(u.getUser({ userId: active.id }), 'get')).status, 'ACTIVE', 'after unsuspend');
  await fails(u.unsuspendUser({ userId: active.id }), 400, 'E0000001', 'unsuspend an ACTIVE user');
  await fails(u.reactivateUser({ userId: active.id, sendEmail: false }), 403, 'E0000038', 'reactivate an ACTIVE user');
  const exp = await ok(u.expirePassword({ userId: active.id }), 'expire password');
  eq(exp.status, 'PASSWORD_EXPIRED', 'expire_password returns the user');
  const reset = await ok(u.generateResetPasswordToken({ userId: expired.id, sendEmail: false }), 'reset_password');
  check(String(reset.resetPasswordUrl || '').includes('/reset_password/'), `reset url: ${JSON.stringify(reset)}`);
  eq((await ok(u.getUser({ userId: expired.id }), 'get')).status, 'RECOVERY', 'after reset_password');

  // credentials
  const cp = await ok(u.createUser({ body: body('Changer', { password: { value: PASSWORD } }) }), 'create changer');
  const creds = await ok(
    u.changePassword({ userId: cp.id, changePasswordRequest: { oldPassword: { value: PASSWORD }, newPassword: { value: PASSWORD + '9' } } }),
    'change password',
  );
  eq(creds.provider.type, 'OKTA', 'change_password returns credentials');

  // queries
  const filtered = await all(u.listUsers({ filter: `profile.lastName eq "${LAST}"`, limit: 2 }), 'filter');
  eq(filtered.map((x) => x.id).sort(), [staged.id, active.id, expired.id, cp.id].sort(), 'filter by lastName, paged by 2');
  const searched = await all(
    u.listUsers({ search: `profile.lastName eq "${LAST}" and status eq "RECOVERY"` }),
    'search',
  );
  eq(searched.map((x) => x.id), [expired.id], 'search by status');
  const sorted = await all(u.listUsers({ search: `profile.lastName eq "${LAST}"`, sortBy: 'profile.firstName', sortOrder: 'asc' }), 'sorted');
  eq(sorted.map((x) => x.profile.firstName), ['Changer', 'Expired', 'Replaced', 'Staged'], 'sortBy firstName asc');
  await fails(u.listUsers({ search: 'status eq "ACTIVE"', filter: 'status eq "ACTIVE"' }), 400, 'E0000033', 'search+filter');

  // resources + sessions
  const groups = await all(u.listUserGroups({ userId: cp.id }), 'user groups');
  check(groups.some((g) => g.profile.name === 'Everyone'), 'user is in Everyone');
  eq((await all(u.listAppLinks({ userId: cp.id }), 'appLinks')).length, 0, 'no app links');
  await ok(u.revokeUserSessions({ userId: cp.id, oauthTokens: true }), 'revoke sessions');

  // two-step delete
  await ok(u.deleteUser({ userId: cp.id }), 'first delete');
  eq((await ok(u.getUser({ userId: cp.id }), 'get')).status, 'DEPROVISIONED', 'first delete deactivates');
  await ok(u.deleteUser({ userId: cp.id }), 'second delete');
  await fails(u.getUser({ userId: cp.id }), 404, 'E0000007', 'gone after second delete');
});
