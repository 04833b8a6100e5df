/**
 * Custom outbound spam policies over real HTTP on a real SQLite store (issue 4).
 * Fakes: Clock (FakeClock) and Mailer (CollectingMailer), see http-harness.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './http-harness.js';
import { backends } from '../support/db.js';

// Every API suite runs on SQLite and, where PostgreSQL answers (always in CI), on PostgreSQL.
const STORE_BACKENDS = backends.filter((b) => !b.skip);

const BASE = '/api/v1/policies/outbound-spam/custom';

describe.each(STORE_BACKENDS)('HTTP custom outbound spam policies on $name', (backend) => {
  let h: Harness;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    h = await startHarness(backend.open);
    admin = await h.token('security-admin');
    reader = await h.token('security-reader');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a security admin creates, lists, changes and deletes a custom policy; the default stays as it was', async () => {
    const before = await h.call('GET', '/api/v1/policies/outbound-spam', { token: admin });
    const created = await h.call('POST', BASE, {
      token: admin,
      body: {
        name: 'Sales',
        priority: 10,
        scope: { groups: ['Sales'], users: ['Rob@Contoso.com'] },
        limits: { externalPerHour: 2 },
        action: 'restrict',
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'Sales',
      isDefault: false,
      priority: 10,
      scope: { users: ['rob@contoso.com'], groups: ['Sales'], domains: [] },
      limits: { externalPerHour: 2, internalPerHour: 1000 },
      action: 'restrict',
    });
    const id = created.json.id as string;

    const list = await h.call('GET', BASE, { token: reader });
    expect(list.status).toBe(200);
    expect(list.json.items.map((p: { name: string }) => p.name)).toEqual(['Sales']);

    const changed = await h.call('PUT', `${BASE}/${id}`, {
      token: admin,
      body: { priority: 3, scope: { domains: ['fabrikam.com'] }, limits: { perDay: 100 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({
      id,
      priority: 3,
      scope: { users: [], groups: [], domains: ['fabrikam.com'] },
      limits: { externalPerHour: 2, perDay: 100 },
    });

    const deleted = await h.call('DELETE', `${BASE}/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect((await h.call('GET', BASE, { token: admin })).json.items).toEqual([]);
    const after = await h.call('GET', '/api/v1/policies/outbound-spam', { token: admin });
    expect(after.json).toEqual(before.json);

    const log = await h.call('GET', '/api/v1/audit-log?target=policy:Sales', { token: admin });
    expect(log.status).toBe(200);
    const actions = log.json.items.map(
      (e: { action: string; actor: { kind: string } }) => `${e.action} ${e.actor.kind}`,
    );
    expect(actions).toEqual(['policy.deleted token', 'policy.updated token', 'policy.created token']);
  });

  it('a security reader may list but gets 403 on POST, and nothing is created', async () => {
    const r = await h.call('POST', BASE, {
      token: reader,
      body: { name: 'Interns', priority: 1, scope: { groups: ['Interns'] } },
    });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('FORBIDDEN');
    expect(r.json.error.message).toContain('policy.write');
    expect((await h.call('GET', BASE, { token: reader })).json.items).toEqual([]);
  });

  it('bad input and the default policy get precise 4xx', async () => {
    const first = await h.call('POST', BASE, {
      token: admin,
      body: { name: 'Interns', priority: 1, scope: { groups: ['Interns'] } },
    });
    expect(first.status).toBe(201);
    const clash = await h.call('POST', BASE, {
      token: admin,
      body: { name: 'Contractors', priority: 1, scope: { domains: ['contractors.example'] } },
    });
    expect(clash.status).toBe(400);
    expect(clash.json.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'priority' } });
    const empty = await h.call('POST', BASE, { token: admin, body: { name: 'Nobody', priority: 2, scope: {} } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toContain('at least one user, group or domain');
    const noScope = await h.call('POST', BASE, { token: admin, body: { name: 'Nobody', priority: 2 } });
    expect(noScope.status).toBe(400);
    expect(noScope.json.error.message).toMatch(/^body\.scope: /);
    const sneaky = await h.call('POST', BASE, {
      token: admin,
      body: { name: 'X', priority: 4, scope: { groups: ['X'] }, isDefault: true },
    });
    expect(sneaky.status).toBe(400);
    expect(sneaky.json.error.message).toBe('Unknown field "isDefault" in the request body.');

    const defaultId = (await h.call('GET', '/api/v1/policies/outbound-spam', { token: admin })).json.id as string;
    const delDefault = await h.call('DELETE', `${BASE}/${defaultId}`, { token: admin });
    expect(delDefault.status).toBe(400);
    expect(delDefault.json.error.message).toContain('default policy cannot be deleted');
    const missing = await h.call('PUT', `${BASE}/no-such-policy`, { token: admin, body: { priority: 9 } });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
  });

  it("the default policy takes spamVerdictsToRestrict up to the core's 1000; 1001 gets a 400 naming the field and its range", async () => {
    const DEFAULT = '/api/v1/policies/outbound-spam';
    const before = (await h.call('GET', DEFAULT, { token: admin })).json;
    const tooMany = await h.call('PUT', DEFAULT, { token: admin, body: { spamVerdictsToRestrict: 1001 } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'body.spamVerdictsToRestrict: must be a whole number from 1 to 1000.',
    });
    expect((await h.call('GET', DEFAULT, { token: admin })).json).toEqual(before);

    const most = await h.call('PUT', DEFAULT, { token: admin, body: { spamVerdictsToRestrict: 1000 } });
    expect(most.status).toBe(200);
    expect(most.json.spamVerdictsToRestrict).toBe(1000);
    const restored = await h.call('PUT', DEFAULT, {
      token: admin,
      body: { spamVerdictsToRestrict: before.spamVerdictsToRestrict },
    });
    expect(restored.status).toBe(200);

    // API clients that read /openapi.json are told the same range.
    const doc = (await h.call('GET', '/openapi.json')).json;
    expect(doc.components.schemas.PolicyUpdateRequest.properties.spamVerdictsToRestrict).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
    });
  });
});
