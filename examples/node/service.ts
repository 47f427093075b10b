// A small consent service on Node's own HTTP server: a CRM's other services ask it whether they
// may contact someone, record what a form collected, and open a request a person made by phone.
//
//   npx tsc -p examples/node && node <outDir>/service.js crm-gdpr.db [port]
//
// It prints the address it listens on; errors answer with the status their code calls for.

import * as http from 'node:http'
import { Gdpr, GdprError, type ErrorCode } from 'gdprkit'

const STATUS: Record<ErrorCode, number> = {
  GDPR_INVALID_INPUT: 400,
  GDPR_NOT_FOUND: 404,
  GDPR_ALREADY_EXISTS: 409,
  GDPR_INVALID_STATE: 409,
  GDPR_CONFLICT: 409,
  GDPR_CONFIG: 500,
  GDPR_STORAGE: 503,
  GDPR_CORRUPT: 500,
  GDPR_MAIL: 502,
  GDPR_RENDER: 500,
  GDPR_INTERNAL: 500,
}

async function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  const parsed: unknown = JSON.parse(text || '{}')
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('expected a JSON object')
  return parsed as Record<string, unknown>
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new GdprError(`${name}: expected a string`, { code: 'GDPR_INVALID_INPUT', field: name })
  return value
}

async function route(gdpr: Gdpr, req: http.IncomingMessage, url: URL): Promise<unknown> {
  const q = (name: string) => text(url.searchParams.get(name), name)
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /purposes': {
      const b = await body(req)
      await gdpr.addPurpose(text(b.id, 'id'), { legalBasis: 'consent', directMarketing: true })
      return { created: b.id }
    }
    case 'POST /subjects': {
      const b = await body(req)
      return gdpr.addSubject(text(b.id, 'id'), { regime: 'b2c_opt_in', email: text(b.email, 'email') })
    }
    case 'POST /consents': {
      // What a web form collected: the opt-in with its proof (Art. 7(1)).
      const b = await body(req)
      return gdpr.recordConsent(text(b.subject, 'subject'), {
        action: 'opt_in',
        purpose: text(b.purpose, 'purpose'),
        channel: 'email',
        occurredAt: new Date(),
        proof: {
          source: 'web_form',
          collectedBy: { by: 'subject' },
          noticeVersion: text(b.noticeVersion, 'noticeVersion'),
          noticeSha256: text(b.noticeSha256, 'noticeSha256'),
          ip: req.socket.remoteAddress,
        },
      })
    }
    case 'GET /decide': {
      const d = await gdpr.decide(q('subject'), q('purpose'), q('channel'))
      return { allowed: d.allowed, reason: d.reason }
    }
    case 'POST /requests': {
      const b = await body(req)
      const opened = await gdpr.openRequest(text(b.subject, 'subject'), { kind: 'access', via: 'phone' })
      return { id: opened.request.id, due: opened.request.due }
    }
    default:
      throw new GdprError(`no route ${req.method} ${url.pathname}`, { code: 'GDPR_NOT_FOUND', field: 'path' })
  }
}

async function main(): Promise<void> {
  const [store, port = '0'] = process.argv.slice(2)
  if (store === undefined) throw new Error('usage: service.js STORE [PORT]')
  const gdpr = await Gdpr.open(store, { pdf: false })
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    route(gdpr, req, url).then(
      (result) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result))
      },
      (e: unknown) => {
        const status = e instanceof GdprError ? STATUS[e.code] : e instanceof SyntaxError ? 400 : 500
        const detail = e instanceof GdprError ? { code: e.code, field: e.field, message: e.message } : { message: String(e) }
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(detail))
      },
    )
  })
  server.listen(Number(port), '127.0.0.1', () => {
    const address = server.address()
    if (address !== null && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}`)
  })
  process.on('SIGTERM', () => server.close())
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
