// Profile schemas through the Node SDK: read the user schema, add a custom property, create a
// user that uses it, and get refused for an undefined property (400 E0000001).
'use strict';
const crypto = require('crypto');
const { client, check, eq, ok, fails, run } = require('./common.cjs');

const TAG = crypto.randomBytes(4).toString('hex');

function user(login, extra) {
  return { profile: Object.assign({ firstName: 'Node', lastName: 'Schema', email: login, login }, extra) };
}

run(async () => {
  const c = client();
  const schema = await ok(c.schemaApi.getUserSchema({ schemaId: 'default' }), 'get user schema');
  eq(schema.definitions.base.required, ['login', 'firstName', 'lastName', 'email'], 'base required');
  const props = Object.keys((schema.definitions.custom && schema.definitions.custom.properties) || {});
  eq(props, [], 'a new org has no custom property');

  const updated = await ok(
    c.schemaApi.updateUserProfile({
      schemaId: 'default',
      userSchema: { definitions: { custom: { id: '#custom', type: 'object', properties: {
        workerId: { title: 'Worker ID', type: 'string', unique: true },
      } } } },
    }),
    'add a unique custom property',
  );
  const worker = updated.definitions.custom.properties.workerId;
  check(worker && worker.type === 'string', `workerId added: ${JSON.stringify(worker)}`);

  const login = `node-${TAG}@example.com`;
  const made = await ok(c.userApi.createUser({ body: user(login, { workerId: 'W-1' }), activate: false }), 'create with workerId');
  const back = await ok(c.userApi.getUser({ userId: made.id }), 'get user');
  eq(back.profile.workerId, 'W-1', 'workerId round-trips');

  await fails(c.userApi.createUser({ body: user(`dup-${TAG}@example.com`, { workerId: 'W-1' }), activate: false }),
    400, 'E0000001', 'duplicate unique value');
  const e = await fails(c.userApi.createUser({ body: user(`nope-${TAG}@example.com`, { shoeSize: 42 }), activate: false }),
    400, 'E0000001', 'undefined property');
  check(JSON.stringify(e.errorCauses || e.message).includes('shoeSize'), `the error names the property: ${e.message}`);
});
