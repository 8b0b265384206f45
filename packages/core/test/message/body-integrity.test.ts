/**
 * `verifyPresentationIntegrity` against the SDK golden snapshot's credential hashing vector
 * (spec §11.2): statement digests, salted hashes and root hash.
 */
import { describe, expect, it } from 'vitest'
import { verifyPresentationIntegrity } from '../../src/message/verify.js'
import { caught } from '../helpers/expect-error.js'

const bob =
  'did:kilt:light:004rzcHqKvv6TbsA46VpG53JrvdzRr6ccyboUNeCGTvDw2AozU:z1msTRicERqs59nwMvp3yzMRBhQhYShb1vEhbpWo5ZbqVAgi2UFELJk7MbUSeEfBdAVsJhdqcEAhXxH4YrV5nwgTYjFYszWKLFnYvSUhgZ7teDiLt1FbAo484ihnagUKQkE46o3fqSv52WgM6VatrEqetD3ekokxFtz4yn2vFYPdDMPmKE3cVxdKqPMa3Ewh6k46SENeEDZFLg1L8Yi73ZVEA9AwDg2RDuBDnpjetxBC6U5qMKVfqbh1rjgxpubpSj6sppHDq8xZ4LDU2bs1a9g6qcWJjkrtS69t3PTFZv5Ey84epnvbXEm8hsVnzTKsY6LbQmCiVqwKWUPUwXpj83'
const nonce = '1ee1307c-9e65-475d-9061-0b5bfd86d2f7'

// §11.2: digests, salted hashes and root hash as recorded from the SDK's snapshot test
function snapshotCredential() {
  return {
    claim: {
      cTypeHash: '0xd5301762c62114f6455e0b373cccce20631c2a717004a98f8953e738e17c5d3c',
      contents: { name: 'Bob' },
      owner: bob,
    },
    legitimations: [] as unknown[],
    claimHashes: [
      '0x901805bb5659ecf21cc79d50a98021d49eb83ee136a2609d4377dd615a271a78',
      '0xdaff2311c04ea4d2c16e9bd3dc4debba9822e5c4cfb53e36b48f090036169575',
    ],
    claimNonceMap: {
      '0x721cf4dd222afba0b79565332ac711cb634762052c3c2d45434f53f465d030f7': nonce,
      '0x499856031d06ddecbda0c1e0f1c0de4f53f614732f205190d81d0c76e793bdf0': nonce,
    } as Record<string, string>,
    rootHash: '0x453559279a1816c20673194e21eb72f121e7b31f5b33ea3a8d3264d6f4d319ac',
    delegationId: null as string | null,
  }
}

describe('verifyPresentationIntegrity (§11.2 snapshot vector)', () => {
  it('the snapshot credential verifies', () => {
    expect(caught(() => verifyPresentationIntegrity(snapshotCredential()))).toBeUndefined()
  })
  it('changed contents → ClaimUnverifiableError', () => {
    const c = snapshotCredential()
    c.claim.contents.name = 'Alice'
    const e = caught(() => verifyPresentationIntegrity(c))
    expect(e?.code).toBe('ERR_BODY_INVALID')
    expect(e?.sdkError).toBe('ClaimUnverifiableError')
  })
  it('changed owner, wrong nonce or missing salted hash → ClaimUnverifiableError', () => {
    const a = snapshotCredential()
    a.claim.owner = 'did:kilt:light:004rzcHqKvv6TbsA46VpG53JrvdzRr6ccyboUNeCGTvDw2AozU'
    expect(caught(() => verifyPresentationIntegrity(a))?.sdkError).toBe('ClaimUnverifiableError')
    const b = snapshotCredential()
    b.claimNonceMap['0x499856031d06ddecbda0c1e0f1c0de4f53f614732f205190d81d0c76e793bdf0'] = 'other'
    expect(caught(() => verifyPresentationIntegrity(b))?.sdkError).toBe('ClaimUnverifiableError')
  })
  it('changed claim hashes, delegation id or root hash → RootHashUnverifiableError', () => {
    const a = snapshotCredential()
    a.claimHashes.reverse()
    expect(caught(() => verifyPresentationIntegrity(a))?.sdkError).toBe('RootHashUnverifiableError')
    const b = snapshotCredential()
    b.delegationId = `0x${'11'.repeat(32)}`
    expect(caught(() => verifyPresentationIntegrity(b))?.sdkError).toBe('RootHashUnverifiableError')
    const c = snapshotCredential()
    c.rootHash = `0x${'00'.repeat(32)}`
    expect(caught(() => verifyPresentationIntegrity(c))?.sdkError).toBe('RootHashUnverifiableError')
  })
  it('selective disclosure: removing a property and its nonce keeps the credential valid', () => {
    const c = snapshotCredential()
    c.claim.contents = {} as { name: string }
    delete c.claimNonceMap['0x499856031d06ddecbda0c1e0f1c0de4f53f614732f205190d81d0c76e793bdf0']
    expect(caught(() => verifyPresentationIntegrity(c))).toBeUndefined()
  })
  it('structure is checked first (strict rules)', () => {
    const c = snapshotCredential()
    c.claimHashes[0] = '0x12'
    expect(caught(() => verifyPresentationIntegrity(c))?.sdkError).toBe('HashMalformedError')
    expect(caught(() => verifyPresentationIntegrity('x'))?.code).toBe('ERR_BODY_INVALID')
  })
})
