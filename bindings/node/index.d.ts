/// <reference types="node" />
/**
 * gdprkit for Node: consent decisions, requests from data subjects, erasure and exports.
 *
 * Every call goes to gdprkit's Rust core and returns a Promise. Options are camelCase; results are
 * the core's JSON as serde writes it, with its snake_case field names (docs/node.md).
 */

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/** An instant as the core writes it: RFC 3339 in UTC, e.g. `2024-06-01T09:00:00.000000Z`. */
export type Instant = string;

/** A calendar date, `YYYY-MM-DD` (in the controller's time zone where it matters). */
export type CalendarDate = string;

/** An instant given to gdprkit: a valid `Date`, or an RFC 3339 string. */
export type DateInput = Date | string;

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

/** The six legal bases of Art. 6(1) GDPR. */
export type LegalBasis =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interests'
  | 'public_task'
  | 'legitimate_interests';

/** Who a subject is to the controller, which the default rules for direct marketing look at. */
export type Regime = 'b2b_opt_out' | 'b2c_opt_in' | 'soft_opt_in';

/** The language a subject is written to in (ISO 639-1). */
export type Language = 'fr' | 'en';

/** What a consent event says (rule C1). */
export type ConsentAction =
  | 'opt_in'
  | 'opt_out'
  | 'withdraw'
  | 'object'
  | 'soft_opt_in_offered'
  | 'reconfirm_requested';

/**
 * Where a recorded consent event came from. `suppression_list` marks a denial a subject inherited
 * at registration (rule C9): recorded by gdprkit only.
 */
export type ConsentSource = 'web_form' | 'phone' | 'email' | 'paper' | 'import' | 'api' | 'suppression_list';

/** Where a consent event came from, as a caller may give it (`suppression_list` is refused). */
export type ProofSource = Exclude<ConsentSource, 'suppression_list'>;

/** The channels built into gdprkit. */
export type BuiltinChannel = 'email' | 'sms' | 'phone' | 'post';

/**
 * A channel: a built-in one, or a custom name (1 to 32 lower-case letters, digits, `-` and `_`),
 * declared with `addChannel` (a custom channel never declared is taken as electronic).
 */
export type Channel = BuiltinChannel | (string & {});

/** How a channel reaches a person, as the rules for direct marketing tell channels apart. */
export type ChannelKind = 'electronic' | 'phone' | 'post';

/** The right a request exercises. */
export type RequestKind =
  | 'access'
  | 'rectification'
  | 'erasure'
  | 'restriction'
  | 'portability'
  | 'objection'
  | 'anonymization';

/** How a request reached the controller. */
export type ReceivedVia = 'email' | 'phone' | 'post' | 'web' | 'in_person';

/** Where a request stands. */
export type RequestState =
  | 'received'
  | 'awaiting_subject'
  | 'accepted'
  | 'in_progress'
  | 'completed'
  | 'refused'
  | 'withdrawn';

/** What a request waits on the subject for (R4). */
export type WaitKind = 'identity' | 'clarification';

/** Why a deadline is extended (Art. 12(3)). */
export type ExtensionGround = 'complexity' | 'number_of_requests';

/** Why a request is refused, or part of the data kept (R5). */
export type RefusalCode =
  | 'identity_not_verified'
  | 'manifestly_unfounded'
  | 'excessive'
  | 'freedom_of_expression'
  | 'legal_obligation'
  | 'public_interest_health'
  | 'archiving_research'
  | 'legal_claims'
  | 'not_eligible_for_portability'
  | 'rights_of_others'
  | 'compelling_legitimate_grounds'
  | 'other';

/** How the copy of an access or portability request reached the subject (E3). */
export type CopyDelivery = 'mail' | 'post' | 'in_person' | 'download';

/** How a copy was handed over otherwise than mailed by gdprkit (`complete_handed_over`). */
export type HandOver = Exclude<CopyDelivery, 'mail'>;

/** Why a recipient was not told of a rectification, erasure or restriction (Art. 19). */
export type SkipReason = 'impossible' | 'disproportionate_effort';

/** What became of a recipient's notification, as `markRecipientTask` records it. */
export type RecipientTaskOutcome = 'sent' | 'skipped';

/** Which notice a subject received about their request (R7). */
export type NoticeKind = 'receipt' | 'extension' | 'awaiting_subject' | 'refusal' | 'completion' | 'copy_ready';

/** What a message in the outbox is. */
export type MessageKind = NoticeKind | 'export' | 'confirmation' | 'information';

/** Where a message in the outbox stands. */
export type OutboxState = 'pending' | 'delivered' | 'cancelled';

/** A row of the default rule table (rule C4, docs/rules.md). */
export type RuleId =
  | 'consent_required'
  | 'not_direct_marketing'
  | 'electronic_consumer'
  | 'electronic_b2b_not_professional'
  | 'electronic_b2b'
  | 'electronic_soft_opt_in'
  | 'electronic_soft_opt_in_not_offered'
  | 'phone_b2b'
  | 'phone_consumer_before_opt_in'
  | 'phone_soft_opt_in'
  | 'phone_consumer'
  | 'post';

/** What identifies a person on the suppression list. */
export type IdentifierKind = 'email' | 'phone';

/** What a retention rule does to a row when its retention runs out. */
export type EndAction = 'anonymize' | 'delete';

/** Whether what an erasure or sweep leaves can still be tied to the person (rule A3). */
export type ErasureOutcome = 'anonymized' | 'pseudonymized' | 'deleted' | 'retained';

/** A right an export lists. */
export type RightName =
  | 'access'
  | 'rectification'
  | 'erasure'
  | 'restriction'
  | 'portability'
  | 'objection'
  | 'withdraw_consent'
  | 'complaint';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** The `code` of a `GdprError`, one per kind of error of the core (docs/errors.md). */
export declare const ERROR_CODES: Readonly<{
  invalid_input: 'GDPR_INVALID_INPUT';
  not_found: 'GDPR_NOT_FOUND';
  already_exists: 'GDPR_ALREADY_EXISTS';
  invalid_state: 'GDPR_INVALID_STATE';
  conflict: 'GDPR_CONFLICT';
  config: 'GDPR_CONFIG';
  storage: 'GDPR_STORAGE';
  corrupt: 'GDPR_CORRUPT';
  mail: 'GDPR_MAIL';
  render: 'GDPR_RENDER';
  internal: 'GDPR_INTERNAL';
}>;

/** The kind of an error as the core names it: the keys of `ERROR_CODES`. */
export type ErrorKind = keyof typeof ERROR_CODES;

/** The `code` of a `GdprError`: one of the eleven values of `ERROR_CODES`. */
export type ErrorCode =
  | 'GDPR_INVALID_INPUT'
  | 'GDPR_NOT_FOUND'
  | 'GDPR_ALREADY_EXISTS'
  | 'GDPR_INVALID_STATE'
  | 'GDPR_CONFLICT'
  | 'GDPR_CONFIG'
  | 'GDPR_STORAGE'
  | 'GDPR_CORRUPT'
  | 'GDPR_MAIL'
  | 'GDPR_RENDER'
  | 'GDPR_INTERNAL';

/** What a `GdprError` is made with. */
export interface GdprErrorOptions {
  /** The error's stable code; `GDPR_INTERNAL` when absent. */
  code?: ErrorCode;
  /** The input or setting at fault; `null` when absent. */
  field?: string | null;
  /** Whether the same call may succeed if tried again later; `false` when absent. */
  retryable?: boolean;
  /** The underlying error (the driver's, the mail server's), if any. */
  cause?: unknown;
}

/** An error of gdprkit: its stable `code`, the `field` at fault and whether it is `retryable`. */
export declare class GdprError extends Error {
  /** Makes an error; gdprkit makes them from the core's errors. */
  constructor(message: string, options?: GdprErrorOptions);
  /** Always `GdprError`. */
  name: string;
  /** The error's stable code (`GDPR_NOT_FOUND`, …). */
  code: ErrorCode;
  /** The input or setting the error is about (`subject`, `purpose`, `data_map`, …), or `null`. */
  field: string | null;
  /** Whether the same call can succeed if tried again later, unchanged. */
  retryable: boolean;
  /** The chain of underlying errors, as an `Error`, when the core gave one. */
  cause?: unknown;
  /**
   * The error the core describes as JSON, as the native module gives it; the chain of
   * underlying errors (`sources`) becomes its `cause`.
   */
  static fromJSON(detail: ErrorJSON): GdprError;
}

/** An error as the core describes it in JSON (docs/errors.md). */
export interface ErrorJSON {
  /** The kind, as the core names it (`not_found`, …). */
  code: ErrorKind;
  /** What went wrong, in words. */
  message: string;
  /** The input or setting at fault, or `null`. */
  field?: string | null;
  /** Whether trying again later, unchanged, can succeed. */
  retryable?: boolean;
  /** The underlying errors, outermost first (the database driver's, the mail server's). */
  sources?: string[];
}

// ---------------------------------------------------------------------------------------------
// Configuration, mailer, clock
// ---------------------------------------------------------------------------------------------

/** A secret: the value itself, or `{ env: 'VAR' }` to read it from an environment variable. */
export type SecretSource = string | { env: string };

/** The controller, as notices and exports name it. */
export interface ControllerConfig {
  /** Its name, as the people it holds data on know it. */
  name: string;
  /** The supervisory authority a person may complain to, with how to reach it; the CNIL when absent. */
  authority?: string;
  /** The person-facing portal (`https://privacy.example.com`): receipts link to it, and requests submitted there are confirmed through it. */
  portal?: string;
}

/** A mail server, and who gdprkit's messages come from. */
export interface SmtpConfig {
  /** `smtp://host:port` with `?tls=required|opportunistic|wrapper|none`. */
  url: string;
  /** The sender's address. */
  from: string;
  /** The user name, where the server asks for one. */
  user?: string;
  /** The password, where the server asks for one. */
  password?: SecretSource;
}

/** The settings gdprkit is opened with besides its store (the keys of the core's `Config`, in camelCase). */
export interface ConfigOptions {
  /** For a PostgreSQL store: the schema gdprkit's tables live in (created when missing). */
  schema?: string;
  /** The tenant every call works for; `default` when absent. */
  tenant?: string;
  /** The controller's time zone, an IANA name; `Europe/Paris` when absent. */
  timeZone?: string;
  /** The holiday calendar: `FR`, `FR-AM`, or the path of an iCalendar file or a list of dates; `FR` when absent. */
  calendar?: string;
  /** The country of phone numbers given without their country code (ISO 3166-1 alpha-2); `FR` when absent. */
  country?: string;
  /** The controller that notices and exports name. */
  controller?: ControllerConfig;
  /** The CRM's database: a SQLite file or a `postgres://` URL (erasures, exports, sweeps need it). */
  crm?: string;
  /** The data map: the path of a TOML file, or the map itself (docs/data-map.md). */
  dataMap?: string | Record<string, unknown>;
  /** The key of the `pseudonymize` operator, unsubscribe references and the suppression list. */
  hmacKey?: SecretSource;
  /** The mail server notices and exports are sent through. */
  smtp?: SmtpConfig;
  /** A file outside the database to which each erasure and sweep appends a line. */
  erasureJournal?: string;
  /** Whether opening may create the store or bring its schema up to date; `true` when absent. */
  migrate?: boolean;
  /** Whether PDF exports are rendered; `true` when absent. */
  pdf?: boolean;
  /** Act as if it were always this instant (tests, replays); the system clock when absent. */
  now?: DateInput;
}

/** One configuration object: the store and every other setting, in camelCase. */
export interface GdprConfig extends ConfigOptions {
  /** Where gdprkit keeps its records: a SQLite path, a `postgres://` URL, or `:memory:`. */
  store: string;
}

/** A configuration as the core names its keys (snake_case), as read from a JSON or TOML file. */
export interface GdprConfigFile {
  /** Where gdprkit keeps its records: a SQLite path, a `postgres://` URL, or `:memory:`. */
  store: string;
  /** For a PostgreSQL store: the schema gdprkit's tables live in. */
  schema?: string;
  /** The tenant every call works for. */
  tenant?: string;
  /** The controller's time zone, an IANA name. */
  time_zone?: string;
  /** The holiday calendar: `FR`, `FR-AM`, or a file's path. */
  calendar?: string;
  /** The country of phone numbers given without their country code. */
  country?: string;
  /** The controller that notices and exports name. */
  controller?: ControllerConfig;
  /** The CRM's database. */
  crm?: string;
  /** The data map: a TOML file's path, or the map itself. */
  data_map?: string | Record<string, unknown>;
  /** The HMAC key. */
  hmac_key?: SecretSource;
  /** The mail server. */
  smtp?: SmtpConfig;
  /** The erasure journal's file. */
  erasure_journal?: string;
  /** Whether opening may create or migrate the store. */
  migrate?: boolean;
  /** Whether PDF exports are rendered. */
  pdf?: boolean;
  /** Act as if it were always this instant. */
  now?: DateInput;
}

/** A file attached to a message. */
export interface MailAttachment {
  /** The file name the subject sees. */
  filename: string;
  /** Its MIME type, such as `application/pdf`. */
  content_type: string;
  /** Its bytes. */
  bytes: Buffer;
}

/** A message to a subject, as gdprkit hands it to the mailer. */
export interface MailMessage {
  /** The recipient's address. */
  to: string;
  /** The subject line. */
  subject: string;
  /** The plain-text body. */
  body: string;
  /** Attached files. */
  attachments: MailAttachment[];
  /** Its `Message-ID` (with the angle brackets), the same on every attempt; send it as the header. */
  message_id: string | null;
}

/**
 * Sends gdprkit's messages: a function, or an object with a `send(message)` method. What it
 * throws (or its promise rejects with) leaves the message in the outbox for `deliverPending`.
 */
export type Mailer =
  | ((message: MailMessage) => void | Promise<void>)
  | { send(message: MailMessage): void | Promise<void> };

/** The host's clock, read once before each call. */
export interface Clock {
  /** The instant now: a `Date`, or an RFC 3339 string. */
  now(): Date | string;
}

/** The host's parts gdprkit calls back: its mailer and its clock. */
export interface GdprHooks {
  /** Sends notices and exports; without one, messages wait in the outbox. */
  mailer?: Mailer | null;
  /** The clock every call reads; the system's (or `now`'s) when absent. */
  clock?: Clock | null;
}

/** The options of `Gdpr.open`: every setting but the store, in camelCase, with a mailer and a clock. */
export interface OpenOptions extends ConfigOptions, GdprHooks {}

// ---------------------------------------------------------------------------------------------
// Purposes, channels, subjects
// ---------------------------------------------------------------------------------------------

/** A purpose of processing, registered once per tenant. */
export interface Purpose {
  /** The purpose's id. */
  id: string;
  /** A human-readable label. */
  label: string;
  /** The legal basis of Art. 6(1) the processing rests on. */
  legal_basis: LegalBasis;
  /** Whether the purpose is direct marketing, which an objection always stops (rule C5). */
  direct_marketing: boolean;
  /** Whether its messages relate to the recipient's profession (CNIL's B2B rule). */
  professional: boolean;
}

/** The options of `addPurpose`. */
export interface AddPurposeOptions {
  /** The legal basis of Art. 6(1) the processing rests on. */
  legalBasis: LegalBasis;
  /** Whether the purpose is direct marketing; `false` when absent. */
  directMarketing?: boolean;
  /** A human-readable label; the id when absent. */
  label?: string | null;
  /** Whether its messages relate to the recipient's profession; `true` when absent. */
  professional?: boolean;
}

/** The options of `addChannel`. */
export interface AddChannelOptions {
  /** The channel's kind, which decides the rules for direct marketing on it. */
  kind: ChannelKind;
}

/** A custom channel the tenant declared, with its kind. */
export interface DeclaredChannel {
  /** The channel's name. */
  name: Channel;
  /** Its kind. */
  kind: ChannelKind;
}

/** What `addSubject` needs beside the id. */
export interface NewSubjectOptions {
  /** The default rule for contact. */
  regime: Regime;
  /** The subject's e-mail address, where known. */
  email?: string | null;
  /** The language to write to the subject in, where known. */
  language?: Language | null;
  /** The subject's phone number: with its `+` country code, or in the configured country. */
  phone?: string | null;
  /** Where the subject's data came from (rule I2). */
  origin?: Origin | null;
}

/** Where a subject's data came from: only `collected` is from the person (Art. 13). */
export type DataSource = 'collected' | 'purchased_list' | 'trade_fair' | 'public_directory' | 'partner' | 'other';

/** Where a subject's data came from, and when (rule I2). */
export interface Origin {
  /** The source. */
  source: DataSource;
  /** A free reference: the list, the fair, the partner. */
  reference?: string | null;
  /** When the data was obtained; the registration when absent. */
  obtainedAt?: DateInput | null;
  /** For collected data, the notice given at collection. */
  notice?: GivenNotice | null;
}

/** A notice given: its version and the SHA-256 of its text. */
export interface GivenNotice {
  /** The notice's version. */
  version: string;
  /** The SHA-256 of its text, 64 hex digits. */
  sha256: string;
}

/** How a notice reached the person. */
export type InformedVia = 'email' | 'post' | 'at_collection' | 'with_message';

/** A ground of Art. 14(5) on which a person need not be told. */
export type ExemptionGround = 'already_informed' | 'disproportionate_effort' | 'required_by_law' | 'professional_secrecy';

/** An exemption to record (rule I3). */
export interface NewExemption {
  /** The ground. */
  ground: ExemptionGround;
  /** Why it applies. */
  reason: string;
  /** Where the information is made public (`https://`), required for `disproportionate_effort`. */
  publicNotice?: string | null;
}

/** An information notice (rule I1). */
export interface InformationNotice {
  /** Its language. */
  language: Language;
  /** `notice-` and the first 12 hex digits of its SHA-256. */
  version: string;
  /** The SHA-256 of `text`. */
  sha256: string;
  /** The notice as plain text. */
  text: string;
  /** The same notice as HTML, every value escaped. */
  html: string;
}

/** Where the right to information stands for one subject (rules I2 to I4). */
export interface InformationStatus {
  /** The subject. */
  subject: string;
  /** Where it stands. */
  state: 'unknown' | 'informed' | 'exempt' | 'due' | 'overdue';
  /** Where their data came from, if recorded. */
  source: DataSource | null;
  /** The source's free reference. */
  reference: string | null;
  /** When their data was obtained. */
  obtained_at: Instant | null;
  /** The date by which they must be told. */
  due: CalendarDate | null;
  /** What set that date. */
  due_by: 'collection' | 'one_month' | 'first_communication' | 'first_disclosure' | null;
  /** The first notice given. */
  informed: {
    seq: number;
    at: Instant;
    via: InformedVia;
    notice_version: string;
    notice_sha256: string;
  } | null;
  /** The exemption recorded. */
  exemption: {
    seq: number;
    at: Instant;
    ground: ExemptionGround;
    reason: string | null;
    public_notice: string | null;
  } | null;
}

/** A notice given with `inform`. */
export interface GivenInformation {
  /** The `informed` ledger entry. */
  seq: number;
  /** The notice given. */
  notice: InformationNotice;
  /** How. */
  via: InformedVia;
  /** When. */
  at: Instant;
  /** For an e-mail, what became of it. */
  delivery: NoticeDelivery | null;
  /** For an e-mail, its id in the outbox. */
  outbox_id: number | null;
}

/** The options of `inform`. */
export interface InformOptions {
  /** `email` mails it through the outbox; `post` and `with_message` record it as given. */
  via: InformedVia;
  /** When it was given, for `post` and `with_message`; now when absent. */
  at?: DateInput;
}

/** A subject to register with `addSubjects`. */
export interface NewSubject extends NewSubjectOptions {
  /** The CRM's id for the subject. */
  id: string;
}

/** A registered subject. */
export interface Subject {
  /** The CRM's id for the subject. */
  id: string;
  /** The default rule for contact. */
  regime: Regime;
  /** The subject's e-mail address, where known. */
  email: string | null;
  /** The language to write to the subject in, where known. */
  language: Language | null;
  /** The subject's phone number in E.164, where known. */
  phone: string | null;
  /** When the subject was registered. */
  registered_at: Instant;
}

// ---------------------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------------------

/** Who collected a consent event: the subject themself, a staff member or a third party, by name. */
export type Collector =
  | { by: 'subject' }
  | { by: 'staff'; name: string }
  | { by: 'third_party'; name: string };

/**
 * What proves a consent event (rule C3), as given (camelCase). An opt-in needs `source`,
 * `collectedBy`, `noticeVersion` and `noticeSha256`, and `proofRef` when a third party collected it.
 */
export interface ProofInput {
  /** Where the event came from. */
  source?: ProofSource | null;
  /** Who collected it. */
  collectedBy?: Collector | null;
  /** The version of the consent wording shown. */
  noticeVersion?: string | null;
  /** The SHA-256 of that wording, as 64 hex digits. */
  noticeSha256?: string | null;
  /** The subject's IP address. */
  ip?: string | null;
  /** The subject's user agent. */
  userAgent?: string | null;
  /** The reference of the proof a third party holds. */
  proofRef?: string | null;
}

/** What proves a recorded consent event; personal parts are `null` once erased. */
export interface Proof {
  /** Where the event came from. */
  source: ConsentSource | null;
  /** Who collected it. */
  collected_by: Collector | null;
  /** The version of the consent wording shown. */
  notice_version: string | null;
  /** The SHA-256 of that wording, lower-case hex. */
  notice_sha256: string | null;
  /** The subject's IP address. */
  ip: string | null;
  /** The subject's user agent. */
  user_agent: string | null;
  /** The reference of the proof a third party holds. */
  proof_ref: string | null;
}

/** What every consent event to record may carry. */
export interface ConsentEventBase {
  /** When it happened; the time of recording when absent. Never in the future. */
  occurredAt?: DateInput | null;
  /** What proves it (required for an opt-in). */
  proof?: ProofInput | null;
  /** With an opt-in collected from the person: the information notice given with it (Art. 13). */
  information?: GivenNotice | null;
}

/**
 * A consent event to record, beside its subject. An objection may name no purpose (all direct
 * marketing) and no channel (every channel); every other action names both.
 */
export type ConsentOptions =
  | (ConsentEventBase & {
      /** An objection (Art. 21). */
      action: 'object';
      /** The purpose objected to; all direct marketing when absent. */
      purpose?: string | null;
      /** The channel; every channel when absent. */
      channel?: Channel | null;
    })
  | (ConsentEventBase & {
      /** What happened. */
      action: Exclude<ConsentAction, 'object'>;
      /** The purpose. */
      purpose: string;
      /** The channel. */
      channel: Channel;
    });

/** A consent event to record with `recordConsents`: its subject and the rest. */
export type NewConsent = ConsentOptions & {
  /** The subject it is about. */
  subject: string;
};

/** A recorded consent event, as the history shows it (rule C2). */
export interface ConsentEvent {
  /** Its entry number in the tenant's ledger. */
  seq: number;
  /** The subject, or `null` once erased. */
  subject: string | null;
  /** What happened. */
  action: ConsentAction;
  /** The purpose, or `null` for an objection to all direct marketing. */
  purpose: string | null;
  /** The channel, or `null` for an objection on every channel. */
  channel: Channel | null;
  /** When it happened. */
  occurred_at: Instant;
  /** When it was recorded. */
  recorded_at: Instant;
  /** What proves it. */
  proof: Proof;
}

/** The options of `decide` and `campaign`. */
export interface DecideOptions {
  /** The instant to decide for; now when absent. */
  at?: DateInput | null;
}

/** A decisive consent event, as a decision refers to it. */
export interface EventRef {
  /** Its entry number in the tenant's ledger. */
  seq: number;
  /** What happened. */
  action: ConsentAction;
  /** When it happened. */
  occurred_at: Instant;
  /** Its purpose, or `null` for all direct marketing. */
  purpose: string | null;
  /** Its channel, or `null` for every channel. */
  channel: Channel | null;
  /** Present (`true`) only when the subject inherited it from the suppression list (rule C9). */
  inherited?: true;
}

/** What decided a decision, by its `kind`. */
export type DecidedBy =
  | ({ kind: 'event' } & EventRef)
  | {
      /** A restriction of processing at the subject's request (Art. 18). */
      kind: 'restriction';
      /** The ledger entry that restricted processing. */
      seq: number;
    }
  | {
      /** An objection under Art. 21(1) to this purpose is being assessed (R11). */
      kind: 'pending_objection';
      /** The objection request's id. */
      request: string;
      /** When it was received. */
      since: Instant;
    }
  | {
      /** A row of the default rule table, as no decisive event applies (rule C4). */
      kind: 'rule';
      /** The row. */
      rule: RuleId;
      /** The purpose's legal basis. */
      legal_basis: LegalBasis;
      /** The subject's regime. */
      regime: Regime;
      /** The channel's kind. */
      channel_kind: ChannelKind;
      /** The `soft_opt_in_offered` event the row relied on, if it did. */
      offer?: EventRef;
    };

/** Whether a subject may be contacted for a purpose on a channel at an instant, and why. */
export interface Decision {
  /** The subject. */
  subject: string;
  /** The purpose. */
  purpose: string;
  /** The channel. */
  channel: Channel;
  /** The instant decided for. */
  at: Instant;
  /** Whether contact is allowed. */
  allowed: boolean;
  /** What decided. */
  decided_by: DecidedBy;
  /** Since when this decision holds; `null` when asked about an instant before that. */
  since: Instant | null;
  /** The reason in plain words. */
  reason: string;
  /**
   * For contact allowed with a person not yet told: the notice the message must carry (Art.
   * 14(3)(b); Art. 13(1) for data collected with no notice recorded). `version` and `sha256` are
   * named by `decide` only: lists and campaigns leave them `null` (build the notice with
   * `informationNotice`).
   */
  information?: {
    due: CalendarDate;
    /** What set the due date. */
    due_by: 'collection' | 'one_month' | 'first_communication' | 'first_disclosure';
    overdue: boolean;
    version: string | null;
    sha256: string | null;
  };
}

/** The outcome of verifying the tenant's hash chain, by its `status`. */
export type Verification =
  | {
      /** Every entry matched. */
      status: 'intact';
      /** How many entries were checked. */
      entries: number;
    }
  | {
      /** An entry did not match. */
      status: 'broken';
      /** The number of the first entry that does not match. */
      seq: number;
      /** Why it does not. */
      reason: string;
    }
  | {
      /** The chain verifies, but a registry or index derived from it disagrees with it. */
      status: 'disagrees';
      /** What disagrees: `purposes`, `subjects` or `decision index`. */
      table: string;
      /** How. */
      reason: string;
    }
  | {
      /** The chain contradicts a signed checkpoint. */
      status: 'contradicted';
      /** The checkpoint's position among those given, from 0. */
      checkpoint: number;
      /** The entry number the checkpoint signed. */
      seq: number;
      /** What differs. */
      reason: string;
    };

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** The options of `openRequest`. */
export interface OpenRequestOptions {
  /** The right it exercises. */
  kind: RequestKind;
  /** The channel it came by. */
  via: ReceivedVia;
  /** When it reached the controller; now when absent. Never in the future. */
  receivedAt?: DateInput | null;
  /** For an objection only: the purposes objected to (none: all direct marketing). */
  purposes?: readonly string[];
}

/** A duration in calendar units (`3y`, `18m`, `30d` in the data map). */
export interface Period {
  /** Years. */
  years: number;
  /** Months. */
  months: number;
  /** Days. */
  days: number;
}

/** Part of the data kept when a request is completed (R5, partial refusal). */
export interface Kept {
  /** What was kept: an entity of the data map or a field. */
  what: string;
  /** Why, as a code of the refusal table that applies to the request's kind. */
  code: RefusalCode;
  /** For how long, where a period applies. */
  period?: Period;
}

/** A part kept, as given to the `complete_keeping` step. */
export interface KeptInput {
  /** What was kept: an entity of the data map (`invoices`) or a field (`contacts.email`). */
  what: string;
  /** Why, as a code of the refusal table that applies to the request's kind. */
  code: RefusalCode;
  /** For how long, where a period applies. */
  period?: Period | null;
}

/** A deadline extension (R3). */
export interface Extension {
  /** Its ground. */
  ground: ExtensionGround;
  /** The written reason given to the subject. */
  reason: string;
  /** When it was decided. */
  at: Instant;
}

/** When and how the copy of an access or portability request was delivered (E3). */
export interface Delivered {
  /** How. */
  by: CopyDelivery;
  /** On which day. */
  on: CalendarDate;
}

/** The purposes an objection covers. */
export interface ObjectionScope {
  /** Whether it objects to direct marketing (Art. 21(2)). */
  direct_marketing: boolean;
  /** The purposes objected to on grounds relating to the person's particular situation (Art. 21(1)). */
  particular_situation: string[];
}

/** A note written for the subject, shown with the tracking token. */
export interface PublicNote {
  /** When it was written. */
  at: Instant;
  /** The note. */
  text: string;
}

/** A request and where it stands. */
export interface Request {
  /** Its id: 24 lower-case hexadecimal characters. */
  id: string;
  /** The subject who made it. */
  subject: string;
  /** The right it exercises. */
  kind: RequestKind;
  /** The channel it came by. */
  via: ReceivedVia;
  /** When it reached the controller. */
  received_at: Instant;
  /** The receipt date in the controller's time zone, from which deadlines run. */
  received_on: CalendarDate;
  /** Where it stands. */
  state: RequestState;
  /** The initial due date, as computed at receipt. */
  initial_due: CalendarDate;
  /** The due date now: after pauses, and after an extension if any. */
  due: CalendarDate;
  /** The extension, if one was granted. */
  extension: Extension | null;
  /** Since when it waits on the subject, while it does. */
  waiting_since: Instant | null;
  /** Calendar days spent waiting on the subject so far (R4). */
  paused_days: number;
  /** What is asked of the subject, while the request waits on them. */
  awaiting: string | null;
  /** What the request waits on the subject for, while it does. */
  awaiting_kind: WaitKind | null;
  /** Whether it ever waited on the subject for their identity. */
  identity_asked: boolean;
  /** Whether it was refused or completed after its due date (R5). */
  late: boolean;
  /** For a completed access or portability request: how and when its copy was delivered. */
  delivered: Delivered | null;
  /** For a copy offered for download on the portal: until when the person may download it (E3). */
  download_until?: Instant;
  /** For an objection: what it objects to (absent on objections recorded before they named purposes). */
  objection?: ObjectionScope;
  /** For a request completed in part: what was kept (absent when nothing was). */
  kept?: Kept[];
  /** Notes staff wrote for the subject to read with their tracking token. */
  public_notes: PublicNote[];
  /** The refusal code, once refused. */
  refusal: RefusalCode | null;
  /** When it was completed, refused or withdrawn. */
  closed_at: Instant | null;
  /** Each state it entered, with when, oldest first. */
  history: StateChange[];
}

/** A notice's subject line and body. */
export interface NoticeText {
  /** The subject line. */
  subject: string;
  /** The body. */
  body: string;
}

/** What became of a notice, by its `status`. */
export type NoticeDelivery =
  | {
      /** Queued and accepted by the mail server right after. */
      status: 'sent';
      /** The address it was sent to. */
      to: string;
    }
  | {
      /** In the outbox: no mailer, or the first attempt failed; `deliverPending` sends it. */
      status: 'queued';
      /** The address it is to. */
      to: string;
      /** Why it is not sent yet. */
      reason: string;
    }
  | {
      /** Not queued: the subject has no e-mail address; print and post it. */
      status: 'no_address';
    };

/** A notice to a subject and what became of it. */
export interface Notice {
  /** Which notice. */
  kind: NoticeKind;
  /** The language it is written in. */
  language: Language;
  /** Its text, also for printing and posting. */
  text: NoticeText;
  /** Whether it was sent. */
  delivery: NoticeDelivery;
  /** Its id in the outbox, when it was queued. */
  outbox_id: number | null;
}

/** A request just opened, with its tracking token (shown once) and the receipt notice. */
export interface OpenedRequest {
  /** The request. */
  request: Request;
  /** The tracking token to give the subject. */
  token: string;
  /** The receipt notice, with the due date and the token. */
  notice: Notice;
}

/** A request after a step, and the notice the step sent, if it sends one. */
export interface StepOutcome {
  /** The request after the step. */
  request: Request;
  /** The notice to the subject: waiting, extension, refusal and completion send one (R7). */
  notice: Notice | null;
}

/** What every step of `act` takes. */
export interface ActOptions {
  /** Who takes the step: a staff member's name, or `subject`. */
  by: string;
  /** A note for the subject, shown with their tracking token. */
  note?: string | null;
}

/** The fields of an `await_subject` step: identity (with the method asked) or a clarification. */
export type AwaitSubjectDetails =
  | {
      /** Their identity, on a reasonable doubt (Art. 12(6)). */
      kind: 'identity';
      /** The reasonable doubt; the subject is told. */
      reason: string;
      /** The method asked for (a reply from the address on record, a call-back, …). */
      method: string;
    }
  | {
      /** Something to clarify about what they ask. */
      kind: 'clarification';
      /** What is asked; the subject is told. */
      reason: string;
      /** Not for a clarification. */
      method?: undefined;
    };

/** The fields of each step of a request's life beside `by` and `note`, by action (camelCase). */
export interface StepDetails {
  /** Ask the subject for something; the deadline pauses (R4). */
  await_subject: AwaitSubjectDetails;
  /** The subject answered: the deadline runs again. */
  resume: {};
  /** Accept the request. */
  accept: {};
  /** Start carrying it out. */
  start: {};
  /** Extend the deadline, once, no later than the initial due date (R3). */
  extend: {
    /** The ground. */
    ground: ExtensionGround;
    /** The written reason given to the subject. */
    reason: string;
  };
  /** Refuse it (R5). */
  refuse: {
    /** The reason code. */
    code: RefusalCode;
    /** The reason in words, given to the subject. */
    reason: string;
  };
  /** Complete it (access and portability: `completeWithExport`, or `complete_handed_over`). */
  complete: {};
  /** Complete it keeping part of the data (R5), each part with its code and period. */
  complete_keeping: {
    /** What was kept, at least one. */
    kept: readonly KeptInput[];
  };
  /** Complete an access or portability request whose copy was handed over otherwise (E3). */
  complete_handed_over: {
    /** How the copy was handed over. */
    deliveredBy: HandOver;
    /** On which day (`YYYY-MM-DD`, the controller's date), between receipt and today. */
    on: CalendarDate;
  };
  /** The subject withdraws it. */
  withdraw: {};
}

/** A step of a request's life, as `act` names it. */
export type StepAction = keyof StepDetails;

/** The options of `act` for one step: `by`, `note`, and the step's own fields. */
export type ActOptionsFor<A extends StepAction> = ActOptions & StepDetails[A];

/** What a tracking token shows: the request's kind, state, dates and public notes (R8). */
export interface TrackView {
  /** The right exercised. */
  kind: RequestKind;
  /** Where it stands. */
  state: RequestState;
  /** The receipt date. */
  received_on: CalendarDate;
  /** The due date. */
  due: CalendarDate;
  /** Whether the deadline was extended. */
  extended: boolean;
  /** When it was closed, if it was. */
  closed_at: Instant | null;
  /** The notes written for the subject, oldest first. */
  notes: PublicNote[];
  /** While the request waits on the subject (R4): what for. */
  waiting_for: WaitKind | null;
  /** While it waits on them: what they are asked, as the notice told them. */
  question: string | null;
  /** Each state it entered, with when, oldest first. */
  history: StateChange[];
  /** While a copy is offered for download on the portal: until when (E3). */
  download_until?: Instant;
}

/** A state a request entered, and when (R1). */
export interface StateChange {
  /** When. */
  at: Instant;
  /** The state it entered. */
  state: RequestState;
}

/** The due dates of a request received on a given date. */
export interface Deadlines {
  /** The receipt date, in the controller's time zone. */
  received: CalendarDate;
  /** One month after receipt, before rolling to a working day. */
  unrolled_due: CalendarDate;
  /** The initial due date: `unrolled_due` rolled to a working day. */
  due: CalendarDate;
  /** The latest due date an extension can give, rolled to a working day. */
  extended_due: CalendarDate;
}

/** The options of `liftRestriction`. */
export interface LiftRestrictionOptions {
  /** Who lifts it. */
  by: string;
  /** That the subject was told before the restriction is lifted (Art. 18(3)): must be `true`. */
  subjectTold: boolean;
}

/** The options of `recordDisclosure`. */
export interface DisclosureOptions {
  /** When the data were disclosed; now when absent. */
  at?: DateInput | null;
}

/** A disclosure of a subject's data to a recipient. */
export interface Disclosure {
  /** The subject. */
  subject: string;
  /** Who received the data, by name. */
  recipient: string;
  /** When. */
  disclosed_at: Instant;
}

/** Where a recipient's notification stands, by its `status`. */
export type TaskStatus =
  | {
      /** Not yet done. */
      status: 'pending';
    }
  | {
      /** The recipient was told. */
      status: 'sent';
      /** When. */
      at: Instant;
    }
  | {
      /** The recipient was not told, for a reason Art. 19 allows. */
      status: 'skipped';
      /** Why. */
      reason: SkipReason;
      /** When it was decided. */
      at: Instant;
    };

/** One recipient to tell about a completed rectification, erasure or restriction (R9). */
export interface RecipientTask {
  /** The request. */
  request: string;
  /** The recipient, by name. */
  recipient: string;
  /** Where it stands. */
  status: TaskStatus;
}

/** The options of `markRecipientTask`: `sent`, or `skipped` with a reason. */
export type MarkRecipientTaskOptions =
  | {
      /** The recipient was told. */
      outcome: 'sent';
      /** Who marks it. */
      by: string;
      /** No reason for `sent`. */
      reason?: undefined;
    }
  | {
      /** The recipient was not told. */
      outcome: 'skipped';
      /** Who marks it. */
      by: string;
      /** Why, as Art. 19 allows. */
      reason: SkipReason;
    };

/** Why a purpose applies to a subject, by its `kind`. */
export type Applies =
  | {
      /** The subject opted in to it, even if they withdrew since. */
      kind: 'consented';
      /** The first opt-in. */
      at: Instant;
    }
  | {
      /** Another consent event for it is on record. */
      kind: 'event';
      /** The first such event. */
      at: Instant;
    }
  | {
      /** The data map's processing for it uses categories the CRM holds on the subject. */
      kind: 'data_held';
      /** Those categories. */
      categories: string[];
    }
  | {
      /** The subject is an existing customer and the purpose rests on a contract. */
      kind: 'customer';
    };

/** A purpose that applies to a subject, and why. */
export interface AppliedPurpose {
  /** The purpose. */
  purpose: Purpose;
  /** Every reason it applies, at least one. */
  because: Applies[];
}

// ---------------------------------------------------------------------------------------------
// Erasure, map, sweeps
// ---------------------------------------------------------------------------------------------

/** A value as the CRM's database stores it: null, a number, a string, or bytes as numbers 0-255. */
export type CrmValue = null | number | string | number[];

/** One row of a CRM table: each column and its value, in the table's order. */
export type CrmRecord = Record<string, CrmValue>;

/** How `generalize` coarsens a value, by `to`. */
export type Generalization =
  | { to: 'month' }
  | { to: 'year' }
  | {
      to: 'range';
      /** The width of each range. */
      width: number;
    }
  | {
      to: 'prefix';
      /** How many characters to keep. */
      keep: number;
    };

/** What an erasure does with one field, by `op`. */
export type Operator =
  | { op: 'keep' }
  | { op: 'null' }
  | { op: 'redact' }
  | {
      op: 'replace';
      /** The constant. */
      with: CrmValue;
    }
  | {
      op: 'mask';
      /** Characters kept at the start. */
      keep_first: number;
      /** Characters kept at the end. */
      keep_last: number;
    }
  | { op: 'hash' }
  | { op: 'pseudonymize' }
  | ({ op: 'generalize' } & Generalization);

/** One field an erasure changes. */
export interface FieldChange {
  /** The column. */
  field: string;
  /** The operator applied. */
  operator: Operator;
  /** The value written (the old value is not shown). */
  value: CrmValue;
}

/** The changes to one row. */
export interface RowChange {
  /** The row's id. */
  row: number;
  /** Each changed field. */
  fields: FieldChange[];
}

/** What an erasure does to one entity's rows, by `action`. */
export type EntityAction =
  | {
      /** Change the listed fields of the listed rows. */
      action: 'anonymize';
      /** The rows and their changes. */
      rows: RowChange[];
    }
  | {
      /** Delete the listed rows. */
      action: 'delete';
      /** The rows' ids. */
      rows: number[];
    }
  | {
      /** Keep the rows, under a legal obligation. */
      action: 'retain';
      /** Why. */
      reason: string;
      /** How many rows are kept. */
      rows: number;
    };

/** The plan of an erasure for one entity. */
export interface EntityPlan {
  /** The entity's name in the map. */
  entity: string;
  /** Its table. */
  table: string;
  /** What happens to its rows. */
  action: EntityAction;
  /** What is left afterwards. */
  outcome: ErasureOutcome;
  /** For a pseudonymized outcome, what made it so (absent otherwise). */
  why?: string[];
}

/** The plan of an erasure for one subject. */
export interface ErasurePlan {
  /** The subject. */
  subject: string;
  /** One plan per entity, in the map's order. */
  entities: EntityPlan[];
}

/** The options of `eraseSubject`. */
export interface EraseOptions {
  /** Only build the plan and change nothing; `false` when absent. */
  dryRun?: boolean;
}

/** What an erasure did, or would do in a dry run. */
export interface ErasureReport {
  /** The plan: every row and field changed, deleted or retained, per entity. */
  plan: ErasurePlan;
  /** Whether it was applied (false for a dry run). */
  applied: boolean;
  /** Ledger entries whose personal values and salts were erased. */
  ledger_entries_erased: number;
  /** Denials carried over the erasure. */
  denials_kept: number;
  /** Entries added to the suppression list (rule C9). */
  suppressed: number;
  /** What went wrong after the erasure was committed, each saying what to do. */
  warnings: string[];
}

/** The options of `executeRequest` and `completeWithExport`. */
export interface ByOptions {
  /** Who does it. */
  by: string;
}

/** An erasure request carried out: the erasure's report and the completed request. */
export interface ExecutedRequest {
  /** What the erasure did. */
  report: ErasureReport;
  /** The completed request, with its completion notice. */
  outcome: StepOutcome;
}

/** What the data map covers, once checked against the CRM's live schema. */
export interface MapCheck {
  /** How many entities it declares. */
  entities: number;
  /** How many fields, with their operators, across them. */
  fields: number;
  /** What to look at: what keeps an entity only pseudonymized, purposes with no processing. */
  warnings: string[];
}

/** Where a sweep stands, after each batch. */
export interface SweepProgress {
  /** The entity being swept. */
  entity: string;
  /** Rows done in this entity so far. */
  done: number;
  /** Rows to do in this entity. */
  total: number;
}

/** The options of `sweep`. */
export interface SweepOptions {
  /** Rows per transaction; 500 when absent. */
  batchSize?: number;
  /** Only count the rows whose retention ran out; `false` when absent. */
  dryRun?: boolean;
  /** Called after each batch and awaited; what it throws stops the sweep and rejects it. */
  progress?: ((progress: SweepProgress) => void | Promise<void>) | null;
}

/** What a sweep did to one entity. */
export interface SweptEntity {
  /** The entity's name in the map. */
  entity: string;
  /** What its retention rule does at the end. */
  action: EndAction;
  /** The rows it applied to (in a dry run, would apply to). */
  rows: number;
  /** The rows its retention rule cannot date, listed to be dated or decided on. */
  undated: number;
  /** The ids of the first of them (absent when there are none). */
  undated_rows?: number[];
  /** For rows anonymized by the map's operators, what is left of them. */
  outcome?: ErasureOutcome;
  /** What keeps the rows pseudonymized (absent when nothing does). */
  why?: string[];
}

/** What a sweep did (or would do, in a dry run), per entity. */
export interface SweepReport {
  /** Every entity with a retention rule, in the map's order. */
  entities: SweptEntity[];
  /** Whether anything was changed. */
  applied: boolean;
}

// ---------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------

/** The options of `export` and `exportPdf`. */
export interface ExportOptions {
  /** The language of the readable forms; the subject's, else French, when absent. */
  language?: Language;
}

/** The controller, as an export names it. */
export interface ExportController {
  /** The controller's name. */
  name: string;
  /** The supervisory authority the person may complain to (Art. 77). */
  authority: string;
}

/** The person, as an export names them. */
export interface ExportSubject {
  /** The CRM's id for them. */
  id: string;
  /** Their contact regime. */
  regime: Regime;
  /** Their e-mail address, where known. */
  email: string | null;
  /** The language they are written to in, where known. */
  language: Language | null;
  /** When gdprkit registered them. */
  registered_at: Instant;
}

/** The person's rows in one entity of the data map. */
export interface ExportEntity {
  /** The entity's name in the data map. */
  entity: string;
  /** Its rows, each with every column of the table. */
  records: CrmRecord[];
}

/** The CRM's data of one category. */
export interface ExportCategory {
  /** The category, as the data map names it. */
  name: string;
  /** Its entities and their rows. */
  entities: ExportEntity[];
}

/** One CRM event linked to the person. */
export interface ExportEvent {
  /** The entity it comes from. */
  entity: string;
  /** The entity's category. */
  category: string;
  /** When it happened, as the CRM stores it. */
  at: string | null;
  /** The row, with every column. */
  record: CrmRecord;
}

/** One consent event, as an export lists it. */
export interface ExportConsent {
  /** Its number in the ledger. */
  seq: number;
  /** What happened. */
  action: ConsentAction;
  /** The purpose, or `null` for an objection to all direct marketing. */
  purpose: string | null;
  /** The channel, or `null` for every channel. */
  channel: Channel | null;
  /** When it happened. */
  occurred_at: Instant;
  /** When it was recorded. */
  recorded_at: Instant;
  /** Where it came from. */
  source: ConsentSource | null;
  /** Who collected it: `subject`, `staff (NAME)` or `third_party (NAME)`. */
  collected_by: string | null;
  /** The version of the consent wording shown. */
  notice_version: string | null;
  /** The SHA-256 of that wording. */
  notice_sha256: string | null;
  /** The IP address recorded with it. */
  ip: string | null;
  /** The user agent recorded with it. */
  user_agent: string | null;
  /** The reference of a third party's proof. */
  proof_ref: string | null;
}

/** A note written to the person about a request. */
export interface ExportNote {
  /** When. */
  at: Instant;
  /** What. */
  text: string;
}

/** One request of the person, as an export lists it. */
export interface ExportRequest {
  /** Its id. */
  id: string;
  /** The right it exercised. */
  kind: RequestKind;
  /** How it came. */
  received_via: ReceivedVia;
  /** When it reached the controller. */
  received_at: Instant;
  /** Where it stands. */
  state: RequestState;
  /** Its due date. */
  due: CalendarDate;
  /** Whether the deadline was extended. */
  extended: boolean;
  /** The refusal code, if refused. */
  refusal: RefusalCode | null;
  /** When it was closed. */
  closed_at: Instant | null;
  /** The notes written to the person about it. */
  notes: ExportNote[];
}

/** A transfer of data outside the EEA (Art. 15(2)). */
export interface Transfer {
  /** The recipient, one of the processing's recipients. */
  recipient: string;
  /** The country or international organisation. */
  country: string;
  /** The safeguard (an adequacy decision, standard contractual clauses, …). */
  safeguard: string;
}

/** What the controller does with the data for one purpose (Art. 13-15). */
export interface ExportProcessing {
  /** The purpose's id. */
  purpose: string;
  /** Its label. */
  label: string;
  /** Its legal basis. */
  legal_basis: LegalBasis;
  /** Whether it is direct marketing. */
  direct_marketing: boolean;
  /** The categories of data it uses. */
  categories: string[];
  /** Who receives the data, by name. */
  recipients: string[];
  /** How long the data are kept, in words. */
  retention: string | null;
  /** Where the data come from, when not from the person. */
  source: string | null;
  /** Automated decision-making or profiling, with its logic (Art. 15(1)(h)). */
  automated_decision: string | null;
  /** Transfers outside the EEA, per recipient, with their safeguard. */
  transfers: Transfer[];
}

/** One disclosure of the person's data, as an export lists it. */
export interface ExportDisclosure {
  /** Who received the data, by name. */
  recipient: string;
  /** When. */
  disclosed_at: Instant;
}

/** One of the person's rights, with its article. */
export interface ExportRight {
  /** Its name. */
  right: RightName;
  /** The article of the GDPR that grants it. */
  article: string;
}

/** Everything held on one person: the JSON export, version 3 (docs/export-schema.md). */
export interface Export {
  /** Always `gdprkit-export`. */
  format: 'gdprkit-export';
  /** The schema version. */
  version: 3;
  /** When the export was made. */
  generated_at: Instant;
  /** The language of the readable forms. */
  language: Language;
  /** Who holds the data, and where to complain. */
  controller: ExportController;
  /** The person. */
  subject: ExportSubject;
  /** The CRM's data on the person, grouped by category. */
  categories: ExportCategory[];
  /** The CRM events linked to the person, oldest first. */
  events: ExportEvent[];
  /** Every consent event, oldest first. */
  consents: ExportConsent[];
  /** Every request the person made, oldest first. */
  requests: ExportRequest[];
  /** For each purpose that applies to the person: what is done with the data. */
  processing: ExportProcessing[];
  /** To whom the person's data were disclosed, and when. */
  disclosures: ExportDisclosure[];
  /** The person's rights, each with its article. */
  rights: ExportRight[];
}

/** The export attached to a completed access (PDF) or portability (JSON) request. */
export interface ExportAttachment extends MailAttachment {
  /** `export.pdf` for access, `export.json` for portability. */
  filename: 'export.pdf' | 'export.json';
  /** `application/pdf` or `application/json`. */
  content_type: 'application/pdf' | 'application/json';
  /** Its bytes, to download, print and post. */
  bytes: Buffer;
}

/** A request completed with its export. */
export interface CompletedWithExport {
  /** The step's outcome: the request, and the completion notice. */
  outcome: StepOutcome;
  /** The export, whether or not the notice was mailed. */
  attachment: ExportAttachment;
}

// ---------------------------------------------------------------------------------------------
// Outbox, unsubscribe, suppression, changes, settings
// ---------------------------------------------------------------------------------------------

/** What one call of `deliverPending` did. */
export interface DeliveryReport {
  /** Messages the server accepted, by outbox id. */
  delivered: number[];
  /** Messages whose attempt failed, each as `[outbox id, error]`, kept for a later attempt. */
  failed: Array<[number, string]>;
  /** Messages still pending whose next attempt is not due yet. */
  waiting: number;
}

/** The options of `outbox`. */
export interface OutboxOptions {
  /** List every message, delivered and cancelled ones included; only pending ones when absent. */
  all?: boolean;
}

/** A message in the outbox, as listed: no address, text or attachment. */
export interface OutboxItem {
  /** Its id: the number of the ledger entry recording it. */
  id: number;
  /** Its `Message-ID`, the same on every attempt. */
  message_id: string;
  /** What it is. */
  kind: MessageKind;
  /** The person it is to. */
  subject: string;
  /** The request it is about, if any. */
  request: string | null;
  /** Where it stands. */
  state: OutboxState;
  /** When it was queued. */
  queued_at: Instant;
  /** How many delivery attempts failed so far. */
  failed_attempts: number;
  /** The mail server's last answer, after a failure. */
  last_error: string | null;
  /** When the next attempt is due, while pending. */
  next_attempt_at: Instant | null;
  /** When the server accepted it. */
  delivered_at: Instant | null;
}

/** The options of `unsubscribeToken`: a purpose and a channel, or neither (all direct marketing). */
export type UnsubscribeTokenOptions =
  | {
      /** The purpose to opt out of. */
      purpose: string;
      /** The channel to opt out on. */
      channel: Channel;
    }
  | {
      /** Neither: an objection to all direct marketing. */
      purpose?: undefined;
      /** Neither: an objection to all direct marketing. */
      channel?: undefined;
    };

/** What following an unsubscribe reference did. */
export interface Unsubscribed {
  /** The person. */
  subject: string;
  /** Whether this call recorded the opt-out (false: it was followed before). */
  recorded: boolean;
  /** The opt-out (or objection) event, as recorded now or before. */
  event: ConsentEvent;
}

/** The suppression list summed up: entries per kind of identifier, scope and denial. */
export interface SuppressionGroup {
  /** What the hashes are of. */
  identifier: IdentifierKind;
  /** The purpose denied, or `null` for all direct marketing. */
  purpose: string | null;
  /** The channel denied, or `null` for every channel. */
  channel: Channel | null;
  /** The denial. */
  action: ConsentAction;
  /** How many entries. */
  entries: number;
  /** The first erasure that added one. */
  first_erased_at: Instant;
  /** The last. */
  last_erased_at: Instant;
  /** Until when the last is kept at least. */
  keep_until: Instant;
}

/** The options of `changesSince`. */
export interface ChangesOptions {
  /** The most changes to return, 1 to 10 000; 1000 when absent. */
  limit?: number;
}

/** What a change is, by its `type`. */
export type ChangeKind =
  | {
      /** A purpose was registered. */
      type: 'purpose_registered';
      /** Its id. */
      purpose: string;
    }
  | {
      /** A custom channel was declared with its kind. */
      type: 'channel_declared';
      /** Its name. */
      channel: string;
      /** Its kind. */
      kind: ChannelKind;
    }
  | {
      /** A subject was registered. */
      type: 'subject_registered';
    }
  | {
      /** The tenant's settings were saved. */
      type: 'settings_saved';
      /** The time zone. */
      time_zone: string;
      /** The holiday calendar's name. */
      calendar: string;
    }
  | {
      /** A consent event. */
      type: 'consent';
      /** What the subject did. */
      action: ConsentAction;
      /** The purpose, or `null` for all direct marketing. */
      purpose: string | null;
      /** The channel, or `null` for every channel. */
      channel: string | null;
      /** When it happened. */
      occurred_at: Instant;
    }
  | {
      /** Processing was restricted, or the restriction lifted. */
      type: 'restriction';
      /** Whether processing is restricted from now on. */
      restricted: boolean;
      /** From when. */
      occurred_at: Instant;
    }
  | {
      /** A request was opened, or took a step. */
      type: 'request';
      /** The request's id. */
      request: string;
      /** The step: `open`, `accept`, `complete`, `recipient_tasks`, … */
      action: string;
      /** Its state after the step, for a step of its life. */
      state: RequestState | null;
      /** The right it exercises, for a step of its life. */
      kind: RequestKind | null;
      /** Its due date after the step, for a step of its life. */
      due: CalendarDate | null;
    }
  | {
      /** The subject's data was disclosed to a recipient. */
      type: 'disclosure';
    }
  | {
      /** The subject's data was erased. */
      type: 'erasure';
    }
  | {
      /** A message to the subject was queued in the outbox. */
      type: 'message';
      /** What it is. */
      message: MessageKind;
      /** The request it is about, if any. */
      request: string | null;
    }
  | {
      /** The subject was given the information notice. */
      type: 'informed';
      via: InformedVia;
      notice_version: string;
      at: Instant;
    }
  | {
      /** The subject was exempted from being told (the reason stays in the ledger). */
      type: 'information_exempted';
      ground: ExemptionGround;
    }
  | {
      /** The CRM recorded a communication with the subject. */
      type: 'contacted';
      at: Instant;
    };

/** One change of the feed: a ledger entry, without personal values. */
export type Change = {
  /** Its position in the feed: the ledger entry's number. */
  seq: number;
  /** When it was recorded. */
  recorded_at: Instant;
  /** The subject it is about, while the ledger still links it to them. */
  subject: string | null;
} & ChangeKind;

/** A page of the change feed. */
export interface ChangePage {
  /** The changes after the cursor given, oldest first. */
  changes: Change[];
  /** The cursor to pass next: the last change's `seq`, or the cursor given when there was none. */
  next_cursor: number;
}

/** The time zone and calendar in use, and whether they are the tenant's stored settings. */
export interface SettingsView {
  /** The time zone in use. */
  time_zone: string;
  /** The name of the holiday calendar in use (`FR`, `FR-AM`, a file's name). */
  calendar: string;
  /** Whether the settings in use are the tenant's stored ones. */
  stored: boolean;
}

/** A holiday calendar as the tenant's settings keep it, by its `kind`. */
export type CalendarSetting =
  | {
      /** France's national holidays (`FR`). */
      kind: 'france';
    }
  | {
      /** France in Alsace and Moselle (`FR-AM`). */
      kind: 'france_alsace_moselle';
    }
  | {
      /** A calendar read from an iCalendar file or a list of dates, kept whole. */
      kind: 'listed';
      /** Its name. */
      name: string;
      /** The holidays listed one by one. */
      dates: CalendarDate[];
      /** Holidays that recur every year, as `[month, day, first year]`. */
      yearly: Array<[number, number, number]>;
    };

/** The settings stored for a tenant. */
export interface TenantSettings {
  /** The controller's time zone, an IANA name. */
  time_zone: string;
  /** The holiday calendar deadlines roll over. */
  calendar: CalendarSetting;
}

// ---------------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------------

/** The decisions of a campaign, one per subject in the order asked, kept in the core. */
export declare class Campaign implements Iterable<Decision> {
  /** Made by `Gdpr.campaign`. */
  private constructor();
  /** How many decisions: one per subject asked about. */
  readonly length: number;
  /** The ids of the subjects who may be contacted, in the order asked. */
  readonly allowed: string[];
  /** Decision `i` (negative counts from the end), as `decide` gives it; `undefined` past the end. */
  at(i: number): Decision | undefined;
  /** Every decision, in the order asked. */
  [Symbol.iterator](): Generator<Decision, void, unknown>;
}

/** gdprkit for one tenant, on a SQLite file (a path) or a PostgreSQL database (a URL). */
export declare class Gdpr {
  /** Use `Gdpr.open` or `Gdpr.fromConfig`. */
  private constructor();

  /**
   * Opens gdprkit on `store` (a SQLite path, a `postgres://` URL or `:memory:`), with the other
   * settings of the configuration as camelCase options, a `mailer` and a `clock`.
   */
  static open(store: string, options?: OpenOptions | null): Promise<Gdpr>;

  /**
   * Opens gdprkit from one configuration object (the keys of `Gdpr.open`'s options, `store`
   * among them, camelCase or as the core names them), as read from a JSON or TOML file.
   */
  static fromConfig(config: GdprConfig | GdprConfigFile, hooks?: GdprHooks): Promise<Gdpr>;

  // Purposes, channels and subjects.

  /** Registers a purpose with its legal basis (`consent`, `contract`, …). */
  addPurpose(id: string, options: AddPurposeOptions): Promise<void>;

  /** The purpose with this id. */
  purpose(id: string): Promise<Purpose>;

  /** Every registered purpose, ordered by id. */
  purposes(): Promise<Purpose[]>;

  /** Declares a channel of the CRM's own as `electronic`, `phone` or `post`. */
  addChannel(name: string, options: AddChannelOptions): Promise<void>;

  /** The channels declared with `addChannel`, ordered by name. */
  channels(): Promise<DeclaredChannel[]>;

  /** Registers a subject under a regime (`b2b_opt_out`, `b2c_opt_in`, `soft_opt_in`). */
  addSubject(id: string, options: NewSubjectOptions): Promise<Subject>;

  /** Registers many subjects in one transaction, all or none. */
  addSubjects(subjects: Iterable<NewSubject>): Promise<Subject[]>;

  /** The subject with this id. */
  subject(id: string): Promise<Subject>;

  // Consent.

  /** Records an opt-in, opt-out, withdrawal or objection, with its proof. */
  recordConsent(subject: string, options: ConsentOptions): Promise<ConsentEvent>;

  /** Records many consent events in one transaction; returns their ledger entry numbers. */
  recordConsents(events: Iterable<NewConsent>): Promise<number[]>;

  /** Whether the subject may be contacted for the purpose on the channel, and why. */
  decide(subject: string, purpose: string, channel: Channel, options?: DecideOptions): Promise<Decision>;

  /** The same decision for many subjects, in their order, in one call. */
  campaign(subjects: Iterable<string>, purpose: string, channel: Channel, options?: DecideOptions): Promise<Campaign>;

  /** Every consent event of the subject, oldest first. */
  history(subject: string): Promise<ConsentEvent[]>;

  /** Verifies the tenant's hash chain entry by entry. */
  verifyLedger(): Promise<Verification>;

  // Requests.

  /** Opens a request; the result holds the request, its tracking token and the receipt notice. */
  openRequest(subject: string, options: OpenRequestOptions): Promise<OpenedRequest>;

  /**
   * Takes a step in a request's life (`accept`, `refuse`, `complete`, …), by `by`, with the step's
   * own fields in camelCase (`reason`, `code`, `ground`, `kept`, `deliveredBy`, `on`, …).
   */
  act<A extends StepAction>(request: string, action: A, options: ActOptionsFor<A>): Promise<StepOutcome>;

  /** The request with this id. */
  request(id: string): Promise<Request>;

  /** Every request, oldest first. */
  requests(): Promise<Request[]>;

  /** Every request of one subject, oldest first. */
  subjectRequests(subject: string): Promise<Request[]>;

  /** What a tracking token shows, or `null` for a token that matches no request. */
  track(token: string): Promise<TrackView | null>;

  /** Open requests past their due date today. */
  overdueRequests(): Promise<Request[]>;

  /** Requests refused or completed after their due date. */
  lateRequests(): Promise<Request[]>;

  /** Open requests due today or within `days` days. */
  requestsDueWithin(days: number): Promise<Request[]>;

  /** The due dates of a request received on `received` (`YYYY-MM-DD`, the controller's date). */
  deadline(received: CalendarDate): Promise<Deadlines>;

  /** Lifts the restriction a restriction request put in place, once the subject was told. */
  liftRestriction(request: string, options: LiftRestrictionOptions): Promise<void>;

  /** Records that the subject's data went to `recipient`. */
  recordDisclosure(subject: string, recipient: string, options?: DisclosureOptions): Promise<Disclosure>;

  /** The recipients the subject's data went to, oldest first (Art. 19). */
  disclosures(subject: string): Promise<Disclosure[]>;

  /** The recipients to tell about a completed rectification, erasure or restriction. */
  recipientTasks(request: string): Promise<RecipientTask[]>;

  /** Marks a recipient as told (`sent`), or not told (`skipped`) for a reason Art. 19 allows. */
  markRecipientTask(request: string, recipient: string, options: MarkRecipientTaskOptions): Promise<RecipientTask>;

  /** The purposes that apply to the subject, and why. */
  purposesApplyingTo(subject: string): Promise<AppliedPurpose[]>;

  // Erasure, retention, exports.

  /** Erases the subject by the data map (or, with `dryRun`, shows the plan). */
  eraseSubject(subject: string, options?: EraseOptions): Promise<ErasureReport>;

  /** Carries out an accepted erasure or anonymization request and completes it. */
  executeRequest(request: string, options: ByOptions): Promise<ExecutedRequest>;

  /** Finishes the erasures a crash interrupted; resolves to the subjects finished. */
  finishInterruptedErasures(): Promise<string[]>;

  /** Checks the data map against the CRM's tables; `warnings` lists what to look at. */
  checkMap(): Promise<MapCheck>;

  /**
   * Applies the data map's retention rules (or, with `dryRun`, counts the rows due), in
   * transactions of `batchSize` rows. `progress` is called after each batch and awaited; what it
   * throws stops the sweep and rejects it as it was thrown (the batches committed stay done).
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;

  /** Everything held on the subject, as the JSON export (portability, Art. 20). */
  export(subject: string, options?: ExportOptions): Promise<Export>;

  /** Everything held on the subject as a PDF/A to read, print and post (Art. 15). */
  exportPdf(subject: string, options?: ExportOptions): Promise<Buffer>;

  /**
   * Completes an accepted access (a PDF) or portability (JSON) request with the export: mailed
   * with the completion notice when the subject has an address; its `attachment` (`filename`,
   * `content_type`, `bytes` as a Buffer) is there to print and post either way.
   */
  completeWithExport(request: string, options: ByOptions): Promise<CompletedWithExport>;

  /**
   * Offers the copy of an access or portability request in progress for download on the portal
   * for the configured number of days, and tells the person (a `copy_ready` notice); their first
   * download completes the request (E3).
   */
  offerDownload(request: string, options: ByOptions): Promise<StepOutcome>;

  /** What the person wrote with a request they submitted on the portal; `null` when nothing. */
  requestMessage(request: string): Promise<string | null>;

  /** Sends what waits in the outbox. */
  deliverPending(): Promise<DeliveryReport>;

  /** The messages waiting to be sent, or with `all` every message, sent ones included. */
  outbox(options?: OutboxOptions): Promise<OutboxItem[]>;

  /** A reference for a message's unsubscribe link (a purpose and channel, or neither). */
  unsubscribeToken(subject: string, options?: UnsubscribeTokenOptions): Promise<string>;

  /** Records the opt-out an unsubscribe reference stands for (once, however often followed). */
  unsubscribe(token: string): Promise<Unsubscribed>;

  /** The keyed hashes of erased subjects' addresses with their opt-outs, summed up. */
  suppressionList(): Promise<SuppressionGroup[]>;

  /** The ledger's changes after `since` (0 when absent), without personal values. */
  changesSince(since?: number, options?: ChangesOptions): Promise<ChangePage>;

  /** The time zone and holiday calendar in use, and whether they are stored. */
  settings(): Promise<SettingsView>;

  /** Stores the time zone and calendar in use as the tenant's. */
  saveSettings(): Promise<TenantSettings>;

  /** The information notice (Arts. 13 and 14) as a PDF/A to print and post. */
  informationNoticePdf(subject?: string, options?: { language?: Language }): Promise<Buffer>;

  /** The information notice (rule I1) for a subject, or for every purpose of the map. */
  informationNotice(subject?: string, options?: { language?: Language }): Promise<InformationNotice>;

  /** Where the right to information stands for a subject (rules I2 to I4). */
  informationStatus(subject: string): Promise<InformationStatus>;

  /** The subjects still to be told, by due date; with `overdueOnly`, those past it. */
  informationDue(options?: { overdueOnly?: boolean }): Promise<InformationStatus[]>;

  /** Gives a subject the notice and records it as an `informed` ledger event (rule I4). */
  inform(subject: string, options: InformOptions): Promise<GivenInformation>;

  /** Records an exemption of Art. 14(5) for a subject; returns its ledger entry. */
  exemptFromInformation(subject: string, exemption: NewExemption): Promise<number>;

  /** Records the exemption for every subject of a source still to be told; returns their ids. */
  exemptSourceFromInformation(source: DataSource, exemption: NewExemption): Promise<string[]>;

  /** Records that the CRM communicated with a subject (Art. 14(3)(b)); returns its ledger entry. */
  recordCommunication(subject: string, options?: { at?: DateInput }): Promise<number>;

  /** A subject's consent events as ISO/IEC TS 27560 records: JSON-LD with W3C DPV terms. */
  consentReceipt(subject: string): Promise<Array<Record<string, unknown>>>;
}

/** Every method the core answers by name, as `Gdpr` calls them (in the core's snake_case). */
export declare function methods(): string[];
