/**
 * How a make-private / make-public reaches each file, per the bucket's privacy model, exposure and role: set the
 * file's ACL, move it to another bucket of the account, or refuse with a reason. Every rule of planAccess, since
 * a wrong plan either leaves a product public or breaks a shop's images.
 */
import { describe, expect, it } from 'vitest';
import { planAccess } from '../../src/main/services/jobs/access-plan';
import type { BucketRecord } from '../../src/main/repositories/bucket-repository';

type Bucket = Pick<BucketRecord, 'id' | 'name' | 'role' | 'model' | 'exposure' | 'configured'>;

let nextId = 1;
function bucket(over: Partial<Bucket>): Bucket {
  const id = nextId++;
  return {
    id,
    name: `bucket-${id}`,
    role: 'files',
    model: 'object-acl',
    exposure: 'private',
    configured: true,
    ...over,
  };
}

describe('make private', () => {
  it('sets the private ACL where files have their own access setting', () => {
    const files = bucket({ model: 'object-acl', exposure: 'private' });
    expect(planAccess(files, 'private', [files])).toEqual({ method: 'acl', acl: 'private' });
    // Exposure not known yet: still per-object ACLs, nothing bucket-wide is known to override them.
    const unknown = bucket({ model: 'object-acl', exposure: 'unknown' });
    expect(planAccess(unknown, 'private', [unknown])).toEqual({ method: 'acl', acl: 'private' });
  });

  it.each(['acl-disabled', 'no-object-acl'] as const)(
    'in a private bucket whose files have no ACL (%s), there is nothing to change, only to prove',
    (model) => {
      const files = bucket({ model, exposure: 'private' });
      expect(planAccess(files, 'private', [files])).toEqual({ method: 'acl', acl: null });
    },
  );

  it.each([
    ['acl-disabled', 'unknown'],
    ['no-object-acl', 'unknown'],
    ['acl-disabled', 'public'],
    ['no-object-acl', 'public'],
  ] as const)(
    'without per-file ACLs (%s) and a bucket that is %s as a whole, files move to the private bucket',
    (model, exposure) => {
      const files = bucket({ model, exposure });
      const aclVault = bucket({ role: 'private', model: 'object-acl', exposure: 'private' });
      expect(planAccess(files, 'private', [files, aclVault])).toEqual({
        method: 'move',
        to: aclVault,
        acl: 'private',
      });
      // A private bucket without per-file ACLs is private as a whole: the copy needs no ACL.
      const plainVault = bucket({ role: 'private', model: 'no-object-acl', exposure: 'private' });
      expect(planAccess(files, 'private', [files, plainVault])).toEqual({
        method: 'move',
        to: plainVault,
        acl: null,
      });
    },
  );

  it('moves files out of a public bucket even when it has per-file ACLs: the bucket-wide rule wins', () => {
    const files = bucket({ model: 'object-acl', exposure: 'public' });
    const vault = bucket({ role: 'private', model: 'object-acl', exposure: 'private' });
    expect(planAccess(files, 'private', [files, vault])).toMatchObject({ method: 'move', to: vault });
  });

  it('refuses without a private bucket, saying to add one (and why, for a public bucket)', () => {
    const plain = bucket({ model: 'no-object-acl', exposure: 'unknown', name: 'media' });
    const refusal = planAccess(plain, 'private', [plain]);
    expect(refusal).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(/“media” have no access setting.*Add a private bucket/),
    });

    const open = bucket({ model: 'acl-disabled', exposure: 'public', name: 'cdn' });
    const publicRefusal = planAccess(open, 'private', [open]);
    expect(publicRefusal).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(/“cdn” is readable by anyone as a whole.*Add a private bucket/),
    });
  });

  it('never plans a move of the private bucket onto itself', () => {
    const vault = bucket({ role: 'private', model: 'no-object-acl', exposure: 'private' });
    expect(planAccess(vault, 'private', [vault])).toEqual({ method: 'acl', acl: null });
  });

  it('refuses to move into a private bucket that is readable by anyone', () => {
    const files = bucket({ model: 'no-object-acl', exposure: 'unknown' });
    const leaky = bucket({ role: 'private', model: 'object-acl', exposure: 'public', name: 'vault' });
    const plan = planAccess(files, 'private', [files, leaky]);
    expect(plan).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(/private bucket “vault” is readable by anyone/),
    });
  });

  it('in the private bucket itself: the ACL where it has them, nothing where it has none, refused when public', () => {
    const aclVault = bucket({ role: 'private', model: 'object-acl', exposure: 'private' });
    expect(planAccess(aclVault, 'private', [aclVault])).toEqual({ method: 'acl', acl: 'private' });
    const plainVault = bucket({ role: 'private', model: 'acl-disabled', exposure: 'private' });
    expect(planAccess(plainVault, 'private', [plainVault])).toEqual({ method: 'acl', acl: null });
    const publicVault = bucket({ role: 'private', model: 'object-acl', exposure: 'public', name: 'vault' });
    const plan = planAccess(publicVault, 'private', [publicVault]);
    expect(plan).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(/“vault” is readable by anyone.*console first/),
    });
  });
});

describe('make public', () => {
  it('sets public-read where files have their own ACL; nothing to change in a bucket public as a whole', () => {
    const files = bucket({ model: 'object-acl', exposure: 'private' });
    expect(planAccess(files, 'public', [files])).toEqual({ method: 'acl', acl: 'public-read' });
    const open = bucket({ model: 'acl-disabled', exposure: 'public' });
    expect(planAccess(open, 'public', [open])).toEqual({ method: 'acl', acl: null });
  });

  it.each([
    ['acl-disabled', 'private'],
    ['no-object-acl', 'unknown'],
    ['unknown', 'private'],
  ] as const)('refuses where files have no ACL (%s) and the bucket is %s as a whole', (model, exposure) => {
    const files = bucket({ model, exposure, name: 'products' });
    const plan = planAccess(files, 'public', [files]);
    expect(plan).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(/“products” have no access setting.*download links/),
    });
  });

  it('from the private bucket: moves to a bucket where a file can be public, with the ACL it needs there', () => {
    const vault = bucket({ role: 'private', model: 'object-acl', exposure: 'private' });
    const aclFiles = bucket({ model: 'object-acl', exposure: 'private' });
    expect(planAccess(vault, 'public', [vault, aclFiles])).toEqual({
      method: 'move',
      to: aclFiles,
      acl: 'public-read',
    });
    const publicFiles = bucket({ model: 'no-object-acl', exposure: 'public' });
    expect(planAccess(vault, 'public', [vault, publicFiles])).toEqual({
      method: 'move',
      to: publicFiles,
      acl: null,
    });
  });

  it('from the private bucket: never into an unconfigured bucket or one where files cannot be public', () => {
    const vault = bucket({ role: 'private', model: 'object-acl', exposure: 'private', name: 'vault' });
    const gone = bucket({ model: 'object-acl', exposure: 'private', configured: false });
    const noAcl = bucket({ model: 'no-object-acl', exposure: 'private' });
    const goneButPublic = bucket({ model: 'acl-disabled', exposure: 'public', configured: false });
    const plan = planAccess(vault, 'public', [vault, gone, noAcl, goneButPublic]);
    expect(plan).toMatchObject({
      method: 'refuse',
      reason: expect.stringMatching(
        /“vault” is the account’s private bucket, and the account has no bucket where a file can be public/,
      ),
    });
  });
});
