import { ClawMatrixError } from '../errors/clawmatrix-error.js'
import type { z } from 'zod'

/** A configuration that cannot be used; `problems` name the field and the rule each */
export class ConfigError extends ClawMatrixError<'invalid_config'> {
  static override readonly name = 'ConfigError'
  override readonly name = 'ConfigError'
  readonly problems: string[]

  constructor (problems: string[], source?: string) {
    super('invalid_config', `${source != null ? `invalid config in ${source}:\n  ` : ''}${problems.join(source != null ? '\n  ' : '; ')}`)
    this.problems = problems
  }
}

function fieldPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? '(root)' : out
}

function rule (issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (!issue.message.startsWith('Invalid input')) return issue.message
      if (/received undefined/.test(issue.message)) return 'is required'
      return `must be ${issue.expected === 'int' ? 'a whole number' : `a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected}`}`
    case 'invalid_value':
      if (!issue.message.startsWith('Invalid')) return issue.message
      return `must be one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}`
    case 'too_big':
      return issue.message.startsWith('Too big') ? `must be at most ${String(issue.maximum)}` : issue.message
    case 'too_small':
      return issue.message.startsWith('Too small') ? `must be at least ${String(issue.minimum)}` : issue.message
    default:
      return issue.message
  }
}

export function formatZodIssues (issues: z.core.$ZodIssue[]): string[] {
  const problems: string[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${fieldPath([...issue.path, key])}: unknown field`)
      continue
    }
    problems.push(`${fieldPath(issue.path)}: ${rule(issue)}`)
  }
  return problems
}
