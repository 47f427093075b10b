//! The command line, as clap reads it. Values are kept as text here and checked by the core, so
//! that every refusal reads the same whether it comes from the shell or from a program.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// gdprkit: consents, decisions and a tamper-evident ledger for a CRM.
#[derive(Debug, Parser)]
#[command(name = "gdprkit", version, about)]
pub struct Cli {
    /// The database: a file path (SQLite) or a postgres:// URL.
    #[arg(long, global = true, env = "GDPRKIT_DB", default_value = "./gdprkit.db", value_name = "PATH|URL")]
    pub db: String,
    /// The tenant to work on.
    #[arg(long, global = true, default_value = "default", value_name = "ID")]
    pub tenant: String,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Act as if it were this instant (RFC 3339), for replays and tests.
    #[arg(long, global = true, value_name = "RFC3339")]
    pub now: Option<String>,
    /// The erasure journal: a file outside the database (another disk, out of its backups) that
    /// every erasure and sweep appends a line to, for `erasures reapply` after a restore.
    #[arg(long, global = true, env = "GDPRKIT_ERASURE_JOURNAL", value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// The country phone numbers without their country code are read in (ISO 3166-1 alpha-2;
    /// FR when omitted).
    #[arg(long, global = true, env = "GDPRKIT_COUNTRY", value_name = "CC")]
    pub country: Option<String>,
    /// The controller's name, as notices and exports sign them ("the data controller" when
    /// omitted).
    #[arg(long = "controller", global = true, env = "GDPRKIT_CONTROLLER", value_name = "NAME")]
    pub controller: Option<String>,
    /// The address of the person-facing portal (https://privacy.example.com): receipts link to
    /// it, and a copy offered for download is announced with it.
    #[arg(long, global = true, env = "GDPRKIT_PORTAL", value_name = "URL")]
    pub portal: Option<String>,
    /// How log lines are written on stderr: human, or json for a log shipper. What is logged is
    /// set by GDPRKIT_LOG (info, debug, gdprkit=debug, …): warnings only by default, each request
    /// for `serve`.
    #[arg(long, global = true, env = "GDPRKIT_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: crate::logging::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// `gdprkit channel …`
#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// Declare a custom channel's kind. A custom channel never declared is taken as electronic.
    Add {
        /// The channel's name: 1 to 32 lower-case letters, digits, '-' and '_'.
        name: String,
        /// electronic (automated calls, messaging apps), phone (a person calling) or post.
        #[arg(long, value_name = "KIND")]
        kind: String,
    },
    /// List the declared channels.
    List,
}

/// `gdprkit settings …`
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the time zone and holiday calendar in use, and whether they are the tenant's stored
    /// settings.
    Show,
    /// Store the tenant's time zone and holiday calendar (rule R2): every later command, on any
    /// server, reads receipt dates in them.
    Save {
        /// An IANA time zone (Europe/Lisbon); the one in use when omitted.
        #[arg(long, value_name = "ZONE")]
        zone: Option<String>,
        /// FR, FR-AM (Alsace-Moselle), an iCalendar file or a file of dates; the one in use when
        /// omitted.
        #[arg(long, value_name = "CALENDAR")]
        calendar: Option<String>,
    },
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Purposes of processing.
    #[command(subcommand)]
    Purpose(PurposeCommand),
    /// Custom channels and their kind (electronic, phone or post), which the rules for direct
    /// marketing look at.
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// The tenant's time zone and holiday calendar, which request deadlines follow.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The default rule table that decides contact when no opt-in, opt-out or objection applies
    /// (rule C4), with the legal source of each row.
    Rules,
    /// Data subjects.
    #[command(subcommand)]
    Subject(SubjectCommand),
    /// The suppression list: keyed hashes of the addresses and numbers of erased people who
    /// opted out of or objected to direct marketing (rule C9).
    #[command(subcommand)]
    Suppression(SuppressionCommand),
    /// Consent events and decisions.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// The tamper-evident ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Requests from data subjects.
    #[command(subcommand)]
    Request(RequestCommand),
    /// Who a subject's data was disclosed to (Art. 19).
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// Data maps: where a subject's data lives in the CRM's tables.
    #[command(subcommand)]
    Map(MapCommand),
    /// The right to information (Arts. 13 and 14).
    #[command(subcommand)]
    Information(InformationCommand),
    /// The ledger as a feed of changes without personal values, after a cursor: for a CRM that
    /// keeps its own tables in step or sends webhooks.
    Changes {
        /// The cursor: the `seq` of the last change already read (0 for the start).
        #[arg(long, value_name = "N", default_value_t = 0)]
        since: u64,
        /// The most changes to print (at most 10000).
        #[arg(long, value_name = "N", default_value_t = 1000)]
        limit: usize,
    },
    /// Erasures recorded in the erasure journal.
    #[command(subcommand)]
    Erasures(ErasuresCommand),
    /// Messages to subjects (notices, exports), written with the steps that produce them and
    /// delivered after.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Serve the portal where people follow their requests and unsubscribe in one click, on
    /// ADDR, behind your reverse proxy (TLS is the proxy's). Logs one line per request on
    /// stderr, with no token or personal data; stops on Ctrl-C or SIGTERM once the requests in
    /// flight are answered. Unsubscribe links need GDPRKIT_HMAC_KEY.
    Serve {
        /// The address to listen on; port 0 picks a free one (the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: std::net::SocketAddr,
        /// The controller's name, as the pages show it.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A directory of templates replacing the embedded ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// The origin people reach the portal at (https://privacy.example.com), for the CSRF
        /// check of browsers that send no Sec-Fetch-Site.
        #[arg(long, value_name = "URL")]
        public_origin: Option<String>,
        /// A reverse proxy whose X-Forwarded-For names the client (repeatable); otherwise the
        /// socket's peer is the client the rate limits count.
        #[arg(long = "trusted-proxy", value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Cookies without Secure, for a portal reached over plain HTTP (on loopback, in tests).
        #[arg(long)]
        insecure_cookies: bool,
        /// The data map (TOML) of the CRM's tables in the --db database: with it, the person
        /// downloads the copy of an access or portability request offered to them.
        #[arg(long, value_name = "FILE")]
        map: Option<PathBuf>,
        /// Days a copy offered stays downloadable (1 to 90; 7 by default).
        #[arg(long, value_name = "DAYS")]
        download_days: Option<u32>,
        /// Token and code lookups (following a request, a reference, a confirmation, a download)
        /// allowed per client: this many at once, then this many a minute (10 by default).
        #[arg(long, value_name = "N")]
        lookup_limit: Option<u32>,
        /// Requests submitted per client: this many at once, then one a minute (3 by default).
        #[arg(long, value_name = "N")]
        submission_limit: Option<u32>,
        /// The SMTP server the portal's messages go through (the confirmation of a request
        /// submitted there, its receipt): smtp://HOST:PORT, smtp://HOST:PORT?tls=required or
        /// smtps://HOST:PORT. Without it they wait in the outbox for `gdprkit outbox deliver`.
        #[arg(long, value_name = "URL")]
        smtp: Option<String>,
    },
    /// Erase a subject: the CRM's rows by the data map (the --db database holds them), then what
    /// gdprkit keeps. A map that pseudonymizes needs GDPRKIT_HMAC_KEY.
    Erase {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// The data map (TOML).
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        /// Show the plan: every row and field that would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export everything held on a subject (GDPR Art. 15): their rows in the CRM's tables of the
    /// --db database, their consents, requests and disclosures, and what is done with their data; as
    /// a PDF to read, print or post, or as JSON for portability (Art. 20).
    Export(ExportArgs),
    /// Apply the data map's retention rules: anonymize or delete every row whose retention ran
    /// out, in batches; an interrupted sweep resumes, and a second one changes nothing.
    Sweep {
        /// The data map (TOML); the --db database holds the CRM's tables.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        /// Count the rows whose retention ran out, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        batch: usize,
    },
    /// The due dates of a request received on a date (Art. 12(3)).
    Deadline {
        /// When the request was received: a date (YYYY-MM-DD) in the controller's time zone, or
        /// an instant (RFC 3339), read in --zone.
        #[arg(long, value_name = "DATE|RFC3339")]
        received: String,
        /// The controller's time zone, an IANA name.
        #[arg(long, default_value = "Europe/Paris", value_name = "ZONE")]
        zone: String,
        /// The holidays that apply: FR, FR-AM (Alsace-Moselle), or an .ics file or a list of
        /// dates.
        #[arg(long, default_value = "FR", value_name = "CODE|FILE")]
        calendar: String,
    },
    /// Build a sample CRM in a fresh SQLite file and walk it through gdprkit.
    Demo {
        /// Where to write the demo's files.
        #[arg(long, default_value = "gdprkit-demo", value_name = "DIR")]
        dir: PathBuf,
    },
}

/// `gdprkit purpose …`
#[derive(Debug, Subcommand)]
pub enum PurposeCommand {
    /// Register a purpose.
    Add {
        /// The purpose's id.
        id: String,
        /// consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests.
        #[arg(long, value_name = "BASIS")]
        legal_basis: String,
        /// The purpose is direct marketing: an objection stops it (Art. 21).
        #[arg(long)]
        direct_marketing: bool,
        /// Its messages do not relate to the recipient's profession: professional contacts then
        /// need an opt-in for it by electronic channels, as consumers do (CNIL's B2B rule).
        #[arg(long)]
        not_professional: bool,
        /// A readable label (the id when omitted).
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
    },
    /// List the purposes.
    List,
}

/// `gdprkit subject …`
#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Register a subject.
    Add {
        /// The CRM's id for the subject.
        id: String,
        /// b2b_opt_out, b2c_opt_in or soft_opt_in.
        #[arg(long, value_name = "REGIME")]
        regime: String,
        /// The subject's e-mail address.
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// fr or en.
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// The subject's phone number: with its + country code, or in --country.
        #[arg(long, value_name = "NUMBER")]
        phone: Option<String>,
        #[command(flatten)]
        origin: OriginArgs,
    },
}

/// Where a subject's data came from (Arts. 13 and 14).
#[derive(Debug, Args)]
pub struct OriginArgs {
    /// Where the subject's data came from: collected (from them), purchased-list, trade-fair,
    /// public-directory, partner or other. From another source, they must be told within a month
    /// (`information due`).
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// A free reference to the source: the list, the fair, the partner.
    #[arg(long, value_name = "TEXT", requires = "source")]
    pub source_ref: Option<String>,
    /// When the data was obtained (RFC 3339); the registration when absent.
    #[arg(long, value_name = "INSTANT", requires = "source")]
    pub obtained_at: Option<String>,
}

/// `gdprkit suppression …`
#[derive(Debug, Subcommand)]
pub enum SuppressionCommand {
    /// Show the suppression list summed up: entries per kind of identifier, denial and scope,
    /// with their dates. No hash and no clear value.
    List,
}

/// `gdprkit consent …`
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Record a consent event.
    Record(RecordArgs),
    /// Say whether a subject may be contacted: exit 0 allowed, 1 not allowed, 2 error.
    Check {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        #[command(flatten)]
        what: DecideFor,
    },
    /// A campaign's filter: the subjects that may be contacted for a purpose on a channel, one id a
    /// line (with --all, every subject with its decision), read and decided page by page; with
    /// --json, one decision a line. The count goes to stderr.
    Campaign {
        #[command(flatten)]
        what: DecideFor,
        /// Every subject, allowed or not, with the reason.
        #[arg(long)]
        all: bool,
        /// Subjects read and decided at a time.
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        page: usize,
    },
    /// A subject's consent events as consent records in the ISO/IEC TS 27560 structure, oldest
    /// first: with --json, JSON-LD with W3C DPV terms (docs/consent-records.md). Needs --controller.
    Receipt {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
    },
    /// Every consent event of a subject, oldest first.
    History {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
    },
    /// Make a one-click unsubscribe reference for a message to a subject (signed with
    /// GDPRKIT_HMAC_KEY): for --purpose and --channel, or, with neither, for all direct marketing.
    UnsubscribeToken {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// The purpose (with --channel).
        #[arg(long, value_name = "ID", requires = "channel")]
        purpose: Option<String>,
        /// The channel (with --purpose).
        #[arg(long, value_name = "CHANNEL", requires = "purpose")]
        channel: Option<String>,
    },
    /// Follow an unsubscribe reference: record the opt-out (or objection) it was made for, once.
    Unsubscribe {
        /// The reference.
        token: String,
    },
}

/// What `consent check` and `consent campaign` decide for.
#[derive(Debug, Args)]
pub struct DecideFor {
    /// The purpose.
    #[arg(long, value_name = "ID")]
    pub purpose: String,
    /// The channel.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: String,
    /// The instant to decide for (now when omitted).
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

/// `gdprkit export …`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The subject.
    #[arg(long, value_name = "ID")]
    pub subject: String,
    /// The data map (TOML), with the entities to read and the processing to describe.
    #[arg(long, value_name = "FILE")]
    pub map: PathBuf,
    /// `pdf` or `json`.
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// The PDF's standard: `a-3b` (the default: the JSON export travels inside the PDF as an
    /// attached file) or `a-2b` (the PDF alone).
    #[arg(long, value_name = "STANDARD")]
    pub pdf_standard: Option<String>,
    /// Where to write the export. An existing file is replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The language of the PDF and of the mail: `fr` or `en` (default: the subject's, else
    /// French).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Also mail the export to the subject's e-mail address, through --smtp.
    #[arg(long, requires = "smtp")]
    pub mail: bool,
    /// The SMTP server: smtp://HOST:PORT, smtp://HOST:PORT?tls=required or smtps://HOST:PORT.
    /// The sender comes from GDPRKIT_SMTP_FROM, credentials from GDPRKIT_SMTP_USER and
    /// GDPRKIT_SMTP_PASSWORD.
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,
}

/// `gdprkit consent record …`
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The subject.
    #[arg(long, value_name = "ID")]
    pub subject: String,
    /// opt_in, opt_out, withdraw, object, soft_opt_in_offered or reconfirm_requested.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The purpose (required except for object, where none means all direct marketing).
    #[arg(long, value_name = "ID")]
    pub purpose: Option<String>,
    /// The channel (required except for object, where none means every channel).
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// When it happened (now when omitted).
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// web-form, phone, email, paper, import or api.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// subject, staff:NAME or third-party:NAME.
    #[arg(long, value_name = "WHO")]
    pub collected_by: Option<String>,
    /// The version of the consent wording shown.
    #[arg(long, value_name = "V")]
    pub notice_version: Option<String>,
    /// The SHA-256 of that wording, in hex.
    #[arg(long, value_name = "HEX")]
    pub notice_sha256: Option<String>,
    /// The subject's IP address.
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// The subject's user agent.
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// The reference of a third party's proof.
    #[arg(long, value_name = "REF")]
    pub proof_ref: Option<String>,
}

/// `gdprkit ledger …`
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Verify the tenant's chain: exit 0 when intact, 1 naming the first bad entry, or the
    /// checkpoint it contradicts.
    Verify {
        /// A checkpoint file from `ledger checkpoint` (repeat for several): the chain must be at
        /// least as long as each, and agree with it. Fails naming the file otherwise.
        #[arg(long, value_name = "FILE")]
        checkpoint: Vec<PathBuf>,
        /// The public key trusted to have signed the checkpoints (64 hexadecimal digits).
        /// Default: the public half of GDPRKIT_SIGNING_KEY.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
    /// Verify the chain and print its head (entry number, hash, instant) signed with the Ed25519
    /// key in GDPRKIT_SIGNING_KEY, as JSON: keep it outside the database (mail it to the DPO,
    /// store it in another system) for `ledger verify --checkpoint`.
    Checkpoint,
    /// Make a new checkpoint signing key: prints the secret (for GDPRKIT_SIGNING_KEY) and its
    /// public key.
    Keygen,
}

/// `gdprkit erasures …`
#[derive(Debug, Subcommand)]
pub enum ErasuresCommand {
    /// After restoring the database from a backup: erase again every subject whose journaled
    /// erasure the restored ledger does not show, and sweep again. Run twice, it changes nothing
    /// the second time. Needs --journal.
    Reapply {
        /// The data map (TOML) the erasures are done with.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        /// Say what would be erased, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `gdprkit outbox …`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List the messages not delivered yet, with their attempts and the server's last answer.
    List {
        /// Every message, delivered and cancelled ones too.
        #[arg(long)]
        all: bool,
    },
    /// Deliver every message whose attempt is due; one that fails is kept for a later attempt.
    /// Exit 0 when none failed, 1 otherwise.
    Deliver {
        /// The SMTP server: smtp://HOST:PORT, smtp://HOST:PORT?tls=required, smtps://HOST:PORT or
        /// smtp://HOST:PORT?trusted=local. The sender comes from GDPRKIT_SMTP_FROM, credentials
        /// from GDPRKIT_SMTP_USER and GDPRKIT_SMTP_PASSWORD. Default: the configuration's smtp.
        #[arg(long, value_name = "URL")]
        smtp: Option<String>,
    },
}

/// `gdprkit request …`
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Open a request: prints its id, its tracking token (shown once) and its due date.
    Open {
        /// The subject who made it.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// access, rectification, erasure, restriction, portability, objection or anonymization.
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// email, phone, post, web or in-person.
        #[arg(long, value_name = "CHANNEL")]
        via: String,
        /// When it was received (now when omitted).
        #[arg(long, value_name = "RFC3339")]
        received_at: Option<String>,
        /// For an objection, a purpose objected to (repeat it): direct marketing stops at once;
        /// a purpose on public_task or legitimate_interests is restricted while the objection is
        /// assessed (Art. 21(1)). None means all direct marketing.
        #[arg(long = "purpose", value_name = "PURPOSE")]
        purposes: Vec<String>,
    },
    /// Show a request.
    Show {
        /// The request's id.
        id: String,
    },
    /// What the subject sees with a tracking token: exit 0 when it matches a request, 1 when not.
    Track {
        /// The tracking token.
        token: String,
    },
    /// List requests.
    List {
        /// Only open requests past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only open requests due within this many days.
        #[arg(long, value_name = "DAYS")]
        due_within: Option<u64>,
        /// Only requests in this state.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        /// Only requests refused or completed after their due date.
        #[arg(long)]
        late: bool,
    },
    /// Ask the subject for something: their identity on a reasonable doubt, or a clarification;
    /// the deadline pauses.
    AwaitSubject {
        /// The request's id.
        id: String,
        /// identity (on a reasonable doubt, Art. 12(6)) or clarification.
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// For identity, the doubt; for a clarification, what is asked.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// For identity, the method asked for (a reply from the address on record, a call-back).
        #[arg(long, value_name = "TEXT")]
        method: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// The subject answered; the deadline runs again.
    Resume {
        /// The request's id.
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// Accept the request.
    Accept {
        /// The request's id.
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// Start carrying it out.
    Start {
        /// The request's id.
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// Extend the deadline, once, by the due date.
    Extend {
        /// The request's id.
        id: String,
        /// complexity or number-of-requests.
        #[arg(long, value_name = "GROUND")]
        ground: String,
        /// The written reason given to the subject.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        by: By,
    },
    /// Refuse the request with a reason code and a text.
    Refuse {
        /// The request's id.
        id: String,
        /// identity_not_verified, manifestly_unfounded, excessive, freedom_of_expression,
        /// legal_obligation, public_interest_health, archiving_research, legal_claims,
        /// not_eligible_for_portability or other.
        #[arg(long, value_name = "CODE")]
        code: String,
        /// The reason in words, given to the subject.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        by: By,
    },
    /// Complete the request. An access or portability request is completed with its copy
    /// delivered: --delivered-by records how it was handed over (a program mails it with
    /// `Gdpr::complete_with_export`).
    Complete {
        /// The request's id.
        id: String,
        /// How the copy of an access or portability request reached the subject: post,
        /// in_person or download.
        #[arg(long, value_name = "HOW", requires = "on")]
        delivered_by: Option<String>,
        /// The day the copy was handed over (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", requires = "delivered_by")]
        on: Option<String>,
        /// Part of the data kept (repeat it): WHAT:CODE or WHAT:CODE:PERIOD, such as
        /// invoices:legal_obligation:10y; CODE is a refusal code that applies to the request.
        #[arg(long = "kept", value_name = "WHAT:CODE[:PERIOD]", conflicts_with = "delivered_by")]
        kept: Vec<String>,
        #[command(flatten)]
        by: By,
    },
    /// Offer the copy of an access or portability request in progress for download on the
    /// portal (`gdprkit serve --map`), and tell the subject; their first download completes the
    /// request (E3).
    OfferDownload {
        /// The request's id.
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// What the subject wrote with a request they submitted on the portal.
    Message {
        /// The request's id.
        id: String,
    },
    /// The subject withdraws the request.
    Withdraw {
        /// The request's id.
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// Carry out an accepted erasure or anonymization request with a data map, and complete it.
    Execute {
        /// The request's id.
        id: String,
        /// The data map (TOML); the --db database holds the CRM's tables.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        #[command(flatten)]
        by: By,
    },
    /// Lift the restriction an accepted restriction request put in place; the subject must have
    /// been told first (Art. 18(3)).
    LiftRestriction {
        /// The request's id.
        id: String,
        /// The subject was told that the restriction is lifted.
        #[arg(long)]
        subject_told: bool,
        #[command(flatten)]
        by: By,
    },
    /// The recipients to tell about a completed rectification, erasure or restriction.
    Tasks {
        /// The request's id.
        id: String,
    },
    /// Mark a recipient as told (--sent) or not told (--skip impossible|disproportionate-effort).
    TellRecipient {
        /// The request's id.
        id: String,
        /// The recipient, by name.
        #[arg(long, value_name = "NAME")]
        recipient: String,
        /// The recipient was told.
        #[arg(long, conflicts_with = "skip", required_unless_present = "skip")]
        sent: bool,
        /// Why the recipient is not told: impossible or disproportionate-effort.
        #[arg(long, value_name = "REASON")]
        skip: Option<String>,
        #[command(flatten)]
        by: By,
    },
}

/// `gdprkit disclosure …`
#[derive(Debug, Subcommand)]
pub enum DisclosureCommand {
    /// Register that a subject's data was disclosed to a recipient.
    Add {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// The recipient, by name.
        #[arg(long, value_name = "NAME")]
        recipient: String,
        /// When (now when omitted).
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
    },
    /// List who a subject's data was disclosed to.
    List {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
    },
}

/// Who takes a step on a request, and what they tell the subject.
#[derive(Debug, Args)]
pub struct By {
    /// Who acts: a staff member's name, or subject.
    #[arg(long = "by", default_value = "staff", value_name = "WHO")]
    pub who: String,
    /// A note for the subject, shown with their tracking token.
    #[arg(long = "public-note", value_name = "TEXT")]
    pub public_note: Option<String>,
}

/// `gdprkit information …`
#[derive(Debug, Subcommand)]
pub enum InformationCommand {
    /// The information notice (Arts. 13 and 14): who the controller is, each purpose with its
    /// basis, recipients, transfers, retention, source, whether the data are required, and the
    /// rights; for one subject (the processing that applies to them, as their export says) or for
    /// every purpose the data map describes. Plain text, or HTML with --html; with --json, its
    /// version and SHA-256 too. Needs --controller.
    Notice {
        /// The subject; every purpose of the map when absent.
        #[arg(long, value_name = "ID")]
        subject: Option<String>,
        /// The data map (TOML), whose [[processing]] the notice states.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
        /// `fr` or `en` (default: the subject's, else French).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// Print the HTML form instead of the plain text.
        #[arg(long)]
        html: bool,
        /// Write the notice as a PDF/A to FILE, to print and post; prints its version.
        #[arg(long, value_name = "FILE", conflicts_with = "html")]
        pdf: Option<PathBuf>,
    },
    /// Where the right to information stands for a subject: source, due date and what set it,
    /// the notice given or the exemption.
    Status {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
    },
    /// The subjects who must still be told, by due date: from another source (one month after
    /// their data was obtained, or sooner at the first communication or disclosure), or collected
    /// without a notice recorded. Exit 0; with --overdue, only those past their due date.
    Due {
        /// Only the subjects past their due date.
        #[arg(long)]
        overdue: bool,
    },
    /// Give a subject the notice and record it (an `informed` ledger event): --via email mails it
    /// through the outbox; post and with-message record it as given (print it with `notice`).
    Give {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// email, post or with-message.
        #[arg(long, value_name = "VIA")]
        via: String,
        /// When it was given (RFC 3339), for post and with-message; now when absent.
        #[arg(long, value_name = "INSTANT")]
        at: Option<String>,
        /// The data map (TOML), whose [[processing]] the notice states.
        #[arg(long, value_name = "FILE")]
        map: PathBuf,
    },
    /// Record that a subject, or every subject of a source still to be told, need not be given
    /// the notice (Art. 14(5)), with the ground and the reason.
    Exempt {
        /// The subject.
        #[arg(long, value_name = "ID", required_unless_present = "source", conflicts_with = "source")]
        subject: Option<String>,
        /// Every subject of this source still to be told.
        #[arg(long, value_name = "SOURCE")]
        source: Option<String>,
        /// already-informed, disproportionate-effort, required-by-law or professional-secrecy.
        #[arg(long, value_name = "GROUND")]
        ground: String,
        /// Why the ground applies.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Where the information is made public (https://), required for disproportionate-effort.
        #[arg(long, value_name = "URL")]
        public_notice: Option<String>,
    },
    /// Record a communication with a subject (Art. 14(3)(b)): from another source, they must be
    /// told at the latest then.
    Contacted {
        /// The subject.
        #[arg(long, value_name = "ID")]
        subject: String,
        /// When (RFC 3339); now when absent.
        #[arg(long, value_name = "INSTANT")]
        at: Option<String>,
    },
}

/// `gdprkit map …`
#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Check a data map, and check it against the schema of the --db database, which holds the CRM's
    /// tables. A map that pseudonymizes needs GDPRKIT_HMAC_KEY.
    Check {
        /// The data map (TOML).
        file: PathBuf,
    },
}
