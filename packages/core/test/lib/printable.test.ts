import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isMessagingError, printable } from '../../src/index.js'

// The definition by Unicode properties (Cc: C0, DEL, C1; Bidi_Control), plus the line and
// paragraph separators: what must not reach a person's screen as it is.
const unprintable = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u
const escaped = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`

describe('printable', () => {
  it('escapes controls, bidi controls and line separators, and nothing else', () => {
    expect(printable('did:kilt:light:00abc#encryption')).toBe('did:kilt:light:00abc#encryption')
    expect(printable('a\u001b[2Jb\nc\u009b\u202e\u2066é😀')).toBe(
      'a\\u001b[2Jb\\u000ac\\u009b\\u202e\\u2066é😀',
    )
    // joiners stay: emoji sequences and scripts need them
    expect(printable('👨\u200d👩 \u0645\u06cc\u200c\u062e')).toBe('👨\u200d👩 \u0645\u06cc\u200c\u062e')
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const out = printable(text)
        expect(out).not.toMatch(unprintable)
        // each such unit becomes its 6-character escape; everything else is kept as it is
        expect(out).toBe([...text].map((ch) => (unprintable.test(ch) ? escaped(ch) : ch)).join(''))
      }),
      { numRuns: 500 },
    )
  })

  it('keeps line feeds, and only them, with lineFeeds: true', () => {
    expect(printable('{\n  "a": "\u202e\r"\n}', { lineFeeds: true })).toBe('{\n  "a": "\\u202e\\u000d"\n}')
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const out = printable(text, { lineFeeds: true })
        expect(out.split('\n').every((line) => !unprintable.test(line))).toBe(true)
        expect(out).toBe(
          text
            .split('\n')
            .map((line) => printable(line))
            .join('\n'),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('refuses what is not a string, and bad options, with ERR_ARGUMENT_INVALID', () => {
    for (const [text, options] of [
      [undefined, undefined],
      [42, undefined],
      [null, undefined],
      [{ toString: () => 'x' }, undefined],
      ['x', null],
      ['x', 'yes'],
      ['x', { lineFeeds: 'yes' }],
    ] as const) {
      let error: unknown
      try {
        printable(text as unknown as string, options as never)
      } catch (e) {
        error = e
      }
      expect(isMessagingError(error, 'ERR_ARGUMENT_INVALID')).toBe(true)
    }
  })
})
