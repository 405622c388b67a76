/**
 * Remote text (node ids, tags, model and agent ids, descriptions, peers' error messages) shown
 * to a person on a terminal, with every character that a terminal acts on or that hides or
 * reorders text made visible as an escape: C0 controls and ESC (so no escape sequence gets
 * through), DEL, C1 controls, format characters (bidi embeddings, overrides and isolates,
 * zero-width characters, soft hyphen), line and paragraph separators, lone surrogates. Printable
 * text in any script is left as it is.
 *
 * (npm's strip-ansi removes only ANSI sequences and leaves a lone ESC, C1 and bidi controls;
 * jsesc either leaves ESC alone (minimal) or escapes every non-ASCII letter.)
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu
const UNSAFE_KEEPING_LINES = /(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu
/** What JSON.stringify leaves raw (it escapes C0 and lone surrogates itself; its own layout is C0) */
const UNSAFE_IN_JSON = /[\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}]/gu

function visible (char: string): string {
  const code = char.codePointAt(0) ?? 0
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
}

/** One-line remote text: every unsafe character, newline and tab included, as `\x1b` or `\u{202e}` */
export function terminalSafe (text: string): string {
  return text.replace(UNSAFE, visible)
}

/** Remote prose (a model's answer): as `terminalSafe`, but newlines and tabs stay */
export function terminalSafeProse (text: string): string {
  return text.replace(UNSAFE_KEEPING_LINES, visible)
}

/**
 * A JSON document whose strings cannot act on a terminal either: JSON.stringify escapes C0
 * controls, this also writes DEL, C1, format characters and separators as \uXXXX. It parses
 * to the same value.
 */
export function terminalSafeJson (value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, char => {
    let out = ''
    for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`
    return out
  })
}
