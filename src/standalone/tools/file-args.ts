import { z } from 'zod'

export const pathArg = z.string().min(1, { error: 'must not be empty' })

export const encodingArg = z.enum(['utf8', 'base64'], { error: 'must be "utf8" or "base64"' }).default('utf8')
