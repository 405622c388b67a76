/** The placeholders an `agents[].command` element may hold */
export interface CommandValues {
  task: string
  context: string
  agent: string
  session: string
}

const PLACEHOLDER = /\{(task|context|agent|session)\}/g

export interface ExpandedCommand {
  /** program and arguments, with every placeholder replaced (values are never re-expanded) */
  argv: string[]
  /** no element holds {task}: the task goes to the child's stdin */
  taskOnStdin: boolean
}

export function expandCommand (command: readonly string[], values: CommandValues): ExpandedCommand {
  return {
    argv: command.map(part => part.replace(PLACEHOLDER, (_match, name: keyof CommandValues) => values[name])),
    taskOnStdin: !command.some(part => part.includes('{task}'))
  }
}
