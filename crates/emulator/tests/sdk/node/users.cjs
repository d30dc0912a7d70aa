// Users through the Node SDK: create variants, get by id/login, partial update, replace,
// lifecycle transitions and their wrong-state errors, credentials, queries, two-step delete.
'use strict';
const crypto = require('crypto');
const { client, check, eq, ok, fails, all, run, ORG_URL } = require('./common.cjs');

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

  // more credentials, on a user with a recovery question
  const rq = await ok(
    u.createUser({ body: body('Recover', { password: { value: PASSWORD }, recovery_question: { question: 'Colour?', answer: 'teal blue' } }) }),
    'create with recovery question',
  );
  const rqc = await ok(
    u.changeRecoveryQuestion({ userId: rq.id, userCredentials: { password: { value: PASSWORD }, recovery_question: { question: 'Pet?', answer: 'goldfish' } } }),
    'change recovery question',
  );
  eq(rqc.recovery_question.question, 'Pet?', 'new recovery question');
  const fp = await ok(u.forgotPassword({ userId: rq.id, sendEmail: false }), 'forgot password');
  check(String(fp.resetPasswordUrl || '').length > 0, `forgot_password link: ${JSON.stringify(fp)}`);
  const fq = await ok(
    u.forgotPasswordSetNewPassword({ userId: rq.id, userCredentials: { password: { value: PASSWORD + 'n' }, recovery_question: { answer: 'goldfish' } } }),
    'forgot password with recovery answer',
  );
  eq(fq.provider.type, 'OKTA', 'forgot_password_recovery_question returns credentials');
  await ok(u.resetFactors({ userId: rq.id }), 'reset factors');
  // @okta/okta-sdk-nodejs 8.1.0 deserializes this response as a User (the document says
  // `tempPassword`), which drops the field: make the call through the SDK's own HTTP client.
  const tmp = await ok(
    c.http.postJson(`${ORG_URL}/api/v1/users/${rq.id}/lifecycle/expire_password_with_temp_password`, { body: '' }),
    'expire with temp password',
  );
  check(typeof tmp.tempPassword === 'string' && tmp.tempPassword.length >= 8, `temp password: ${JSON.stringify(tmp)}`);
  eq((await ok(u.getUser({ userId: rq.id }), 'get')).status, 'PASSWORD_EXPIRED', 'after expire with temp password');
  await fails(u.unlockUser({ userId: rq.id }), 403, 'E0000032', 'unlock a user that is not locked out');
  eq((await all(u.listUserIdentityProviders({ userId: rq.id }), 'idps')).length, 0, 'no idps');
  eq((await all(u.listUserBlocks({ userId: rq.id }), 'blocks')).length, 0, 'no blocks');

  // provider (federated) user, deactivate and reactivate through activate
  const fed = await ok(
    u.createUser({ body: body('Fed', { provider: { type: 'FEDERATION', name: 'FEDERATION' } }), provider: true }),
    'create federated',
  );
  eq(fed.status, 'ACTIVE', 'provider=true user is ACTIVE');
  await ok(u.deactivateUser({ userId: fed.id, sendEmail: false }), 'deactivate');
  eq((await ok(u.getUser({ userId: fed.id }), 'get')).status, 'DEPROVISIONED', 'after deactivate');
  await fails(u.suspendUser({ userId: fed.id }), 400, 'E0000001', 'suspend a DEPROVISIONED user');

  // queries
  const filtered = await all(u.listUsers({ filter: `profile.lastName eq "${LAST}"`, limit: 2 }), 'filter');
  eq(
    filtered.map((x) => x.id).sort(),
    [staged.id, active.id, expired.id, cp.id, rq.id, fed.id].sort(),
    'filter by lastName (DEPROVISIONED included), paged by 2',
  );
  const byQ = await all(u.listUsers({ q: LAST }), 'q');
  eq(byQ.map((x) => x.id).sort(), [staged.id, active.id, expired.id, cp.id, rq.id].sort(), 'q omits DEPROVISIONED');
  const searched = await all(
    u.listUsers({ search: `profile.lastName eq "${LAST}" and status eq "RECOVERY"` }),
    'search',
  );
  eq(searched.map((x) => x.id), [expired.id], 'search by status');
  const sorted = await all(u.listUsers({ search: `profile.lastName eq "${LAST}"`, sortBy: 'profile.firstName', sortOrder: 'asc' }), 'sorted');
  eq(sorted.map((x) => x.profile.firstName), ['Changer', 'Expired', 'Fed', 'Recover', 'Replaced', 'Staged'], 'sortBy firstName asc');
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
