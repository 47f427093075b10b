'use strict'
/**
 * gdprkit for Node: consent decisions, requests from data subjects, erasure and exports.
 *
 * Every call goes to gdprkit's Rust core through one native method that runs on libuv's worker
 * threads and returns a Promise; this module only gives the calls their camelCase options, their
 * `GdprError`, and the host's mailer, clock and progress callbacks. Results are the core's JSON,
 * with its field names (docs/node.md).
 */

const native = require('./native.js')

/** The `code` of a `GdprError`, one per kind of error of the core (docs/errors.md). */
const ERROR_CODES = Object.freeze({
  invalid_input: 'GDPR_INVALID_INPUT',
  not_found: 'GDPR_NOT_FOUND',
  already_exists: 'GDPR_ALREADY_EXISTS',
  invalid_state: 'GDPR_INVALID_STATE',
  conflict: 'GDPR_CONFLICT',
  config: 'GDPR_CONFIG',
  storage: 'GDPR_STORAGE',
  corrupt: 'GDPR_CORRUPT',
  mail: 'GDPR_MAIL',
  render: 'GDPR_RENDER',
  internal: 'GDPR_INTERNAL',
})

/** An error of gdprkit: its stable `code`, the `field` at fault and whether it is `retryable`. */
class GdprError extends Error {
  constructor(message, { code = 'GDPR_INTERNAL', field = null, retryable = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'GdprError'
    this.code = code
    this.field = field
    this.retryable = retryable
  }

  /**
   * The error the core describes as JSON (`code`, `message`, `field`, `retryable`, `sources`), as
   * the native module gives it; the chain of underlying errors (`sources`) becomes its `cause`.
   */
  static fromJSON(detail) {
    const sources = Array.isArray(detail?.sources) ? detail.sources : []
    return new GdprError(String(detail?.message ?? 'an error without a message'), {
      code: ERROR_CODES[detail?.code] || ERROR_CODES.internal,
      field: detail?.field ?? null,
      retryable: Boolean(detail?.retryable),
      cause: sources.length > 0 ? new Error(sources.join(': ')) : undefined,
    })
  }
}

function invalid(field, message) {
  return new GdprError(`${field}: ${message}`, { code: ERROR_CODES.invalid_input, field })
}

/** The core's error, which crosses as its JSON in the message of the native rejection. */
function fromNative(e) {
  let detail
  try {
    detail = JSON.parse(e.message)
  } catch {
    return new GdprError(String(e && e.message), { cause: e })
  }
  return GdprError.fromJSON(detail)
}

/** Awaits a native promise, turning its rejection into a `GdprError`. */
async function settle(promise) {
  try {
    return await promise
  } catch (e) {
    throw fromNative(e)
  }
}

/**
 * Options as the core names them: `dryRun` → `dry_run` (snake_case keys pass as they are), the
 * keys of `renames` renamed (`by` → `actor`), `Date`s as RFC 3339. The core refuses a key it does
 * not know, so a misspelled option is an error rather than ignored.
 */
function snake(options, what, renames = {}) {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(what, `expected an object of options, got ${describe(options)}`)
  }
  const out = {}
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    const name = Object.hasOwn(renames, key) ? renames[key] : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    out[name] = value instanceof Date ? instant(key, value) : value
  }
  return out
}

/** An instant as RFC 3339: a valid `Date`, or a string the core reads. */
function instant(field, value) {
  if (value === undefined || value === null) return undefined
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(field, 'an invalid Date names no instant')
    return value.toISOString()
  }
  if (typeof value === 'string') return value
  throw invalid(field, `expected a Date or an RFC 3339 string, got ${describe(value)}`)
}

/**
 * The core's arguments for a method: its positional arguments (`fixed`), over its options as the
 * core names them, over `defaults`. An option that repeats a positional argument is refused,
 * rather than one of the two winning silently.
 */
function args(fixed, options, { defaults = {}, renames = {} } = {}) {
  const given = snake(options, 'options', renames)
  for (const key of Object.keys(fixed)) {
    if (Object.hasOwn(given, key)) throw invalid(key, 'given both as an argument and as an option')
  }
  return { ...defaults, ...given, ...fixed }
}

/** Refuses an option a method that calls the native module directly does not take. */
function only(options, keys, what = 'options') {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(what, `expected an object of options, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw invalid(key, `unknown option; expected one of ${keys.join(', ')}`)
  }
  return options
}

function describe(value) {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

function json(method, value) {
  try {
    return JSON.stringify(value)
  } catch (e) {
    throw invalid('args', `${method}: ${e.message}`)
  }
}

/** What a callback's outcome crosses as: "" when it did its work, else what it threw. */
function outcome(e) {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  return text === '' ? 'the callback failed' : text
}

/** The mailer as the core calls it: the message as JSON, its attachments' bytes as Buffers. */
function mailerCallback(mailer) {
  const send = typeof mailer === 'function' ? mailer : mailer && typeof mailer.send === 'function' ? (m) => mailer.send(m) : null
  if (send === null) throw invalid('mailer', 'expected a function or an object with a send(message) method')
  return async (messageJson) => {
    try {
      const message = JSON.parse(messageJson)
      for (const a of message.attachments || []) a.bytes = Buffer.from(a.bytes)
      await send(message)
      return ''
    } catch (e) {
      return outcome(e)
    }
  }
}

/** The decisions of a campaign, one per subject in the order asked, kept in the core. */
class Campaign {
  #native
  #allowed = null

  /** @internal */
  constructor(nativeCampaign) {
    this.#native = nativeCampaign
  }

  /** How many decisions: one per subject asked about. */
  get length() {
    return this.#native.length
  }

  /** The ids of the subjects who may be contacted, in the order asked. */
  get allowed() {
    if (this.#allowed === null) this.#allowed = JSON.parse(this.#native.allowedJson())
    return [...this.#allowed]
  }

  /** Decision `i` (negative counts from the end), as `decide` gives it; `undefined` past the end. */
  at(i) {
    const n = this.length
    if (!Number.isInteger(i)) throw invalid('index', `expected an integer, got ${describe(i)}`)
    const k = i < 0 ? i + n : i
    if (k < 0 || k >= n) return undefined
    try {
      return JSON.parse(this.#native.decisionJson(k))
    } catch (e) {
      throw fromNative(e)
    }
  }

  *[Symbol.iterator]() {
    for (let i = 0; i < this.length; i++) yield this.at(i)
  }
}

/** gdprkit for one tenant, on a SQLite file (a path) or a PostgreSQL database (a URL). */
class Gdpr {
  #native
  #clock

  /** @internal Use `Gdpr.open` or `Gdpr.fromConfig`. */
  constructor(nativeGdpr, clock) {
    this.#native = nativeGdpr
    this.#clock = clock
  }

  /**
   * Opens gdprkit on `store` (a SQLite path, a `postgres://` URL or `:memory:`), with the other
   * settings of the configuration as camelCase options, a `mailer` and a `clock`.
   */
  static async open(store, options) {
    const { mailer, clock, ...config } = options ?? {}
    return Gdpr.fromConfig({ ...config, store }, { mailer, clock })
  }

  /**
   * Opens gdprkit from one configuration object (the keys of `Gdpr.open`'s options, `store`
   * among them, camelCase or as the core names them), as read from a JSON or TOML file.
   */
  static async fromConfig(config, hooks) {
    const { mailer, clock } = only(hooks, ['mailer', 'clock'], 'hooks')
    const settings = snake(config, 'config')
    if (typeof settings.store !== 'string') {
      throw new GdprError('store: the configuration names no store (a SQLite path or a postgres:// URL)', {
        code: ERROR_CODES.config,
        field: 'store',
      })
    }
    if (clock !== undefined && clock !== null && typeof clock.now !== 'function') {
      throw invalid('clock', 'expected an object with a now() method')
    }
    const callback = mailer === undefined || mailer === null ? undefined : mailerCallback(mailer)
    const opened = await settle(native.Native.open(json('open', settings), callback))
    return new Gdpr(opened, clock ?? null)
  }

  /** The clock's instant for the next call, or undefined to read the system's. */
  #now() {
    return this.#clock === null ? undefined : instant('clock.now()', this.#clock.now())
  }

  async #call(method, args) {
    const argsJson = json(method, args)
    return JSON.parse(await settle(this.#native.call(method, argsJson, this.#now())))
  }

  // Purposes, channels and subjects.

  /** Registers a purpose with its legal basis (`consent`, `contract`, …). */
  async addPurpose(id, options) {
    const defaults = { label: id, direct_marketing: false, professional: true }
    await this.#call('add_purpose', args({ id }, options, { defaults }))
  }

  /** The purpose with this id. */
  async purpose(id) {
    return this.#call('purpose', { purpose: id })
  }

  /** Every registered purpose, by id. */
  async purposes() {
    return this.#call('purposes', {})
  }

  /** Declares a channel of the CRM's own as `electronic`, `phone` or `post`. */
  async addChannel(name, options) {
    await this.#call('add_channel', args({ name }, options))
  }

  /** The channels declared with `addChannel`. */
  async channels() {
    return this.#call('channels', {})
  }

  /** Registers a subject under a regime (`b2b_opt_out`, `b2c_opt_in`, `soft_opt_in`). */
  async addSubject(id, options) {
    return this.#call('add_subject', withOrigin(args({ id }, options)))
  }

  /** Registers many subjects in one transaction, all or none. */
  async addSubjects(subjects) {
    return this.#call('add_subjects', list('subjects', subjects).map((s) => withOrigin(snake(s, 'subjects'))))
  }

  /** The subject with this id. */
  async subject(id) {
    return this.#call('subject', { subject: id })
  }

  // Consent.

  /** Records an opt-in, opt-out, withdrawal or objection, with its proof. */
  async recordConsent(subject, options) {
    return this.#call('record_consent', consentEvent(args({ subject }, options)))
  }

  /** Records many consent events in one transaction; returns their ledger entry numbers. */
  async recordConsents(events) {
    return this.#call('record_consents', list('events', events).map(consentEvent))
  }

  /** Whether the subject may be contacted for the purpose on the channel, and why. */
  async decide(subject, purpose, channel, options) {
    return this.#call('decide', args({ subject, purpose, channel }, options))
  }

  /** The same decision for many subjects, in their order, in one call. */
  async campaign(subjects, purpose, channel, options) {
    const { at } = only(options, ['at'])
    // One JSON string crosses to the core, which refuses anything but ids in it.
    const ids = json('campaign', Array.isArray(subjects) ? subjects : list('subjects', subjects))
    if (typeof purpose !== 'string') throw invalid('purpose', `expected a string, got ${describe(purpose)}`)
    if (typeof channel !== 'string') throw invalid('channel', `expected a string, got ${describe(channel)}`)
    const decided = await settle(this.#native.campaign(ids, purpose, channel, instant('at', at), this.#now()))
    return new Campaign(decided)
  }

  /** Every consent event of the subject, oldest first. */
  async history(subject) {
    return this.#call('history', { subject })
  }

  /** Verifies the tenant's hash chain entry by entry. */
  async verifyLedger() {
    return this.#call('verify_ledger', {})
  }

  // Requests.

  /** Opens a request; the result holds the request, its tracking token and the receipt notice. */
  async openRequest(subject, options) {
    return this.#call('open_request', args({ subject }, options, { defaults: { purposes: [] } }))
  }

  /** Takes a step in a request's life (`accept`, `refuse`, `complete`, …), by `by`. */
  async act(request, action, options) {
    const { actor, note, ...step } = snake(options, 'options', BY_ACTOR)
    if (Object.hasOwn(step, 'action')) throw invalid('action', 'given both as an argument and as an option')
    return this.#call('act', { request, step: { ...step, action }, actor, note })
  }

  /** The request with this id. */
  async request(id) {
    return this.#call('request', { request: id })
  }

  /** Every request, oldest first. */
  async requests() {
    return this.#call('requests', {})
  }

  /** Every request of one subject, oldest first. */
  async subjectRequests(subject) {
    return this.#call('subject_requests', { subject })
  }

  /** What a tracking token shows, or `null` for a token that matches no request. */
  async track(token) {
    return this.#call('track', { token })
  }

  /** Open requests past their due date today. */
  async overdueRequests() {
    return this.#call('overdue_requests', {})
  }

  /** Requests refused or completed after their due date. */
  async lateRequests() {
    return this.#call('late_requests', {})
  }

  /** Open requests due today or within `days` days. */
  async requestsDueWithin(days) {
    return this.#call('requests_due_within', { days })
  }

  /** The due dates of a request received on `received` (`YYYY-MM-DD`, the controller's date). */
  async deadline(received) {
    if (typeof received !== 'string') {
      throw invalid('received', `expected a calendar date as "YYYY-MM-DD", got ${describe(received)} (which day would a Date be, and where?)`)
    }
    return this.#call('deadline', { received })
  }

  /** Lifts the restriction a restriction request put in place, once the subject was told. */
  async liftRestriction(request, options) {
    await this.#call('lift_restriction', args({ request }, options, { renames: BY_ACTOR }))
  }

  /** Records that the subject's data went to `recipient`. */
  async recordDisclosure(subject, recipient, options) {
    return this.#call('record_disclosure', args({ subject, recipient }, options))
  }

  /** The recipients the subject's data went to, oldest first (Art. 19). */
  async disclosures(subject) {
    return this.#call('disclosures', { subject })
  }

  /** The recipients to tell about a completed rectification, erasure or restriction. */
  async recipientTasks(request) {
    return this.#call('recipient_tasks', { request })
  }

  /** Marks a recipient as told (`sent`), or not told (`skipped`) for a reason Art. 19 allows. */
  async markRecipientTask(request, recipient, options) {
    return this.#call('mark_recipient_task', args({ request, recipient }, options, { renames: BY_ACTOR }))
  }

  /** The purposes that apply to the subject, and why. */
  async purposesApplyingTo(subject) {
    return this.#call('purposes_applying_to', { subject })
  }

  // Erasure, retention, exports.

  /** Erases the subject by the data map (or, with `dryRun`, shows the plan). */
  async eraseSubject(subject, options) {
    return this.#call('erase_subject', args({ subject }, options, { defaults: { dry_run: false } }))
  }

  /** Carries out an accepted erasure or anonymization request and completes it. */
  async executeRequest(request, options) {
    return this.#call('execute_request', args({ request }, options, { renames: BY_ACTOR }))
  }

  /** Finishes the erasures a crash interrupted; resolves to the subjects finished. */
  async finishInterruptedErasures() {
    return this.#call('finish_interrupted_erasures', {})
  }

  /** Checks the data map against the CRM's tables; `warnings` lists what to look at. */
  async checkMap() {
    return this.#call('check_map', {})
  }

  /**
   * Applies the data map's retention rules (or, with `dryRun`, counts the rows due), in
   * transactions of `batchSize` rows. `progress` is called after each batch and awaited; what it
   * throws stops the sweep and rejects it as it was thrown (the batches committed stay done).
   */
  async sweep(options) {
    const { progress, ...rest } = options ?? {}
    options = { batch_size: 500, dry_run: false, ...snake(rest, 'options') }
    if (progress === undefined || progress === null) return this.#call('sweep', options)
    if (typeof progress !== 'function') throw invalid('progress', 'expected a function')
    let thrown
    const each = async (progressJson) => {
      try {
        await progress(JSON.parse(progressJson))
        return ''
      } catch (e) {
        thrown = { error: e }
        return outcome(e)
      }
    }
    const optionsJson = json('sweep', options)
    try {
      return JSON.parse(await settle(this.#native.sweep(optionsJson, each, this.#now())))
    } catch (e) {
      if (thrown !== undefined) throw thrown.error
      throw e
    }
  }

  /** Everything held on the subject, as the JSON export (portability, Art. 20). */
  async export(subject, options) {
    return this.#call('export', args({ subject }, options))
  }

  /** Everything held on the subject as a PDF/A to read, print and post (Art. 15). */
  async exportPdf(subject, options) {
    const { language } = only(options, ['language'])
    if (typeof subject !== 'string') throw invalid('subject', `expected a string, got ${describe(subject)}`)
    if (language !== undefined && typeof language !== 'string') {
      throw invalid('language', `expected a string, got ${describe(language)}`)
    }
    return settle(this.#native.exportPdf(subject, language, this.#now()))
  }

  /** The information notice (Arts. 13 and 14) as a PDF/A to print and post, as a Buffer. */
  async informationNoticePdf(subject, options) {
    const { language } = only(options, ['language'])
    if (subject !== undefined && typeof subject !== 'string') {
      throw invalid('subject', `expected a string, got ${describe(subject)}`)
    }
    if (language !== undefined && typeof language !== 'string') {
      throw invalid('language', `expected a string, got ${describe(language)}`)
    }
    return settle(this.#native.informationNoticePdf(subject, language, this.#now()))
  }

  /**
   * Offers the copy of an access or portability request in progress for download on the portal,
   * and tells the person; their first download completes the request (E3).
   */
  async offerDownload(request, options) {
    return this.#call('offer_download', args({ request }, options, { renames: BY_ACTOR }))
  }

  /** What the person wrote with a request they submitted on the portal; `null` when nothing. */
  async requestMessage(request) {
    return this.#call('request_message', { request })
  }

  /**
   * Completes an accepted access (a PDF) or portability (JSON) request with the export: mailed
   * with the completion notice when the subject has an address; its `attachment` (`filename`,
   * `content_type`, `bytes` as a Buffer) is there to print and post either way.
   */
  async completeWithExport(request, options) {
    const done = await this.#call('complete_with_export', args({ request }, options, { renames: BY_ACTOR }))
    done.attachment.bytes = Buffer.from(done.attachment.bytes)
    return done
  }

  /** Sends what waits in the outbox. */
  async deliverPending() {
    return this.#call('deliver_pending', {})
  }

  /** The messages waiting to be sent, or with `all` every message, sent ones included. */
  async outbox(options) {
    const { all = false } = only(options, ['all'])
    return this.#call('outbox', { filter: all ? 'all' : 'pending' })
  }

  /** A reference for a message's unsubscribe link (a purpose and channel, or neither). */
  async unsubscribeToken(subject, options) {
    return this.#call('unsubscribe_token', args({ subject }, options))
  }

  /** Records the opt-out an unsubscribe reference stands for (once, however often followed). */
  async unsubscribe(token) {
    return this.#call('unsubscribe', { token })
  }

  /** The keyed hashes of erased subjects' addresses with their opt-outs. */
  async suppressionList() {
    return this.#call('suppression_list', {})
  }

  /** The ledger's changes after `since`, without personal values. */
  async changesSince(since = 0, options) {
    return this.#call('changes_since', args({ since }, options, { defaults: { limit: 1000 } }))
  }

  /** The time zone and holiday calendar in use, and whether they are stored. */
  async settings() {
    return this.#call('settings', {})
  }

  /** Stores the time zone and calendar in use as the tenant's. */
  async saveSettings() {
    return this.#call('save_settings', {})
  }

  // The right to information (Arts. 13 and 14).

  /** The information notice (rule I1) for a subject, or for every purpose of the map. */
  async informationNotice(subject, options) {
    return this.#call('information_notice', args(subject === undefined ? {} : { subject }, options))
  }

  /** Where the right to information stands for a subject (rules I2 to I4). */
  async informationStatus(subject) {
    return this.#call('information_status', { subject })
  }

  /** The subjects still to be told, by due date; with `overdueOnly`, those past it. */
  async informationDue(options) {
    return this.#call('information_due', args({}, options))
  }

  /** Gives a subject the notice and records it (rule I4). */
  async inform(subject, options) {
    return this.#call('inform', args({ subject }, options))
  }

  /** Records an exemption of Art. 14(5) for a subject, with its ground and reason. */
  async exemptFromInformation(subject, exemption) {
    return this.#call('exempt_from_information', { subject, exemption: snake(exemption, 'exemption') })
  }

  /** Records the exemption for every subject of a source still to be told; returns their ids. */
  async exemptSourceFromInformation(source, exemption) {
    return this.#call('exempt_source_from_information', { source, exemption: snake(exemption, 'exemption') })
  }

  /** Records that the CRM communicated with a subject (Art. 14(3)(b)). */
  async recordCommunication(subject, options) {
    return this.#call('record_communication', args({ subject }, options))
  }

  /** A subject's consent events as ISO/IEC TS 27560 records (JSON-LD with DPV terms). */
  async consentReceipt(subject) {
    return this.#call('consent_receipt', { subject })
  }
}

/** The option that names who acts, as the core calls it. */
const BY_ACTOR = Object.freeze({ by: 'actor' })

function list(field, value) {
  if (value === null || typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function') {
    throw invalid(field, `expected an array, got ${describe(value)}`)
  }
  return [...value]
}

/** A subject to register, its `origin`'s options in the core's names too. */
function withOrigin(subject) {
  if (subject.origin !== undefined && subject.origin !== null) subject.origin = snake(subject.origin, 'origin')
  return subject
}

function consentEvent(event) {
  const e = snake(event, 'events')
  if (e.proof !== undefined) e.proof = snake(e.proof, 'proof')
  return e
}

exports.Gdpr = Gdpr
exports.Campaign = Campaign
exports.GdprError = GdprError
exports.ERROR_CODES = ERROR_CODES
/** Every method the core answers by name, as `Gdpr` calls them (in the core's snake_case). */
exports.methods = native.methods
