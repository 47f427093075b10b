//! `gdprkit demo`: a sample CRM in a fresh SQLite file (or, with a PostgreSQL --db, a fresh schema
//! there), walked through every capability.

mod crm;
mod information;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chrono::TimeDelta;
use gdprkit::anonymize::sweep::SweepOptions;
use gdprkit::mailer::MemoryMailer;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::record::{CopyDelivery, ExtensionGround, RefusalCode};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::{
    Channel, Collector, ConsentAction, Gdpr, Language, LegalBasis, NewConsent, NewSubject, Proof, Purpose, PurposeId,
    Regime, Source, SubjectId,
};
use serde::Serialize;

use crate::context::{CliResult, Context, Refusal, print_line};

const CONTACTS: usize = 1000;
const WORDING: &str = "I agree to receive the monthly newsletter by e-mail. I can unsubscribe at any time.";

/// What the demo did, for `--json`.
#[derive(Serialize)]
struct Summary {
    database: String,
    purposes: usize,
    contacts: usize,
    consent_events: usize,
    decisions: Vec<Shown>,
    campaign: Campaign,
    history_of: String,
    history_events: usize,
    information: information::Information,
    requests: Requests,
    objection: Objection,
    export: Exported,
    erasure: Erasure,
    swept: u64,
    messages: usize,
    ledger: gdprkit::Verification,
}

#[derive(Serialize)]
struct Exported {
    subject: String,
    request: String,
    pdf: String,
    json: String,
}

#[derive(Serialize)]
struct Erasure {
    subject: String,
    map: String,
    crm_rows_touched: usize,
    ledger_entries_erased: u64,
    denials_kept: usize,
    suppressed: usize,
    kept: Vec<gdprkit::request::record::Kept>,
    reimported: Shown,
}

#[derive(Serialize)]
struct Objection {
    request: String,
    before: Shown,
    while_assessed: Shown,
    upheld: Shown,
}

#[derive(Serialize)]
struct Requests {
    completed: String,
    refused: String,
    extended: String,
    overdue: Vec<String>,
    notices: usize,
}

#[derive(Serialize)]
struct Shown {
    subject: String,
    purpose: String,
    channel: String,
    allowed: bool,
    reason: String,
}

#[derive(Serialize)]
struct Campaign {
    purpose: String,
    channel: String,
    contacts: usize,
    allowed: usize,
    milliseconds: f64,
}

/// A small deterministic generator: the demo tells the same story every time.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn contact(i: usize) -> SubjectId {
    SubjectId::new(format!("contact-{i:04}")).unwrap_or_else(|_| unreachable!("a short ASCII id is valid"))
}

fn regime(i: usize) -> Regime {
    match i % 20 {
        0..=11 => Regime::B2bOptOut,
        12..=18 => Regime::B2cOptIn,
        _ => Regime::SoftOptIn,
    }
}

pub fn run(ctx: &Context, dir: &Path) -> CliResult<ExitCode> {
    std::fs::create_dir_all(dir).map_err(|e| Refusal(format!("--dir: cannot create {}: {e}", dir.display())))?;
    let demo = if ctx.is_postgres() { crm::postgres(ctx, &ctx.db)? } else { crm::sqlite(ctx, dir)? };
    let g = demo.gdpr.clone();
    let mut say = Narrator { quiet: ctx.json, failed: None };
    say.line(&format!("Building a sample CRM in {}.", demo.described));

    let purposes = register_purposes(&g)?;
    say.line(&format!(
        "Registered {} purposes: newsletter and event invitations on consent, product news on legitimate \
         interests (all three direct marketing), billing on contract, and lead scoring on legitimate interests.",
        purposes
    ));

    let subjects: Vec<NewSubject> = (0..CONTACTS)
        .map(|i| {
            let mut s = NewSubject::new(contact(i), regime(i));
            s.email = Some(format!("contact-{i:04}@example.com"));
            s.language = Some(if i % 3 == 0 { Language::En } else { Language::Fr });
            s
        })
        .collect();
    g.add_subjects(subjects)?;
    let count = |r: Regime| (0..CONTACTS).filter(|&i| regime(i) == r).count();
    say.line(&format!(
        "Registered {CONTACTS} contacts: {} professional (B2B: marketing about their work until they opt \
         out), {} consumers (B2C: electronic marketing only after an opt-in) and {} existing customers (soft \
         opt-in: once offered the chance to refuse). Purposes on consent need an opt-in from everyone.",
        count(Regime::B2bOptOut),
        count(Regime::B2cOptIn),
        count(Regime::SoftOptIn)
    ));

    let events = sample_events(ctx)?;
    let consent_events = events.len();
    g.record_consents(events)?;
    say.line(&format!(
        "Recorded {consent_events} consent events with their proof: web-form opt-ins with the wording's \
         version and SHA-256, unsubscribes, withdrawals, offers to refuse product news at checkout, and \
         objections to all direct marketing (contact-0007, contact-0048)."
    ));

    let newsletter = PurposeId::new("newsletter")?;
    let product_news = PurposeId::new("product-news")?;
    let billing = PurposeId::new("billing")?;
    let shown_cases = [
        (
            contact(1),
            newsletter.clone(),
            Channel::Email,
            "a B2B contact who never said anything, for a purpose on consent",
        ),
        (
            contact(1),
            product_news.clone(),
            Channel::Email,
            "the same contact, for product news on legitimate interests",
        ),
        (contact(12), newsletter.clone(), Channel::Email, "a consumer who opted in on the web form"),
        (contact(13), newsletter.clone(), Channel::Email, "a consumer who opted in, then withdrew"),
        (contact(14), newsletter.clone(), Channel::Email, "a consumer who never opted in"),
        (contact(14), product_news.clone(), Channel::Post, "the same consumer, product news by post"),
        (contact(14), billing.clone(), Channel::Email, "the same consumer, an invoice on a contract"),
        (contact(19), product_news.clone(), Channel::Email, "a customer offered the chance to refuse at checkout"),
        (contact(39), product_news.clone(), Channel::Email, "a customer with no such offer on record"),
        (contact(7), newsletter.clone(), Channel::Email, "the contact who objected to direct marketing"),
        (contact(7), billing.clone(), Channel::Email, "the same contact, for billing"),
    ];
    say.line("\nDecisions, each with what decided it:");
    let mut decisions = Vec::new();
    for (subject, purpose, channel, who) in shown_cases {
        let d = g.decide(&subject, &purpose, &channel, None)?;
        say.line(&format!(
            "  {subject} ({who}), {purpose} by {channel}: {} — {}",
            if d.allowed { "allowed" } else { "not allowed" },
            d.reason()
        ));
        decisions.push(Shown {
            subject: subject.to_string(),
            purpose: purpose.to_string(),
            channel: channel.to_string(),
            allowed: d.allowed,
            reason: d.reason(),
        });
    }

    let everyone: Vec<SubjectId> = (0..CONTACTS).map(contact).collect();
    let started = Instant::now();
    let campaign = g.decide_many(&everyone, &newsletter, &Channel::Email, None)?;
    let milliseconds = started.elapsed().as_secs_f64() * 1000.0;
    let allowed = campaign.iter().filter(|d| d.allowed).count();
    say.line(&format!(
        "\nCampaign filter: of {CONTACTS} contacts, {allowed} may receive the newsletter by e-mail today \
         (decided in one call, {milliseconds:.1} ms)."
    ));

    let history = g.history(&contact(13))?;
    say.line("\nHistory of contact-0013, oldest first, with when each event happened and was recorded:");
    for e in &history {
        say.line(&format!(
            "  {} {} by {} (happened {}, recorded {})",
            e.action,
            e.purpose.as_ref().map_or("all marketing", |p| p.as_str()),
            e.channel.as_ref().map_or("every channel", |c| c.as_str()),
            gdprkit::time::format(e.occurred_at),
            gdprkit::time::format(e.recorded_at),
        ));
    }

    let information = information::walk(&g, &mut say)?;
    let requests = walk_requests(ctx, &g, &mut say)?;
    let objection = walk_objection(&g, &mut say)?;
    let export = walk_export(dir, &g, &mut say)?;
    let erasure = walk_erasure(dir, &g, &mut say)?;
    let swept = walk_sweep(&g, &mut say)?;
    let messages = g.outbox(gdprkit::OutboxFilter::All)?.len();
    say.line(&format!(
        "\nOutbox: {messages} messages to contacts and prospects (receipts, notices, the export) were written with the steps \
         that produced them; with no mail server here they wait for `gdprkit outbox deliver --smtp URL`."
    ));

    let ledger = g.verify_ledger()?;
    say.line(&format!(
        "\nLedger: {}",
        match &ledger {
            gdprkit::Verification::Intact { entries } =>
                format!("intact, {entries} hash-chained entries checked one by one."),
            gdprkit::Verification::Broken { seq, reason } => format!("BROKEN at entry {seq}: {reason}"),
            gdprkit::Verification::Contradicted { reason, .. } => format!("CONTRADICTS A CHECKPOINT: {reason}"),
            gdprkit::Verification::Disagrees { table, reason } => format!("the {table} DISAGREE with it: {reason}"),
        }
    ));
    let with_url = if ctx.is_postgres() {
        format!(" (with URL set to the database's URL; the demo's schema is {})", crm::DEMO_SCHEMA)
    } else {
        String::new()
    };
    say.line(&format!(
        "\nTry it yourself{with_url}:\n  gdprkit --db {db} consent check --subject contact-0012 --purpose newsletter --channel email\n  \
         gdprkit --db {db} consent history --subject contact-0013\n  gdprkit --db {db} request list --overdue\n  \
         gdprkit --db {db} information due --overdue\n  \
         gdprkit --db {db} ledger verify\n  \
         gdprkit --db {db} export --subject contact-0036 --map {map} --format pdf --out contact-0036.pdf --lang en",
        db = demo.db_arg,
        map = dir.join("data-map.toml").display()
    ));

    if ctx.json {
        let summary = Summary {
            database: demo.described.clone(),
            purposes,
            contacts: CONTACTS,
            consent_events,
            decisions,
            campaign: Campaign {
                purpose: newsletter.to_string(),
                channel: "email".into(),
                contacts: CONTACTS,
                allowed,
                milliseconds,
            },
            history_of: "contact-0013".into(),
            history_events: history.len(),
            information,
            requests,
            objection,
            export,
            erasure,
            swept,
            messages,
            ledger: ledger.clone(),
        };
        print_line(&serde_json::to_string_pretty(&summary)?)?;
    }
    if let Some(e) = say.failed {
        return Err(Box::new(e));
    }
    Ok(if ledger.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Tells what the demo does, a line at a time, unless `quiet`. Once standard output fails (its
/// reader has gone), it stops writing and keeps the error for the end.
struct Narrator {
    quiet: bool,
    failed: Option<std::io::Error>,
}

impl Narrator {
    fn line(&mut self, s: &str) {
        if !self.quiet && self.failed.is_none() {
            self.failed = print_line(s).err();
        }
    }
}

fn register_purposes(g: &Gdpr) -> CliResult<usize> {
    let purposes = [
        ("newsletter", "Monthly newsletter", LegalBasis::Consent, true),
        ("events", "Event invitations", LegalBasis::Consent, true),
        ("product-news", "Product announcements", LegalBasis::LegitimateInterests, true),
        ("billing", "Invoices and account notices", LegalBasis::Contract, false),
        ("lead-scoring", "Scoring leads from their activity", LegalBasis::LegitimateInterests, false),
    ];
    for (id, label, basis, dm) in purposes {
        let mut p = Purpose::new(PurposeId::new(id)?, basis, dm);
        p.label = label.into();
        g.add_purpose(p)?;
    }
    Ok(purposes.len())
}

fn sample_events(ctx: &Context) -> CliResult<Vec<NewConsent>> {
    let now = ctx.now();
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    let wording_sha = gdprkit::raw::ledger::sha256_hex(WORDING.as_bytes());
    let newsletter = PurposeId::new("newsletter")?;
    let product_news = PurposeId::new("product-news")?;
    let events = PurposeId::new("events")?;
    let mut out = Vec::new();
    let days_ago = |d: u64| Some(now - TimeDelta::days(d as i64) - TimeDelta::minutes(17));
    let web_form = |ip: String| Proof {
        source: Some(Source::WebForm),
        collected_by: Some(Collector::Subject),
        notice_version: Some("newsletter-v3".into()),
        notice_sha256: Some(wording_sha.clone()),
        ip: Some(ip),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".into()),
        proof_ref: None,
    };
    for i in 0..CONTACTS {
        let id = contact(i);
        let event = |action, purpose: &PurposeId, channel: Channel, at, proof: Proof| NewConsent {
            subject: id.clone(),
            action,
            purpose: Some(purpose.clone()),
            channel: Some(channel),
            occurred_at: at,
            proof,
            information: None,
        };
        let unsubscribe = Proof { source: Some(Source::Email), ..Proof::default() };
        match regime(i) {
            Regime::B2cOptIn => {
                // Contact 12 always opts in, 13 opts in then withdraws, 14 never opts in.
                let opts_in = i == 12 || i == 13 || (i != 14 && dice.roll(10) < 6);
                if opts_in {
                    let ip = format!("198.51.100.{}", i % 250 + 1);
                    out.push(event(
                        ConsentAction::OptIn,
                        &newsletter,
                        Channel::Email,
                        days_ago(300 + dice.roll(60)),
                        web_form(ip),
                    ));
                    if i == 13 || (i != 12 && dice.roll(100) < 15) {
                        out.push(event(
                            ConsentAction::Withdraw,
                            &newsletter,
                            Channel::Email,
                            days_ago(30 + dice.roll(200)),
                            unsubscribe.clone(),
                        ));
                    }
                }
            }
            Regime::B2bOptOut => {
                if i != 1 && dice.roll(10) == 0 {
                    out.push(event(
                        ConsentAction::OptOut,
                        &newsletter,
                        Channel::Email,
                        days_ago(dice.roll(365)),
                        unsubscribe.clone(),
                    ));
                }
                if dice.roll(20) == 0 {
                    let by_phone = Proof {
                        source: Some(Source::Phone),
                        collected_by: Some(Collector::Staff("Sales desk".into())),
                        ..Proof::default()
                    };
                    out.push(event(
                        ConsentAction::OptOut,
                        &product_news,
                        Channel::Phone,
                        days_ago(dice.roll(365)),
                        by_phone,
                    ));
                }
            }
            Regime::SoftOptIn => {
                // Customers who bought online were offered the chance to refuse product news at
                // checkout (contact 19 among them); those who bought in a shop were not (39).
                if i % 40 == 19 {
                    let checkout = Proof {
                        source: Some(Source::WebForm),
                        collected_by: Some(Collector::Subject),
                        notice_version: Some("checkout-v2".into()),
                        ..Proof::default()
                    };
                    out.push(event(
                        ConsentAction::SoftOptInOffered,
                        &product_news,
                        Channel::Email,
                        days_ago(200 + dice.roll(100)),
                        checkout,
                    ));
                }
                if dice.roll(5) == 0 {
                    out.push(event(
                        ConsentAction::OptOut,
                        &events,
                        Channel::Email,
                        days_ago(dice.roll(365)),
                        unsubscribe.clone(),
                    ));
                }
            }
        }
    }
    // Contact 7 objects to all marketing and is kept; contact 48 objects and will be erased.
    for (i, days) in [(7, 12), (48, 40)] {
        let mut objection = NewConsent::objection(contact(i));
        objection.occurred_at = days_ago(days);
        objection.proof =
            Proof { source: Some(Source::Paper), collected_by: Some(Collector::Subject), ..Proof::default() };
        out.push(objection);
    }
    Ok(out)
}

/// Four requests through their lives: one completed, one refused, one extended, one overdue.
fn walk_requests(ctx: &Context, g: &Gdpr, say: &mut Narrator) -> CliResult<Requests> {
    let now = ctx.now();
    let outbox = Arc::new(MemoryMailer::new());
    let g = g.to_builder().mailer(outbox.clone()).build()?;
    let open = |subject: usize, kind: RequestKind, via: ReceivedVia, days_ago: i64| {
        g.open_request(NewRequest {
            purposes: Vec::new(),
            subject: contact(subject),
            kind,
            via,
            received_at: Some(now - TimeDelta::days(days_ago)),
        })
    };
    say.line("\nRequests from data subjects, each with its legal due date (one month, rolled past weekends and French holidays):");

    let access = open(12, RequestKind::Access, ReceivedVia::Email, 20)?;
    g.act(&access.request.id, Step::Accept, "Claire (DPO)")?;
    // The copy was printed and posted today (E3): recorded with the completion.
    let posted = Step::CompleteHandedOver { by: CopyDelivery::Post, on: g.receipt_date(g.now()) };
    let done = g.act(&access.request.id, posted, "Claire (DPO)")?.request;
    say.line(&format!(
        "  contact-0012 asked for access by e-mail; due {}; accepted, its copy printed and posted, and completed. Tracking code {} shows: {}.",
        done.due,
        access.token,
        g.track(&access.token)?.map_or("nothing".into(), |v| v.state.to_string())
    ));

    let erasure = open(20, RequestKind::Erasure, ReceivedVia::Post, 10)?;
    let reason = "Your invoices must be kept for ten years (Code de commerce, art. L123-22).";
    let refused = g
        .act(
            &erasure.request.id,
            Step::Refuse { code: RefusalCode::LegalObligation, reason: reason.into() },
            "Claire (DPO)",
        )?
        .request;
    say.line(&format!(
        "  contact-0020 asked by post for erasure; refused for a legal obligation; the notice names the reason, the \
         right to complain to the CNIL and the right to a judicial remedy ({}).",
        refused.state
    ));

    let portability = open(30, RequestKind::Portability, ReceivedVia::Web, 25)?;
    let extension = Step::Extend {
        ground: ExtensionGround::Complexity,
        reason: "Your data is held in three systems that we must export together.".into(),
    };
    let extended = g.act(&portability.request.id, extension, "Claire (DPO)")?.request;
    say.line(&format!(
        "  contact-0030 asked for portability on the web form; due {} at first, extended once for complexity to {}.",
        extended.initial_due, extended.due
    ));

    let late = open(40, RequestKind::Rectification, ReceivedVia::Phone, 45)?;
    let overdue = g.overdue_requests()?;
    say.line(&format!(
        "  contact-0040 asked by phone for a rectification 45 days ago and nobody acted: it was due {}, and is listed \
         as overdue ({} overdue request{}).",
        late.request.due,
        overdue.len(),
        if overdue.len() == 1 { "" } else { "s" }
    ));
    let notices = outbox.messages().len();
    say.line(&format!("  {notices} notices were written to the subjects, each in their language (French or English)."));
    Ok(Requests {
        completed: access.request.id.to_string(),
        refused: erasure.request.id.to_string(),
        extended: portability.request.id.to_string(),
        overdue: overdue.iter().map(|r| r.id.to_string()).collect(),
        notices,
    })
}

/// An objection on grounds relating to the person's situation (Art. 21(1), rule R11): lead
/// scoring is restricted while it is assessed, then stopped when it is upheld.
fn walk_objection(g: &Gdpr, say: &mut Narrator) -> CliResult<Objection> {
    let subject = contact(2);
    let scoring = PurposeId::new("lead-scoring")?;
    let shown = |d: gdprkit::Decision| Shown {
        subject: d.subject.to_string(),
        purpose: d.purpose.to_string(),
        channel: d.channel.to_string(),
        allowed: d.allowed,
        reason: d.reason(),
    };
    let before = shown(g.decide(&subject, &scoring, &Channel::Email, None)?);
    let opened = g.open_request(NewRequest {
        purposes: vec![scoring.clone()],
        subject: subject.clone(),
        kind: RequestKind::Objection,
        via: ReceivedVia::Web,
        received_at: None,
    })?;
    let while_assessed = shown(g.decide(&subject, &scoring, &Channel::Email, None)?);
    g.act(&opened.request.id, Step::Accept, "Claire (DPO)")?;
    g.act(&opened.request.id, Step::Complete, "Claire (DPO)")?;
    let upheld = shown(g.decide(&subject, &scoring, &Channel::Email, None)?);
    say.line(&format!(
        "\nObjection (Art. 21(1)): {subject} objected to lead scoring, on legitimate interests, for reasons of their \
         own situation. Before: {}. While the DPO assessed it: {} — {}. Upheld: {} — {}",
        if before.allowed { "allowed" } else { "not allowed" },
        if while_assessed.allowed { "allowed" } else { "not allowed" },
        while_assessed.reason,
        if upheld.allowed { "allowed" } else { "not allowed" },
        upheld.reason
    ));
    Ok(Objection { request: opened.request.id.to_string(), before, while_assessed, upheld })
}

/// An access request completed with the person's export: the PDF (mailed with the completion
/// notice when there is a mailer, and written to print and post) and the JSON for portability.
fn walk_export(dir: &Path, g: &Gdpr, say: &mut Narrator) -> CliResult<Exported> {
    let subject = contact(24);
    let opened = g.open_request(NewRequest {
        purposes: Vec::new(),
        subject: subject.clone(),
        kind: RequestKind::Access,
        via: ReceivedVia::Post,
        received_at: None,
    })?;
    g.act(&opened.request.id, Step::Accept, "Claire (DPO)")?;
    let done = g.complete_with_export(&opened.request.id, "Claire (DPO)")?;
    let pdf = dir.join("export.pdf");
    let json = dir.join("export.json");
    let portable = gdprkit::export::json::to_json(&g.export(&subject, None)?)?;
    for (path, bytes) in [(&pdf, &done.attachment.bytes), (&json, &portable)] {
        std::fs::write(path, bytes).map_err(|e| Refusal(format!("--dir: cannot write {}: {e}", path.display())))?;
    }
    say.line(&format!(
        "\nExport: {subject} asked by post for their data (Art. 15). Completing the request built their export from \
         the data map, the ledger and the requests: {} (PDF/A, {} bytes) to print and post, and {} (JSON, for \
         portability).",
        pdf.display(),
        done.attachment.bytes.len(),
        json.display()
    ));
    Ok(Exported {
        subject: subject.to_string(),
        request: opened.request.id.to_string(),
        pdf: pdf.display().to_string(),
        json: json.display().to_string(),
    })
}

/// An erasure request carried out with the data map.
fn walk_erasure(dir: &Path, g: &Gdpr, say: &mut Narrator) -> CliResult<Erasure> {
    let map_path = dir.join("data-map.toml");
    std::fs::write(&map_path, gdprkit::sample::DATA_MAP)
        .map_err(|e| Refusal(format!("--dir: cannot write {}: {e}", map_path.display())))?;
    let subject = contact(48);
    let opened = g.open_request(NewRequest {
        purposes: Vec::new(),
        subject: subject.clone(),
        kind: RequestKind::Erasure,
        via: ReceivedVia::Email,
        received_at: None,
    })?;
    g.act(&opened.request.id, Step::Accept, "Claire (DPO)")?;
    let done = g.execute_request(&opened.request.id, "Claire (DPO)")?;
    let report = &done.report;
    say.line(&format!(
        "\nErasure: {subject} asked to be erased. The data map ({}) says where the CRM keeps its data: its contact row \
         was changed field by field, its calls deleted, its invoices kept for 10 years (a legal obligation); \
         {} CRM rows in all, in one transaction. gdprkit then erased the personal values of {} ledger entries and \
         the e-mail it held, kept {} opt-out(s) or objection(s) so that the person is still not contacted, and \
         recorded the erasure; the request is {}.",
        map_path.display(),
        report.plan.rows_touched(),
        report.ledger_entries_erased,
        report.denials_kept,
        done.outcome.request.state
    ));
    let kept = done.outcome.request.kept.clone();
    let kept_words: Vec<String> = kept
        .iter()
        .map(|k| format!("{} ({}, {})", k.what, k.code, k.period.map_or_else(String::new, |p| p.to_text())))
        .collect();
    say.line(&format!(
        "Partial erasure: the request was completed keeping {}; the completion notice says what was kept, why and \
         for how long, and the right to complain to the CNIL and to a judicial remedy (Art. 12(4)). The contact row \
         is {}.",
        kept_words.join(", "),
        report.plan.entities.iter().find(|e| e.entity == "contacts").map_or_else(String::new, |e| match e.outcome {
            gdprkit::anonymize::plan::Outcome::Pseudonymized => {
                format!("pseudonymized, not anonymized: {}", e.why.join("; "))
            }
            other => format!("{other:?}").to_lowercase(),
        })
    ));

    // The same person, bought again with a purchased list months later.
    let reimported = SubjectId::new("lead-0048")?;
    let mut lead = NewSubject::new(reimported.clone(), Regime::B2bOptOut);
    lead.email = Some("Contact-0048@Example.com".into());
    g.add_subject(lead)?;
    let product_news = PurposeId::new("product-news")?;
    let d = g.decide(&reimported, &product_news, &Channel::Post, None)?;
    say.line(&format!(
        "\nSuppression: the objection outlived the erasure as {} keyed hash(es) of the address (HMAC-SHA-256 under the \
         tenant's key, no clear value, kept 3 years). Imported again as {reimported} with Contact-0048@Example.com, the \
         same person is {} product news by post — {}",
        report.suppressed,
        if d.allowed { "allowed" } else { "not allowed" },
        d.reason()
    ));
    Ok(Erasure {
        subject: subject.to_string(),
        map: map_path.display().to_string(),
        crm_rows_touched: report.plan.rows_touched(),
        ledger_entries_erased: report.ledger_entries_erased,
        denials_kept: report.denials_kept,
        suppressed: report.suppressed,
        kept,
        reimported: Shown {
            subject: reimported.to_string(),
            purpose: product_news.to_string(),
            channel: "post".into(),
            allowed: d.allowed,
            reason: d.reason(),
        },
    })
}

/// A retention sweep over the sample CRM: contacts not heard from in 3 years are anonymized.
fn walk_sweep(g: &Gdpr, say: &mut Narrator) -> CliResult<u64> {
    let options = SweepOptions { batch_size: 250, dry_run: false };
    let swept: u64 = g.sweep(options, &mut |_| Ok(()))?.entities.iter().map(|e| e.rows).sum();
    let second: u64 = g.sweep(options, &mut |_| Ok(()))?.entities.iter().map(|e| e.rows).sum();
    say.line(&format!(
        "\nRetention sweep: the data map keeps a contact 3 years after they last reached out; {swept} contacts past \
         that were anonymized, 250 per transaction. A second sweep found {second} rows to change."
    ));
    Ok(swept)
}
